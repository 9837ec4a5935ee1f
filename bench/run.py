"""Every benchmark in one run (`make bench`): each prints its details, then one summary table.

Runs the submissions (with PostgreSQL next to SQLite when --database-url or
CLAIMS_TEST_DATABASE_URL names a server), the queue at a million cases, the agents' case
search at a million cases, the help site, and the help site's search benchmark
(`bench/search.py`, its own table).
"""

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from bench import case_search, queue_scale, site, submissions
from bench.stats import summary
from tests.support import ROOT

# The last run's figures, which README links: written by every full `make bench`.
RESULTS = ROOT / "bench" / "results.md"


def machine() -> str:
    """What the figures were measured on: cores, memory, CPU model."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory_kb / 1024 / 1024:.0f} GiB memory, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    submissions.add_database_url_argument(parser)
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=("submissions", "queue", "case-search", "site", "search"),
    )
    args = parser.parse_args()
    started = time.monotonic()
    print(f"Machine: {machine()}\n", flush=True)
    parts = {
        "submissions": lambda: submissions.run(args.database_url),
        "queue": queue_scale.run,
        "case-search": case_search.run,
        "site": site.run,
    }
    lines, texts = [], []
    for name, part in parts.items():
        if name in args.skip:
            continue
        text, found = part()
        print(text, flush=True)
        lines += found
        texts.append(text)
    if "search" not in args.skip:
        search = [sys.executable, "-m", "bench.search"]
        text = subprocess.run(search, cwd=ROOT, check=True, capture_output=True, text=True).stdout
        print(text, flush=True)
        texts.append(text)
    minutes = (time.monotonic() - started) / 60
    print(summary(lines))
    print(f"Machine: {machine()}")
    print(f"All benchmarks took {minutes:.1f} minutes.")
    if not args.skip:
        write_results(summary(lines), texts, minutes)
        print(f"Written to {RESULTS.relative_to(ROOT)}.")


def write_results(table: str, texts: list[str], minutes: float) -> None:
    """Keep a full run's figures where README links them: the summary, then every table."""
    when = datetime.date.today().isoformat()
    RESULTS.write_text(
        "# Benchmark results\n\n"
        f"Written by `make bench` on {when}, in {minutes:.1f} minutes, on {machine()}.\n"
        "Compare the ratios, not the milliseconds: each is measured against its baseline in\n"
        "the same run, on a machine that may be shared.\n\n" + table + "\n" + "\n".join(texts),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
