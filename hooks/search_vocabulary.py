"""Search vocabulary: under a question, editors list the words customers use for it.

``<!-- also asked as: arrived broken, damaged, faulty -->`` under a ``##`` question is
taken out of the page (customers never see it) and noted in ``page.meta`` by the question's
anchor, for ``search_index.py`` to put into that question's own search entry. A list that
is not under a question, is never closed or lists nothing stops the build with its line.
"""

import re
from collections.abc import Iterable, Iterator

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink
from pages import first_line_number, is_faq_page, numbered_lines, source_path

LIST = re.compile(r"<!--\s*also asked as\b:?(?P<words>.*?)-->", re.IGNORECASE | re.DOTALL)
OPENING = re.compile(r"<!--\s*also asked as\b", re.IGNORECASE)
QUESTION = re.compile(r"^##\s+\S")


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Take each list out of the page (keeping line numbers), noting its question."""
    outside_code = dict(numbered_lines(markdown, page))
    first = first_line_number(markdown, page)
    questions = [number for number, line in outside_code.items() if QUESTION.match(line)]
    where = source_path(page)
    closed = set()
    lists: dict[int, list[str]] = {}  # question's position on the page -> phrases

    def take(match: re.Match[str]) -> str:
        number = first + markdown.count("\n", 0, match.start())
        if number not in outside_code:
            return match.group(0)  # an example inside a code block
        closed.add(number)
        above = [position for position, line in enumerate(questions) if line < number]
        if not above or not is_faq_page(page):
            raise PluginError(
                f"{where}:{number}: 'also asked as' must come right under a question "
                "(a '##' heading on a page of questions)."
            )
        phrases = [phrase.strip() for phrase in match.group("words").split(",")]
        if not any(phrases):
            raise PluginError(f"{where}:{number}: 'also asked as' lists no words.")
        lists.setdefault(above[-1], []).extend(phrase for phrase in phrases if phrase)
        return "\n" * match.group(0).count("\n")

    markdown = LIST.sub(take, markdown)
    for number, line in outside_code.items():
        if OPENING.search(line) and number not in closed:
            raise PluginError(f"{where}:{number}: 'also asked as' is never closed with '-->'.")
    page.meta["search_vocabulary"] = lists
    return markdown


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Key each list by its question's anchor, now that the headings have their ids."""
    anchors = [item.id for item in _headings(page.toc) if item.level == 2]
    lists = page.meta.get("search_vocabulary", {})
    page.meta["search_vocabulary"] = {anchors[n]: phrases for n, phrases in lists.items()}
    return html


def _headings(items: Iterable[AnchorLink]) -> Iterator[AnchorLink]:
    for item in items:
        yield item
        yield from _headings(item.children)
