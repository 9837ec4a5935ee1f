"""Claim links resolve to the claim form, and mistakes in the content stop the build."""

import re
import subprocess
import sys

import pytest

from tests.site.content import read_content
from tests.support.site import build_site, copy_project

CONTENT = read_content()
LINKED_PAGES = [page for page in CONTENT.pages if page.claim_links]


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_claim_links_point_to_the_form_with_the_type_preselected(built_site):
    for page in LINKED_PAGES:
        found = links(page.built(built_site).read_text(encoding="utf-8"))
        assert [link.href() for link in page.claim_links if link.href() not in found] == []
        assert not [link for link in found if link.startswith("claim")], page.source


def test_every_claim_link_names_a_known_type(built_site):
    types = set()
    for page in built_site.glob("**/index.html"):
        for link in links(page.read_text(encoding="utf-8")):
            if "/new?type=" in link:
                types.add(link.split("=", 1)[1])
    assert types and types <= set(CONTENT.claim_types)


def test_claims_url_sets_where_claim_links_go(tmp_path):
    claims_url = "https://help.example.com/claims"
    result = build_site(tmp_path / "site", env={"CLAIMS_URL": claims_url + "/"})
    assert result.returncode == 0, result.stderr
    for page in LINKED_PAGES:
        found = links(page.built(tmp_path / "site").read_text(encoding="utf-8"))
        assert {link.href(claims_url) for link in page.claim_links} <= set(found), page.source


@pytest.fixture
def project(tmp_path):
    """A copy of the site's sources to break."""
    return copy_project(tmp_path / "project")


def add_page(project, name: str, text: str):
    (project / "docs" / name).write_text(text, encoding="utf-8")


def test_unknown_claim_type_fails_the_build_naming_file_line_and_known_types(project):
    add_page(
        project,
        "broken.md",
        "---\ndescription: A page with a link to a claim type that does not exist.\n---\n\n"
        "# Broken\n\n## Is this a question?\n\nYes.\n\n[Report it](claim:broken-item)\n",
    )
    result = build_site(project / "site", project)
    assert result.returncode != 0
    assert "docs/broken.md:11: unknown claim type 'broken-item'" in result.stderr
    assert ", ".join(CONTENT.claim_types) in result.stderr


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "## Where is my parcel?\n\n## When will it arrive?\n\nSoon.\n",
            "docs/checked.md:7: the question 'Where is my parcel?' has no answer under it.",
        ),
        (
            "## Shipping times\n\nThree days.\n",
            "docs/checked.md:7: 'Shipping times' is a '##' heading but not a question.",
        ),
        (
            f"## {CONTENT.questions[0].text}\n\nTwice.\n",
            f"the question '{CONTENT.questions[0].text}' is asked more than once, at",
        ),
    ],
)
def test_content_check_fails_the_build_with_file_and_line(project, body, message):
    front_matter = "---\ndescription: A page to check.\n---\n\n"
    add_page(project, "checked.md", f"{front_matter}# Checked\n\n{body}")
    result = build_site(project / "site", project)
    assert result.returncode != 0
    assert message in result.stderr
    assert "docs/checked.md:7" in result.stderr


def test_a_duplicate_question_names_both_places(project):
    first = CONTENT.faq_pages[0]
    question = first.questions[0].text
    lines = first.source.read_text(encoding="utf-8").split("\n")
    line = lines.index(f"## {question}") + 1
    front_matter = "---\ndescription: A page to check.\n---\n\n"
    add_page(project, "zz-checked.md", f"{front_matter}# Checked\n\n## {question.upper()}\n\nNo.\n")
    result = build_site(project / "site", project)
    assert result.returncode != 0
    assert f"docs/{first.source.name}:{line} and docs/zz-checked.md:7" in result.stderr


@pytest.mark.parametrize(
    ("link", "suggestion"),
    [
        ("claims:product-concern", "did you mean claim:product-concern?"),
        ("claim-stauts:", "did you mean claim-status:?"),
        ("claim: x", "did you mean claim:? Known types: " + ", ".join(CONTENT.claim_types)),
        ("ftp://example.com/manual", "claim links are written claim:TYPE."),
    ],
)
def test_a_link_with_an_unknown_scheme_fails_the_build_with_a_suggestion(project, link, suggestion):
    add_page(
        project,
        "linked.md",
        "---\ndescription: A page with a mistyped link.\n---\n\n# Linked\n\n"
        f"## Is this a question?\n\nYes.\n\n[Report it]({link}){{ .md-button }}\n\n"
        f'<a href="{link}">Or here</a>\n',
    )
    result = build_site(project / "site", project)
    assert result.returncode != 0
    for line in (11, 13):
        assert f"docs/linked.md:{line}: the link '{link}' goes nowhere" in result.stderr
    assert suggestion in result.stderr


def test_page_without_description_fails_the_build(project):
    add_page(project, "bare.md", "# Bare\n\n## Is this answered?\n\nYes.\n")
    result = build_site(project / "site", project)
    assert result.returncode != 0
    assert "docs/bare.md:1: the page has no description." in result.stderr


def test_broken_link_or_anchor_fails_the_strict_build(project):
    add_page(
        project,
        "links.md",
        "---\ndescription: A page with a broken anchor.\n---\n\n# Links\n\n"
        "## Is there a link?\n\n"
        f"See [a topic]({CONTENT.faq_pages[0].source.name}#no-such-question).\n",
    )
    result = build_site(project / "site", project)
    assert result.returncode != 0
    assert "no-such-question" in result.stderr


def test_the_build_reads_the_claim_types_without_loading_the_service():
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, claims.catalog; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'claims.catalog'" in loaded
    assert "'flask'" not in loaded
