"""Editors' "also asked as" words reach their own question's search entry, and no page."""

import json
import re

import pytest

from tests.conftest import build_site, copy_project
from tests.site.faq import question_headings, read_seed
from tests.site.test_content import ALL_PAGES, FAQ_PAGES

SEED = read_seed()
DEFECTIVE = "problems-with-an-item/#what-should-i-do-if-i-receive-a-defective-or-incorrect-item"
MISSING = "problems-with-an-item/#what-if-i-receive-an-item-with-missing-components"


def search_file(site, name: str):
    return json.loads((site / "search" / name).read_text(encoding="utf-8"))


def entries(site) -> dict[str, dict]:
    return {entry["location"]: entry for entry in search_file(site, "search_index.json")["docs"]}


def title_and_words(entry: dict) -> tuple[str, set[str]]:
    """An entry's title as results show it, and the customers' words hidden after it."""
    title, _, hidden = entry["title"].partition(" <span hidden>")
    return title, set(hidden.removesuffix("</span>").split())


def test_every_question_of_the_shop_has_the_words_customers_use(built_site):
    found = entries(built_site)
    for name in FAQ_PAGES:
        html = (built_site / name / "index.html").read_text(encoding="utf-8")
        for question, anchor in question_headings(html).items():
            title, words = title_and_words(found[f"{name}/#{anchor}"])
            assert title == question
            assert len(words) >= 5, question


def test_the_words_go_into_their_questions_own_entry_only(built_site):
    found = entries(built_site)
    assert {"arrived", "broken", "damaged", "faulty"} <= title_and_words(found[DEFECTIVE])[1]
    assert "broken" not in title_and_words(found[MISSING])[1]
    assert "hidden" not in found["problems-with-an-item/"]["title"]  # the page's own entry
    assert "hidden" not in found[DEFECTIVE]["text"]


def test_the_words_never_reach_a_page(built_site):
    for name in ALL_PAGES:
        html = (built_site / name / "index.html").read_text(encoding="utf-8")
        assert "also asked as" not in html.lower(), name
        for phrase in ("dead on arrival", "money back", "typo in my address", "half empty box"):
            assert phrase not in html, (name, phrase)


def test_word_list_holds_the_words_a_customer_may_mean(built_site):
    words = search_file(built_site, "words.json")
    assert {"refund", "return", "defective", "broken", "cancellation"} <= set(words["words"])
    assert {"the", "my", "do"} <= set(words["ignored"])
    assert not set(words["words"]) & set(words["ignored"])
    assert not [word for word in words["words"] if len(word) < 3 or re.search(r"\d", word)]


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
    ],
)
def test_misplaced_or_broken_lists_stop_the_build_with_file_and_line(project, front, body, message):
    result = build_page(project, body, front)
    assert result.returncode != 0
    assert message in result.stderr


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
    page = project / "docs" / "how-cases-are-handled.md"
    example = "```markdown\n<!-- also asked as: parcel -->\n```\n\n"
    text = page.read_text(encoding="utf-8")
    page.write_text(
        text.replace("# How cases are handled\n\n", f"# How cases are handled\n\n{example}")
    )
    result = build_site(project / "site", project)
    assert result.returncode == 0, result.stderr
    html = (project / "site" / "how-cases-are-handled" / "index.html").read_text(encoding="utf-8")
    assert "also asked as: parcel" in html
