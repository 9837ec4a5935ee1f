"""Claim submissions against the floor: throughput, latency, memory, and where the time goes.

The floor (`bench.floor`) and our service run under the same gunicorn command and receive
the same multipart requests with the same photo bytes; rounds alternate between them so both
see the same machine. The JPEG also goes to the keeping floor, which does the least that
keeping a claim takes (parse, write, hash, three fsyncs), to show what durability costs.
Ours runs with CLAIMS_RATELIMIT_ENABLED=false and CLAIMS_WTF_CSRF_ENABLED=false, so each
submission is one request (no form fetch for a CSRF token). Given a PostgreSQL server
(--database-url, or CLAIMS_TEST_DATABASE_URL), submissions and "take next" are also measured
with the case log on PostgreSQL, next to SQLite.
Run with `python -m bench.submissions`.
"""

import argparse
import contextlib
import os
import time
from dataclasses import dataclass

from bench import breakdown, memory, take_next
from bench.load import Cell, claim_request, run_round
from bench.samples import Sample, phone_heic, phone_jpeg, screenshot
from bench.servers import (
    THREADS,
    WORKERS,
    Server,
    claim_service,
    floor_service,
    keeping_floor_service,
)
from bench.stats import Line, in_turn, number, ratio, table

CLIENTS = (1, 8, 32)
THROUGHPUT_TARGET = 0.5  # JPEG: ours at least half the floor's throughput
P99_TARGET = 2.0  # JPEG: ours' p99 at most twice the floor's


@dataclass(frozen=True)
class Photos:
    """The uploads every part of this benchmark uses, made once per run."""

    jpeg: Sample
    png: Sample
    heic: Sample
    small_jpeg: Sample
    large_jpeg: Sample

    @classmethod
    def make(cls) -> "Photos":
        return cls(
            jpeg=phone_jpeg(),
            png=screenshot(),
            heic=phone_heic(),
            small_jpeg=phone_jpeg(noise=60, quality=90),
            large_jpeg=phone_jpeg(noise=128, quality=97, grain_share=0.2),
        )

    def kinds(self) -> dict[str, Sample]:
        return {
            f"12 MP phone JPEG, {self.jpeg.megabytes:.1f} MB": self.jpeg,
            f"PNG screenshot, {self.png.megabytes:.1f} MB": self.png,
            f"12 MP HEIC, {self.heic.megabytes:.1f} MB": self.heic,
        }


def alternate(
    servers: dict[str, Server], photo: Sample, clients: int, rounds: int, seconds: float
) -> dict[str, Cell]:
    """Rounds on each server in turn (each round starting with the next server), the same
    request on each; returns name -> Cell.

    Slow settings (a round far longer than `seconds`) get fewer rounds, within the time
    the planned rounds would have taken.
    """
    cells = {name: Cell() for name in servers}
    began = time.monotonic()
    for turn in range(rounds):
        if turn and time.monotonic() - began > rounds * seconds * len(servers):
            break
        for name, server in in_turn(list(servers.items()), turn):
            cells[name].add(
                run_round(server.base, lambda n: claim_request([photo]), clients, seconds)
            )
    return cells


def throughput_table(results: dict[str, dict[int, dict[str, Cell]]]) -> tuple[str, list[Line]]:
    """Ours against the floor per photo and concurrency, and the JPEG targets."""
    header = ("Photo", "Clients", "Floor req/s", "Ours req/s", "Ours/floor")
    header += ("Floor p50 ms", "Ours p50 ms", "Ratio", "Floor p99 ms", "Ours p99 ms", "Ratio", "n")
    rows, lines = [], []
    for photo, per_clients in results.items():
        for clients, cells in per_clients.items():
            floor, ours = cells["floor"], cells["ours"]
            rows.append(
                (
                    photo,
                    str(clients),
                    number(floor.rate),
                    number(ours.rate),
                    ratio(ours.rate, floor.rate),
                    number(floor.timing.p50),
                    number(ours.timing.p50),
                    ratio(ours.timing.p50, floor.timing.p50),
                    number(floor.timing.p99),
                    number(ours.timing.p99),
                    ratio(ours.timing.p99, floor.timing.p99),
                    str(len(ours.latencies)),
                )
            )
            if photo.startswith("12 MP phone JPEG"):
                lines += jpeg_lines(clients, floor, ours)
    title = (
        f"Claim submissions: ours vs the floor (gunicorn --workers {WORKERS} --threads {THREADS};"
        " ours with CLAIMS_RATELIMIT_ENABLED=false, CLAIMS_WTF_CSRF_ENABLED=false)"
    )
    note = (
        "Throughput: median of the rounds. p50/p99: over every request of every round;"
        " n = requests ours completed (with n < 100, p99 is the slowest one).\n"
    )
    return table(title, header, rows) + "\n" + note, lines


