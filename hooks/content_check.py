"""Content checks: catch the mistakes an editor can make before a customer sees them.

Every page needs a ``description``. On FAQ pages every ``##`` heading is a question
(it ends with "?") with an answer under it, and no question appears twice on the site.
All problems on a page are reported together, each with its file and line.
"""

import re

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from pages import is_faq_page, numbered_lines, source_path

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")

# Where each question was first seen, to report duplicates across pages.
questions_seen: dict[str, str] = {}


def on_pre_build(config: MkDocsConfig) -> None:
    """Start each build (and each rebuild of `mkdocs serve`) with no questions seen."""
    questions_seen.clear()


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Fail the build with every problem found on this page."""
    where = source_path(page)
    problems: list[str] = []
    if not str(page.meta.get("description", "")).strip():
        problems.append(
            f"{where}:1: the page has no description. Add 'description: …' to its front matter."
        )
    if is_faq_page(page):
        problems += _question_problems(markdown, page, where)
    if problems:
        raise PluginError("\n".join(problems))
    return markdown


def _question_problems(markdown: str, page: Page, where: str) -> list[str]:
    """Check every ``##`` question: phrased as a question, answered, not asked before."""
    problems: list[str] = []
    open_question: tuple[int, str] | None = None  # a question still waiting for its answer

    def unanswered(number: int, text: str) -> str:
        return f"{where}:{number}: the question '{text}' has no answer under it."

    for number, line in numbered_lines(markdown, page):
        heading = HEADING.match(line)
        if heading:
            if open_question:
                problems.append(unanswered(*open_question))
                open_question = None
            level, text = len(heading.group(1)), heading.group(2)
            if level != 2:
                continue
            open_question = (number, text)
            if not text.endswith("?"):
                problems.append(
                    f"{where}:{number}: '{text}' is a '##' heading but not a question. "
                    "On FAQ pages every '##' heading is a question ending with '?'."
                )
            key = " ".join(text.casefold().split())
            if key in questions_seen:
                problems.append(
                    f"{where}:{number}: the question '{text}' is already asked at "
                    f"{questions_seen[key]}. Keep one and remove the other."
                )
            else:
                questions_seen[key] = f"{where}:{number}"
        elif open_question and line.strip():
            open_question = None
    if open_question:
        problems.append(unanswered(*open_question))
    return problems
