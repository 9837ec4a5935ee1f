"""A gzip-ing reverse proxy on loopback, standing in for the web server in front of us.

It forwards GET and HEAD to the service (which, like `make run`, also serves the built site),
compresses text responses as nginx does with `gzip on; gzip_comp_level 6`, and counts the
bytes it sends per path, so page weight is what a browser really receives.
"""

import contextlib
import gzip
import http.client
import http.server
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class Proxy(http.server.ThreadingHTTPServer):
    """The proxy server; `sent` maps each path requested to the bytes sent for it."""

    daemon_threads = True

    def __init__(self, upstream: str):
        super().__init__(("127.0.0.1", 0), Handler)
        self.upstream = urlsplit(upstream)
        self.sent: dict[str, int] = {}
        self.lock = threading.Lock()

    def take_counts(self) -> dict[str, int]:
        """The bytes sent per path since the last call."""
        with self.lock:
            counts, self.sent = self.sent, {}
        return counts


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        upstream = self.server.upstream
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() != "accept-encoding"}
            connection.request(self.command, self.path, headers=headers)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        kind = response.getheader("Content-Type", "")
        compress = (
            "gzip" in self.headers.get("Accept-Encoding", "")
            and kind.startswith(COMPRESSIBLE)
            and len(body) > 20
        )
        if compress:
            body = gzip.compress(body, compresslevel=6)
        self.send_response_only(response.status)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        if compress:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        head_size = sum(map(len, self._headers_buffer))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)
        path = urlsplit(self.path).path
        with self.server.lock:
            self.server.sent[path] = self.server.sent.get(path, 0) + head_size + len(body)

    do_HEAD = do_GET

    def log_message(self, format, *args) -> None:
        pass


@contextlib.contextmanager
def gzip_proxy(upstream: str) -> Iterator[Proxy]:
    """Run a proxy to `upstream` until the block ends; its address is `proxy.base`."""
    proxy = Proxy(upstream)
    proxy.base = f"http://127.0.0.1:{proxy.server_port}"
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
