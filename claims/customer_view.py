"""What the customer's case page says, in plain words: where the case stands, what happens next
and how long that usually takes, the outcome when there is one, and the conversation.

Customers never read our internal words (lanes, quality verification): the wording here is
written for them, from the lifecycle table and the shop's settings.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from claims.lifecycle import OUTCOMES, Status, customer_history
from claims.store.records import Case, Event

HEADLINES = {
    Status.WAITING: "Your case is waiting for review.",
    Status.IN_REVIEW: "An agent is looking at your case.",
    Status.WAITING_CUSTOMER: "We need something from you to go on.",
    Status.RESOLVED: "Your case is resolved.",
    Status.CLOSED: "Your case is closed.",
}
NEXT_STEPS = {
    Status.WAITING: "Cases are reviewed in the order they are received, and some kinds of "
    "problem are looked at first. We will email you when an agent starts on yours.",
    Status.IN_REVIEW: "We will email you when the agent has an answer or needs something "
    "from you. You can still add a message or photos below.",
    Status.WAITING_CUSTOMER: "Answer below, with photos if they help. Your case then goes back "
    "to its place in line.",
}


@dataclass
class Entry:
    """One turn of the conversation: who, when, what was said, and the photos sent with it."""

    at: str
    by_customer: bool
    sentence: str
    text: str
    photos: list[tuple[str, str]] = field(default_factory=list)  # (stored name, file name)


@dataclass(frozen=True)
class Outcome:
    """How a settled case ended, and what the agent wrote with it."""

    title: str
    text: str


def conversation(events: Sequence[Event]) -> list[Entry]:
    """The customer's history as a conversation: photos join the message they came with."""
    entries: list[Entry] = []
    for event in events:
        if event.kind == "photo_added" and entries and entries[-1].by_customer:
            entries[-1].photos.append((event.detail, event.text))
            continue
        sentence, text = customer_history(event.kind, event.detail, event.text)
        entry = Entry(event.at, event.actor == "customer", sentence, text)
        if event.kind == "photo_added":  # a photo with no message before it
            entry.photos.append((event.detail, event.text))
        entries.append(entry)
    return entries


def outcome(case: Case, events: Sequence[Event]) -> Outcome | None:
    """The outcome of a settled case (the last resolve or close), None while it is open."""
    if case.status not in (Status.RESOLVED, Status.CLOSED):
        return None
    settled = [event for event in events if event.kind in ("resolved", "closed")]
    if not settled:
        return None
    last = settled[-1]
    if last.kind == "resolved":
        return Outcome(OUTCOMES.get(last.detail, "Resolved"), last.text)
    return Outcome("Closed", last.text)


def review_time(lane: str, review_days: Mapping[str, Sequence[int]]) -> str:
    """How long a first answer usually takes for cases like this one, as the shop set it;
    "" when the shop did not."""
    days = review_days.get(lane)
    if not days or len(days) != 2:
        return ""
    fewest, most = days
    span = f"{fewest} to {most} working days"
    if fewest == most:
        span = f"{most} working day{'' if most == 1 else 's'}"
    return f"Cases like yours usually get a first answer within {span}: usual, not promised."


def headline(case: Case) -> str:
    return HEADLINES[Status(case.status)]


def next_step(case: Case) -> str:
    return NEXT_STEPS.get(Status(case.status), "")


def reopen_deadline(case: Case, days: int) -> datetime:
    """Until when a settled case may be reopened (it was last updated when it was settled)."""
    return datetime.fromisoformat(case.updated_at) + timedelta(days=days)
