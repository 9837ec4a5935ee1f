"""The help site for tests: a strict build of the project (or a copy of it) with either
builder, finished by the post-build step as `make` does, and served quietly."""

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

BUILDERS = ("mkdocs", "zensical")


def build_site(
    destination: Path,
    project: Path = PROJECT,
    env: dict | None = None,
    builder: str = "mkdocs",
    finish: bool = True,
) -> subprocess.CompletedProcess:
    """Build `project` into `destination` with `builder`, strictly, then (unless `finish` is
    false) run the post-build step (`python -m help_site`) on it as `make` does; the caller
    checks the result (the output of both steps, the return code of the first that failed)."""
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    if builder == "mkdocs":
        command = ["mkdocs", "build", "--strict", "--site-dir", str(destination)]
        built = destination
    else:
        # Zensical builds only into its project's folder: a copy of the project, then.
        project = copy_project(destination.with_name(destination.name + "-project"), project)
        command = ["zensical", "build", "--strict", "--clean"]
        built = project / "site"
    steps = [[sys.executable, "-m", *command]]
    if finish:
        steps.append([sys.executable, "-m", "help_site", str(built)])
    stdout = stderr = ""
    for step in steps:
        result = subprocess.run(
            step, cwd=project, env=environment, capture_output=True, text=True, timeout=300
        )
        stdout, stderr = stdout + result.stdout, stderr + result.stderr
        if result.returncode != 0:
            break
    if built != destination and built.exists():
        shutil.rmtree(destination, ignore_errors=True)
        built.rename(destination)
    return subprocess.CompletedProcess(steps, result.returncode, stdout, stderr)


def copy_project(destination: Path, project: Path = PROJECT) -> Path:
    """A copy of what the site build reads, for tests that break the content on purpose."""
    destination.mkdir(parents=True)
    for name in ("mkdocs.yml", "docs", "overrides", "hooks", "claims", "help_site"):
        source = project / name
        if not source.exists():
            continue
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
