"""The case log: cases, their photos and events, the queue, and the mail outbox.

This is the only module with SQL. Writes run in ``BEGIN IMMEDIATE`` transactions on a
SQLite database in WAL mode with ``synchronous=FULL``, so a commit that returned is on
disk. The SQL is plain enough to run on PostgreSQL too.

Queue order is one rule, in one place (``QUEUE_ORDER``): the priority lane before the
standard lane, and inside a lane strictly first received, first served.
"""

import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from claims.photos import StoredPhoto

LANE_RANK = {"priority": 0, "standard": 1}
QUEUE_ORDER = "lane_rank, id"

WAITING = "waiting"  # in the queue, not yet taken by an agent

# What a customer sees of a case's history; everything else is for agents only.
CUSTOMER_EVENTS = ("submitted", "photo_added", "mail_sent")

# References: unambiguous letters and digits (no I, L, O, U), 12 of them: 60 random bits.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_PREFIX = "HC"

SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    submission_key TEXT NOT NULL UNIQUE,
    order_ref TEXT NOT NULL,
    email TEXT NOT NULL,
    claim_type TEXT NOT NULL,
    lane TEXT NOT NULL,
    lane_rank INTEGER NOT NULL,
    description TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL,
    assigned_to TEXT
);
CREATE INDEX IF NOT EXISTS cases_queue ON cases (status, lane_rank, id);

