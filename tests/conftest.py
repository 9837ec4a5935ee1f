"""Fixtures every suite reuses (helpers they build on live in ``tests/support``): the built
help site and a server for it, a real browser, throw-away claim services, a mail server."""

import contextlib
import secrets
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support import IN_CI
from tests.support.actors import Agent, Customer
from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS
from tests.support.browser import axe_violations as axe_violations_of
from tests.support.helpdesk import HelpDesk
from tests.support.imap import Dovecot, MailboxUser, dovecot_or_skip
from tests.support.mail import MailCatcher, mail_server
from tests.support.service import (
    TEST_SETTINGS,
    fresh_schema,
    postgresql_url,
    start_service,
    stop_service,
)
from tests.support.site import BUILDERS, build_site, serving

# The run


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


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The help site, built once per test session with the default settings."""
    destination = tmp_path_factory.mktemp("site")
    result = build_site(destination)
    assert result.returncode == 0, result.stderr
    return destination


@pytest.fixture(scope="session")
def zensical_site(tmp_path_factory) -> Path:
    """The same site built once per test session by the second builder, Zensical."""
    destination = tmp_path_factory.mktemp("zensical") / "site"
    result = build_site(destination, builder="zensical")
    assert result.returncode == 0, result.stdout + result.stderr
    return destination


@pytest.fixture(scope="session", params=BUILDERS)
def each_builders_site(request) -> Path:
    """The site as each builder built it (each built once per session, shared)."""
    return request.getfixturevalue("built_site" if request.param == "mkdocs" else "zensical_site")


@pytest.fixture(scope="session")
def site_server(built_site) -> str:
    """The built site served over HTTP on a free loopback port; yields its base URL."""
    with serving(built_site) as url:
        yield url


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
    return axe_violations_of


# The claim service


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request) -> str | None:
    """Each test runs on both databases: None is the default SQLite file in DATA_DIR; for
    PostgreSQL, a fresh schema of the test server, dropped afterwards."""
    if request.param == "sqlite":
        yield None
        return
    with fresh_schema(postgresql_url(request)) as url:
        yield url


# What a throw-away claim service in a test runs with (plus DATA_DIR and DATABASE_URL).


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

    app = create_app(app_config)
    yield app
    app.extensions["courier"].stop()  # its thread would outlive the test and its database


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def customer(client) -> Customer:
    return Customer(client)


@pytest.fixture
def agent(app, runner) -> Agent:
    """Agent "sam", created and signed in on their own browser."""
    sam = Agent(app.test_client(), runner).create()
    assert sam.sign_in().status_code == 303
    return sam


@pytest.fixture
def smtp_server():
    """Start a local SMTP server; yields (catcher, port). `catcher.release.clear()` stalls it."""
    catcher = MailCatcher()
    with mail_server(catcher) as port:
        yield catcher, port


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


# The mailbox customers reply to


@pytest.fixture(scope="session")
def dovecot():
    """One real Dovecot IMAP server for the whole run (tests/support/imap.py)."""
    dovecot_or_skip()
    with Dovecot.in_new_directory() as server:
        server.start()
        yield server
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()


@pytest.fixture
def mailbox(dovecot) -> MailboxUser:
    """A mailbox of this test's own on the shared Dovecot, running (a test may stop it)."""
    if not dovecot.answers():
        dovecot.start()
    return dovecot.new_user()


@pytest.fixture
def helpdesk(app_config, mailbox, smtp_server) -> HelpDesk:
    """A claim service whose replies come to `mailbox` and whose mail goes to `smtp_server`."""
    from claims import create_app

    catcher, port = smtp_server
    app = create_app(
        {
            **app_config,
            "IMAP_URL": mailbox.url(),
            "IMAP_CA_FILE": str(mailbox.server.ca_file),
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": port,
            "PUBLIC_URL": "https://help.example",
            "MAIL_FROM": "Shop help <help@shop.example>",
        }
    )
    yield HelpDesk(app, mailbox, catcher)
    app.extensions["courier"].stop()
    app.extensions["fetcher"].stop()
