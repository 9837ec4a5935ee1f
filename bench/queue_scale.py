"""The queue with a million cases: what is next, status look-ups, queue positions, agent pages.

Each query runs against a 1,000,000-case log and, as the baseline, against a 10,000-case log
with the same mix, in two mixes: a normal day (0.1% of cases waiting: 1,000) and a backlog
(10%: 100,000 waiting). Queries go through `claims.store` on an open connection; the
agent's queue page goes through the whole application (Flask test client, signed in).
Where a query misses its target, its slowest statement is shown with SQLite's query plan.
Run with `python -m bench.queue_scale`.
"""

import argparse
import contextlib
import itertools
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import generate_password_hash

from bench import caseload
from bench.stats import Line, Timing, number, ratio, table
from claims import create_app
from claims.agent import PAGE_SIZE
from claims.store import Store, bulk
from claims.store.connection import recording

TARGET_MS = 5.0  # "a few milliseconds", p99, for each query
PAGE_TARGET_MS = 50.0  # the agent's queue page, p99, rendered whole by the application
AGENT, PASSWORD = "bench", "bench password"


@dataclass(frozen=True)
class Mix:
    name: str
    waiting_share: float  # of all cases


MIXES = (Mix("normal day", 0.001), Mix("backlog", 0.1))


@dataclass(frozen=True)
class Measured:
    """One operation's timings on the big log and on the baseline log."""

    mix: str
    operation: str
    big: Timing
    small: Timing
    is_page: bool
    diagnosis: str = ""

    @property
    def met(self) -> bool:
        return self.big.p99 <= (PAGE_TARGET_MS if self.is_page else TARGET_MS)


def timing(call: Callable[[], object], repeats: int) -> Timing:
    """Latencies of `repeats` calls, after a few untimed ones to warm the caches."""
    for _ in range(3):
        call()
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return Timing(tuple(samples))


def build(directory: Path, total: int) -> str:
    """A case log of `total` cases on a normal day, with one agent; returns its URL."""
    url = f"sqlite:///{directory / 'claims.sqlite3'}"
    with Store(url) as store:
        caseload.fill(store, total, waiting_in(MIXES[0], total), cache_mb=500)  # loading only
        store.agents.add_agent(AGENT, generate_password_hash(PASSWORD))
    return url


def waiting_in(mix: Mix, total: int) -> int:
    return max(1, round(total * mix.waiting_share))


def operations(store: Store, client, waiting: int) -> dict[str, tuple[Callable, bool]]:
    """What customers and agents ask of the queue, on this log: name -> (call, is a page)."""
    cases = store.cases
    total = bulk.highest_case_id(store)
    ids = random.Random(5).sample(range(1, total + 1), min(total, 200))
    pairs = [
        (case.reference.lower().replace("-", " "), case.email.upper())  # as customers type
        for case in map(cases.case_by_id, sorted(ids))
        if case is not None
    ]
    lookups = itertools.cycle(pairs)
    head, middle, tail = (
        cases.queue(limit=1, offset=offset)[0] for offset in (0, waiting // 2, waiting - 1)
    )
    last_page = (waiting - 1) // PAGE_SIZE + 1
    return {
        "what is next (next_case)": (cases.next_case, False),
        "status look-up (case_for_customer)": (
            lambda: cases.case_for_customer(*next(lookups)),
            False,
        ),
        "queue position, head": (lambda: cases.queue_position(head), False),
        f"queue position, middle (#{waiting // 2 + 1:,})": (
            lambda: cases.queue_position(middle),
            False,
        ),
        f"queue position, tail (#{waiting:,})": (lambda: cases.queue_position(tail), False),
        "agent queue page, first": (lambda: page(client, "/agent/"), True),
        f"agent queue page, last (page {last_page:,})": (
            lambda: page(client, f"/agent/?page={last_page}"),
            True,
        ),
    }


def page(client, path: str) -> None:
    response = client.get(path)
    if response.status_code != 200 or b"Take next case" not in response.data:
        raise RuntimeError(f"{path}: {response.status_code}")


@contextlib.contextmanager
def opened(url: str, directory: Path):
    """The case log on an open connection, and a signed-in agent's browser on the app."""
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATA_DIR": directory,
            "DATABASE_URL": url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "MAIL_BACKGROUND": False,
        }
    )
    client = app.test_client()
    response = client.post("/agent/login", data={"name": AGENT, "password": PASSWORD})
    if response.status_code != 303:
        raise RuntimeError(f"agent sign-in failed: {response.status_code}")
    with Store(url) as store:
        yield store, client


