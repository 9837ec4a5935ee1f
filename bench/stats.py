"""Summaries of timings, and the table format of every benchmark but search (its own)."""

import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

NUMERIC = re.compile(r"^[-–+]?[0-9.,]*[0-9–][0-9.,]*( ?[×%])?$|^–$")


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of the values lie (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered), max(1, math.ceil(fraction * len(ordered)))) - 1]


@dataclass(frozen=True)
class Timing:
    """Latencies (in seconds) of one measured operation, summarised in milliseconds."""

    samples: tuple[float, ...]

    @property
    def p50(self) -> float:
        return percentile(self.samples, 0.50) * 1000

    @property
    def p99(self) -> float:
        return percentile(self.samples, 0.99) * 1000


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def in_turn(items: Sequence, turn: int) -> list:
    """`items` starting from a different one each turn, so no baseline always runs first."""
    start = turn % len(items)
    return [*items[start:], *items[:start]]


def ratio(ours: float, base: float) -> str:
    """ours / base as "0.42×", or "–" when there is no base."""
    if not base or base != base or ours != ours:
        return "–"
    return f"{ours / base:.2f}×"


def number(value: float, digits: int = 1) -> str:
    """A figure for the table: thousands separated, a dash for nothing."""
    if value is None or value != value:
        return "–"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table under a heading, columns padded so it also reads well in a terminal."""
    cells = [list(header), *[[str(cell) for cell in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    numeric = [all(NUMERIC.match(row[i]) for row in cells[1:]) for i in range(len(header))]

    def line(row: list[str]) -> str:
        padded = [
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(row, widths, numeric, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    marks = [
        ("-" * (width + 1)) + (":" if right else "-")
        for width, right in zip(widths, numeric, strict=True)
    ]
    rule = "|" + "|".join(marks) + "|"
    return "\n".join([f"### {title}", "", line(cells[0]), rule, *map(line, cells[1:]), ""])


@dataclass(frozen=True)
class Line:
    """One row of the summary table that `bench.run` prints: a figure, its baseline, a verdict."""

    area: str
    measure: str
    ours: str
    baseline: str
    ratio: str
    target: str
    met: bool | None  # None: no target

    @property
    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: ""}[self.met]


def summary(lines: Sequence[Line]) -> str:
    """All benchmarks' headline figures in one table."""
    header = ("Area", "Measure", "Ours", "Baseline", "Ratio", "Target", "")
    rows = [
        (line.area, line.measure, line.ours, line.baseline, line.ratio, line.target, line.verdict)
        for line in lines
    ]
    return table("Summary", header, rows)