def keeping_table(results: dict[int, dict[str, Cell]]) -> tuple[str, list[Line]]:
    """The JPEG against the keeping floor: how close ours is to the least that storing takes."""
    header = ("Clients", "Floor req/s", "Keeping floor req/s", "Ours req/s", "Keeping/floor")
    header += ("Ours/keeping", "Keeping p99 ms", "Ours p99 ms", "Ratio")
    rows, lines = [], []
    for clients, cells in results.items():
        floor, keeping, ours = cells["floor"], cells["keeping floor"], cells["ours"]
        rows.append(
            (
                str(clients),
                number(floor.rate),
                number(keeping.rate),
                number(ours.rate),
                ratio(keeping.rate, floor.rate),
                ratio(ours.rate, keeping.rate),
                number(keeping.timing.p99),
                number(ours.timing.p99),
                ratio(ours.timing.p99, keeping.timing.p99),
            )
        )
        lines.append(rate_line("JPEG vs keeping floor", clients, ours, keeping, "keeping floor"))
    title = (
        "JPEG submissions against the keeping floor (bench.floor.keeping_app: parse the form,"
        " write and hash the photo, fsync it, its directory and a log line)"
    )
    return table(title, header, rows), lines


def rate_line(measure: str, clients: int, ours: Cell, base: Cell, base_name: str) -> Line:
    """A summary line without a target: a throughput against a baseline's."""
    return Line(
        "Submissions",
        f"{measure}, {plural(clients, 'client')}: req/s",
        number(ours.rate),
        f"{number(base.rate)} ({base_name})",
        ratio(ours.rate, base.rate),
        "",
        None,
    )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def jpeg_lines(clients: int, floor: Cell, ours: Cell) -> list[Line]:
    """The two JPEG targets at one concurrency, for the summary."""
    rate_ratio = ours.rate / floor.rate if floor.rate else 0
    p99_ratio = ours.timing.p99 / floor.timing.p99 if floor.timing.p99 else float("inf")
    return [
        Line(
            "Submissions",
            f"JPEG, {plural(clients, 'client')}: req/s",
            number(ours.rate),
            f"{number(floor.rate)} (floor)",
            f"{rate_ratio:.2f}×",
            f"≥ {THROUGHPUT_TARGET}× floor",
            rate_ratio >= THROUGHPUT_TARGET,
        ),
        Line(
            "Submissions",
            f"JPEG, {plural(clients, 'client')}: p99 ms",
            number(ours.timing.p99),
            f"{number(floor.timing.p99)} (floor)",
            f"{p99_ratio:.2f}×",
            f"≤ {P99_TARGET:g}× floor",
            p99_ratio <= P99_TARGET,
        ),
    ]


def database_table(results: dict[int, dict[str, Cell]]) -> tuple[str, list[Line]]:
    """JPEG submissions with the case log on SQLite and on PostgreSQL."""
    header = ("Clients", "SQLite req/s", "PostgreSQL req/s", "PG/SQLite")
    header += ("SQLite p50 ms", "PG p50 ms", "SQLite p99 ms", "PG p99 ms", "p99 PG/SQLite")
    rows, lines = [], []
    for clients, cells in results.items():
        lite, pg = cells["SQLite"], cells["PostgreSQL"]
        rows.append(
            (
                str(clients),
                number(lite.rate),
                number(pg.rate),
                ratio(pg.rate, lite.rate),
                number(lite.timing.p50),
                number(pg.timing.p50),
                number(lite.timing.p99),
                number(pg.timing.p99),
                ratio(pg.timing.p99, lite.timing.p99),
            )
        )
        lines.append(rate_line("JPEG on PostgreSQL", clients, pg, lite, "SQLite"))
    return table("Submissions (JPEG): case log on PostgreSQL vs SQLite", header, rows), lines


def take_next_table(figures: dict) -> tuple[str, list[Line]]:
    """Take-next per database and number of agents, against /healthz on the same server."""
    header = ("Database", "Agents", "Takes/s", "p50 ms", "p99 ms", "/healthz p50 ms")
    header += ("p50 vs /healthz", "p50 vs SQLite", "n")
    rows, lines = [], []
    for database, per_agents in figures.items():
        for agents, found in per_agents.items():
            lite = figures["SQLite"][agents]
            rows.append(
                (
                    database,
                    str(agents),
                    number(found.take.rate),
                    number(found.take.timing.p50, 2),
                    number(found.take.timing.p99, 2),
                    number(found.health.timing.p50, 2),
                    ratio(found.take.timing.p50, found.health.timing.p50),
                    ratio(found.take.timing.p50, lite.take.timing.p50),
                    str(len(found.take.latencies)),
                )
            )
            lines.append(
                Line(
                    "Take next",
                    f"{database}, {plural(agents, 'agent')}: p50 ms",
                    number(found.take.timing.p50, 2),
                    f"{number(found.health.timing.p50, 2)} (/healthz)",
                    ratio(found.take.timing.p50, found.health.timing.p50),
                    "",
                    None,
                )
            )
    title = f'"Take next case" (POST /agent/take-next, {take_next.WAITING:,} waiting)'
    note = "Every take handed out a different case (checked in the events after the runs).\n"
    return table(title, header, rows) + "\n" + note, lines


