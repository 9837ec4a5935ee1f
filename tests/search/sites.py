"""Builds to compare searches on: plain Material search on the same content, served locally.

``plain_material`` switches a copy of the project to Material's search defaults: none of
our search settings, search hooks (``hooks/search_*.py``) or script. Everything else (pages,
other hooks, templates) is kept, so both builds hold the same content and differ only in
search.
"""

from pathlib import Path

from mkdocs.utils.yaml import yaml_load


def plain_material(project: Path) -> None:
    """Switch the project copy at `project` to plain Material search, in place."""
    with open(project / "mkdocs.yml", "rb") as config_file:
        config = yaml_load(config_file)
    hooks = [hook for hook in config.get("hooks", []) if not Path(hook).name.startswith("search")]
    (project / "mkdocs.yml").rename(project / "ours.yml")
    (project / "mkdocs.yml").write_text(
        "INHERIT: ours.yml\n"
        "plugins: [search]\n"
        f"hooks: [{', '.join(hooks)}]\n"
        "extra_javascript: []\n",
        encoding="utf-8",
    )
