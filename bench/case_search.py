"""The console's search at a million cases: a reference, an order reference and a two-word
text query, against the queue's first page in the same run.

Each is the whole request an agent makes (Flask test client, signed in, through the app):
`/agent/?q=…` with a case's reference as an agent types it (lower case, spaces) and with its
order reference (both answer with a redirect to the case), and with two words from the
descriptions ("kettle cracked": about one case in a thousand matches, see `bench/caseload.py`),
answered with the first page of results. The baseline is `/agent/`, the queue's first page,
timed alternately in the same loop, so both see the same machine load. Where a search misses
its target, its slowest statement is shown with SQLite's query plan.
Run with `python -m bench.case_search`.
"""

import argparse
import itertools
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote_plus

from bench.caseload import FAULTS, PRODUCTS
from bench.queue_scale import PAGE_TARGET_MS, build, opened
from bench.stats import Line, Timing, number, ratio, table
from claims.store import bulk
from claims.store.connection import recording


def requester(client, path: str, status: int) -> Callable[[], None]:
    def call() -> None:
        response = client.get(path)
        if response.status_code != status:
            raise RuntimeError(f"{path}: {response.status_code}, expected {status}")

    return call


def searches(store, client) -> dict[str, Callable[[], None]]:
    """Each search as a call that asks a new query each time, and the queue page."""
    total = bulk.highest_case_id(store)
    sample = [store.cases.case_by_id(i) for i in random.Random(7).sample(range(1, total), 200)]
    found = [case for case in sample if case is not None]
    by_reference = itertools.cycle(
        requester(client, "/agent/?q=" + quote_plus(case.reference.lower().replace("-", " ")), 303)
        for case in found
    )
    by_order = itertools.cycle(
        requester(client, "/agent/?q=" + quote_plus(case.order_ref), 303) for case in found
    )
    pairs = [f"{product} {fault}" for product in PRODUCTS for fault in FAULTS]
    by_words = itertools.cycle(
        requester(client, "/agent/?q=" + quote_plus(words), 200)
        for words in random.Random(8).sample(pairs, 200)
    )
    return {
        "queue page (baseline)": requester(client, "/agent/", 200),
        "search: a reference": lambda: next(by_reference)(),
        "search: an order reference": lambda: next(by_order)(),
        "search: two words": lambda: next(by_words)(),
    }


def measure(total: int, repeats: int) -> tuple[dict[str, Timing], dict[str, str]]:
    """Timings of each request, alternating between them; and, for those past the target,
    their slowest statement."""
    with tempfile.TemporaryDirectory(prefix="bench-case-search-") as workdir:
        directory = Path(workdir)
        started = time.monotonic()
        url = build(directory, total)
        print(f"  case search: {total:,} cases filled in {time.monotonic() - started:.0f} s")
        with opened(url, directory) as (store, client):
            calls = searches(store, client)
            for call in calls.values():  # warm the caches
                for _ in range(3):
                    call()
            samples: dict[str, list[float]] = {name: [] for name in calls}
            for _ in range(repeats):
                for name, call in calls.items():
                    began = time.perf_counter()
                    call()
                    samples[name].append(time.perf_counter() - began)
            timings = {name: Timing(tuple(times)) for name, times in samples.items()}
            diagnoses = {}
            for name, call in calls.items():
                if timings[name].p99 > PAGE_TARGET_MS:
                    with recording() as statements:
                        call()
                    diagnoses[name] = bulk.slowest_statement(store, statements)
    return timings, diagnoses


def report(timings: dict[str, Timing], diagnoses: dict[str, str], total: int):
    """The table (and diagnoses), and the summary lines for `bench.run`."""
    base = timings["queue page (baseline)"]
    header = ("Request", "p50 ms", "p99 ms", "p99 vs queue page", "Target", "")
    body, lines = [], []
    for name, timed in timings.items():
        met = timed.p99 <= PAGE_TARGET_MS
        body.append(
            (
                name,
                number(timed.p50, 2),
                number(timed.p99, 2),
                ratio(timed.p99, base.p99),
                f"p99 ≤ {PAGE_TARGET_MS:g} ms",
                "met" if met else "MISSED",
            )
        )
        if name != "queue page (baseline)":
            lines.append(
                Line(
                    "Case search",
                    f"{name}, p99 ms ({total:,} cases)",
                    number(timed.p99, 2),
                    f"{number(base.p99, 2)} (queue page)",
                    ratio(timed.p99, base.p99),
                    f"p99 ≤ {PAGE_TARGET_MS:g} ms",
                    met,
                )
            )
    text = table(f"Case search: {total:,} cases, SQLite, whole requests", header, body)
    if diagnoses:
        notes = [f"- {name}: slowest statement {what}" for name, what in diagnoses.items()]
        text += "\nMissed targets, slowest statement and query plan:\n\n" + "\n".join(notes) + "\n"
    return text, lines


def run(total: int = 1_000_000, repeats: int = 300) -> tuple[str, list[Line]]:
    """Measure and report; for `bench.run`."""
    timings, diagnoses = measure(total, repeats)
    return report(timings, diagnoses, total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=300, help="timed requests of each kind")
    args = parser.parse_args()
    text, _ = run(args.cases, args.repeats)
    print(text)


if __name__ == "__main__":
    main()