CREATE TABLE IF NOT EXISTS photos (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    stored_name TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    original_name TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS photos_case ON photos (case_id);

CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_case ON events (case_id, id);

CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (sent_at, next_attempt_at);
"""


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


@dataclass(frozen=True)
class Event:
    at: str
    kind: str
    actor: str
    detail: str


@dataclass(frozen=True)
class OutgoingMail:
    id: int
    case_id: int
    kind: str
    attempts: int


CASE_COLUMNS = (
    "id, reference, order_ref, email, claim_type, lane, description, received_at, status,"
    " assigned_to"
)
PHOTO_COLUMNS = "stored_name, sha256, size_bytes, width, height, content_type, original_name"


def now(later_by_seconds: float = 0) -> str:
    """The time in UTC (now, or that many seconds from now) as stored: sortable ISO 8601."""
    moment = datetime.now(UTC) + timedelta(seconds=later_by_seconds)
    return moment.isoformat(timespec="microseconds")


def new_reference() -> str:
    """A fresh case reference, e.g. HC-7KQ4-M2XD-9PRT: easy to read out, impossible to guess."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(12))
    return f"{REFERENCE_PREFIX}-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def normalize_reference(text: str) -> str:
    """Read a reference the way a customer may type it: any case, spaces, O for 0, I/L for 1."""
    chars = "".join(c for c in text.upper() if c.isalnum())
    chars = chars.translate(str.maketrans("OIL", "011"))
    if chars.startswith(REFERENCE_PREFIX):
        chars = chars[len(REFERENCE_PREFIX) :]
    if len(chars) != 12:
        return ""
    return f"{REFERENCE_PREFIX}-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def sqlite_path(database_url: str) -> Path:
    """The file behind a ``sqlite:///path`` URL."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        raise ValueError(f"Unsupported database URL {database_url!r}: use sqlite:///PATH")
    return Path(database_url.removeprefix(prefix))


class CaseLog:
    """One connection to the case log. Not shared between threads."""

    def __init__(self, database_url: str):
        path = sqlite_path(database_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = FULL")
        self.db.execute("PRAGMA foreign_keys = ON")

    def close(self) -> None:
        self.db.close()

    def create_schema(self) -> None:
        """Create the tables if they are not there yet."""
        with self.writing():
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """One durable write transaction: all of it commits, or none of it."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # Cases

    def file_case(self, new: NewCase, photos: list[StoredPhoto]) -> tuple[Case, bool]:
        """Record a new case with its photos and queue its confirmation mail.

        Returns the case and whether it was created now; a submission already filed
        (a double click, a re-sent form) returns the earlier case instead.
        """
        with self.writing() as db:
            existing = self._case_where("submission_key = ?", new.submission_key)
            if existing:
                return existing, False
            received_at = now()
            case_id = db.execute(
                "INSERT INTO cases (reference, submission_key, order_ref, email, claim_type,"
                " lane, lane_rank, description, received_at, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    self._unused_reference(),
                    new.submission_key,
                    new.order_ref,
                    new.email,
                    new.claim_type,
                    new.lane,
                    LANE_RANK[new.lane],
                    new.description,
                    received_at,
                    WAITING,
                ),
            ).fetchone()[0]
            self._add_event(case_id, "submitted", "customer", new.claim_type, at=received_at)
            for photo in photos:
                self._add_photo(case_id, photo)
            db.execute(
                "INSERT INTO outbox (case_id, kind, created_at, next_attempt_at, attempts)"
                " VALUES (?, 'confirmation', ?, ?, 0)",
                (case_id, received_at, received_at),
            )
            return self._case_where("id = ?", case_id), True

    def _unused_reference(self) -> str:
        while True:
            reference = new_reference()
            if not self.db.execute(
                "SELECT 1 FROM cases WHERE reference = ?", (reference,)
            ).fetchone():
                return reference

    def _add_photo(self, case_id: int, photo: StoredPhoto) -> None:
        self.db.execute(
            f"INSERT INTO photos (case_id, {PHOTO_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                case_id,
                photo.stored_name,
                photo.sha256,
                photo.size_bytes,
                photo.width,
                photo.height,
                photo.content_type,
                photo.original_name,
            ),
        )
        self._add_event(case_id, "photo_added", "customer", photo.original_name)

    def _add_event(self, case_id: int, kind: str, actor: str, detail: str, at: str = "") -> None:
        """Append to a case's history. Events are never changed or removed."""
        self.db.execute(
            "INSERT INTO events (case_id, at, kind, actor, detail) VALUES (?, ?, ?, ?, ?)",
            (case_id, at or now(), kind, actor, detail),
        )

    def _case_where(self, condition: str, *params) -> Case | None:
        row = self.db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE {condition}", params
        ).fetchone()
        return Case(**row) if row else None

    def case_by_reference(self, reference: str) -> Case | None:
        return self._case_where("reference = ?", reference)

    def case_by_id(self, case_id: int) -> Case | None:
        return self._case_where("id = ?", case_id)

    def case_for_customer(self, reference: str, email: str) -> Case | None:
        """The case only when both the reference and its email match; None otherwise."""
        case = self.case_by_reference(normalize_reference(reference))
        expected = case.email if case else "\0"
        matches = secrets.compare_digest(expected.casefold().encode(), email.casefold().encode())
        return case if case and matches else None

    def photos(self, case_id: int) -> list[StoredPhoto]:
        rows = self.db.execute(
            f"SELECT {PHOTO_COLUMNS} FROM photos WHERE case_id = ? ORDER BY id", (case_id,)
        )
        return [StoredPhoto(**row) for row in rows]

    def events(self, case_id: int, customer_view: bool = False) -> list[Event]:
        """A case's history in order; what a customer may see when customer_view is set."""
        sql = "SELECT at, kind, actor, detail FROM events WHERE case_id = ?"
        params: tuple = (case_id,)
        if customer_view:
            sql += f" AND kind IN ({', '.join('?' for _ in CUSTOMER_EVENTS)})"
            params += CUSTOMER_EVENTS
        return [Event(**row) for row in self.db.execute(sql + " ORDER BY id", params)]

    def stored_photo_names(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT stored_name FROM photos")}

    # The queue

    def queue(self, limit: int = 50, offset: int = 0) -> list[Case]:
        """Waiting cases in the order agents take them."""
        rows = self.db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE status = ?"
            f" ORDER BY {QUEUE_ORDER} LIMIT ? OFFSET ?",
            (WAITING, limit, offset),
        )
        return [Case(**row) for row in rows]

    def next_case(self) -> Case | None:
        """The case an agent should take next."""
        cases = self.queue(limit=1)
        return cases[0] if cases else None

    def queue_position(self, case: Case) -> int | None:
        """1 for the next case to be taken; None when the case is not waiting."""
        if case.status != WAITING:
            return None
        ahead = self.db.execute(
            f"SELECT COUNT(*) FROM cases WHERE status = ? AND ({QUEUE_ORDER}) < (?, ?)",
            (WAITING, LANE_RANK[case.lane], case.id),
        ).fetchone()[0]
        return ahead + 1

    def all_cases(self) -> Iterator[Case]:
        """Every case in the order received, for export."""
        for row in self.db.execute(f"SELECT {CASE_COLUMNS} FROM cases ORDER BY id"):
            yield Case(**row)

    # The mail outbox

    def claim_mail(self, due_only: bool = True, lease_seconds: int = 120) -> OutgoingMail | None:
        """Take one unsent mail (only one whose retry time has come, when due_only) for
        delivery, so that no other worker sends it meanwhile."""
        current, lease_end = now(), now(later_by_seconds=lease_seconds)
        due = " AND next_attempt_at <= :now" if due_only else ""
        with self.writing() as db:
            row = db.execute(
                "SELECT id, case_id, kind, attempts FROM outbox WHERE sent_at IS NULL"
                f" AND (claimed_until IS NULL OR claimed_until < :now){due} ORDER BY id LIMIT 1",
                {"now": current},
            ).fetchone()
            if row is None:
                return None
            db.execute("UPDATE outbox SET claimed_until = ? WHERE id = ?", (lease_end, row["id"]))
            return OutgoingMail(**row)

    def mail_sent(self, mail: OutgoingMail, description: str) -> None:
        with self.writing() as db:
            db.execute(
                "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, claimed_until = NULL"
                " WHERE id = ?",
                (now(), mail.id),
            )
            self._add_event(mail.case_id, "mail_sent", "system", description)

    def mail_failed(self, mail: OutgoingMail, error: str, retry_in_seconds: int) -> None:
        retry_at = now(later_by_seconds=retry_in_seconds)
        with self.writing() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?,"
                " next_attempt_at = ?, claimed_until = NULL WHERE id = ?",
                (error[:500], retry_at, mail.id),
            )

    def unsent_mail(self) -> list[dict]:
        rows = self.db.execute(
            "SELECT id, case_id, kind, attempts, last_error, next_attempt_at FROM outbox"
            " WHERE sent_at IS NULL ORDER BY id"
        )
        return [dict(row) for row in rows]
