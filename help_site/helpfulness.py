""" "Was this helpful?" under every question of an FAQ page.

Each answer ends with a small plain form (yes / no, and an optional note of what was
missing) that posts to the claim service's ``/events``, which counts it and sends the reader
back to the question: it works without JavaScript. ``helpful.js`` sends the same answer as a
beacon instead and thanks the reader in place. The forms are left out of the search index
(``data-search-exclude``), so "missing" or "helpful" never finds every question.
"""

import html
import re

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor

from help_site import record

QUESTION_HEADING = re.compile(r'<h2 id="(?P<id>[^"]+)"')
LONGEST_NOTE = 300  # as the service accepts
NOTE_LABEL = "What was missing? (optional, please leave out personal details)"


def helpful_form(question_id: str, events_url: str) -> str:
    """The form under the answer to the question whose heading has `question_id`."""
    slug = html.escape(question_id, quote=True)
    action = html.escape(events_url, quote=True)
    return f"""
<form class="hc-helpful" method="post" action="{action}" data-search-exclude data-hc-helpful>
<fieldset>
<legend class="hc-helpful__title">Was this answer helpful?</legend>
<input type="hidden" name="question" value="{slug}">
<label class="hc-helpful__label" for="hc-missing-{slug}">{NOTE_LABEL}</label>
<textarea id="hc-missing-{slug}" name="missing" rows="2" maxlength="{LONGEST_NOTE}"></textarea>
<button class="md-button" type="submit" name="answer" value="yes">Yes</button>
<button class="md-button" type="submit" name="answer" value="no">No</button>
</fieldset>
</form>
"""


def add_forms(text: str, events_url: str) -> str:
    """`text` with a form after each question's answer: before the next question, or at
    the end of the page for the last one."""
    questions = list(QUESTION_HEADING.finditer(text))
    if not questions:
        return text
    pieces, start = [], 0
    for previous, heading in zip(questions, questions[1:], strict=False):
        pieces += [text[start : heading.start()], helpful_form(previous["id"], events_url)]
        start = heading.start()
    pieces += [text[start:], helpful_form(questions[-1]["id"], events_url)]
    return "".join(pieces)


class AddHelpfulForms(Postprocessor):
    def run(self, text: str) -> str:
        page = record.page_record(self.md)
        if not record.is_whole_page(self.md) or not page.faq:
            return text
        return add_forms(text, page.claims_url.rstrip("/") + "/events")


class HelpfulnessExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        record.register(md, "helpfulness")
        # After the FAQ structured data (3) has read the answers, before the record (0).
        md.postprocessors.register(AddHelpfulForms(md), "help_site_helpfulness", 2)


def makeExtension(**kwargs: object) -> HelpfulnessExtension:
    return HelpfulnessExtension(**kwargs)
