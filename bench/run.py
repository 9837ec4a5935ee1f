"""Every benchmark in one run (`make bench`): each prints its details, then one summary table.

Runs the submissions (with PostgreSQL next to SQLite when --database-url or
CLAIMS_TEST_DATABASE_URL names a server), the queue at a million cases, the help site, and
the search benchmark (`bench/search.py`, its own table).
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from bench import queue_scale, site, submissions
from bench.stats import summary
from tests.support import ROOT


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
        "--skip", action="append", default=[], choices=("submissions", "queue", "site", "search")
    )
    args = parser.parse_args()
    started = time.monotonic()
    print(f"Machine: {machine()}\n", flush=True)
    parts = {
        "submissions": lambda: submissions.run(args.database_url),
        "queue": queue_scale.run,
        "site": site.run,
    }
    lines = []
    for name, part in parts.items():
        if name in args.skip:
            continue
        text, found = part()
        print(text, flush=True)
        lines += found
    if "search" not in args.skip:
        subprocess.run([sys.executable, "-m", "bench.search"], cwd=ROOT, check=True)
    print(summary(lines))
    print(f"Machine: {machine()}")
    print(f"All benchmarks took {(time.monotonic() - started) / 60:.1f} minutes.")


if __name__ == "__main__":
    main()
