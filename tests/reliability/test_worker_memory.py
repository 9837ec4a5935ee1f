"""What one photo may cost a real gunicorn worker in memory, measured: tiny files that decode to
huge bitmaps (every format we take), the heaviest pictures we accept, megabytes of JPEG fill
bytes. Each upload's peak is read from the worker's VmHWM, reset before it; afterwards the
worker's memory is back where it started."""

from dataclasses import dataclass

import pytest

from claims.photos import PhotoLimits
from tests.reliability.hostile_files import (
    ACCEPTED_BUILDERS,
    BUILDERS,
    MB,
    flat_lossy_webp,
    good_jpeg,
)
from tests.support.claim_client import ClaimClient
from tests.support.images import flat_png, heic, photo
from tests.support.processes import memory_mb, reset_peak, worker_pids
from tests.support.service import start_service, stop_service

# Above the memory a photo may take: parsing the request, the upload itself (up to 15 MB),
# writing the stored file and the allocator's rounding.
SLACK_MB = 64
PEAK_LIMIT_MB = PhotoLimits().max_memory / MB + SLACK_MB
RETURNED_LIMIT_MB = SLACK_MB  # what the worker may keep once the uploads are done

UPLOADS = {
    **{kind: built for kind, built in BUILDERS.items() if kind.startswith("tiny-bitmap bomb")},
    **{kind: built for kind, built in ACCEPTED_BUILDERS.items() if "fill bytes" in kind},
    "heaviest webp accepted: 16 MP of one colour": (
        "heavy.webp",
        lambda: flat_lossy_webp(4000, 4000),
    ),
    "heaviest png accepted: 60 MP of one colour in RGB": (
        "heavy.png",
        lambda: flat_png(7745, 7745, 8, 2),
    ),
}


@dataclass(frozen=True)
class Measured:
    baseline_mb: float  # resident after warming up with one photo of each format
    growth_mb: dict[str, float]  # each upload's peak, above the baseline
    statuses: dict[str, int]
    after_mb: float  # resident once every upload is done


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> Measured:
    """Send each upload on its own claim to a one-worker service, measuring the worker."""
    process, base = start_service(tmp_path_factory.mktemp("memory") / "data", workers=1)
    try:
        [worker] = worker_pids(process.pid)
        client = ClaimClient(base)
        warm_up = [(good_jpeg(), "a.jpg"), (photo("PNG"), "b.png"), (photo("WEBP"), "c.webp")]
        client.submit([*warm_up, (heic(), "d.heic")])
        baseline = memory_mb(worker, "VmRSS")
        growth, statuses = {}, {}
        for kind, (filename, build) in UPLOADS.items():
            content = build()
            fields = {**client.form_fields("/claims/new"), **claim_fields()}
            reset_peak(worker)
            statuses[kind], _ = client.post("/claims/new", fields, [(content, filename)])
            growth[kind] = memory_mb(worker, "VmHWM") - baseline
        after = memory_mb(worker, "VmRSS")
    finally:
        stop_service(process)
    return Measured(baseline, growth, statuses, after)


def claim_fields() -> dict[str, str]:
    return {
        "order_ref": "100234",
        "email": "ana@example.com",
        "claim_type": "defective-item",
        "description": "Checking what one photo costs the worker.",
    }


@pytest.mark.parametrize("kind", UPLOADS)
def test_one_photo_never_takes_more_than_the_memory_per_photo(measured, kind, capsys):
    with capsys.disabled():
        print(
            f"\n{kind}: HTTP {measured.statuses[kind]}, worker peak "
            f"+{measured.growth_mb[kind]:.0f} MB over {measured.baseline_mb:.0f} MB"
        )

    assert measured.statuses[kind] in (200, 400)
    assert measured.growth_mb[kind] < PEAK_LIMIT_MB


def test_worker_memory_returns_after_the_uploads(measured, capsys):
    with capsys.disabled():
        print(
            f"\nworker resident: {measured.baseline_mb:.0f} MB before the uploads, "
            f"{measured.after_mb:.0f} MB after"
        )

    assert measured.after_mb - measured.baseline_mb < RETURNED_LIMIT_MB
