"""The help site's reports, read strictly and stripped of anything personal.

Each report is one small JSON object of a fixed shape (or the helpful form's fields); it
becomes one counter key ``(kind, subject, detail)`` for ``HelpEvents.count``. Text is
lower-cased and trimmed, and every word that looks like an email address, an order or case
reference or a phone number (three or more digits) is dropped before anything is stored.
"""

import re
from dataclasses import dataclass
from typing import Any

LONGEST_TERM = 100
LONGEST_PAGE = 200
LONGEST_QUESTION = 100  # a heading's id on the page
LONGEST_NOTE = 300
MOST_RESULTS = 1000

PERSONAL_WORD = re.compile(
    r"""
    \S*@\S*                      # an email address, or part of one
    | \S*\d\S*\d\S*\d\S*         # three digits or more: order numbers, phones, references
    | \#\S+                      # "#A12B": how shops write order references
    | \+\d\S*                     # "+44": a phone number's country code
    | hc[-\s]?[0-9a-z]{4}        # the start of a case reference (HC-7KQ4-…)
    """,
    re.VERBOSE | re.IGNORECASE,
)
CASE_REFERENCE = re.compile(r"\bhc[-\s]?[0-9a-z]{4}[-\s]?[0-9a-z]{4}[-\s]?[0-9a-z]{4}\b", re.I)
PAGE_PATH = re.compile(r"/[a-z0-9/_.-]*")
QUESTION_ID = re.compile(r"[a-z0-9_-]+")


class BadReport(ValueError):
    """Not a report the help site sends."""


@dataclass(frozen=True)
class Counted:
    """One counter key of ``help_events``."""

    kind: str
    subject: str
    detail: str


def without_personal_words(text: str) -> str:
    """`text` lower-cased, on one line, with every word that may name someone dropped."""
    text = CASE_REFERENCE.sub(" ", text)
    words = [w for w in text.lower().split() if not PERSONAL_WORD.fullmatch(w)]
    return " ".join(words)


def _text(report: dict[str, Any], name: str, longest: int) -> str:
    value = report.get(name)
    if not isinstance(value, str) or len(value) > longest:
        raise BadReport(f"{name} must be text of at most {longest} characters")
    return value


def page_path(text: str) -> str:
    """A page of the help site as its links write it (a path, no query)."""
    path = text.split("#")[0].split("?")[0]
    if not PAGE_PATH.fullmatch(path) or "//" in path or "/../" in f"{path}/":
        raise BadReport("page must be a path of the help site")
    return path


def question_key(page: str, question: str) -> str:
    """How a question is named in the counts: its page and its heading's id."""
    if not QUESTION_ID.fullmatch(question):
        raise BadReport("question must be the id of a question's heading")
    return f"{page_path(page)}#{question}"


SHAPES = {
    "search": {"event", "term", "results"},
    "open": {"event", "term", "page"},
    "helpful": {"event", "page", "question", "answer", "missing"},
}


def read_report(report: Any) -> list[Counted]:
    """The counter keys a report adds to; BadReport when it is not of a known shape.
    An empty list: the report held nothing that may be stored."""
    if not isinstance(report, dict) or report.get("event") not in SHAPES:
        raise BadReport("event must be one of " + ", ".join(SHAPES))
    expected = SHAPES[report["event"]]
    if not set(report) <= expected or not (expected - {"missing"}) <= set(report):
        raise BadReport(f"a {report['event']} report has exactly: {', '.join(sorted(expected))}")
    if report["event"] == "helpful":
        return helpful(
            report["page"] if isinstance(report["page"], str) else "",
            _text(report, "question", LONGEST_QUESTION),
            report["answer"],
            _text(report, "missing", LONGEST_NOTE) if "missing" in report else "",
        )
    term = without_personal_words(_text(report, "term", LONGEST_TERM))
    if not term:
        return []
    if report["event"] == "open":
        page = page_path(_text(report, "page", LONGEST_PAGE))
        return [Counted("open", term, page)]
    results = report["results"]
    if type(results) is not int or not 0 <= results <= MOST_RESULTS:
        raise BadReport(f"results must be a whole number from 0 to {MOST_RESULTS}")
    return [Counted("search", term, "found" if results else "none")]


def helpful(page: str, question: str, answer: Any, missing: str) -> list[Counted]:
    """The keys of a "Was this helpful?" answer (from the script or the plain form)."""
    if len(page) > LONGEST_PAGE or answer not in ("yes", "no"):
        raise BadReport("answer must be yes or no, about a page of the help site")
    if len(missing) > LONGEST_NOTE:
        raise BadReport(f"what was missing must be at most {LONGEST_NOTE} characters")
    key = question_key(page, question)
    counted = [Counted("helpful", key, answer)]
    note = without_personal_words(missing)
    if note:
        counted.append(Counted("missing", key, note))
    return counted
