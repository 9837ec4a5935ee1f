"""A full or read-only disk: customers get "try again later", nothing half-written stays,
and the service recovers on its own once the disk is writable again."""

import json
import os
import subprocess
import urllib.error

import pytest

from tests.support.cases import photo_files
from tests.support.claim_client import AgentClient, ClaimClient
from tests.support.images import noisy_png, photo
from tests.support.service import flask_claims, start_service, stop_service

TRY_LATER = "We cannot take your claim right now"


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB filesystem of our own (tmpfs), so filling it harms nothing else."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        message = f"cannot mount a small filesystem here (needs root): {mounted.stderr.strip()}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


def fill(disk) -> None:
    """Write until the filesystem has no space left."""
    with open(disk / "filler", "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass  # ENOSPC: full, as intended


def case_count(data) -> int:
    return len(flask_claims(data, "export").stdout.splitlines())


def submit(client, content: bytes) -> tuple[int, str]:
    form = {
        **client.form_fields("/claims/new"),
        "order_ref": "100234",
        "email": "ana@example.com",
        "claim_type": "defective-item",
        "description": "The lid arrived cracked.",
    }
    return client.post("/claims/new", form, [(content, "lid.png")])


def get(client, path: str) -> tuple[int, str]:
    """GET a page; returns (status, page) whatever the status."""
    try:
        return 200, client.get(path)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def service_on_small_disk(small_disk):
    """The service with its data on the small disk and one claim filed: (data dir, client)."""
    data = small_disk / "data"
    process, base = start_service(data, workers=1)
    try:
        client = ClaimClient(base)
        assert client.submit([(photo("JPEG"), "first.jpg")])
        yield data, client
    finally:
        stop_service(process)


def test_full_disk_gets_try_again_later_and_recovers(small_disk, service_on_small_disk):
    data, client = service_on_small_disk
    files_before, cases_before = photo_files(data), case_count(data)

    fill(small_disk)
    status, page = submit(client, noisy_png((300, 300)))
    assert status == 503 and TRY_LATER in page
    assert photo_files(data) == files_before  # no photo, no temp file left behind

    (small_disk / "filler").unlink()
    assert case_count(data) == cases_before  # (reading the log needs a little space too)
    assert client.submit([(photo("JPEG"), "again.jpg")])  # recovered by itself
    assert case_count(data) == cases_before + 1


def test_read_only_disk_gets_try_again_later_and_recovers(small_disk, service_on_small_disk):
    data, client = service_on_small_disk
    files_before = photo_files(data)

    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    status, page = submit(client, photo("PNG"))
    assert status == 503 and TRY_LATER in page
    assert photo_files(data) == files_before

    subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert client.submit([(photo("JPEG"), "again.jpg")])
    exported = [json.loads(line) for line in flask_claims(data, "export").stdout.splitlines()]
    assert len(exported) == 2 and all(p["sha256"] for c in exported for p in c["photos"])


def test_full_disk_gets_a_clear_page_everywhere_else_too(small_disk, service_on_small_disk):
    data, client = service_on_small_disk
    reference = client.submit([(photo("JPEG"), "second.jpg")])
    created = flask_claims(data, "agent-add", "sam", input="correct horse sam")
    assert created.returncode == 0, created.stderr
    agent = AgentClient(client.base)
    look_up = {**client.form_fields("/claims/status"), "reference": reference}
    look_up["email"] = "ana@example.com"
    sign_in = {**agent.form_fields("/agent/login"), "name": "sam", "password": "correct horse sam"}
    status_page = client.post("/claims/status", look_up)  # proves the case to this browser
    assert status_page[0] == 200

    fill(small_disk)
    pages = {
        "sign-in": agent.post("/agent/login", sign_in),
        "status look-up": client.post("/claims/status", look_up),
        "status page": get(client, "/claims/status/case"),
    }
    health = get(client, "/healthz")

    for name, (status, page) in pages.items():
        assert status == 503, (name, status, page[:300])
        assert "We cannot answer right now" in page and "try again in a few minutes" in page
    assert health == (503, '{"status":"unavailable"}\n')
    (small_disk / "filler").unlink()
    assert get(client, "/healthz")[0] == 200
