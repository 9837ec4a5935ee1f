"""The search index a builder wrote: Material's ``search/search_index.json`` or Zensical's
``search.json``, read and written the same way.

Both hold one entry per page and per heading (``location``, ``title``, ``text``) and the
pattern that splits words. They differ in where the entries are, and in what their search
does with them: Material's shows a title as HTML (a hidden part stays hidden) and weighs an
entry by its ``boost``; Zensical's shows every indexed word as text and knows no boost.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MATERIAL = Path("search") / "search_index.json"
ZENSICAL = Path("search.json")


@dataclass
class SearchIndex:
    path: Path
    data: dict[str, Any]

    @classmethod
    def of(cls, site: Path) -> "SearchIndex | None":
        """The index in `site`, or None when search is off."""
        for path in (site / MATERIAL, site / ZENSICAL):
            if path.exists():
                return cls(path, json.loads(path.read_text(encoding="utf-8")))
        return None

    @property
    def is_material(self) -> bool:
        return "docs" in self.data

    @property
    def entries(self) -> list[dict[str, Any]]:
        return self.data["docs"] if self.is_material else self.data["items"]

    @property
    def separator(self) -> re.Pattern[str]:
        return re.compile(self.data["config"]["separator"])

    def page_urls(self) -> set[str]:
        """The pages the index holds (not their sections)."""
        return {entry["location"] for entry in self.entries if "#" not in entry["location"]}

    def save(self) -> None:
        self.path.write_text(json.dumps(self.data, separators=(",", ":")), encoding="utf-8")
