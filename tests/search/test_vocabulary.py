"""Editors' "also asked as" words reach their own question's search entry, and no page."""

import json
import re

import pytest

from tests.site.content import read_content
from tests.site.faq import question_headings
from tests.support.site import build_site, copy_project

CONTENT = read_content()


def search_file(site, name: str):
    return json.loads((site / "search" / name).read_text(encoding="utf-8"))


def entries(site) -> dict[str, dict]:
    return {entry["location"]: entry for entry in search_file(site, "search_index.json")["docs"]}


def question_entries(site) -> list[tuple[object, dict]]:
    """(question, its search entry) for every question of the site."""
    found = entries(site)
    pairs = []
    for page in CONTENT.faq_pages:
        anchors = question_headings(page.built(site).read_text(encoding="utf-8"))
        pairs += [(q, found[f"{page.url}#{anchors[q.text]}"]) for q in page.questions]
    return pairs


def title_and_words(entry: dict) -> tuple[str, set[str]]:
    """An entry's title as results show it, and the customers' words hidden after it."""
    title, _, hidden = entry["title"].partition(" <span hidden>")
    return title, set(hidden.removesuffix("</span>").split())


@pytest.fixture
def words(built_site):
    """Splits text into lower-case words as the built index does (its own separator)."""
    separator = re.compile(search_file(built_site, "search_index.json")["config"]["separator"])
    return lambda text: {word for word in separator.split(text.lower()) if word}


def test_every_question_has_the_words_customers_use(built_site):
    for question, entry in question_entries(built_site):
        title, hidden = title_and_words(entry)
        assert title == question.text
        assert len(hidden) >= 5, f"{question.text!r}: add customers' words to its note"


def test_the_words_go_into_their_questions_own_entry_only(built_site, words):
    pairs = question_entries(built_site)
    ignored = set(search_file(built_site, "words.json")["ignored"])
    for question, entry in pairs:
        own = words(" ".join(question.vocabulary)) - ignored
        hidden = title_and_words(entry)[1]
        # A word may be left out when a longer one, or one of the title, starts with it.
        kept = words(" ".join([question.text, *hidden]))
        assert [w for w in own if not any(k.startswith(w) for k in kept)] == [], question.text
        assert "hidden" not in entry["text"]
        for other, other_entry in pairs:
            if other is not question:
                theirs = words(" ".join([other.text, other.answer_text, *other.vocabulary]))
                assert title_and_words(other_entry)[1] <= theirs, (question.text, other.text)
    for page in CONTENT.faq_pages:
        assert "hidden" not in entries(built_site)[page.url]["title"]  # the page's own entry


def test_the_words_never_reach_a_page(built_site):
    for page in CONTENT.pages:
        html = page.built(built_site).read_text(encoding="utf-8")
        assert "also asked as" not in html.lower(), page.source
        written = page.source.read_text(encoding="utf-8")
        for question in page.questions:
            for phrase in question.vocabulary:
                if " " in phrase and written.count(phrase) == 1:  # only in its note
                    assert phrase not in html, (page.source, phrase)


def test_word_list_holds_the_words_a_customer_may_mean(built_site, words):
    listed = search_file(built_site, "words.json")
    known = set(listed["words"])
    for question in CONTENT.questions:
        meant = words(" ".join([question.text, question.answer_text, *question.vocabulary]))
        assert {w for w in meant if w.isalpha() and len(w) > 2} - set(listed["ignored"]) <= known
    assert {"the", "my", "do"} <= set(listed["ignored"])
    assert not known & set(listed["ignored"])
    assert not [word for word in known if len(word) < 3 or re.search(r"\d", word)]


def test_word_list_names_the_real_words_search_must_not_correct(built_site):
    listed = search_file(built_site, "words.json")
    real = set(listed["real"])
    assert {"track", "never", "charge"} <= real  # one keystroke from "crack", "sever", "charger"
    assert not {"refnd", "retrun", "defectve", "brokn"} & real  # slips stay correctable
    assert len(listed["real"]) < 20_000  # only the words near the index go to the browser


@pytest.fixture
def project(tmp_path):
    return copy_project(tmp_path / "project")


def build_page(project, body: str, front: str = "description: A page to check.\n"):
    (project / "docs" / "checked.md").write_text(f"---\n{front}---\n\n# Checked\n\n{body}")
    return build_site(project / "site", project)


@pytest.mark.parametrize(
    ("front", "body", "message"),
    [
        (
            "description: A page to check.\n",
            "<!-- also asked as: parcel, package -->\n\n## Where is my parcel?\n\nOn its way.\n",
            "docs/checked.md:7: 'also asked as' must come right under a question",
        ),
        (
            "description: A page that is not a list of questions.\nfaq: false\n",
            "## Opening hours\n\n<!-- also asked as: open, closed -->\n\nNine to five.\n",
            "docs/checked.md:10: 'also asked as' must come right under a question",
        ),
        (
            "description: A page to check.\n",
            "## Where is my parcel?\n\n<!-- also asked as: parcel, package\n\nOn its way.\n",
            "docs/checked.md:9: 'also asked as' is never closed with '-->'.",
        ),
        (
            "description: A page to check.\n",
            "## Where is my parcel?\n\n<!-- also asked as: , -->\n\nOn its way.\n",
            "docs/checked.md:9: 'also asked as' lists no words.",
        ),
        (
            "description: A page to check.\n",
            "## Where is my parcel?\n\n<!-- also asked: parcel, package -->\n\nOn its way.\n",
            "docs/checked.md:9: this comment looks like an 'also asked as' list but is not one",
        ),
        (
            "description: A page to check.\n",
            "## Where is my parcel?\n\nOn its way.\n\n<!--\n  alsoasked as parcel\n-->\n",
            "docs/checked.md:11: this comment looks like an 'also asked as' list but is not one",
        ),
    ],
)
def test_misplaced_or_broken_lists_stop_the_build_with_file_and_line(project, front, body, message):
    result = build_page(project, body, front)
    assert result.returncode != 0
    assert message in result.stderr


def test_other_comments_stay_on_the_page(project):
    home = project / "docs" / "index.md"
    comment = "\n<!-- TODO: check with the courier -->\n"
    home.write_text(home.read_text(encoding="utf-8") + comment, encoding="utf-8")
    result = build_site(project / "site", project)
    assert result.returncode == 0, result.stderr
    html = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert "TODO: check with the courier" in html


def test_a_question_with_only_a_list_under_it_has_no_answer(project):
    result = build_page(project, "## Where is my parcel?\n\n<!-- also asked as: parcel -->\n")
    assert result.returncode != 0
    assert "docs/checked.md:7: the question 'Where is my parcel?' has no answer" in result.stderr


def test_checks_after_a_long_list_still_name_the_right_line(project):
    body = (
        "## Where is my parcel?\n\n<!-- also asked as:\n     parcel, package,\n     delivery -->\n"
        "\nOn its way.\n\n## Opening hours\n\nNine to five.\n"
    )
    result = build_page(project, body)
    assert result.returncode != 0
    assert "docs/checked.md:15: 'Opening hours' is a '##' heading but not a question" in (
        result.stderr
    )


def test_a_list_shown_as_an_example_in_a_code_block_stays_on_the_page(project):
    home = project / "docs" / "index.md"
    example = "\n```markdown\n<!-- also asked as: parcel -->\n```\n"
    home.write_text(home.read_text(encoding="utf-8") + example, encoding="utf-8")
    result = build_site(project / "site", project)
    assert result.returncode == 0, result.stderr
    html = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert "also asked as: parcel" in html
