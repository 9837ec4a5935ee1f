"""Claim links resolve to the claim form, and mistakes in the content stop the build."""

import re

import pytest

from claims.catalog import CLAIM_TYPES
from tests.conftest import build_site, copy_project


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_claim_links_point_to_the_form_with_the_type_preselected(built_site):
    html = (built_site / "problems-with-an-item" / "index.html").read_text(encoding="utf-8")
    assert "/claims/new?type=defective-item" in links(html)
    assert "/claims/new?type=missing-components" in links(html)
    assert not [link for link in links(html) if link.startswith("claim")]


def test_every_claim_link_names_a_known_type(built_site):
    types = set()
    for page in built_site.glob("**/index.html"):
        for link in links(page.read_text(encoding="utf-8")):
            if "/new?type=" in link:
                types.add(link.split("=", 1)[1])
    assert types and types <= set(CLAIM_TYPES)


def test_claims_url_sets_where_claim_links_go(tmp_path):
    result = build_site(tmp_path / "site", env={"CLAIMS_URL": "https://help.example.com/claims/"})
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / "returns-and-refunds" / "index.html").read_text(encoding="utf-8")
    assert "https://help.example.com/claims/new?type=return-request" in links(html)
    assert "https://help.example.com/claims/status" in links(html)


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
    assert ", ".join(CLAIM_TYPES) in result.stderr


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
            "## How is a refund processed after approval?\n\nTwice.\n",
            "the question 'How is a refund processed after approval?' is already asked at",
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
        "## Is there a link?\n\nSee [returns](returns-and-refunds.md#no-such-question).\n",
    )
    result = build_site(project / "site", project)
    assert result.returncode != 0
    assert "no-such-question" in result.stderr
