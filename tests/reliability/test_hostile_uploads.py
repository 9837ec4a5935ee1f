"""Hostile uploads against the real service: every bad file is refused by name and never stored
(the good photo sent with it is kept for the form), and the gunicorn worker's memory stays
bounded while it reads them all. Files that only
look hostile (damaged metadata, fill bytes) are accepted and stored without it."""

import html
import io
import json
import secrets
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from PIL import Image

from tests.reliability.hostile_files import ACCEPTED_BUILDERS, BUILDERS, MB, corpus, good_jpeg
from tests.support.cases import photo_files
from tests.support.claim_client import ClaimClient
from tests.support.processes import memory_mb, worker_pids
from tests.support.service import flask_claims, start_service, stop_service

PEAK_RSS_LIMIT_MB = 400
GOOD_PHOTO_NAME = "kettle.jpg"


@dataclass(frozen=True)
class Outcome:
    """What the service answered to one hostile upload, and what was on disk right after."""

    status: int
    page: str
    new_photo_files: list[str]
    stored: list[bytes]  # the content of the new files


@dataclass(frozen=True)
class Run:
    """Everything the corpus run observed; the tests below check it piece by piece."""

    outcomes: dict[str, Outcome]
    accepted: dict[str, Outcome]  # of ACCEPTED_BUILDERS
    too_large: tuple[int, str]
    control_reference: str
    exported: list[dict]
    photo_files: list[str]
    workers_before: list[int]
    workers_after: list[int]
    baseline_rss_mb: float
    peak_rss_mb: float


def description_for(filename: str) -> str:
    """A claim description naming the hostile file, so a stored case shows which file got in."""
    return f"Hostile upload check with the file {filename} attached."


def post_too_large_request(base: str, fields: dict[str, str], size: int) -> tuple[int, str]:
    """POST a claim whose body is `size` bytes of photo, streamed as a browser would.

    The server may answer and close before the body is sent; the answer is read anyway.
    """
    boundary = secrets.token_hex(16)
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; '
        'filename="everything.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    address = urlsplit(base)
    request = (
        f"POST /claims/new HTTP/1.1\r\nHost: {address.netloc}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(head) + size + len(tail)}\r\nConnection: close\r\n\r\n"
    ).encode()
    block = b"\xff" * MB
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        try:
            connection.sendall(request + head)
            for _ in range(size // MB):
                connection.sendall(block)
            connection.sendall(tail)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused early; its answer is waiting to be read
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    status_line, _, rest = received.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2].decode()


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> Run:
    """Send every hostile file (next to a good photo) through the claim form of a one-worker
    service, then one request over the size limit, then a valid claim as a control."""
    data = tmp_path_factory.mktemp("hostile") / "data"
    process, base = start_service(data, workers=1)
    try:
        workers_before = worker_pids(process.pid)
        baseline = memory_mb(workers_before[0], "VmHWM")
        client = ClaimClient(base)
        good = (good_jpeg(), GOOD_PHOTO_NAME)

        def send(content: bytes, filename: str) -> Outcome:
            before = photo_files(data)
            fields = {
                **client.form_fields("/claims/new"),
                "order_ref": "100234",
                "email": "ana@example.com",
                "claim_type": "defective-item",
                "description": description_for(filename),
            }
            status, page = client.post("/claims/new", fields, [good, (content, filename)])
            new_files = sorted(photo_files(data) - before)
            stored = [(data / "photos" / name).read_bytes() for name in new_files]
            return Outcome(status, page, new_files, stored)

        outcomes = {hostile.kind: send(hostile.content, hostile.filename) for hostile in corpus()}
        accepted = {odd.kind: send(odd.content, odd.filename) for odd in corpus(ACCEPTED_BUILDERS)}
        too_large = post_too_large_request(
            base, {**client.form_fields("/claims/new"), "claim_type": "defective-item"}, 130 * MB
        )
        control = client.submit([good], description="Control claim after the hostile files.")
        workers_after = worker_pids(process.pid)
        peak = memory_mb(workers_after[0], "VmHWM")
    finally:
        stop_service(process)
    export = flask_claims(data, "export")
    assert export.returncode == 0, export.stderr
    return Run(
        outcomes=outcomes,
        accepted=accepted,
        too_large=too_large,
        control_reference=control,
        exported=[json.loads(line) for line in export.stdout.split("\n") if line],
        photo_files=sorted(photo_files(data)),
        workers_before=workers_before,
        workers_after=workers_after,
        baseline_rss_mb=baseline,
        peak_rss_mb=peak,
    )


