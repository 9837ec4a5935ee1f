"""The same site comes out of both builders: MkDocs + Material (the default) and Zensical.

Each builder builds the site once per run (the `each_builders_site` fixture), and the same
checks read both outputs: every question word for word under its anchor, claim links
resolved, the FAQ JSON-LD exact, nothing of the editors' notes or of our build records left
in any page, each question its own search entry with its customers' words, and in Chromium:
axe clean, search finds every question, no request to another host (for MkDocs' output in
the browser suites, for Zensical's here). A builder that skips our
Markdown extensions (as Zensical skips hooks) fails the build, saying so.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlsplit

import pytest

from help_site.search_index import SearchIndex
from tests.search.queries import QuerySet
from tests.search.search_box import ZensicalSearchBox
from tests.site.content import PROJECT, read_content
from tests.site.faq import question_headings, visible_text
from tests.site.test_structured_data import json_ld
from tests.support.site import BUILDERS, build_site, copy_project, serving

CONTENT = read_content()
QUERIES = QuerySet.read()


def pages_html(site) -> dict:
    return {page: page.built(site).read_text(encoding="utf-8") for page in CONTENT.pages}


def test_every_question_is_on_its_page_word_for_word_under_its_anchor(each_builders_site):
    for page, html in pages_html(each_builders_site).items():
        if not page.is_faq:
            continue
        text = visible_text(html)
        assert list(question_headings(html)) == [q.text for q in page.questions], page.source
        for question in page.questions:
            assert f"{question.text} {question.answer_text}" in text, question.text


def test_claim_links_are_resolved_and_no_claim_address_is_left(each_builders_site):
    for page, html in pages_html(each_builders_site).items():
        found = re.findall(r'href="([^"]+)"', html)
        assert {link.href() for link in page.claim_links} <= set(found), page.source
    for built in each_builders_site.rglob("*.html"):
        assert not re.search(r'href="claim', built.read_text(encoding="utf-8")), built


def test_faq_json_ld_says_exactly_what_the_page_says(each_builders_site):
    for page, html in pages_html(each_builders_site).items():
        documents = json_ld(html)
        if not page.is_faq:
            assert documents == [], page.source
            continue
        [document] = documents
        assert document["@type"] == "FAQPage"
        assert [
            (entity["name"], entity["acceptedAnswer"]["text"]) for entity in document["mainEntity"]
        ] == [(q.text, "\n\n".join(q.answer)) for q in page.questions]


def test_no_note_or_build_record_is_left_in_any_page(each_builders_site):
    for built in each_builders_site.rglob("*.html"):
        html = built.read_text(encoding="utf-8").lower()
        assert "also asked as" not in html, built
        assert "help-site-record" not in html, built


def test_each_question_is_its_own_search_entry_with_its_customers_words(each_builders_site):
    index = SearchIndex.of(each_builders_site)
    entries = {entry["location"]: entry for entry in index.entries}
    for page, html in pages_html(each_builders_site).items():
        if not page.is_faq:
            continue
        for question, anchor in zip(page.questions, question_headings(html).values(), strict=True):
            entry = entries[f"{page.url}#{anchor}"]
            assert entry["title"].partition(" <span hidden>")[0] == question.text
            hidden = re.search(r"<span hidden>([^<]*)</span>", entry["title"] + entry["text"])
            assert hidden and len(hidden.group(1).split()) >= 5, question.text
    words = json.loads((each_builders_site / "search" / "words.json").read_text())
    assert "refund" in words["words"] and "the" in words["ignored"]


def test_finishing_a_finished_site_changes_nothing(each_builders_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(each_builders_site, site)
    run(PROJECT, "help_site", str(site))
    changed = [
        path.relative_to(site)
        for path in site.rglob("*")
        if path.is_file()
        and path.read_bytes() != (each_builders_site / path.relative_to(site)).read_bytes()
    ]
    assert changed == []


@pytest.mark.parametrize("builder", BUILDERS)
def test_a_builder_that_skips_our_extensions_fails_the_build(tmp_path, builder):
    project = copy_project(tmp_path / "project")
    config = project / "mkdocs.yml"
    config.write_text(
        re.sub(r"^  - help_site\..*\n", "", config.read_text(encoding="utf-8"), flags=re.M),
        encoding="utf-8",
    )
    result = build_site(tmp_path / "site", project, builder=builder)
    assert result.returncode != 0
    assert "the home page was built without the Markdown extensions help_site.claim_links" in (
        result.stderr
    )


@pytest.mark.parametrize("builder", BUILDERS)
def test_a_content_mistake_stops_either_builder_with_file_and_line(tmp_path, builder):
    project = copy_project(tmp_path / "project")
    (project / "docs" / "broken.md").write_text(
        "---\ndescription: A page with a link to a claim type that does not exist.\n---\n\n"
        "# Broken\n\n## Is this a question?\n\nYes.\n\n[Report it](claim:broken-item)\n",
        encoding="utf-8",
    )
    result = build_site(tmp_path / "site", project, builder=builder)
    assert result.returncode != 0
    assert "docs/broken.md:11: unknown claim type 'broken-item'" in result.stderr


# In Chromium: Zensical's output (MkDocs + Material's gets the same checks, and more, in
# tests/e2e/test_site_browser.py and tests/search/test_search_browser.py)


@pytest.fixture(scope="module")
def served(zensical_site):
    """Zensical's site, served once for this module; yields its base URL."""
    with serving(zensical_site) as url:
        yield url


