"""The customer's file name, made safe to show to agents (it is never used as a path).

Pure string work: the stored file gets a generated name elsewhere (see storage).
"""

import os
import unicodedata

_NAME_LIMIT = 100


def clean_original_name(filename: str | None) -> str:
    """The customer's file name made safe to display: no path, no control characters, short."""
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if char.isspace() else char
        for char in name
        if char.isspace() or unicodedata.category(char) not in ("Cc", "Cf", "Cs")
    )
    name = " ".join(name.split())
    if not name.strip(". "):
        return "photo"
    if len(name) <= _NAME_LIMIT:
        return name
    stem, extension = os.path.splitext(name)
    if not extension or len(extension) > 10:
        return name[: _NAME_LIMIT - 1] + "…"
    return stem[: _NAME_LIMIT - 1 - len(extension)] + "…" + extension
