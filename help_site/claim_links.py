"""Claim links: editors and templates link the claim form by claim type, the build writes
the address.

In Markdown an editor writes ``[Report a defective item](claim:defective-item)``, and a
template ``href="claim:"``; the built page links to ``<CLAIMS_URL>/new?type=defective-item``.
``claim:`` alone opens the form with no type chosen, ``claim-status:`` the status look-up.
The addresses are made by `address`, and only there. A link naming a type the claim service
does not know, or a link whose scheme is none a browser or this build knows (``claims:``,
``claim-stauts:``, ``claim: x``: a dead button once published), stops the build, naming the
file, the line and the link the editor most likely meant.

The extension checks a page's Markdown and rewrites its links; the post-build step
(`resolve_site`) rewrites what the templates wrote, in every page.
"""

import difflib
import re
from pathlib import Path

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

# The build reads the claim service's own catalog (standard library only): one list of types.
from claims.catalog import CLAIM_TYPES
from help_site import record
from help_site.page import ContentError, source_page

MARKDOWN_LINK = re.compile(r"\]\(\s*<?claim:([^)\s>]*)")
HTML_LINK = re.compile(r'href="claim(-status)?:([^"]*)"')
# Any link target that starts with a scheme, in Markdown or in HTML written on the page; the
# target runs to the end of the link, spaces included ("claim: x" is a mistake to report).
SCHEMED_LINK = re.compile(
    r"""(?:\]\(\s*<?|href\s*=\s*["'])(?P<target>(?P<scheme>[A-Za-z][\w+.-]*)\s*:[^)>"']*)"""
)
# Schemes a browser opens; "claim" and "claim-status" are made into addresses by the build.
KNOWN_SCHEMES = frozenset({"http", "https", "mailto", "tel", "claim", "claim-status"})


def address(claims_url: str, target: str) -> str:
    """Where a link to `target` ("claim:TYPE", "claim:" or "claim-status:") goes."""
    base = claims_url.rstrip("/")
    kind, _, name = target.partition(":")
    if kind == "claim-status":
        return f"{base}/status"
    return f"{base}/new?type={name}" if name else f"{base}/new"


def unknown_type(name: str) -> str:
    return f"unknown claim type '{name}' in 'claim:{name}'. Known types: {', '.join(CLAIM_TYPES)}."


def link_targets() -> list[str]:
    """Every claim link an editor can write."""
    return ["claim:", *(f"claim:{name}" for name in CLAIM_TYPES), "claim-status:"]


def unknown_scheme(target: str) -> str | None:
    """What is wrong with link `target`, when its scheme is none we know, or when spaces
    break a claim link; None when the link is fine (its type is checked on its own)."""
    scheme, _, rest = target.partition(":")
    written = "".join(target.split())
    if scheme in KNOWN_SCHEMES and written == target.rstrip():
        return None
    meant = difflib.get_close_matches(written.lower(), link_targets(), n=1, cutoff=0.6)
    hint = f"did you mean {meant[0]}?" if meant else "claim links are written claim:TYPE."
    if not meant or meant[0] == "claim:":
        hint += f" Known types: {', '.join(CLAIM_TYPES)}; claim-status: for the status look-up."
    return f"the link '{target.strip()}' goes nowhere a customer can open: {hint}"


def resolve(html: str, claims_url: str) -> str:
    """`html` with every claim link pointing at the claim service."""

    def href(match: re.Match[str]) -> str:
        target = match.group(0).removeprefix('href="').removesuffix('"')
        return f'href="{address(claims_url, target)}"'

    return HTML_LINK.sub(href, html)


def resolve_site(site: Path, claims_url: str) -> None:
    """Point the claim links the templates wrote, in every page of `site`, at the service."""
    problems = []
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        if not HTML_LINK.search(html):
            continue
        for status, name in HTML_LINK.findall(html):
            if not status and name and name not in CLAIM_TYPES:
                problems.append(f"{page.relative_to(site)}: {unknown_type(name)}")
        page.write_text(resolve(html, claims_url), encoding="utf-8")
    if problems:
        raise ContentError("\n".join(problems))


class CheckClaimTypes(Preprocessor):
    """Stops the build at links to claim types or schemes that do not exist, with file and
    line."""

    def run(self, lines: list[str]) -> list[str]:
        page = source_page(self.md)
        record.page_record(self.md)
        problems = []
        for number, line in page.numbered_lines(lines):
            for link in SCHEMED_LINK.finditer(line):
                problem = unknown_scheme(link.group("target"))
                if problem:
                    problems.append(f"{page.where}:{number}: {problem}")
            problems += [
                f"{page.where}:{number}: {unknown_type(name)}"
                for name in MARKDOWN_LINK.findall(line)
                if name and name not in CLAIM_TYPES
            ]
        if problems:
            raise page.error(problems)
        return lines


class ResolveClaimLinks(Postprocessor):
    """Points every claim link of the page at the claim service named by CLAIMS_URL."""

    def run(self, text: str) -> str:
        return resolve(text, record.page_record(self.md).claims_url)


class ClaimLinksExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        record.register(md, "claim_links")
        # First of all preprocessors: the lines are still the file's lines.
        md.preprocessors.register(CheckClaimTypes(md), "help_site_claim_types", 200)
        md.postprocessors.register(ResolveClaimLinks(md), "help_site_claim_links", 5)


def makeExtension(**kwargs: object) -> ClaimLinksExtension:
    return ClaimLinksExtension(**kwargs)
