"""What the theme draws for the eye, made right for screen readers, on the built site.

Every inline SVG on the site is an icon beside text (the theme's buttons, the topic icons of
the home page): screen readers would list each as an unnamed image, so they are hidden from
them. A heading's permalink shows "¶", which screen readers read as its name: it gets a real
one. Running it again on the same site changes nothing.
"""

import re
from pathlib import Path

ICON = re.compile(r"<svg(?![^>]*\baria-hidden=)")
PERMALINK = re.compile(r'<a class="headerlink"(?![^>]*\baria-label=)')
PERMALINK_NAME = "Link to this section"


def tidy(html: str) -> str:
    """`html` with its icons hidden from screen readers and its permalinks named."""
    html = ICON.sub('<svg aria-hidden="true" focusable="false"', html)
    return PERMALINK.sub(f'<a class="headerlink" aria-label="{PERMALINK_NAME}"', html)


def tidy_site(site: Path) -> None:
    """Tidy every page of the built site in `site`, in place."""
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        tidied = tidy(html)
        if tidied != html:
            page.write_text(tidied, encoding="utf-8")
