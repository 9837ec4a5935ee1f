"""Fixtures every suite reuses: the built help site, a local server for it, a real browser."""

import asyncio
import contextlib
import email
import email.policy
import functools
import http.server
import io
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import settings

from tests.browser import settle
from tests.claims.images import photo
from tests.site.content import PROJECT

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


# The run


IN_CI = os.environ.get("CI") == "true"
# `make fuzz`: many more examples than `make test` (budgets are set per 100 examples).
settings.register_profile("fuzz", max_examples=1000)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """Outside CI, Hypothesis explores with a new seed each run, printed so that a failing run
    can be replayed; in CI it runs derandomized (its built-in "ci" profile), the same each time."""
    if not IN_CI and config.getoption("hypothesis_seed") is None:
        config.option.hypothesis_seed = str(secrets.randbelow(2**32))


def pytest_report_header(config) -> str:
    seed = config.getoption("hypothesis_seed")
    if seed is None:
        return "hypothesis: derandomized"
    return f"hypothesis: seed {seed} (replay a run with --hypothesis-seed={seed})"


def pytest_terminal_summary(terminalreporter):
    """One line per reason for the tests skipped, instead of one line per test."""
    reasons = Counter(
        report.longrepr[2].removeprefix("Skipped: ")
        if isinstance(report.longrepr, tuple)
        else str(report.longrepr)
        for report in terminalreporter.stats.get("skipped", [])
    )
    if reasons:
        terminalreporter.section("skipped", sep="-")
        for reason, count in reasons.most_common():
            terminalreporter.write_line(f"{count} skipped: {reason}")


# The help site


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
        if IN_CI:
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
        settle(tab)  # colours measured mid-transition are not the ones a reader sees
        # Evaluated through the DevTools protocol: the page's own CSP would block a <script>.
        tab.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
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


# The claim service


def postgresql_url(request) -> str:
    """The PostgreSQL server for tests (CLAIMS_TEST_DATABASE_URL); skip, or fail under CI."""
    url = os.environ.get("CLAIMS_TEST_DATABASE_URL")
    if not url:
        message = (
            "PostgreSQL tests need CLAIMS_TEST_DATABASE_URL, e.g. "
            "postgresql://claims:claims@127.0.0.1/claims_test (`make postgres` starts one)."
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request) -> str | None:
    """Each test runs on both databases: None is the default SQLite file in DATA_DIR; for
    PostgreSQL, a fresh schema of the test server, dropped afterwards."""
    if request.param == "sqlite":
        yield None
        return
    with fresh_schema(postgresql_url(request)) as url:
        yield url


@contextlib.contextmanager
def fresh_schema(server: str):
    """A new, empty schema on the PostgreSQL server; yields a URL that uses it."""
    import psycopg

    from claims.store.connection import close_pools

    schema = f"test_{secrets.token_hex(6)}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in server else "?"
    try:
        yield f"{server}{separator}options=-csearch_path%3D{schema}"
    finally:
        close_pools()  # the apps of this test are done with it
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


# What a throw-away claim service in a test runs with (plus DATA_DIR and DATABASE_URL).
TEST_SETTINGS = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "MAIL_BACKGROUND": False,
}


@pytest.fixture
def app_config(tmp_path, request, database_url) -> dict:
    """Settings for a throw-away claim service; `@pytest.mark.config(NAME=value)` adds to them."""
    marker = request.node.get_closest_marker("config")
    return {
        **TEST_SETTINGS,
        "DATA_DIR": tmp_path / "data",
        "DATABASE_URL": database_url,
        **(marker.kwargs if marker else {}),
    }


