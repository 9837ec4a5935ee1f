"""The built site carries the shop's FAQ word for word, one question per heading."""

import json
import re

from tests.site.faq import SEED_FILE, question_headings, read_seed, visible_text

SEED = read_seed()
FAQ_PAGES = [
    "problems-with-an-item",
    "orders-and-checkout",
    "returns-and-refunds",
    "how-cases-are-handled",
]
ALL_PAGES = ["", *FAQ_PAGES, "submit-a-claim"]


def page_html(site, name: str) -> str:
    return (site / name / "index.html").read_text(encoding="utf-8")


def test_seed_copy_matches_the_shop_text():
    shared = SEED_FILE.parents[3] / "shared" / "seed-faq.txt"
    if shared.exists():
        assert SEED_FILE.read_text(encoding="utf-8") == shared.read_text(encoding="utf-8")
    assert len(SEED.questions) == 8


def test_every_question_and_answer_appears_verbatim_under_its_own_heading(built_site):
    found = {}
    for name in FAQ_PAGES:
        html = page_html(built_site, name)
        text = visible_text(html)
        for question, anchor in question_headings(html).items():
            assert question not in found, f"{question!r} is on two pages"
            found[question] = (name, anchor)
            answer = SEED.questions[question]
            assert f"{question} {answer}" in text
    assert set(found) == set(SEED.questions)


def test_answers_are_plain_paragraphs_not_hidden_in_collapsible_blocks(built_site):
    paragraphs = set()
    for name in FAQ_PAGES:
        html = page_html(built_site, name)
        assert "<details" not in html
        paragraphs |= set(re.findall(r"<p>([^<]*)</p>", html))
    assert set(SEED.questions.values()) <= paragraphs


def test_home_page_opens_and_closes_with_the_shop_words(built_site):
    text = visible_text(page_html(built_site, ""))
    assert SEED.opening in text
    assert SEED.closing in text
    assert text.index(SEED.opening) < text.index(SEED.closing)


def test_every_page_has_a_description(built_site):
    for name in ALL_PAGES:
        html = page_html(built_site, name)
        description = re.search(r'<meta name="description" content="([^"]+)"', html)
        assert description and len(description.group(1)) > 40, name


def test_each_question_is_its_own_search_entry_with_its_anchor(built_site):
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    entries = {entry["location"]: entry for entry in index["docs"]}
    for name in FAQ_PAGES:
        for question, anchor in question_headings(page_html(built_site, name)).items():
            entry = entries[f"{name}/#{anchor}"]
            # After the question, the words customers use for it, hidden from view.
            assert entry["title"].partition(" <span hidden>")[0] == question
            assert SEED.questions[question] in entry["text"]


def test_no_fonts_styles_or_scripts_come_from_other_hosts(built_site):
    loaded = re.compile(
        r'<(?:script|img)[^>]+src="([^"]+)"'
        r'|<link rel="(?:stylesheet|preload|preconnect|modulepreload|icon)"[^>]+href="([^"]+)"'
    )
    for name in ALL_PAGES:
        html = page_html(built_site, name)
        sources = ["".join(groups) for groups in loaded.findall(html)]
        assert sources, name
        assert not [s for s in sources if s.startswith(("http:", "https:", "//"))], name
