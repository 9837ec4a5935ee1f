"""FAQ structured data: each FAQ page describes its questions to search engines.

The schema.org ``FAQPage`` JSON-LD is built from the rendered page, so it always says
exactly what the customer reads: each ``##`` question and the text of its answer.
Paragraphs made only of links (claim buttons, for example) are not part of an answer.
"""

import json
from html.parser import HTMLParser

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from pages import is_faq_page


class QuestionsAndAnswers(HTMLParser):
    """Collects (question, answer) pairs from a page's HTML, one pair per ``<h2>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: list[tuple[str, list[str]]] = []
        self.in_heading = False
        self.in_headerlink = False
        self.paragraph: list[str] | None = None
        self.paragraph_has_text = False
        self.link_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h2":
            self.in_heading = True
            self.pairs.append(("", []))
        elif tag == "a":
            self.link_depth += 1
            self.in_headerlink = "headerlink" in (dict(attrs).get("class") or "")
        elif tag == "p" and self.pairs and not self.in_heading:
            self.paragraph, self.paragraph_has_text = [], False

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self.in_heading = False
        elif tag == "a":
            self.link_depth -= 1
            self.in_headerlink = False
        elif tag == "p" and self.paragraph is not None:
            if self.paragraph_has_text:
                self.pairs[-1][1].append(" ".join("".join(self.paragraph).split()))
            self.paragraph = None

    def handle_data(self, data: str) -> None:
        if self.in_heading and not self.in_headerlink:
            question, answer = self.pairs[-1]
            self.pairs[-1] = (question + data, answer)
        elif self.paragraph is not None:
            self.paragraph.append(data)
            if self.link_depth == 0 and data.strip():
                self.paragraph_has_text = True


def faq_json_ld(html: str) -> str:
    """The page's FAQPage JSON-LD, safe to place inside a <script> element."""
    parser = QuestionsAndAnswers()
    parser.feed(html)
    document = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": " ".join(question.split()),
                "acceptedAnswer": {"@type": "Answer", "text": "\n\n".join(answer)},
            }
            for question, answer in parser.pairs
        ],
    }
    return json.dumps(document, ensure_ascii=False).replace("</", "<\\/")


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Attach the JSON-LD to FAQ pages; the page template puts it in the <head>."""
    if is_faq_page(page):
        page.meta["faq_json_ld"] = faq_json_ld(html)
    return html
