"""What the store hands out: plain, frozen records, one per row it reads.

Their fields are named and ordered as the columns they come from, so a row maps onto a
record by name (``Case(**row)``).
"""

from dataclasses import dataclass, fields

from claims.photos import StoredPhoto


@dataclass(frozen=True)
class NewCase:
    """What a customer submitted, before it has a reference."""

    submission_key: str  # the same form sent twice has the same key: one case
    order_ref: str
    email: str
    claim_type: str
    lane: str
    description: str


@dataclass(frozen=True)
class Case:
    id: int
    reference: str
    order_ref: str
    email: str
    claim_type: str
    lane: str
    description: str
    received_at: str
    status: str
    assigned_to: str | None
    updated_at: str
    purged_at: str | None
    queue_place: int  # its place in its lane: lower goes first
    order_key: str  # order_ref as look-ups compare it (references.order_key)
    link_version: int  # personal links carry it; raising it revokes them
    customer_added_at: str | None  # information the customer added that no agent answered


@dataclass(frozen=True)
class Event:
    at: str
    kind: str
    actor: str
    detail: str  # short and never personal: a claim type, an outcome, a stored photo name
    text: str  # the message, reply or note; for a photo, its original name


@dataclass(frozen=True)
class SavedReply:
    id: int
    title: str
    body: str
    updated_by: str
    updated_at: str


@dataclass(frozen=True)
class QueueSummary:
    waiting_per_lane: dict[str, int]
    oldest_waiting_since: str | None


@dataclass(frozen=True)
class OutgoingMail:
    id: int
    case_id: int
    kind: str
    status: str | None  # for status mail: the status it announces
    attempts: int


@dataclass(frozen=True)
class UnsentMail:
    """Mail still in the outbox: waiting for its next try, or given up on (failed_at)."""

    id: int
    reference: str
    kind: str
    attempts: int
    last_error: str | None
    next_attempt_at: str
    failed_at: str | None


def columns(record: type) -> str:
    """A record's fields as a column list, in order: ``SELECT {columns(Case)} FROM cases``."""
    return ", ".join(field.name for field in fields(record))


@dataclass(frozen=True)
class Holding:
    """One case of a customer, and how much of their data it holds."""

    case: Case
    photos: int
    messages: int
    queued_mail: int


@dataclass(frozen=True)
class Erasure:
    """What erasing a customer's data did: the cases erased, those closed first, and the
    photo files to delete now that it has committed."""

    references: list[str]
    closed: list[str]
    photo_files: list[str]


@dataclass(frozen=True)
class StagedPhoto:
    """A photo sent with a claim form that is not filed yet; `id` names it to its form."""

    id: int
    photo: StoredPhoto
