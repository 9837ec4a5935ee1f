"""The floor: what any WSGI service must do to receive a claim, and nothing more.

It reads the whole request body (so the same bytes cross the same sockets and gunicorn
code as for a real submission), throws it away and answers as our form does: 303 to a
confirmation page.
"""

BLOCK = 64 * 1024


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
