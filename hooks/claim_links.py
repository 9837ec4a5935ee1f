"""Claim links: editors link the claim form by claim type, the build writes the address.

In Markdown an editor writes ``[Report a defective item](claim:defective-item)``; the
built page links to ``<CLAIMS_URL>/new?type=defective-item``. ``claim:`` alone opens the
form with no type chosen, ``claim-status:`` the status look-up. A link naming a type the
claim service does not know fails the build, naming the file, the line and the known types.
"""

import re

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from pages import numbered_lines, source_path

# The build reads the claim service's own catalog (standard library only): one list of types.
from claims.catalog import CLAIM_TYPES

MARKDOWN_LINK = re.compile(r"\]\(\s*<?claim:([^)\s>]*)")
HTML_LINK = re.compile(r'href="claim(-status)?:([^"]*)"')


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Stop the build at the first link to a claim type that does not exist."""
    for number, line in numbered_lines(markdown, page):
        for match in MARKDOWN_LINK.finditer(line):
            name = match.group(1)
            if name and name not in CLAIM_TYPES:
                raise PluginError(
                    f"{source_path(page)}:{number}: unknown claim type '{name}' in "
                    f"'claim:{name}'. Known types: {', '.join(CLAIM_TYPES)}."
                )
    return markdown


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Point every claim link at the claim service named by CLAIMS_URL."""
    base = config.extra["claims_url"].rstrip("/")

    def address(match: re.Match[str]) -> str:
        status, name = match.groups()
        if status:
            return f'href="{base}/status"'
        return f'href="{base}/new?type={name}"' if name else f'href="{base}/new"'

    return HTML_LINK.sub(address, html)
