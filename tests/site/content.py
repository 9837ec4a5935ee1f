"""The help site's content as editors write it: pages in menu order, their questions and
answers, the words customers use for each question, and the claim links.

Site, search and browser tests take what they check from here rather than from lists of
their own, so an editor's correct change (a new topic page, a new question, a second claim
button) keeps the suite green, and a wrong one fails it by name.

``HELP_SITE_PROJECT`` points the suites at another copy of the project (its ``mkdocs.yml``,
``docs/`` and ``claims/claim_types.toml``); by default they read this repository.
"""

import html
import os
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import markdown
from mkdocs.utils.meta import get_data
from mkdocs.utils.yaml import yaml_load

from help_site.claim_links import address
from help_site.content_checks import HEADING
from help_site.page import FENCE
from help_site.vocabulary import NOTE as VOCABULARY
from tests.support import ROOT

PROJECT = Path(os.environ.get("HELP_SITE_PROJECT") or ROOT)

# Code fences, headings and "also asked as" notes are read with the build's own patterns.
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
CLAIM_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<target>claim(?:-status)?:[^)\s]*)\)")
ONLY_LINKS = re.compile(r"^(\s*\[[^\]]*\]\([^)]*\)(\{[^}]*\})?)+\s*$")
BLOCK_TAG = re.compile(
    r"</?(?:p|h[1-6]|li|ul|ol|dl|dt|dd|div|br|hr|tr|td|th|table|pre|blockquote)\b[^>]*>"
)
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Question:
    """A ``##`` question on a page of questions, with what is written under it."""

    text: str
    answer: tuple[str, ...]  # its paragraphs as a reader sees them, claim buttons left out
    vocabulary: tuple[str, ...]  # the "also asked as" phrases
    page: str  # the page's name (see Page)

    @property
    def answer_text(self) -> str:
        return " ".join(self.answer)


@dataclass(frozen=True)
class ClaimLink:
    """A link to the claim service written as ``[text](claim:TYPE)`` or ``claim-status:``."""

    text: str
    target: str
    page: str

    @property
    def claim_type(self) -> str | None:
        kind, _, name = self.target.partition(":")
        return name if kind == "claim" and name else None

    def href(self, claims_url: str = "/claims") -> str:
        """Where the built site sends the link."""
        return address(claims_url, self.target)


@dataclass(frozen=True)
class Page:
    """One page of the site, as listed in the menu."""

    name: str  # its path below the site root without slashes: "" for the home page
    title: str  # as the menu shows it
    source: Path  # its Markdown file
    is_faq: bool  # a page of questions (``faq: false`` opts out)
    questions: tuple[Question, ...]
    claim_links: tuple[ClaimLink, ...]

    @property
    def url(self) -> str:
        """Its address relative to the site root."""
        return f"{self.name}/" if self.name else ""

    def built(self, site: Path) -> Path:
        """Its HTML file in a built site."""
        return site / self.name / "index.html"


@dataclass(frozen=True)
class Content:
    pages: tuple[Page, ...]
    claim_types: tuple[str, ...]

    @property
    def faq_pages(self) -> list[Page]:
        return [page for page in self.pages if page.is_faq]

    @property
    def topics(self) -> list[str]:
        """The pages of questions, by their menu titles, in menu order."""
        return [page.title for page in self.faq_pages]

    @property
    def questions(self) -> list[Question]:
        return [question for page in self.pages for question in page.questions]

    @property
    def claim_links(self) -> list[ClaimLink]:
        return [link for page in self.pages for link in page.claim_links]

    def page(self, name: str) -> Page:
        return next(page for page in self.pages if page.name == name)

    def question(self, text: str) -> Question:
        return next(question for question in self.questions if question.text == text)


@cache
def read_content(project: Path = PROJECT) -> Content:
    """Read the pages named in ``mkdocs.yml``'s ``nav`` (or every page, when it has none)."""
    with open(project / "mkdocs.yml", "rb") as config_file:
        config = yaml_load(config_file)
    docs = project / config.get("docs_dir", "docs")
    menu = list(_menu(config.get("nav"))) or [
        (None, path.relative_to(docs).as_posix()) for path in sorted(docs.rglob("*.md"))
    ]
    with open(project / "claims" / "claim_types.toml", "rb") as catalog:
        claim_types = tuple(tomllib.load(catalog))
    return Content(tuple(_read_page(docs, title, source) for title, source in menu), claim_types)


def _menu(items):
    """(title, file) for every page of a ``nav`` list, sections flattened, links skipped."""
    for item in items or []:
        if isinstance(item, str):
            yield None, item
            continue
        for title, value in item.items():
            if isinstance(value, list):
                yield from _menu(value)
            elif not re.match(r"^[a-z]+://", value):
                yield title, value


def _read_page(docs: Path, title: str | None, source: str) -> Page:
    text, meta = get_data((docs / source).read_text(encoding="utf-8-sig"))
    name = re.sub(r"(^|/)index$", "", source.removesuffix(".md"))
    is_faq = meta.get("faq", True) is not False
    lines = list(_outside_code(text))
    headings = [(n, HEADING.match(line)) for n, line in enumerate(lines) if HEADING.match(line)]
    if title is None:
        title = next((m.group(2) for _, m in headings if m.group(1) == "#"), name)
    questions = []
    if is_faq:
        for position, (number, match) in enumerate(headings):
            if match.group(1) != "##":
                continue
            end = next((n for n, m in headings[position + 1 :] if len(m.group(1)) <= 2), len(lines))
            questions.append(_question(match.group(2), "\n".join(lines[number + 1 : end]), name))
    markup = COMMENT.sub("", "\n".join(lines))
    links = tuple(
        ClaimLink(match.group("text"), match.group("target"), name)
        for match in CLAIM_LINK.finditer(markup)
    )
    return Page(name, title, docs / source, is_faq, tuple(questions), links)


def _outside_code(text: str):
    """The page's lines, with those of fenced code blocks blanked (never headings or links)."""
    in_fence = False
    for line in text.split("\n"):
        if FENCE.match(line):
            in_fence = not in_fence
            yield ""
        else:
            yield "" if in_fence else line


def _question(heading: str, section: str, page: str) -> Question:
    vocabulary = [
        phrase.strip()
        for found in VOCABULARY.finditer(section)
        for phrase in found.group("words").split(",")
        if phrase.strip()
    ]
    blocks = re.split(r"\n\s*\n", COMMENT.sub("", section))
    answer = [
        rendered_text(block)
        for block in blocks
        if block.strip() and not ONLY_LINKS.match(block) and not HEADING.match(block.strip())
    ]
    return Question(rendered_text(heading), tuple(answer), tuple(vocabulary), page)


def rendered_text(markup: str) -> str:
    """What a reader sees of some Markdown."""
    return text_of(markdown.markdown(markup, extensions=["attr_list", "md_in_html", "tables"]))


def text_of(markup: str) -> str:
    """The text of some HTML as a reader sees it: blocks apart, whitespace collapsed."""
    text = TAG.sub("", BLOCK_TAG.sub(" ", markup))
    return " ".join(html.unescape(text).split())
