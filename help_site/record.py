"""What the extensions learn about a page, carried to the post-build step inside the page.

A builder may keep a page's HTML from an earlier build and not convert it again (Zensical's
cache, ``mkdocs serve --dirty``), so whatever the post-build step needs must travel in the
page itself: each extension adds to the page's record, and the record leaves the converter
as one comment at the end of the page's HTML. The post-build step takes the comments out of
the pages and keeps the records in ``help-site.json`` beside them, so that a page built
earlier keeps its record when only others are built again.
"""

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

from markdown import Markdown
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

from help_site.page import source_page

# Every extension of ours, by the name it adds to each page's record. A page whose record
# lacks one was built without it: the post-build step stops and says so.
FEATURES = ("claim_links", "content_checks", "vocabulary", "faq_schema", "helpfulness")

COMMENT = re.compile(r"\n?<!-- help-site-record (?P<json>\{.*?\}) -->", re.S)
STATE_FILE = "help-site.json"


@dataclass
class Question:
    """A ``##`` question of an FAQ page."""

    text: str
    line: int  # in the page's Markdown file
    anchor: str = ""  # its heading's id, once the headings have ids
    phrases: list[str] = field(default_factory=list)  # the words customers use for it


@dataclass
class PageRecord:
    """One page, as the post-build step needs to know it."""

    url: str = ""
    source: str = ""  # the Markdown file, as the editor knows it
    faq: bool = False
    claims_url: str = ""
    features: list[str] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)

    def to_json(self) -> str:
        # "--" cannot occur inside an HTML comment: escape it the way JSON allows.
        return json.dumps(asdict(self), ensure_ascii=False).replace("--", "-\\u002d")

    @classmethod
    def from_json(cls, data: dict) -> "PageRecord":
        questions = [Question(**question) for question in data.pop("questions", [])]
        return cls(**data, questions=questions)


class RecordWriter(Postprocessor):
    """Holds the record while the page is converted; appends it to the page's HTML."""

    NAME = "help_site_record"

    def __init__(self, md: Markdown) -> None:
        super().__init__(md)
        self.record = PageRecord()
        self.whole_page = False  # set once the tree is done: see `is_whole_page`

    def run(self, text: str) -> str:
        if not self.whole_page:
            return text
        return f"{text}\n<!-- help-site-record {self.record.to_json()} -->"


class TreeDone(Treeprocessor):
    """Marks the end of the tree's processing: postprocessors now get the whole page."""

    def __init__(self, md: Markdown, writer: RecordWriter) -> None:
        super().__init__(md)
        self.writer = writer

    def run(self, root: Element) -> None:
        self.writer.whole_page = True


def is_whole_page(md: Markdown) -> bool:
    """Whether postprocessors run on the whole page now. They also run on pieces of it while
    the tree is processed (`toc` renders each heading through them), where nothing may be
    added."""
    return _writer(md).whole_page


def _writer(md: Markdown) -> RecordWriter:
    writer = md.postprocessors[RecordWriter.NAME]
    assert isinstance(writer, RecordWriter)
    return writer


def page_record(md: Markdown) -> PageRecord:
    """The record of the page `md` converts (set up by `register`), filled in with what the
    builder says of the page the first time it is asked for while converting."""
    record = _writer(md).record
    if not record.source:
        page = source_page(md)
        record.url, record.source, record.faq = page.url, page.where, page.is_faq
        record.claims_url = str(page.extra.get("claims_url", ""))
        page.meta["faq"] = page.is_faq  # templates read it; Zensical's fail on a missing key
    return record


def register(md: Markdown, feature: str) -> None:
    """Make sure the page gets a record, noting that `feature` ran (call from extendMarkdown).

    The record is written last of all postprocessors, after the page's own HTML is final.
    """
    if RecordWriter.NAME not in md.postprocessors:
        writer = RecordWriter(md)
        md.postprocessors.register(writer, RecordWriter.NAME, 0)
        # Last of all treeprocessors, after MkDocs' `relpath` (0).
        md.treeprocessors.register(TreeDone(md, writer), "help_site_tree_done", -100)
    writer = _writer(md)
    if feature not in writer.record.features:
        writer.record.features.append(feature)


def take_records(site: Path) -> dict[str, PageRecord]:
    """The records of the pages in `site` (by page URL), taken out of the pages' HTML and
    merged with those kept from earlier builds; the merged records are kept again."""
    state = site / STATE_FILE
    kept = json.loads(state.read_text(encoding="utf-8")) if state.exists() else {}
    records = {url: PageRecord.from_json(data) for url, data in kept.items()}
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        found = COMMENT.search(html)
        if not found:
            continue
        record = PageRecord.from_json(json.loads(found.group("json")))
        records[record.url] = record
        page.write_text(COMMENT.sub("", html), encoding="utf-8")
    records = {url: r for url, r in records.items() if (site / url / "index.html").exists()}
    state.write_text(
        json.dumps({url: asdict(r) for url, r in sorted(records.items())}, ensure_ascii=False),
        encoding="utf-8",
    )
    return records
