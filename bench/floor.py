"""Floors: the least a WSGI service must do to receive a claim, and to keep one.

`app` reads the whole request body (so the same bytes cross the same sockets and gunicorn
code as for a real submission), throws it away and answers as our form does: 303 to a
confirmation page. `keeping_app` does the least that keeping a claim takes: parse the form,
write each photo with its sha256, and make the photos and a record of the claim durable with
as many fsyncs as our service uses (photo file, its directory, the log).
"""

import hashlib
import json
import os
import secrets
from pathlib import Path

from werkzeug.wrappers import Request

BLOCK = 64 * 1024
KEEP_DIR = "BENCH_KEEP_DIR"  # environment variable: where keeping_app writes


def app(environ, start_response):
    """Read and discard the body; answer like a successful submission."""
    remaining = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"]
    while remaining > 0:
        block = body.read(min(BLOCK, remaining))
        if not block:
            break
        remaining -= len(block)
    if environ["REQUEST_METHOD"] == "POST":
        headers = [("Location", "/claims/submitted"), ("Content-Length", "0")]
        start_response("303 See Other", headers)
        return [b""]
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "16")])
    return [b'{"status": "ok"}']


def keeping_app(environ, start_response):
    """Parse the form, store its photos and a record of it durably; answer like ours."""
    if environ["REQUEST_METHOD"] != "POST":
        return app(environ, start_response)
    request = Request(environ)
    keep = Path(os.environ[KEEP_DIR])
    uploads = [upload for _, upload in request.files.items(multi=True)]
    digests = [store(upload.stream, keep / secrets.token_hex(16)) for upload in uploads]
    directory = os.open(keep, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    with open(keep / "claims.jsonl", "a", encoding="utf-8") as log:
        log.write(json.dumps({**request.form, "photos": digests}) + "\n")
        log.flush()
        os.fsync(log.fileno())
    return app(environ, start_response)


def store(stream, path: Path) -> str:
    """Copy an upload to a new file and fsync it; returns its sha256."""
    digest = hashlib.sha256()
    with open(path, "xb") as file:
        while block := stream.read(BLOCK):
            file.write(block)
            digest.update(block)
        file.flush()
        os.fsync(file.fileno())
    return digest.hexdigest()
