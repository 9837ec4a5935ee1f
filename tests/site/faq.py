"""The shop's FAQ text (a copy of the shared seed) and readers for the built site's HTML."""

import re
from dataclasses import dataclass
from pathlib import Path

from tests.site.content import text_of

SEED_FILE = Path(__file__).with_name("seed-faq.txt")


@dataclass(frozen=True)
class Seed:
    opening: str
    closing: str
    questions: dict[str, str]  # question -> answer


def read_seed(path: Path = SEED_FILE) -> Seed:
    """Split the seed into its opening sentence, its Q/A pairs and its closing sentence."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    questions = {}
    for line in lines:
        if line.startswith("Q: "):
            question, answer = line.removeprefix("Q: ").split(" A: ")
            questions[question] = answer
    prose = [line for line in lines if line and not line.startswith("Q: ") and not line.isupper()]
    return Seed(opening=prose[0], closing=prose[-1], questions=questions)


def article(page_html: str) -> str:
    """The page's main content, without the heading permalinks (¶)."""
    body = re.search(r"<article.*?</article>", page_html, re.S).group(0)
    return re.sub(r'<a class="headerlink".*?</a>', "", body)


def visible_text(page_html: str) -> str:
    """The text a reader sees in the page's article, whitespace collapsed."""
    return text_of(article(page_html))


def question_headings(page_html: str) -> dict[str, str]:
    """The article's ``##`` headings (except the call to action): text -> id."""
    headings = {}
    for anchor, inner in re.findall(r'<h2 id="([^"]+)">(.*?)</h2>', article(page_html), re.S):
        if anchor != "hc-cta-title":
            headings[text_of(inner)] = anchor
    return headings
