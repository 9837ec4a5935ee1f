"""The submission limit holds across gunicorn workers: one client cannot multiply it."""

from tests.support.claim_client import ClaimClient
from tests.support.images import photo
from tests.support.service import start_service, stop_service

LIMIT = 4
WORKERS = 3


def test_submission_rate_limit_is_shared_by_all_workers(tmp_path):
    process, base = start_service(
        tmp_path / "data",
        workers=WORKERS,
        RATELIMIT_ENABLED="true",
        RATELIMIT_SUBMIT=f"{LIMIT} per minute",
    )
    try:
        statuses = []
        for attempt in range(LIMIT * WORKERS):
            client = ClaimClient(base)  # a new connection each time, spread over the workers
            form = {
                **client.form_fields("/claims/new"),
                "order_ref": "100234",
                "email": "bot@example.com",
                "claim_type": "defective-item",
                "description": f"Attempt number {attempt}.",
            }
            status, page = client.post("/claims/new", form, [(photo("JPEG"), "x.jpg")])
            statuses.append(status)
            if status == 429:
                assert "Too many attempts" in page
    finally:
        stop_service(process)
    assert statuses.count(200) == LIMIT
    assert statuses.count(429) == LIMIT * (WORKERS - 1)
