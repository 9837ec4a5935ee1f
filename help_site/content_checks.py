"""Content checks: catch the mistakes an editor can make before a customer sees them.

Every page needs a ``description``. On FAQ pages every ``##`` heading is a question (it ends
with "?") with an answer under it. All problems on a page are reported together, each with
its file and line. That no question is asked twice on the site is checked after the build,
over every page's record (`duplicate_questions`), since one page cannot see the others; the
problem names every place, so the editor finds the one they just wrote.
"""

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from help_site import record
from help_site.page import SourcePage, source_page

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def question_key(text: str) -> str:
    """Two questions are the same when they differ only in case and spacing."""
    return " ".join(text.casefold().split())


def duplicate_questions(records: list[record.PageRecord]) -> list[str]:
    """A problem for every question asked more than once on the site, naming every place it
    is asked: the build cannot know which of them the editor just wrote."""
    places: dict[str, list[tuple[str, record.Question]]] = {}
    for page in sorted(records, key=lambda page: page.source):
        for question in page.questions:
            here = f"{page.source}:{question.line}"
            places.setdefault(question_key(question.text), []).append((here, question))
    problems = []
    for asked in places.values():
        if len(asked) > 1:
            where = " and ".join(here for here, _ in asked)
            problems.append(
                f"{asked[-1][0]}: the question '{asked[-1][1].text}' is asked more than once, "
                f"at {where}. Keep one and remove the others."
            )
    return problems


class CheckContent(Preprocessor):
    """Fails the build with every problem found on the page; notes its questions."""

    def run(self, lines: list[str]) -> list[str]:
        page = source_page(self.md)
        problems: list[str] = []
        if not str(page.meta.get("description", "")).strip():
            problems.append(
                f"{page.where}:1: the page has no description. "
                "Add 'description: …' to its front matter."
            )
        if page.is_faq:
            problems += self.question_problems(page, lines)
        if problems:
            raise page.error(problems)
        return lines

    def question_problems(self, page: SourcePage, lines: list[str]) -> list[str]:
        """Check every ``##`` question: phrased as a question, answered."""
        problems: list[str] = []
        questions = record.page_record(self.md).questions
        open_question: record.Question | None = None  # a question still waiting for its answer

        def unanswered(question: record.Question) -> str:
            return (
                f"{page.where}:{question.line}: "
                f"the question '{question.text}' has no answer under it."
            )

        for number, line in page.numbered_lines(lines):
            heading = HEADING.match(line)
            if heading:
                if open_question:
                    problems.append(unanswered(open_question))
                    open_question = None
                level, text = len(heading.group(1)), heading.group(2)
                if level != 2:
                    continue
                open_question = record.Question(text, number)
                questions.append(open_question)
                if not text.endswith("?"):
                    problems.append(
                        f"{page.where}:{number}: '{text}' is a '##' heading but not a question. "
                        "On FAQ pages every '##' heading is a question ending with '?'."
                    )
            elif open_question and line.strip():
                open_question = None
        if open_question:
            problems.append(unanswered(open_question))
        return problems


class ContentChecksExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        record.register(md, "content_checks")
        # After the vocabulary's notes are taken out (so a note is not an answer), before
        # anything else changes the lines.
        md.preprocessors.register(CheckContent(md), "help_site_content_checks", 150)


def makeExtension(**kwargs: object) -> ContentChecksExtension:
    return ContentChecksExtension(**kwargs)
