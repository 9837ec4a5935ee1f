"""Builds to compare searches on: plain Material search on the same content, served locally.

``plain_material`` switches a copy of the project to Material's search defaults: none of
our search settings, no customers' words in the index (the post-build step, which adds them,
does not run: build it with ``build_site(..., finish=False)``) and no script. Everything else
(pages, Markdown extensions, templates) is kept, so both builds hold the same content and
differ only in search.
"""

from pathlib import Path


def plain_material(project: Path) -> None:
    """Switch the project copy at `project` to plain Material search, in place."""
    (project / "mkdocs.yml").rename(project / "ours.yml")
    (project / "mkdocs.yml").write_text(
        "INHERIT: ours.yml\nplugins: [search]\nhooks: []\nextra_javascript: []\n",
        encoding="utf-8",
    )
