"""Fixtures every suite reuses: the built help site, a local server for it, a real browser."""

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def build_site(
    destination: Path, project: Path = ROOT, env: dict | None = None
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
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, destination / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy(source, destination / name)
    return destination


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The help site, built once per test session with the default settings."""
    destination = tmp_path_factory.mktemp("site")
    result = build_site(destination)
    assert result.returncode == 0, result.stderr
    return destination


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def site_server(built_site) -> str:
    """The built site served over HTTP on a free loopback port; yields its base URL."""
    handler = functools.partial(QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright. Missing browser: skip, or fail under CI."""
    if not CHROMIUM.exists():
        message = "Chromium is not installed: install it with `sudo apt-get install chromium`."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab with its own cookies and storage."""
    context = browser.new_context()
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def axe_violations():
    """Run axe-core in a loaded page; returns its violations (empty when the page passes)."""

    def run(tab) -> list[dict]:
        tab.add_script_tag(path=str(AXE_SCRIPT))
        result = tab.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return [
            {
                "rule": violation["id"],
                "impact": violation["impact"],
                "help": violation["help"],
                "targets": [node["target"] for node in violation["nodes"]],
            }
            for violation in result["violations"]
        ]

    return run
