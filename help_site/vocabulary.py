"""Search vocabulary: under a question, editors list the words customers use for it.

``<!-- also asked as: arrived broken, damaged, faulty -->`` under a ``##`` question is taken
out of the page (customers never see it) and noted in the page's record with the question's
anchor. A list that is not under a question, is never closed or lists nothing stops the
build with its line, and so does a comment that looks like a list but is misspelt
(``<!-- also asked: … -->``): it would be dropped from search and published in the page.

After the build (`add_to_index`), the words go into the search index, whichever builder
wrote it, so any search UI finds them:

- each question's words go into its own entry, hidden: in Material's index after its title,
  where they weigh like the title's own words; in Zensical's after its text (Zensical shows
  every indexed word, so they may show at the end of a result's text);
- on pages of questions, the page's own entry ranks below its questions (Material), so a
  customer sees the matching question rather than the page title with its questions folded;
- when no entry has tags, the tags field leaves Material's settings: the browser no longer
  sets up an empty field for every entry, and search is ready sooner;
- ``search/words.json`` lists the words of the index, most frequent first, the words search
  leaves out, and the real English words near them (`real_words`): the page script
  (``search.js``) finds in it the word a customer meant ("refnd", "refunds" → "refund"),
  drops the left-out words from the query, and never corrects a real word.

Rewriting the index again gives the same index: earlier additions are taken off first.
"""

import difflib
import html
import json
import re
from collections import Counter
from xml.etree.ElementTree import Element

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from help_site import record
from help_site.page import source_page
from help_site.real_words import real_words_near
from help_site.search_index import SearchIndex

NOTE = re.compile(r"<!--\s*also asked as\b:?(?P<words>.*?)-->", re.IGNORECASE | re.DOTALL)
OPENING = re.compile(r"<!--\s*also asked as\b", re.IGNORECASE)
COMMENT = re.compile(r"<!--(?P<text>.*?)-->", re.DOTALL)
NOTE_NAME = "also asked as"
QUESTION = re.compile(r"^##\s+\S")
HIDDEN = re.compile(r" <span hidden>[^<]*</span>$")
WORD_FILE = "search/words.json"

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


class TakeNotes(Preprocessor):
    """Takes each note out of the page, keeping its line count, and keeps its phrases by the
    position of its question on the page."""

    def __init__(self, md: Markdown) -> None:
        super().__init__(md)
        self.lists: dict[int, list[str]] = {}  # question's position on the page -> phrases

    def run(self, lines: list[str]) -> list[str]:
        page = source_page(self.md)
        outside_code = dict(page.numbered_lines(lines))
        first = page.first_line(lines)
        questions = [number for number, line in outside_code.items() if QUESTION.match(line)]
        markdown = "\n".join(lines)
        closed = set()
        problems = []

        def take(match: re.Match[str]) -> str:
            number = first + markdown.count("\n", 0, match.start())
            if number not in outside_code:
                return match.group(0)  # an example inside a code block
            closed.add(number)
            above = [position for position, line in enumerate(questions) if line < number]
            phrases = [phrase.strip() for phrase in match.group("words").split(",")]
            if not above or not page.is_faq:
                problems.append(
                    f"{page.where}:{number}: 'also asked as' must come right under a question "
                    "(a '##' heading on a page of questions)."
                )
            elif not any(phrases):
                problems.append(f"{page.where}:{number}: 'also asked as' lists no words.")
            else:
                self.lists.setdefault(above[-1], []).extend(p for p in phrases if p)
            return "\n" * match.group(0).count("\n")

        markdown = NOTE.sub(take, markdown)
        for comment in COMMENT.finditer(markdown):
            number = first + markdown.count("\n", 0, comment.start())
            if number in outside_code and looks_like_note(comment.group("text")):
                problems.append(
                    f"{page.where}:{number}: this comment looks like an 'also asked as' list "
                    "but is not one, so search would not get its words. Write it as "
                    "<!-- also asked as: word, other words -->."
                )
        for number, line in outside_code.items():
            if OPENING.search(line) and number not in closed:
                problems.append(
                    f"{page.where}:{number}: 'also asked as' is never closed with '-->'."
                )
        if problems:
            raise page.error(problems)
        return markdown.split("\n")


