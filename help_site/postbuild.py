"""The post-build step: the work that needs every page, done on the built site.

It runs after whichever builder built the site (``python -m help_site SITE_DIR``; MkDocs
also runs it itself, see ``hooks/post_build.py``) and may run again on the same site with
the same result. In order: take the pages' records out of their HTML, check that every page
was built with all our extensions, check that no question is asked twice, point the
templates' claim links at the claim service, hide the theme's icons from screen readers and
name its permalinks, and add the customers' words to the search index.
"""

from pathlib import Path

from help_site import claim_links, content_checks, record, screen_reader, vocabulary
from help_site.page import ContentError
from help_site.search_index import SearchIndex


def finish(site: Path) -> None:
    """Finish the built site in `site`; raises ContentError with every problem found."""
    if not (site / "index.html").exists():
        raise ContentError(f"{site} holds no built site (no index.html): build the site first.")
    records = record.take_records(site)
    index = SearchIndex.of(site)
    pages = index.page_urls() if index else {url for url in records}
    problems = skipped_extensions(pages, records)
    problems += content_checks.duplicate_questions(list(records.values()))
    if problems:
        raise ContentError("\n".join(problems))
    claims_url = next((r.claims_url for r in records.values() if r.claims_url), "")
    claim_links.resolve_site(site, claims_url)
    screen_reader.tidy_site(site)
    if index:
        vocabulary.add_to_index(index, list(records.values()))


def skipped_extensions(pages: set[str], records: dict[str, record.PageRecord]) -> list[str]:
    """A problem for every page built without one of our Markdown extensions."""
    problems = []
    for url in sorted(pages):
        ran = records[url].features if url in records else []
        missing = [feature for feature in record.FEATURES if feature not in ran]
        if missing:
            problems.append(
                f"{url or 'the home page'} was built without the Markdown extensions "
                f"{', '.join('help_site.' + name for name in missing)}: list them under "
                "'markdown_extensions:' in mkdocs.yml (a builder that skips them cannot build "
                "this site)."
            )
    return problems
