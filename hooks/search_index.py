"""Our additions to the search index, made after Material's search plugin writes it.

- Each question's "also asked as" words go into its own entry, after its title in a part
  results never show: search weighs them like the title's own words.
- On pages of questions, the page's own entry ranks below its questions, so a customer sees
  the matching question rather than the page title with its questions folded away.
- When no entry has tags, the tags field leaves the index's settings: the browser no longer
  sets up an empty field for every entry, and search is ready sooner.
- ``search/words.json`` lists the words of the index, most frequent first, and the words
  search leaves out: the page script (``search.js``) finds in it the word a customer meant
  ("refnd", "refunds" → "refund") and drops the others from the query.
"""

import html
import json
import re
from collections import Counter
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext
from pages import is_faq_page

# How much a page of questions' own entry weighs: below any of its questions that match.
FAQ_PAGE_BOOST = 0.1

TAG = re.compile(r"<[^>]+>")
DIGIT = re.compile(r"\d")

# The words search leaves out of the index (lunr's stop words, in Material's default pipeline).
STOP_WORDS = (
    "a able about across after all almost also am among an and any are as at be because been "
    "but by can cannot could dear did do does either else ever every for from get got had has "
    "have he her hers him his how however i if in into is it its just least let like likely may "
    "me might most must my neither no nor not of off often on only or other our own rather said "
    "say says she should since so some than that the their them then there these they this tis "
    "to too twas us wants was we were what when where which while who whom why will with would "
    "yet you your"
)
IGNORED = frozenset(STOP_WORDS.split())

vocabularies: dict[str, list[str]] = {}  # entry location -> "also asked as" phrases
faq_pages: set[str] = set()  # locations of the pages' own entries


def on_pre_build(config: MkDocsConfig) -> None:
    """Start each build (and each rebuild of `mkdocs serve`) afresh."""
    vocabularies.clear()
    faq_pages.clear()


def on_page_context(
    context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
) -> TemplateContext:
    """Note where this page's vocabulary goes, and whether it is a page of questions."""
    for anchor, phrases in page.meta.get("search_vocabulary", {}).items():
        vocabularies[f"{page.url}#{anchor}"] = phrases
    if is_faq_page(page):
        faq_pages.add(page.url)
    return context


def on_post_build(config: MkDocsConfig) -> None:
    """Rewrite Material's index with our additions; write the word list beside it."""
    path = Path(config.site_dir) / "search" / "search_index.json"
    if not path.exists():
        return  # search is off
    index = json.loads(path.read_text(encoding="utf-8"))
    separator = re.compile(index["config"]["separator"])
    for entry in index["docs"]:
        location = entry["location"]
        if location in vocabularies:
            words = new_words(vocabularies[location], entry, separator)
            if words:
                entry["title"] += f" <span hidden>{html.escape(words, quote=False)}</span>"
        elif location in faq_pages:
            entry["boost"] = FAQ_PAGE_BOOST
    if not any("tags" in entry for entry in index["docs"]):
        index["config"]["fields"].pop("tags", None)
    path.write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")
    word_file = {"words": word_list(index["docs"], separator), "ignored": sorted(IGNORED)}
    (path.parent / "words.json").write_text(
        json.dumps(word_file, separators=(",", ":")), encoding="utf-8"
    )


def plain_text(markup: str) -> str:
    """The text of an index field, without its markup."""
    return html.unescape(TAG.sub(" ", markup))


def words_of(text: str, separator: re.Pattern[str]) -> list[str]:
    """The words search keeps of `text`: split as the index splits, in lower case."""
    return [word for word in separator.split(text.lower()) if word and word not in IGNORED]


def new_words(phrases: list[str], entry: dict, separator: re.Pattern[str]) -> str:
    """The phrases' words, each once, without those search finds through the title anyway.

    Search matches the start of words ("broke" finds "broken"), so a word that begins
    another of these words, or a word of the title, is left out too.
    """
    words = list(dict.fromkeys(words_of(" ".join(phrases), separator)))
    title = words_of(plain_text(entry["title"]), separator)
    return " ".join(
        word
        for word in words
        if not any(other.startswith(word) for other in title)
        and not any(other != word and other.startswith(word) for other in words)
    )


def word_list(entries: list[dict], separator: re.Pattern[str]) -> list[str]:
    """The words a customer's word may be corrected to, most entries first.

    Words with digits (model numbers) and words of one or two letters are never corrected,
    so they are left out. The vocabulary counts in full, even the words not added to the
    entries because search finds them through longer ones: customers still mean them.
    """
    counts: Counter[str] = Counter()
    for entry in entries:
        phrases = vocabularies.get(entry["location"], [])
        text = " ".join([plain_text(entry["title"]), plain_text(entry["text"]), *phrases])
        counts.update(
            {word for word in words_of(text, separator) if len(word) > 2 and not DIGIT.search(word)}
        )
    return sorted(counts, key=lambda word: (-counts[word], word))