# Zensical 0.0.73's own search dialog names each result by its title alone while showing its
# path and text too (axe: label-content-name-mismatch). Nothing of ours can change it; it is
# one reason MkDocs + Material stays the default builder (README, "Builders").
ZENSICAL_SEARCH_UI = {"label-content-name-mismatch"}


def test_every_page_is_accessible_and_loads_nothing_from_elsewhere(page, served, axe_violations):
    url = served
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    for help_page in CONTENT.pages:
        page.goto(url + help_page.url)
        assert axe_violations(page) == [], help_page.source
    origin = urlsplit(url).netloc
    assert [u for u in requested if urlsplit(u).scheme in ("http", "https")]
    assert [u for u in requested if urlsplit(u).netloc not in ("", origin)] == []


def test_search_finds_every_question_and_stays_accessible(page, served, axe_violations):
    box = ZensicalSearchBox(page, served)
    for question in CONTENT.questions:
        assert box.search(question.text)[:1] == [question.text]
    # The customers' words are in the index, so Zensical's own search finds them too.
    for query, question in (("damaged", "defective"), ("money back", "refund")):
        assert QUERIES.questions[question] in box.search(query)[:3], query
    violations = [v for v in axe_violations(page) if v["rule"] not in ZENSICAL_SEARCH_UI]
    assert violations == []


# Rebuilds that convert only some pages


def run(project, *command: str) -> None:
    subprocess.run(
        [sys.executable, "-m", *command],
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=True,
        capture_output=True,
    )


def words_of_every_question(site) -> dict[str, str]:
    """Each question entry's hidden words, by location."""
    index = SearchIndex.of(site)
    return {
        entry["location"]: hidden.group(1)
        for entry in index.entries
        if (hidden := re.search(r"<span hidden>([^<]*)</span>", entry["title"] + entry["text"]))
    }


NEW_QUESTION = """
## Can I pay with a gift card?

<!-- also asked as: voucher, gift certificate, present card, redeem, balance -->

Gift cards are accepted at checkout.
"""


def served_index(url: str) -> dict[str, str]:
    """The hidden words of each question of the index `mkdocs serve` serves now."""
    try:
        with urllib.request.urlopen(url + "search/search_index.json", timeout=5) as response:
            entries = json.load(response)["docs"]
    except (OSError, ValueError):
        return {}  # not served yet, or being written
    return {
        entry["location"]: hidden.group(1)
        for entry in entries
        if (hidden := re.search(r"<span hidden>([^<]*)</span>", entry["title"]))
    }


def wait_for(condition, what: str, seconds: float = 120):
    """Poll until `condition()` gives something true; return it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def test_mkdocs_serve_dirty_keeps_the_words_of_the_pages_it_did_not_rebuild(tmp_path):
    project = copy_project(tmp_path / "project")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dirty", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        everything = len(CONTENT.questions)
        before = wait_for(
            lambda: (found := served_index(url)) and len(found) == everything and found,
            "the first build's index",
        )
        page = project / CONTENT.faq_pages[0].source.relative_to(PROJECT)
        page.write_text(page.read_text(encoding="utf-8") + NEW_QUESTION, encoding="utf-8")
        after = wait_for(
            lambda: (found := served_index(url)) and len(found) == everything + 1 and found,
            "the rebuild's index with the new question",
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert {location: after[location] for location in before} == before
    assert "voucher" in after[f"{CONTENT.faq_pages[0].url}#can-i-pay-with-a-gift-card"]


def test_a_zensical_build_from_its_cache_keeps_every_pages_words(tmp_path):
    project = copy_project(tmp_path / "project")
    run(project, "zensical", "build")
    run(project, "help_site", "site")
    before = words_of_every_question(project / "site")
    run(project, "zensical", "build")  # every page from the cache: nothing converted
    run(project, "help_site", "site")
    assert len(before) == len(CONTENT.questions)
    assert words_of_every_question(project / "site") == before
