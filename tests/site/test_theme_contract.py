"""What our overrides assume of the installed themes, checked against the themes themselves.

``overrides/partials/search.html`` is each theme's own search partial (Material's with an
accessible name on its dialog), and ``search.js`` talks to Material's search worker with
Material's message numbers. When a theme update changes either, these fail and say what to
redo, instead of the site quietly losing its search fixes.
"""

import json
import re
from pathlib import Path

import material
import pytest

from tests.support import ROOT

OURS = (ROOT / "overrides" / "partials" / "search.html").read_text(encoding="utf-8")
SCRIPT = (ROOT / "overrides" / "assets" / "javascripts" / "search.js").read_text(encoding="utf-8")
MATERIAL = Path(material.__file__).parent / "templates"
DIALOG = 'role="dialog"'
NAMED_DIALOG = '''role="dialog" aria-label="{{ lang.t('search') }}"'''


def theme_partial(templates: Path) -> str:
    """A theme's search partial without its "generated" comment."""
    text = (templates / "partials" / "search.html").read_text(encoding="utf-8")
    return re.sub(r"^\{#-.*?-#\}\n", "", text, flags=re.S)


def our_branches() -> tuple[str, str]:
    """Our partial's MkDocs branch and Zensical branch."""
    found = re.search(
        r"\{% if mkdocs_version is defined %\}\n(.*)\{% else %\}\n(.*)\{% endif %\}", OURS, re.S
    )
    assert found, "overrides/partials/search.html lost its two branches (MkDocs / Zensical)"
    return found.group(1), found.group(2)


def test_our_search_partial_is_materials_plus_a_name_for_its_dialog():
    ours = our_branches()[0]
    assert ours.count(NAMED_DIALOG) == 1, "the dialog's aria-label is gone"
    assert ours.replace(NAMED_DIALOG, DIALOG) == theme_partial(MATERIAL), (
        "Material's partials/search.html changed: copy it into the MkDocs branch of "
        "overrides/partials/search.html again, with aria-label on the dialog, and check that "
        "search.js still finds the elements it uses"
    )


def test_our_search_partial_is_zensicals_own_under_zensical():
    zensical = pytest.importorskip("zensical")
    ours = our_branches()[1]
    assert ours == theme_partial(Path(zensical.__file__).parent / "templates"), (
        "Zensical's partials/search.html changed: copy it into the Zensical branch of "
        "overrides/partials/search.html again"
    )


def test_search_script_sends_queries_as_materials_worker_expects():
    """Material's worker messages are numbered by an enum in its source (shipped as the
    bundle's source map): our QUERY must be its QUERY, and a query must still be a string."""
    [source_map] = (MATERIAL / "assets" / "javascripts").glob("bundle.*.min.js.map")
    sources = json.loads(source_map.read_text(encoding="utf-8"))
    [message] = [
        text
        for name, text in zip(sources["sources"], sources["sourcesContent"], strict=True)
        if name.endswith("integrations/search/worker/message/index.ts")
    ]
    enum = re.search(r"enum SearchMessageType \{(.*?)\}", message, re.S).group(1)
    members = re.findall(r"^\s*([A-Z]+)", enum, re.M)
    ours = int(re.search(r"const QUERY = (\d+)", SCRIPT).group(1))
    assert "QUERY" in members and members.index("QUERY") == ours, (
        f"Material's search worker now numbers its messages {members}: set QUERY in "
        "search.js to the number of QUERY"
    )
    assert re.search(r"type: SearchMessageType\.QUERY\s.*?\n\s*data: string", message, re.S), (
        "Material's search query message no longer carries the query as a string: "
        "search.js must change how it corrects queries"
    )