def memory_table(peaks: list[memory.Peak]) -> tuple[str, list[Line]]:
    """Peak RSS per scenario, and how the 32-client peak changes from small to large photos."""
    header = ("Scenario", "Requests", "Worker RSS before MB", "Peak RSS MB", "Growth MB")
    rows = [
        (
            peak.scenario.name,
            str(peak.requests),
            number(peak.idle_mb),
            number(peak.peak_mb),
            number(peak.growth_mb),
        )
        for peak in peaks
    ]
    small, large = peaks[3], peaks[4]  # the JPEG scenarios with 32 clients
    size_ratio = large.scenario.photos[0].megabytes / small.scenario.photos[0].megabytes
    peak_ratio = large.peak_mb / small.peak_mb
    lines = [
        Line(
            "Memory",
            f"peak worker RSS, 32 clients, {large.scenario.photos[0].megabytes:.0f} MB photos",
            f"{number(large.peak_mb)} MB",
            f"{number(small.peak_mb)} MB ({small.scenario.photos[0].megabytes:.0f} MB photos)",
            f"{peak_ratio:.2f}× for {size_ratio:.1f}× bytes",
            "no growth with photo size",
            peak_ratio < 1.25,
        )
    ]
    title = "Memory: peak RSS (VmHWM) of the largest gunicorn worker"
    return table(title, header, rows), lines


def breakdown_table(photos: Photos, count: int) -> str:
    """Milliseconds per submission in each stage, per photo kind."""
    per_kind = {
        name: breakdown.profile([sample], max(2, count // 4) if "HEIC" in name else count)
        for name, sample in photos.kinds().items()
    }
    stages = list(dict.fromkeys(breakdown.STAGES.values()))
    header = ("Stage (ms per submission)", *(name.split(",")[0] for name in per_kind))
    rows = [
        (stage, *(number(times.get(stage, 0.0)) for times in per_kind.values())) for stage in stages
    ]
    rows.append(("total", *(number(sum(times.values())) for times in per_kind.values())))
    title = "Where a submission's time goes (pyinstrument, one at a time, in-process)"
    return table(title, header, rows)


def run(
    database_server: str | None = None, rounds: int = 2, seconds: float = 1.5
) -> tuple[str, list[Line]]:
    """Everything in this module; returns the report text and the summary lines."""
    started = time.monotonic()
    photos = Photos.make()
    print(f"  submissions: photos made in {time.monotonic() - started:.0f} s")
    texts, lines = [], []

    results = {}
    with floor_service() as floor, keeping_floor_service() as keeping, claim_service() as ours:
        for name, photo in photos.kinds().items():
            servers = {"floor": floor, "ours": ours}
            if photo is photos.jpeg:
                servers["keeping floor"] = keeping
            results[name] = {
                clients: alternate(servers, photo, clients, rounds, seconds) for clients in CLIENTS
            }
            print(f"  submissions: {name} done after {time.monotonic() - started:.0f} s")
    jpeg_name = next(name for name, photo in photos.kinds().items() if photo is photos.jpeg)
    for text, found in (throughput_table(results), keeping_table(results[jpeg_name])):
        texts.append(text)
        lines += found

    if database_server:
        with contextlib.ExitStack() as stack:
            servers = {
                "SQLite": stack.enter_context(claim_service()),
                "PostgreSQL": stack.enter_context(claim_service(database_server)),
            }
            by_database = {
                clients: alternate(servers, photos.jpeg, clients, rounds, seconds)
                for clients in CLIENTS
            }
        text, found = database_table(by_database)
        texts.append(text)
        lines += found
    figures = take_next.measure(database_server, (1, 8), rounds, seconds)
    text, found = take_next_table(figures)
    texts.append(text)
    lines += found
    print(f"  submissions: databases done after {time.monotonic() - started:.0f} s")

    scenarios = memory.scenarios(photos.small_jpeg, photos.large_jpeg, photos.heic)
    peaks = memory.measure(scenarios, photos.small_jpeg)
    text, found = memory_table(peaks)
    texts.append(text)
    lines += found
    texts.append(breakdown_table(photos, 12))
    print(f"  submissions: done after {time.monotonic() - started:.0f} s")
    return "\n".join(texts), lines


def add_database_url_argument(parser: argparse.ArgumentParser) -> None:
    """--database-url: also measure on this PostgreSQL server (shared with bench.run)."""
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CLAIMS_TEST_DATABASE_URL"),
        help="a PostgreSQL server to compare with SQLite (a throw-away schema is used)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_url_argument(parser)
    parser.add_argument("--rounds", type=int, default=2, help="rounds per server and setting")
    parser.add_argument("--seconds", type=float, default=1.5, help="length of a round")
    args = parser.parse_args()
    text, _ = run(args.database_url, args.rounds, args.seconds)
    print(text)


if __name__ == "__main__":
    main()