@pytest.fixture
def app(app_config):
    from claims import create_app

    return create_app(app_config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Customer:
    """Files claims and looks them up the way the pages do."""

    def __init__(self, client):
        self.client = client

    def claim(self, photos=(), follow_redirects=False, **fields):
        """POST the claim form; `photos` is a list of (bytes, filename)."""
        data = {
            "order_ref": "100234",
            "email": "ana@example.com",
            "claim_type": "defective-item",
            "description": "The kettle arrived with a cracked lid.",
            "submission_id": fields.pop("submission_id", os.urandom(8).hex()),
            **fields,
        }
        data = {name: value for name, value in data.items() if value is not None}
        data["photos"] = [(io.BytesIO(content), name) for content, name in photos]
        return self.client.post(
            "/claims/new",
            data=data,
            content_type="multipart/form-data",
            follow_redirects=follow_redirects,
        )

    def file(self, photos=None, **fields) -> str:
        """File a claim (with one photo unless told otherwise); returns its case reference."""
        self.claim(photos=photos or [(photo("JPEG"), "lid.jpg")], **fields)
        return self.reference(self.client.get("/claims/submitted"))

    def reference(self, response) -> str:
        """The case reference shown on a confirmation page."""
        match = re.search(r'id="case-reference">([^<]+)<', response.get_data(as_text=True))
        assert match, response.get_data(as_text=True)[:2000]
        return match.group(1)

    def status(self, reference: str, email: str):
        """Look a case up; a match lands on the case page."""
        return self.client.post(
            "/claims/status",
            data={"reference": reference, "email": email},
            follow_redirects=True,
        )


@pytest.fixture
def customer(client) -> Customer:
    return Customer(client)


class Agent:
    """A support agent at the console: signs in, takes cases, acts on them."""

    def __init__(self, client, runner, name: str = "sam"):
        self.client, self.runner, self.name = client, runner, name
        self.password = f"correct horse {name}"

    def create(self) -> "Agent":
        result = self.runner.invoke(args=["claims", "agent-add", self.name], input=self.password)
        assert result.exit_code == 0, result.output
        return self

    def sign_in(self, password: str | None = None):
        return self.client.post(
            "/agent/login", data={"name": self.name, "password": password or self.password}
        )

    def take_next(self):
        return self.client.post("/agent/take-next")

    def act(self, reference: str, action: str, **fields):
        return self.client.post(
            f"/agent/cases/{reference}/{action}", data=fields, follow_redirects=True
        )


@pytest.fixture
def agent(app, runner) -> Agent:
    """Agent "sam", created and signed in on their own browser."""
    sam = Agent(app.test_client(), runner).create()
    assert sam.sign_in().status_code == 303
    return sam


class MailCatcher:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

    def __init__(self):
        self.messages = []
        self.release = threading.Event()  # cleared: the server stalls, as a slow one does
        self.release.set()
        self.received = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        while not self.release.is_set():
            await asyncio.sleep(0.02)
        with self.received:
            self.messages.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
            self.received.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 20) -> list:
        with self.received:
            self.received.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        return self.messages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def mail_server(catcher: MailCatcher, **options):
    """A real SMTP server (aiosmtpd) on a free loopback port, answering as `catcher` does;
    yields the port. `options` go to aiosmtpd (e.g. enable_SMTPUTF8=False)."""
    from aiosmtpd.controller import Controller

    controller = Controller(catcher, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield controller.port
    finally:
        catcher.release.set()
        controller.stop()


@pytest.fixture
def smtp_server():
    """Start a local SMTP server; yields (catcher, port). `catcher.release.clear()` stalls it."""
    catcher = MailCatcher()
    with mail_server(catcher) as port:
        yield catcher, port


def wait_until_serving(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    """Poll `url` until it answers; fail early if the server process died."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def start_service(data_dir: Path, workers: int = 2, **settings: str):
    """Start the real service under gunicorn on a free port; returns (process, base URL).

    `settings` are CLAIMS_* environment variables without the prefix.
    """
    port = free_port()
    env = {
        **os.environ,
        "CLAIMS_SECRET_KEY": "live-test-secret",
        "CLAIMS_DATA_DIR": str(data_dir),
        "CLAIMS_RATELIMIT_ENABLED": "false",
        **{f"CLAIMS_{name}": value for name, value in settings.items() if value is not None},
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(workers), "--threads", "4", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its own process group, so a test can kill it whole
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base + "/healthz", process)
    except RuntimeError:
        stop_service(process)
        raise
    return process, base


def stop_service(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="session")
def live_data(tmp_path_factory) -> Path:
    """The data directory of `live_service`."""
    return tmp_path_factory.mktemp("live-data")


@pytest.fixture(scope="session")
def live_service(built_site, live_data):
    """The real service under gunicorn, serving the built help site too, as `make run` does."""
    process, base = start_service(live_data, HELP_SITE_DIR=str(built_site))
    yield base
    stop_service(process)


def cases(runner) -> list[dict]:
    """Every case in the log, from the export command."""
    result = runner.invoke(args=["claims", "export"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def file_directly(app, email: str) -> str:
    """A case filed past today's form (by an older version, or by hand); returns its reference."""
    from claims.store import get_store

    with app.app_context():
        return file_into(get_store(), email)


def file_into(store, email: str) -> str:
    """A case filed straight into this store, past any form; returns its reference."""
    from claims.catalog import CLAIM_TYPES
    from claims.store.records import NewCase

    claim = NewCase(
        submission_key=os.urandom(8).hex(),
        order_ref="100234",
        email=email,
        claim_type="defective-item",
        lane=CLAIM_TYPES["defective-item"].lane,
        description="The kettle arrived with a cracked lid.",
    )
    case, _ = store.cases.file_case(claim, [])
    return case.reference


def checked_claim_type(page: str) -> str | None:
    """The claim type whose radio button is selected on a rendered form."""
    match = re.search(r'<input[^>]* checked [^>]*value="([^"]+)"', page)
    return match.group(1) if match else None


def stored_files(app) -> list:
    return [path for path in app.config["PHOTO_DIR"].rglob("*") if path.is_file()]


def photo_files(data_dir: Path) -> set[str]:
    """Every file under DATA_DIR/photos (temp files included), relative to it."""
    root = data_dir / "photos"
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def flask_claims(
    data_dir: Path, *args: str, input: str | None = None, database_url: str | None = None
):
    """Run `flask --app wsgi claims ARGS` against a data directory (and database), as an
    operator would."""
    env = {**os.environ, "CLAIMS_SECRET_KEY": "cli", "CLAIMS_DATA_DIR": str(data_dir)}
    if database_url:
        env["CLAIMS_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "claims", *args],
        cwd=ROOT,
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
    )
