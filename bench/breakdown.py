"""Where a submission's time goes: our request handling profiled with pyinstrument, by stage.

Submissions run one after another through the application in this process (no gunicorn),
with the same bytes as the load runs, and every sampled moment is put in the stage of the
innermost step it was in. Wall-clock time, so fsync waits count.
"""

import tempfile
from pathlib import Path

from pyinstrument import Profiler

from bench.load import claim_request
from bench.samples import Sample
from claims import create_app

# Function -> stage; a function inside another's stage starts a stage of its own.
STAGES = {
    "wsgi_app": "Flask, forms, page, other",
    "_load_form_data": "read the multipart body (spool photos to temp files)",
    "_open_and_check": "check the photo (PNG, HEIC: decode it)",
    "_check_jpeg_skeleton": "check a JPEG: decode its skeleton",
    "_rewrite": "strip metadata and hash (HEIC: encode as JPEG)",
    "_store_durably": "write the photo, fsync file and directory",
    "file_case": "case log: insert and commit (fsync)",
    "get_store": "case log: open a connection",
    "close_store": "case log: close the connection",
}


def attribute(frame, stage: str | None, totals: dict[str, float]) -> None:
    """Add each frame's own time to the stage it is in, walking the whole call tree."""
    stage = STAGES.get(frame.function, stage)
    if stage is not None:
        own = frame.time - sum(child.time for child in frame.children)
        totals[stage] = totals.get(stage, 0.0) + own
    for child in frame.children:
        attribute(child, stage, totals)


def profile(photos: list[Sample], count: int) -> dict[str, float]:
    """Milliseconds per submission in each stage, over `count` submissions of these photos."""
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as data:
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "DATA_DIR": Path(data),
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
                "MAIL_BACKGROUND": False,
            }
        )
        client = app.test_client()

        def submit() -> None:
            request = claim_request(photos)
            response = client.post(
                request.path, data=b"".join(request.pieces), headers=request.headers
            )
            if response.status_code != request.expect:
                raise RuntimeError(f"submission failed: {response.status_code}")

        for _ in range(2):  # imports, first connection, caches
            submit()
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(count):
            submit()
        profiler.stop()
    totals: dict[str, float] = {}
    attribute(profiler.last_session.root_frame(), None, totals)
    return {stage: seconds * 1000 / count for stage, seconds in totals.items()}
