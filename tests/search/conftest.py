"""Search fixtures: plain Material's build of the same content, and the hit-rate report."""

import pytest

from tests.search.hit_rates import REPORT
from tests.search.queries import QuerySet
from tests.search.sites import plain_material
from tests.site.content import read_content
from tests.support.site import build_site, copy_project, serving


@pytest.fixture(scope="session")
def plain_site_server(tmp_path_factory):
    """The same content built with plain Material search, served on a loopback port."""
    project = copy_project(tmp_path_factory.mktemp("plain") / "project")
    plain_material(project)
    destination = project.parent / "site"
    result = build_site(destination, project, finish=False)
    assert result.returncode == 0, result.stderr
    with serving(destination) as url:
        yield url


def pytest_terminal_summary(terminalreporter, config):
    """After the run: each query set's hit rates by query length and precision, for plain
    Material search and for ours, and the questions no query of the set is answered by yet."""
    report = config.stash.get(REPORT, None)
    if not report:
        return
    for set_name, rates in report.items():
        total = next(iter(rates.values())).total
        terminalreporter.section(f"search hit rates: {set_name} ({total} customer queries)")
        for name, found in rates.items():
            terminalreporter.write_line(
                f"{name:16} top-1 {found.rate(found.top1):6.1%}   top-3 "
                f"{found.rate(found.top3):6.1%}   precision {found.precision:6.1%}"
            )
            for length, tally in sorted(found.by_length.items()):
                terminalreporter.write_line(
                    f"  {length:14} top-1 {tally.rate(tally.top1):6.1%}   top-3 "
                    f"{tally.rate(tally.top3):6.1%}   ({tally.total})"
                )
        for query, shown in rates["ours"].misses.items():
            terminalreporter.write_line(f"ours, not first: {query!r} -> {shown[:1]}")
    answered = {answer for answers in QuerySet.read().answers.values() for answer in answers}
    for question in read_content().questions:
        if question.text not in answered:
            terminalreporter.write_line(
                f"no query in tests/search/queries.toml yet for {question.text!r}"
            )
