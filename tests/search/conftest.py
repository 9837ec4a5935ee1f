"""Search fixtures: a search box to type into, and plain Material's build of the same content."""

from dataclasses import dataclass, field

import pytest

from tests.conftest import build_site, copy_project
from tests.search.queries import QuerySet
from tests.search.sites import plain_material, serving

# Set when the results for the query just typed are on the page (Material rewrites the
# result count for every answer from its search worker).
AWAIT_RESULTS = """() => {
  window.searchAnswered = false
  const meta = document.querySelector(".md-search-result__meta")
  new MutationObserver((_, observer) => {
    observer.disconnect()
    window.searchAnswered = true
  }).observe(meta, { childList: true })
}"""

# The results as a customer reads them, top to bottom: the questions shown on each page's
# result (not those folded under "more on this page"), or the page when none is shown.
# Titles as displayed (innerText), without the customers' words hidden in the index.
SHOWN_RESULTS = """() => [...document.querySelectorAll(".md-search-result__item")].flatMap(item => {
  const visible = heading => !heading.closest("details:not([open])")
  const title = heading => heading.innerText.replace(/\\s+/g, " ").trim()
  const questions = [...item.querySelectorAll("article h2")].filter(visible).map(title)
  return questions.length ? questions : [`page: ${title(item.querySelector("article h1"))}`]
})"""


class SearchBox:
    """Material's search in one browser tab, used as a customer does: type, read results."""

    def __init__(self, page, url: str):
        self.page = page
        page.goto(url)
        meta = page.locator(".md-search-result__meta")
        page.keyboard.press("/")
        meta.filter(has_not_text="Initializing").wait_for()
        self.field = page.locator(".md-search__input")
        self.query = ""

    def search(self, query: str) -> list[str]:
        """Type `query`; return the result titles shown, best first.

        Material searches on each key release, unless the query is the one it has just
        searched. All but the last character go in at once, so the last keystroke starts
        exactly one search, whose answer we then wait for.
        """
        if query != self.query:
            self.field.fill(query[:-1])
            self.page.evaluate(AWAIT_RESULTS)
            self.field.press(query[-1])
            self.page.wait_for_function("window.searchAnswered")
            self.query = query
        return self.page.evaluate(SHOWN_RESULTS)


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


@pytest.fixture(scope="session")
def plain_site_server(tmp_path_factory):
    """The same content built with plain Material search, served on a loopback port."""
    project = copy_project(tmp_path_factory.mktemp("plain") / "project")
    plain_material(project)
    destination = project.parent / "site"
    result = build_site(destination, project)
    assert result.returncode == 0, result.stderr
    with serving(destination) as url:
        yield url


# Hit rates found by the query-set test, reported at the end of the run.
REPORT = pytest.StashKey[dict[str, HitRates]]()


def pytest_terminal_summary(terminalreporter, config):
    """After the run: the query set's hit rates, for plain Material search and for ours."""
    rates = config.stash.get(REPORT, None)
    if not rates:
        return
    total = next(iter(rates.values())).total
    terminalreporter.section(f"search hit rates ({total} customer queries)")
    for name, found in rates.items():
        terminalreporter.write_line(
            f"{name:16} top-1 {found.rate(found.top1):6.1%}   top-3 {found.rate(found.top3):6.1%}"
        )
