"""The built site carries the shop's FAQ word for word, and every question the editors
wrote under its own heading."""

import json
import re

from tests.site.content import read_content, text_of
from tests.site.faq import SEED_FILE, question_headings, read_seed, visible_text

SEED = read_seed()
CONTENT = read_content()


def page_html(site, page) -> str:
    return page.built(site).read_text(encoding="utf-8")


def site_text(site) -> str:
    return " ".join(visible_text(page_html(site, page)) for page in CONTENT.pages)


def test_seed_copy_matches_the_shop_text():
    shared = SEED_FILE.parents[3] / "shared" / "seed-faq.txt"
    if shared.exists():
        assert SEED_FILE.read_text(encoding="utf-8") == shared.read_text(encoding="utf-8")
    assert len(SEED.questions) == 8


def test_every_question_and_answer_of_the_shop_is_on_the_site_word_for_word(built_site):
    text = site_text(built_site)
    missing = [q for q, answer in SEED.questions.items() if f"{q} {answer}" not in text]
    assert missing == [], "the shop's words must stay as they are: reworded or removed"


def test_every_question_is_on_its_page_under_its_own_heading_with_its_answer(built_site):
    for page in CONTENT.faq_pages:
        html = page_html(built_site, page)
        text = visible_text(html)
        assert list(question_headings(html)) == [q.text for q in page.questions], page.source
        for question in page.questions:
            assert question.answer, f"{page.source}: {question.text!r} has no answer"
            assert f"{question.text} {question.answer_text}" in text, question.text


def test_answers_are_plain_paragraphs_not_hidden_in_collapsible_blocks(built_site):
    for page in CONTENT.faq_pages:
        html = page_html(built_site, page)
        assert "<details" not in html, page.source
        for question in page.questions:
            heading = html.index(f'id="{question_headings(html)[question.text]}"')
            paragraphs = re.findall(r"<p>(.*?)</p>", html[heading:], re.S)
            assert question.answer[0] in [text_of(paragraph) for paragraph in paragraphs]


def test_home_page_opens_and_closes_with_the_shop_words(built_site):
    text = visible_text(page_html(built_site, CONTENT.page("")))
    assert SEED.opening in text
    assert SEED.closing in text
    assert text.index(SEED.opening) < text.index(SEED.closing)


def test_every_page_has_a_description(built_site):
    for page in CONTENT.pages:
        description = re.search(
            r'<meta name="description" content="([^"]+)"', page_html(built_site, page)
        )
        assert description and len(description.group(1)) > 40, page.source


def test_each_question_is_its_own_search_entry_with_its_anchor(built_site):
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    entries = {entry["location"]: entry for entry in index["docs"]}
    for page in CONTENT.faq_pages:
        anchors = question_headings(page_html(built_site, page))
        for question in page.questions:
            entry = entries[f"{page.url}#{anchors[question.text]}"]
            # After the question, the words customers use for it, hidden from view.
            assert entry["title"].partition(" <span hidden>")[0] == question.text
            assert question.answer[0] in text_of(entry["text"])


def test_no_fonts_styles_or_scripts_come_from_other_hosts(built_site):
    loaded = re.compile(
        r'<(?:script|img)[^>]+src="([^"]+)"'
        r'|<link rel="(?:stylesheet|preload|preconnect|modulepreload|icon)"[^>]+href="([^"]+)"'
    )
    for page in CONTENT.pages:
        sources = ["".join(groups) for groups in loaded.findall(page_html(built_site, page))]
        assert sources, page.source
        assert not [s for s in sources if s.startswith(("http:", "https:", "//"))], page.source
