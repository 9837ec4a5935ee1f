"""Each FAQ page describes its questions to search engines as schema.org FAQPage JSON-LD."""

import json
import re

from tests.site.faq import question_headings, read_seed
from tests.site.test_content import ALL_PAGES, FAQ_PAGES

SEED = read_seed()


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def test_faq_pages_carry_faqpage_json_ld_matching_their_questions(built_site):
    for name in FAQ_PAGES:
        html = (built_site / name / "index.html").read_text(encoding="utf-8")
        [document] = json_ld(html)
        assert document["@context"] == "https://schema.org"
        assert document["@type"] == "FAQPage"
        names = [entity["name"] for entity in document["mainEntity"]]
        assert names == list(question_headings(html))
        for entity in document["mainEntity"]:
            assert entity["@type"] == "Question"
            assert entity["acceptedAnswer"]["@type"] == "Answer"
            # The answer is the shop's text alone, without the claim buttons under it.
            assert entity["acceptedAnswer"]["text"] == SEED.questions[entity["name"]]


def test_pages_without_questions_carry_no_faq_json_ld(built_site):
    for name in set(ALL_PAGES) - set(FAQ_PAGES):
        html = (built_site / name / "index.html").read_text(encoding="utf-8")
        assert json_ld(html) == []
