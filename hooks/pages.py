"""What the hooks need to know about a page: its source file and lines, and its kind."""

import os
import re
from collections.abc import Iterator

from mkdocs.structure.pages import Page

FENCE = re.compile(r"^\s*(```|~~~)")


def is_faq_page(page: Page) -> bool:
    """FAQ pages hold questions as ``##`` headings; a page opts out with ``faq: false``."""
    return page.meta.get("faq", True) is not False


def source_path(page: Page) -> str:
    """The page's file as the editor knows it, relative to where the build was started; a page
    a plugin made has no file, only its path among the docs."""
    if page.file.abs_src_path is None:
        return page.file.src_uri
    return os.path.relpath(page.file.abs_src_path)


def first_line_number(markdown: str, page: Page) -> int:
    """The line of the source file where the Markdown MkDocs hands to hooks begins.

    MkDocs hands hooks the Markdown without its front matter, so the count starts
    after however many lines the front matter took in the file. Our hooks keep the number of
    lines when they change the Markdown, so the file is read once per page (the number is kept
    in the page's meta, where the hooks keep what they know of a page).
    """
    if "first_line_number" not in page.meta:
        file_lines = page.file.content_string.count("\n")
        page.meta["first_line_number"] = file_lines - markdown.count("\n") + 1
    return page.meta["first_line_number"]


def numbered_lines(markdown: str, page: Page) -> Iterator[tuple[int, str]]:
    """Yield (line number in the source file, line) for every line outside fenced code."""
    in_fence = False
    for number, line in enumerate(markdown.split("\n"), start=first_line_number(markdown, page)):
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            yield number, line
