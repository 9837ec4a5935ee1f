"""FAQ structured data: each FAQ page describes its questions to search engines.

The schema.org ``FAQPage`` JSON-LD is built from the converted page, so it always says
exactly what the customer reads: each ``##`` question and the text of its answer.
Paragraphs made only of links (claim buttons, for example) are not part of an answer. It is
placed at the end of the page's content, which every builder puts in the page's body.
"""

import json
from html.parser import HTMLParser

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor

from help_site import record


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


class AddFaqSchema(Postprocessor):
    """Ends an FAQ page's HTML with its JSON-LD."""

    def run(self, text: str) -> str:
        if not record.is_whole_page(self.md) or not record.page_record(self.md).faq:
            return text
        return f'{text}\n<script type="application/ld+json">{faq_json_ld(text)}</script>'


class FaqSchemaExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        record.register(md, "faq_schema")
        # After the claim links are resolved (5), before the page's record is written (0).
        md.postprocessors.register(AddFaqSchema(md), "help_site_faq_schema", 3)


def makeExtension(**kwargs: object) -> FaqSchemaExtension:
    return FaqSchemaExtension(**kwargs)