def looks_like_note(comment: str) -> bool:
    """Whether a comment's opening words are a near miss of "also asked as"."""
    opening = comment.partition(":")[0] if ":" in comment else comment
    words = re.findall(r"[a-z]+", opening.lower())[:4]
    if not words:
        return False
    head = " ".join(words)
    similar = difflib.SequenceMatcher(None, head[: len(NOTE_NAME) + 2], NOTE_NAME).ratio()
    return similar >= 0.7 or bool({"ask", "asked"} & set(words[:2]))


class NoteAnchors(Treeprocessor):
    """Once the headings have their ids, gives each question of the record its anchor and
    its phrases."""

    def __init__(self, md: Markdown, notes: TakeNotes) -> None:
        super().__init__(md)
        self.notes = notes

    def run(self, root: Element) -> None:
        headings = [heading for heading in root.iter("h2")]
        questions = record.page_record(self.md).questions
        for position, (question, heading) in enumerate(zip(questions, headings, strict=False)):
            question.anchor = heading.get("id", "")
            question.phrases = self.notes.lists.get(position, [])


class VocabularyExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        record.register(md, "vocabulary")
        notes = TakeNotes(md)
        # Before the content checks, so that a note is not taken for an answer.
        md.preprocessors.register(notes, "help_site_vocabulary", 180)
        # After `toc` (5) has given the headings their ids.
        md.treeprocessors.register(NoteAnchors(md, notes), "help_site_vocabulary_anchors", 2)


def makeExtension(**kwargs: object) -> VocabularyExtension:
    return VocabularyExtension(**kwargs)


# After the build: the search index


def add_to_index(index: SearchIndex, records: list[record.PageRecord]) -> None:
    """Put every question's words into its entry of `index`; write the word list beside it."""
    phrases = {
        f"{page.url}#{question.anchor}": question.phrases
        for page in records
        for question in page.questions
    }
    faq_pages = {page.url for page in records if page.faq}
    separator = index.separator
    hidden_in = "title" if index.is_material else "text"
    for entry in index.entries:
        entry[hidden_in] = HIDDEN.sub("", entry[hidden_in])
        location = entry["location"]
        if location in phrases:
            words = new_words(phrases[location], entry, separator)
            if words:
                entry[hidden_in] += f" <span hidden>{html.escape(words, quote=False)}</span>"
        elif location in faq_pages and index.is_material:
            entry["boost"] = FAQ_PAGE_BOOST
    if index.is_material and not any("tags" in entry for entry in index.entries):
        index.data["config"]["fields"].pop("tags", None)
    index.save()
    known = word_list(index.entries, phrases, separator)
    word_file = {"words": known, "ignored": sorted(IGNORED), "real": real_words_near(known)}
    path = index.path.parent.parent if index.is_material else index.path.parent
    (path / WORD_FILE).parent.mkdir(exist_ok=True)
    (path / WORD_FILE).write_text(json.dumps(word_file, separators=(",", ":")), encoding="utf-8")


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


def word_list(
    entries: list[dict], phrases: dict[str, list[str]], separator: re.Pattern[str]
) -> list[str]:
    """The words a customer's word may be corrected to, most entries first.

    Words with digits (model numbers) and words of one or two letters are never corrected,
    so they are left out. The vocabulary counts in full, even the words not added to the
    entries because search finds them through longer ones: customers still mean them.
    """
    counts: Counter[str] = Counter()
    for entry in entries:
        text = " ".join(
            [
                plain_text(HIDDEN.sub("", entry["title"])),
                plain_text(HIDDEN.sub("", entry["text"])),
                *phrases.get(entry["location"], []),
            ]
        )
        counts.update(
            {word for word in words_of(text, separator) if len(word) > 2 and not DIGIT.search(word)}
        )
    return sorted(counts, key=lambda word: (-counts[word], word))
