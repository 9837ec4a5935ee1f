"""Hostile request bodies against the real service under gunicorn: a body too large for its
route is refused from its declared length, and a request that is refused anyway (no CSRF
session, over the rate limit) is answered before its body arrives; worker memory stays put."""

import re
import socket
import threading
from urllib.parse import urlsplit

import pytest

from tests.reliability.raw_multipart import get_form, read_all
from tests.support.processes import memory_mb, worker_pids
from tests.support.service import start_service, stop_service

MB = 1024 * 1024
BOMB_BYTES = 40 * MB  # one URL-encoded text field: before the limit, ~10x this in a worker
BOMBS = 4  # at once, over both workers
RSS_GROWTH_LIMIT_MB = 64


def head(path: str, host: str, content_type: str, length: int, cookie: str = "") -> bytes:
    cookie_line = f"Cookie: session={cookie}\r\n" if cookie else ""
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\n"
        f"{cookie_line}Content-Length: {length}\r\nConnection: close\r\n\r\n"
    ).encode()


def status_before_the_body(base: str, path: str, content_type: str, length: int) -> int:
    """Send only the head of a POST that declares `length` bytes of body; the status the
    server answers with. A server that waits for the body fails the test (socket timeout)."""
    address = urlsplit(base)
    with socket.create_connection((address.hostname, address.port), timeout=15) as connection:
        connection.sendall(head(path, address.netloc, content_type, length))
        received = b""
        while b"\r\n" not in received and (chunk := connection.recv(4096)):
            received += chunk
    return int(re.match(rb"HTTP/1\.[01] (\d{3})", received).group(1))


def send_url_encoded_bomb(base: str, answers: list) -> None:
    """POST a status look-up, with a valid session and CSRF token, whose email field is
    BOMB_BYTES long; keeps the status line of the answer."""
    address = urlsplit(base)
    cookie, token = get_form(address.hostname, address.port)
    content_type = "application/x-www-form-urlencoded"
    body_head = f"csrf_token={token}&reference=HC-0000-0000-0000&email=".encode()
    length = len(body_head) + BOMB_BYTES
    block = b"a" * MB
    request = head("/claims/status", address.netloc, content_type, length, cookie)
    with socket.create_connection((address.hostname, address.port), timeout=60) as connection:
        try:
            connection.sendall(request)
            connection.sendall(body_head)
            for _ in range(BOMB_BYTES // MB):
                connection.sendall(block)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the body was read: the answer is waiting
        received = read_all(connection)
    answers.append(received.partition(b"\r\n")[0].decode())


@pytest.fixture
def limited_service(tmp_path):
    """The service with CSRF on (as always) and a status look-up limit of 2 a minute."""
    process, base = start_service(
        tmp_path / "data", RATELIMIT_ENABLED="true", RATELIMIT_STATUS="2 per minute"
    )
    yield base
    stop_service(process)


def test_requests_refused_anyway_are_answered_before_their_body_arrives(limited_service):
    base = limited_service
    multipart = "multipart/form-data; boundary=x"
    url_encoded = "application/x-www-form-urlencoded"

    # No session, so no CSRF token: the form cannot be valid, whatever the body says.
    assert status_before_the_body(base, "/claims/new", multipart, 50 * MB) == 400
    # Over the body limit of a form without photos, declared up front.
    assert status_before_the_body(base, "/claims/new", url_encoded, 50 * MB) == 413
    assert status_before_the_body(base, "/claims/status", multipart, 10 * MB) == 413
    # Over the rate limit: the third look-up in a minute.
    look_ups = [status_before_the_body(base, "/claims/status", url_encoded, 100) for _ in "abc"]
    assert look_ups == [400, 400, 429]


def test_url_encoded_bombs_leave_worker_memory_where_it_was(tmp_path, capsys):
    process, base = start_service(tmp_path / "data", workers=2)
    try:
        workers = worker_pids(process.pid)
        start_peak = max(memory_mb(pid) for pid in workers)
        sampled = []
        answers: list[str] = []
        bombs = [
            threading.Thread(target=send_url_encoded_bomb, args=(base, answers))
            for _ in range(BOMBS)
        ]
        for bomb in bombs:
            bomb.start()
        while any(bomb.is_alive() for bomb in bombs):
            sampled.append(max(memory_mb(pid, "VmRSS") for pid in workers))
            for bomb in bombs:
                bomb.join(timeout=0.02)
        peak = max([*sampled, *(memory_mb(pid) for pid in workers)])
        assert worker_pids(process.pid) == workers  # none died or was replaced
    finally:
        stop_service(process)
    with capsys.disabled():
        print(
            f"\nURL-encoded bombs: {BOMBS} x {BOMB_BYTES // MB} MB at once; worker peak RSS "
            f"{peak:.0f} MB ({len(sampled)} samples of VmRSS, and VmHWM), {start_peak:.0f} MB "
            "at start"
        )
    assert peak < start_peak + RSS_GROWTH_LIMIT_MB
    assert answers == ["HTTP/1.1 413 REQUEST ENTITY TOO LARGE"] * BOMBS
