"""How often search shows the answering question first, measured over the customer query set."""

from dataclasses import dataclass, field

import pytest

from tests.search.queries import QuerySet
from tests.search.search_box import SearchBox


@dataclass
class HitRates:
    """How often an answering question is the first result, or among the first three."""

    top1: int = 0
    top3: int = 0
    total: int = 0
    misses: dict[str, list[str]] = field(default_factory=dict)  # query -> first three shown

    def add(self, query: str, shown: list[str], answers: list[str]) -> None:
        self.total += 1
        self.top1 += bool(set(shown[:1]) & set(answers))
        self.top3 += bool(set(shown[:3]) & set(answers))
        if not set(shown[:1]) & set(answers):
            self.misses[query] = shown[:3]

    def rate(self, hits: int) -> float:
        return hits / self.total


def measure(page, url: str, queries: QuerySet) -> HitRates:
    """Type every query of the set into the search at `url`; count the hits."""
    box = SearchBox(page, url)
    rates = HitRates()
    for query, answers in queries.answers.items():
        rates.add(query, box.search(query), answers)
    return rates


# Hit rates found by the query-set test, reported at the end of the run.
REPORT = pytest.StashKey[dict[str, HitRates]]()