@pytest.mark.parametrize("kind", BUILDERS)
def test_hostile_file_is_refused_with_a_message_naming_it_and_never_stored(hostile_run, kind):
    filename = BUILDERS[kind][0]
    outcome = hostile_run.outcomes[kind]
    page = html.unescape(outcome.page)

    assert outcome.status == 400, f"answered {outcome.status}, stored {outcome.new_photo_files}"
    assert f"{filename}: " in page
    assert "We kept the photos you sent" in page
    [kept] = outcome.stored  # the good photo sent with it, kept for the form; not the hostile one
    with Image.open(io.BytesIO(kept)) as image:
        assert (image.format, image.size) == ("JPEG", (160, 120))
    assert [
        case["reference"]
        for case in hostile_run.exported
        if case["description"] == description_for(filename)
    ] == []


@pytest.mark.parametrize("kind", ACCEPTED_BUILDERS)
def test_honest_photo_with_damaged_metadata_or_fill_bytes_is_stored_without_them(hostile_run, kind):
    outcome = hostile_run.accepted[kind]

    assert outcome.status == 200, html.unescape(outcome.page)[:2000]
    assert len(outcome.stored) == 2  # the good photo and this one
    for content in outcome.stored:
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            assert dict(image.getexif()) in ({}, {0x0112: 6})  # the orientation, if turned
        assert b"\xff" * 64 not in content  # no fill bytes (nor anything else that long)


def test_request_over_the_size_limit_gets_the_friendly_413_page(hostile_run):
    status, page = hostile_run.too_large

    assert status == 413
    assert "What you sent is too large" in page
    assert "send fewer or smaller photos" in page


def test_worker_memory_stays_bounded_and_the_worker_never_dies(hostile_run, capsys):
    tried = len(hostile_run.outcomes) + 1  # the corpus and the request over the size limit
    with capsys.disabled():
        print(
            f"\nhostile uploads: {tried} bad uploads tried ({len(hostile_run.outcomes)} files "
            f"+ 1 request over the size limit); gunicorn worker peak RSS (VmHWM) "
            f"{hostile_run.peak_rss_mb:.0f} MB, {hostile_run.baseline_rss_mb:.0f} MB at start"
        )

    assert len(hostile_run.outcomes) >= 40
    assert hostile_run.workers_after == hostile_run.workers_before  # no crash, no restart
    assert hostile_run.peak_rss_mb < PEAK_RSS_LIMIT_MB


def test_service_still_files_a_valid_claim_after_the_corpus_and_leaves_no_stray_file(
    hostile_run,
):
    sent = {description_for(name) for name, _ in [*BUILDERS.values(), *ACCEPTED_BUILDERS.values()]}
    [case] = [c for c in hostile_run.exported if c["description"] not in sent]
    assert case["reference"] == hostile_run.control_reference
    [photo] = case["photos"]
    assert photo["original_name"] == GOOD_PHOTO_NAME
    assert photo["sha256"] is not None  # its file is on disk

    filed = [p["stored_name"] for c in hostile_run.exported for p in c["photos"]]
    staged = [name for outcome in hostile_run.outcomes.values() for name in outcome.new_photo_files]
    # No orphan or temp file from a refused upload: only filed photos and those kept for forms.
    assert hostile_run.photo_files == sorted(filed + staged)
