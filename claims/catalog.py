"""The claim types, read from ``claim_types.toml``.

The help site's build reads this module too, so a claim link can never name a type
the service does not know. It depends on the standard library only.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

CATALOG_FILE = Path(__file__).with_name("claim_types.toml")
PHOTO_RULES = ("required", "optional", "none")
LANES = ("priority", "standard")


@dataclass(frozen=True)
class ClaimType:
    """One kind of claim a customer can pick, and what it needs."""

    name: str
    label: str
    hint: str
    photos: str = "none"
    lane: str = "standard"
    reason: str = ""
    attachment: str = ""  # what to attach instead of photos of the item, if anything
    files_case: bool = True
    answer: str = ""
    instead: str = ""


def load(path: Path = CATALOG_FILE) -> dict[str, ClaimType]:
    """Read and check the catalog, keeping the file's order."""
    with path.open("rb") as f:
        tables = tomllib.load(f)
    types = {name: ClaimType(name=name, **fields) for name, fields in tables.items()}
    for claim_type in types.values():
        _check(claim_type, types)
    return types


def _check(claim_type: ClaimType, types: dict[str, ClaimType]) -> None:
    """Refuse a catalog entry the service could not act on."""
    where = f"{CATALOG_FILE.name} [{claim_type.name}]"
    if claim_type.photos not in PHOTO_RULES:
        raise ValueError(f"{where}: photos must be one of {', '.join(PHOTO_RULES)}")
    if claim_type.lane not in LANES:
        raise ValueError(f"{where}: lane must be one of {', '.join(LANES)}")
    if not claim_type.files_case:
        instead = types.get(claim_type.instead)
        if instead is None or not instead.files_case:
            raise ValueError(f"{where}: 'instead' must name a type that files a case")


CLAIM_TYPES = load()
