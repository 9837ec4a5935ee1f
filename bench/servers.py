"""Start WSGI apps under the gunicorn command `make run` uses, and read their workers' memory.

The floor and our service run under exactly the same command line, so any difference
between them is the application's own work.
"""

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.floor import KEEP_DIR
from tests.support import ROOT
from tests.support.service import free_port, fresh_schema, stop_service, wait_until_serving

WORKERS = 2
THREADS = 4
BENCH_SETTINGS = {
    # No limits: a benchmark sends far more than a customer may.
    "CLAIMS_RATELIMIT_ENABLED": "false",
    # No CSRF token, so each submission is one request (no form fetch before it).
    "CLAIMS_WTF_CSRF_ENABLED": "false",
    "CLAIMS_SECRET_KEY": "bench-secret",
}


@dataclass
class Server:
    """A running gunicorn: its master process and base URL."""

    process: subprocess.Popen
    base: str
    database_url: str | None = None

    def worker_pids(self) -> list[int]:
        """The worker processes: the master's children."""
        workers = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue  # ended meanwhile
            if int(fields[1]) == self.process.pid:
                workers.append(int(stat.parent.name))
        return workers

    def reset_peak_memory(self) -> None:
        """Start a new peak-RSS measurement in every worker (Linux: clear_refs 5)."""
        for pid in self.worker_pids():
            Path(f"/proc/{pid}/clear_refs").write_text("5")

    def peak_memory_mb(self) -> float:
        """The largest peak RSS (VmHWM) of any worker since the last reset, in MB."""
        return max(_status_kb(pid, "VmHWM") for pid in self.worker_pids()) / 1024


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Serve the WSGI app `module:name` on a free loopback port until the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(WORKERS), "--threads", str(THREADS), "--log-level", "warning"]
    process = subprocess.Popen(
        [*command, app],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    server = Server(process, f"http://127.0.0.1:{port}")
    try:
        wait_until_serving(server.base + "/healthz", process)
        yield server
    finally:
        stop_service(process)


@contextlib.contextmanager
def claim_service(
    database_server: str | None = None,
    prepare: Callable[[str], None] | None = None,
    **settings: str,
) -> Iterator[Server]:
    """Our service with benchmark settings, a throw-away data directory and case log (SQLite,
    or a fresh schema on a PostgreSQL server); `prepare(database_url)` runs before it starts."""
    with contextlib.ExitStack() as stack:
        data = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-claims-")))
        if database_server:
            database_url = stack.enter_context(fresh_schema(database_server))
        else:
            database_url = f"sqlite:///{data / 'claims.sqlite3'}"
        if prepare:
            prepare(database_url)
        env = {**BENCH_SETTINGS, "CLAIMS_DATA_DIR": str(data), "CLAIMS_DATABASE_URL": database_url}
        env |= {f"CLAIMS_{name}": value for name, value in settings.items()}
        server = stack.enter_context(gunicorn("wsgi:app", env))
        server.database_url = database_url
        yield server


@contextlib.contextmanager
def floor_service() -> Iterator[Server]:
    """The floor: a WSGI app that reads each request whole and throws it away."""
    with gunicorn("bench.floor:app") as server:
        yield server


@contextlib.contextmanager
def keeping_floor_service() -> Iterator[Server]:
    """The keeping floor: parses each claim and stores its photos durably, nothing more."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-keep-") as keep,
        gunicorn("bench.floor:keeping_app", {KEEP_DIR: keep}) as server,
    ):
        yield server
