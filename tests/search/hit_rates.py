"""How often search shows the answering question first, measured over a customer query set:
overall, by query length, and how often what it shows first is right (precision)."""

from collections import defaultdict
from dataclasses import dataclass, field

import pytest

from tests.search.queries import QuerySet
from tests.search.search_box import SearchBox

LENGTHS = ((1, 1, "1 word"), (2, 3, "2-3 words"), (4, 6, "4-6 words"), (7, 99, "7+ words"))


def length_of(query: str) -> str:
    words = len(query.split())
    return next(name for low, high, name in LENGTHS if low <= words <= high)


@dataclass
class Tally:
    top1: int = 0
    top3: int = 0
    total: int = 0

    def rate(self, hits: int) -> float:
        return hits / self.total if self.total else 0.0


@dataclass
class HitRates:
    """How often an answering question is the first result, or among the first three; and
    of the queries that showed anything, how often the first result was right."""

    top1: int = 0
    top3: int = 0
    total: int = 0
    shown: int = 0  # queries with at least one result, out-of-scope ones included
    misses: dict[str, list[str]] = field(default_factory=dict)  # query -> first three shown
    by_length: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))

    def add(self, query: str, shown: list[str], answers: list[str]) -> None:
        first, three = bool(set(shown[:1]) & set(answers)), bool(set(shown[:3]) & set(answers))
        for tally in (self, self.by_length[length_of(query)]):
            tally.total += 1
            tally.top1 += first
            tally.top3 += three
        self.shown += bool(shown)
        if not first:
            self.misses[query] = shown[:3]

    def add_out_of_scope(self, query: str, shown: list[str]) -> None:
        """A query no question answers: anything shown first is a wrong answer."""
        self.shown += bool(shown)
        if shown:
            self.misses[query] = shown[:3]

    def rate(self, hits: int) -> float:
        return hits / self.total

    @property
    def precision(self) -> float:
        """Of the queries that showed a result, the share whose first result was right."""
        return self.top1 / self.shown if self.shown else 1.0


def measure(page, url: str, queries: QuerySet) -> HitRates:
    """Type every query of the set into the search at `url`; count the hits."""
    box = SearchBox(page, url)
    rates = HitRates()
    for query, answers in queries.answers.items():
        rates.add(query, box.search(query), answers)
    for query in queries.out_of_scope:
        rates.add_out_of_scope(query, box.search(query))
    return rates


# Hit rates found by the query-set test, reported at the end of the run: by set, by search.
REPORT = pytest.StashKey[dict[str, dict[str, HitRates]]]()
