"""The page a Markdown extension is converting, whichever builder converts it.

Python-Markdown is not told which file it converts; each builder registers a processor that
knows. MkDocs registers its ``relpath`` treeprocessor (Material's own extensions read it
too), Zensical its ``ContextPreprocessor``. This module is the one place that reads them;
the extensions see a ``SourcePage`` only. Both builders make a new ``Markdown`` for every
page, so nothing here outlives the page.
"""

import os
import re
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown import Markdown

FENCE = re.compile(r"^\s*(```|~~~)")


class ContentError(Exception):
    """A mistake in the content, reported to the editor with its file and line."""


@dataclass(frozen=True)
class SourcePage:
    """A page's Markdown file, its front matter and the site settings it is built with."""

    path: Path  # the Markdown file
    url: str  # its address below the site root: "" for the home page, "topic/" for a topic
    meta: MutableMapping[str, Any]  # the front matter, as the page template reads it
    extra: MutableMapping[str, Any]  # the config's `extra` settings
    builder: str  # "mkdocs" or "zensical"

    @property
    def where(self) -> str:
        """The file as the editor knows it: relative to where the build was started."""
        return os.path.relpath(self.path)

    @property
    def is_faq(self) -> bool:
        """FAQ pages hold questions as ``##`` headings; a page opts out with ``faq: false``.

        The one place this rule lives: the extensions ask it, the page records carry its
        answer to the post-build step, and ``faq`` is set to it in the page's meta for the
        templates (where a missing key is an error under Zensical).
        """
        return self.meta.get("faq", True) is not False

    def first_line(self, lines: list[str]) -> int:
        """The line of the file where `lines` (the Markdown without front matter) begins.

        Builders hand Markdown the text after the front matter, with its end intact, so the
        count is taken from the end of the file.
        """
        in_file = self.path.read_text(encoding="utf-8-sig").split("\n")
        return len(in_file) - len(lines) + 1

    def numbered_lines(self, lines: list[str]) -> Iterator[tuple[int, str]]:
        """(line number in the file, line) for every line outside fenced code."""
        in_fence = False
        for number, line in enumerate(lines, start=self.first_line(lines)):
            if FENCE.match(line):
                in_fence = not in_fence
            elif not in_fence:
                yield number, line

    def error(self, problems: list[str]) -> Exception:
        """The exception that stops this builder with the editor's messages and no traceback
        to wade through (MkDocs prints its own build errors plainly)."""
        message = "\n".join(problems)
        if self.builder == "mkdocs":
            from mkdocs.exceptions import PluginError

            return PluginError(message)
        return ContentError(message)


def source_page(md: Markdown) -> SourcePage:
    """The page `md` is converting; fails plainly under a builder that does not say."""
    for processor in [*md.preprocessors, *md.treeprocessors]:
        kind = type(processor).__name__
        if kind == "ContextPreprocessor":  # Zensical
            page, config = processor.page, processor.config
            root = Path(config["root_dir"])
            return SourcePage(
                path=root / config["docs_dir"] / page.path,
                url=page.url,
                meta=page.meta,
                extra=config["extra"],
                builder="zensical",
            )
        if kind == "_RelativePathTreeprocessor":  # MkDocs
            file, config = processor.file, processor.config
            return SourcePage(
                path=Path(file.abs_src_path),
                url=file.page.url,
                meta=file.page.meta,
                extra=config.extra,
                builder="mkdocs",
            )
    raise ContentError(
        "The help site's Markdown extensions run under MkDocs or Zensical only: this builder "
        "does not say which page it converts."
    )
