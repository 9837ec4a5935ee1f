"""The help site for tests: a strict build of the project (or a copy of it), served quietly."""

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

from tests.site.content import PROJECT


def build_site(
    destination: Path, project: Path = PROJECT, env: dict | None = None
) -> subprocess.CompletedProcess:
    """Run a strict MkDocs build of `project` into `destination`; the caller checks the result."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(destination)],
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_project(destination: Path) -> Path:
    """A copy of what the site build reads, for tests that break the content on purpose."""
    destination.mkdir(parents=True)
    for name in ("mkdocs.yml", "docs", "overrides", "hooks", "claims"):
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(
                source, destination / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy(source, destination / name)
    return destination


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextmanager
def serving(directory: Path):
    """Serve `directory` over HTTP on a free loopback port; yields its base URL."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