def measure_log(url: str, directory: Path, waiting: int, repeats: int) -> dict:
    """Time every operation on one log; name -> (Timing, is a page, diagnosis if it missed)."""
    results = {}
    with opened(url, directory) as (store, client):
        for name, (call, is_page) in operations(store, client, waiting).items():
            with recording() as statements:
                call()
            timed = timing(call, max(repeats // 10, 20) if is_page else repeats)
            missed = timed.p99 > (PAGE_TARGET_MS if is_page else TARGET_MS)
            diagnosis = bulk.slowest_statement(store, statements) if missed else ""
            results[name] = (timed, is_page, diagnosis)
    return results


def measure(total: int, baseline_total: int, repeats: int) -> list[Measured]:
    """Both mixes on the big log and on the baseline log; returns the Measured rows."""
    timings: dict[tuple[str, str], dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-queue-") as workdir:
        for label, size in (("big", total), ("small", baseline_total)):
            directory = Path(workdir) / label
            directory.mkdir()
            started = time.monotonic()
            url = build(directory, size)
            print(f"  queue scale: {size:,} cases filled in {time.monotonic() - started:.0f} s")
            for mix in MIXES:
                waiting = waiting_in(mix, size)
                with Store(url) as store:
                    now_waiting = store.cases.queue_summary().waiting_per_lane.values()
                    if waiting > sum(now_waiting):
                        bulk.requeue(store, waiting - sum(now_waiting))
                timings[mix.name, label] = measure_log(url, directory, waiting, repeats)
    rows = []
    for mix in MIXES:
        big, small = timings[mix.name, "big"], timings[mix.name, "small"]
        for (name, (timed, is_page, diagnosis)), (small_timed, _, _) in zip(
            big.items(), small.values(), strict=True
        ):
            rows.append(Measured(mix.name, name, timed, small_timed, is_page, diagnosis))
    return rows


def report(rows: list[Measured], total: int, baseline_total: int) -> tuple[str, list[Line]]:
    """The detailed table (and diagnoses), and the summary lines."""
    header = (
        "Mix",
        "Operation",
        f"p50 ms ({total:,})",
        f"p99 ms ({total:,})",
        f"p99 ms ({baseline_total:,})",
        "p99 ratio",
        "Target",
        "",
    )
    body, lines, notes = [], [], []
    for row in rows:
        target = f"p99 ≤ {PAGE_TARGET_MS if row.is_page else TARGET_MS:g} ms"
        verdict = "met" if row.met else "MISSED"
        ratio_text = ratio(row.big.p99, row.small.p99)
        body.append(
            (
                row.mix,
                row.operation,
                number(row.big.p50, 2),
                number(row.big.p99, 2),
                number(row.small.p99, 2),
                ratio_text,
                target,
                verdict,
            )
        )
        lines.append(
            Line(
                "Queue scale",
                f"{row.mix}: {row.operation}, p99 ms",
                number(row.big.p99, 2),
                f"{number(row.small.p99, 2)} ({baseline_total:,} cases)",
                ratio_text,
                target,
                row.met,
            )
        )
        if row.diagnosis:
            notes.append(f"- {row.mix}, {row.operation}: slowest statement {row.diagnosis}")
    title = f"Queue scale: {total:,} cases vs {baseline_total:,} (baseline), SQLite"
    text = table(title, header, body)
    if notes:
        text += "\nMissed targets, slowest statement and query plan:\n\n" + "\n".join(notes) + "\n"
    return text, lines


def run(total: int = 1_000_000, repeats: int = 300) -> tuple[str, list[Line]]:
    """Measure and report; for `bench.run`."""
    baseline_total = 10_000
    rows = measure(total, baseline_total, repeats)
    return report(rows, total, baseline_total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=300, help="timed calls per query")
    args = parser.parse_args()
    text, _ = run(args.cases, args.repeats)
    print(text)


if __name__ == "__main__":
    main()
