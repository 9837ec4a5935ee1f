"""Each FAQ page describes its questions to search engines as schema.org FAQPage JSON-LD."""

import json
import re

from tests.site.content import read_content
from tests.site.faq import question_headings

CONTENT = read_content()


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def test_faq_pages_carry_faqpage_json_ld_matching_their_questions(built_site):
    for page in CONTENT.faq_pages:
        html = page.built(built_site).read_text(encoding="utf-8")
        [document] = json_ld(html)
        assert document["@context"] == "https://schema.org"
        assert document["@type"] == "FAQPage"
        names = [entity["name"] for entity in document["mainEntity"]]
        assert names == list(question_headings(html)) == [q.text for q in page.questions]
        for entity, question in zip(document["mainEntity"], page.questions, strict=True):
            assert entity["@type"] == "Question"
            assert entity["acceptedAnswer"]["@type"] == "Answer"
            # The answer as written, without the claim buttons under it.
            assert entity["acceptedAnswer"]["text"] == "\n\n".join(question.answer)


def test_pages_without_questions_carry_no_faq_json_ld(built_site):
    for page in CONTENT.pages:
        if not page.is_faq:
            assert json_ld(page.built(built_site).read_text(encoding="utf-8")) == [], page.source
