"""The claim service for tests: its test settings, PostgreSQL schemas, and the real service
under gunicorn or the `flask claims` command, run as an operator would."""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import IN_CI, ROOT

TEST_SETTINGS = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "MAIL_BACKGROUND": False,
}


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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


def start_service(data_dir: Path, workers: int = 2, untouched: bool = False, **settings: str):
    """Start the real service under gunicorn on a free port; returns (process, base URL).

    `settings` are CLAIMS_* environment variables without the prefix. `untouched`: return at
    once, without waiting for it to answer (no request reaches it).
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
    if untouched:
        return process, base
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


def flask_claims(
    data_dir: Path, *args: str, input: str | None = None, database_url: str | None = None
):
    """Run `flask --app wsgi claims ARGS` against a data directory (and database), as an
    operator would."""
    return subprocess.run(
        **flask_claims_command(data_dir, *args, database_url=database_url),
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
    )


def start_flask_claims(data_dir: Path, *args: str) -> subprocess.Popen:
    """Start `flask --app wsgi claims ARGS` and return at once, for a test that kills it."""
    return subprocess.Popen(
        **flask_claims_command(data_dir, *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def flask_claims_command(data_dir: Path, *args: str, database_url: str | None = None) -> dict:
    """The command line, directory and environment of a `flask … claims` command."""
    env = {**os.environ, "CLAIMS_SECRET_KEY": "cli", "CLAIMS_DATA_DIR": str(data_dir)}
    if database_url:
        env["CLAIMS_DATABASE_URL"] = database_url
    return {
        "args": [sys.executable, "-m", "flask", "--app", "wsgi", "claims", *args],
        "cwd": ROOT,
        "env": env,
    }
