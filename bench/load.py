"""Concurrent HTTP clients on loopback: each sends requests back to back for a while.

Clients keep their connection open between requests, as a browser does. A round lasts a
fixed time; requests started before the end are waited for, so slow requests are never cut
short, and throughput is what completed over how long that took.
"""

import http.client
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.samples import Sample
from bench.stats import Timing, median


@dataclass(frozen=True)
class Request:
    """One HTTP request, its body in pieces (big photos are sent without copying them)."""

    method: str
    path: str
    pieces: tuple[bytes, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    expect: int = 200


@dataclass
class Round:
    """What the clients saw in one round."""

    latencies: list[float]
    seconds: float

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


@dataclass
class Cell:
    """What one server saw over several rounds: every latency, and each round's throughput."""

    latencies: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)

    def add(self, done: Round) -> None:
        self.latencies += done.latencies
        self.rates.append(done.throughput)

    @property
    def timing(self) -> Timing:
        return Timing(tuple(self.latencies))

    @property
    def rate(self) -> float:
        return median(self.rates)


class BadResponse(RuntimeError):
    """The server answered something else than expected: the figures would be wrong."""


def claim_request(photos: list[Sample]) -> Request:
    """A claim as the form sends it, with a fresh submission id so that each files a case."""
    boundary = secrets.token_hex(16)
    form = {
        "order_ref": "100234",
        "email": "ana@example.com",
        "claim_type": "defective-item",
        "description": "The kettle arrived with a cracked lid and the base does not heat.",
        "submission_id": secrets.token_urlsafe(16),
    }
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in form.items()
    )
    pieces = [head.encode()]
    for photo in photos:
        pieces.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; '
            f'filename="{photo.name}"\r\nContent-Type: {photo.content_type}\r\n\r\n'.encode()
        )
        pieces += [photo.data, b"\r\n"]
    pieces.append(f"--{boundary}--\r\n".encode())
    content_type = f"multipart/form-data; boundary={boundary}"
    return Request("POST", "/claims/new", tuple(pieces), {"Content-Type": content_type}, expect=303)


def send(connection: http.client.HTTPConnection, request: Request) -> tuple[int, bytes]:
    """Send one request on an open connection; returns (status, body)."""
    connection.putrequest(request.method, request.path, skip_accept_encoding=True)
    connection.putheader("Content-Length", str(sum(map(len, request.pieces))))
    for name, value in request.headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    for piece in request.pieces:
        connection.send(piece)
    response = connection.getresponse()
    return response.status, response.read()


def run_round(
    base: str, make_request: Callable[[int], Request], clients: int, seconds: float
) -> Round:
    """`clients` clients send requests back to back for `seconds`; make_request(client) says
    what each sends next."""
    address = urlsplit(base)
    start = threading.Barrier(clients + 1)
    latencies: list[float] = []
    failures: list[str] = []
    deadline = 0.0

    def client(number: int) -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=300)
        request = None
        start.wait()
        try:
            while time.perf_counter() < deadline and not failures:
                request = make_request(number)
                began = time.perf_counter()
                status, body = send(connection, request)
                took = time.perf_counter() - began
                if status != request.expect:
                    failures.append(f"{request.path}: {status} {body[:300]!r}")
                latencies.append(took)
        except (OSError, http.client.HTTPException) as error:
            failures.append(f"{request.path if request else base}: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    if failures:
        raise BadResponse(failures[0])
    return Round(latencies, time.perf_counter() - began)
