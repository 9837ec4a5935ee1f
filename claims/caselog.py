"""The case log: cases, their photos, messages and events, the queue, agents, the mail outbox.

This is the only module with the case log's SQL, written once for SQLite and PostgreSQL;
``claims.database`` connects and starts transactions. Each write is one transaction that is
on disk when it returns (on SQLite: WAL mode with ``synchronous=FULL``).

Queue order is one rule, in one place (``QUEUE_ORDER``): the priority lane before the
standard lane, and inside a lane strictly first received, first served. A case keeps its
place when it goes back to the queue.

A case's life (``TRANSITIONS``): waiting → in review (an agent takes it) → waiting for the
customer → (the customer replies) waiting → in review → resolved or closed. Every change
is an event appended to the case's history; events are never changed or removed.
"""

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass, fields
from datetime import UTC, datetime, timedelta

from claims.catalog import LANES
from claims.database import Database
from claims.photos import StoredPhoto

LANE_RANK = {lane: rank for rank, lane in enumerate(LANES)}  # the priority lane first
QUEUE_ORDER = "lane_rank, id"

WAITING = "waiting"  # in the queue
IN_REVIEW = "in_review"  # held by an agent
WAITING_CUSTOMER = "waiting_customer"  # an agent asked the customer for something
RESOLVED = "resolved"
CLOSED = "closed"
STATUSES = (WAITING, IN_REVIEW, WAITING_CUSTOMER, RESOLVED, CLOSED)
STATUS_LABELS = {  # as customers read them
    WAITING: "Received, waiting for review",
    IN_REVIEW: "In review",
    WAITING_CUSTOMER: "Waiting for your reply",
    RESOLVED: "Resolved",
    CLOSED: "Closed",
}
FINISHED = (RESOLVED, CLOSED)

# (status now, action) -> status after. Anything else is refused.
TRANSITIONS = {
    (WAITING, "take"): IN_REVIEW,
    (IN_REVIEW, "release"): WAITING,
    (IN_REVIEW, "ask_customer"): WAITING_CUSTOMER,
    (IN_REVIEW, "resolve"): RESOLVED,
    (IN_REVIEW, "close"): CLOSED,
    (WAITING_CUSTOMER, "close"): CLOSED,
    (WAITING_CUSTOMER, "customer_reply"): WAITING,
}
# Actions on a case in review that only the agent holding it may take.
HOLDER_ONLY = ("release", "ask_customer", "resolve", "close")

OUTCOMES = {
    "replacement": "Replacement sent",
    "refund_approved": "Refund approved",
    "return_approved": "Return approved",
    "missing_parts_sent": "Missing parts sent",
    "information_corrected": "Information corrected",
    "no_fault_found": "No fault found",
}

# What a customer sees of a case's history; notes and hand-overs are for agents only.
CUSTOMER_EVENTS = (
    "submitted",
    "photo_added",
    "mail_sent",
    "taken",
    "asked_customer",
    "customer_replied",
    "resolved",
    "closed",
)
# Status changes the customer hears about by email (besides the confirmation).
MAILED_STATUSES = (IN_REVIEW, WAITING_CUSTOMER, RESOLVED, CLOSED)

# Every table of the log with its key, parents before children.
COPIED_TABLES = (
    ("cases", "id"),
    ("photos", "id"),
    ("events", "id"),
    ("messages", "event_id"),
    ("outbox", "id"),
    ("agents", "name"),
    ("agent_sessions", "token_hash"),
)

# References: unambiguous letters and digits (no I, L, O, U), 12 of them: 60 random bits.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_PREFIX = "HC"

# Each migration brings the schema one version further; applied in order, never edited.
# {id} is each database's auto-numbered key (received order for cases, history order
# for events).
MIGRATIONS = [
    """
CREATE TABLE IF NOT EXISTS cases (
    id {id},
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
    assigned_to TEXT,
    updated_at TEXT NOT NULL,
    purged_at TEXT
);
CREATE INDEX IF NOT EXISTS cases_queue ON cases (status, lane_rank, id);

CREATE TABLE IF NOT EXISTS photos (
    id {id},
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
    id {id},
    case_id INTEGER NOT NULL REFERENCES cases (id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_case ON events (case_id, id);

CREATE TABLE IF NOT EXISTS messages (
    event_id INTEGER PRIMARY KEY REFERENCES events (id),
    case_id INTEGER NOT NULL REFERENCES cases (id),
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_case ON messages (case_id);

CREATE TABLE IF NOT EXISTS outbox (
    id {id},
    case_id INTEGER NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    status TEXT,
    created_at TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (sent_at, next_attempt_at);

CREATE TABLE IF NOT EXISTS agents (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS agent_sessions (
    token_hash TEXT PRIMARY KEY,
    agent TEXT NOT NULL REFERENCES agents (name),
    expires_at TEXT NOT NULL
);
""",
    """
ALTER TABLE outbox ADD COLUMN failed_at TEXT;
""",
]
ID_COLUMN = {
    "sqlite": "INTEGER PRIMARY KEY",
    "postgresql": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
}


class TransitionRefused(Exception):
    """An action that does not fit the case's state; str(e) says why, for the agent."""


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


@dataclass(frozen=True)
class Event:
    at: str
    kind: str
    actor: str
    detail: str  # short and never personal: a claim type, an outcome, a stored photo name
    text: str  # the message, reply or note; for a photo, its original name


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


# A case's events with their text: a message's body, or an added photo's file name.
EVENTS_OF_CASE = (
    "SELECT e.at, e.kind, e.actor, e.detail,"
    " COALESCE(m.body, p.original_name, '') AS text FROM events e"
    " LEFT JOIN messages m ON m.event_id = e.id"
    " LEFT JOIN photos p ON e.kind = 'photo_added' AND p.stored_name = e.detail"
    " WHERE e.case_id = ?"
)
# Column lists in the order of the dataclasses' fields, so rows map onto them by name.
CASE_COLUMNS = ", ".join(field.name for field in fields(Case))
PHOTO_COLUMNS = ", ".join(field.name for field in fields(StoredPhoto))


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


def token_hash(token: str) -> str:
    """Session tokens are stored hashed: a copy of the database signs nobody in."""
    return hashlib.sha256(token.encode()).hexdigest()


class CaseLog:
    """One connection to the case log. Not shared between threads."""

    def __init__(self, database_url: str):
        self.db = Database(database_url)

    def close(self) -> None:
        self.db.close()

    def upgrade_schema(self) -> int:
        """Bring the tables to the newest schema version; returns the version."""
        with self.writing():
            if self.db.is_postgresql:  # one upgrader at a time across app servers
                self.db.execute("SELECT pg_advisory_xact_lock(20261126)")
            self.db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = self.db.scalar("SELECT MAX(version) AS version FROM schema_version") or 0
            for version, migration in enumerate(MIGRATIONS[current:], start=current + 1):
                for statement in migration.split(";"):
                    if statement.strip():
                        self.db.execute(statement.replace("{id}", ID_COLUMN[self.db.kind]))
                self.db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
            return len(MIGRATIONS)

    @contextmanager
    def writing(self) -> Iterator[Database]:
        """One durable write transaction: all of it commits, or none of it."""
        self.db.begin()
        try:
            yield self.db
        except BaseException:
            self.db.rollback()
            raise
        self.db.commit()

    # Filing a case

    def file_case(self, new: NewCase, photos: list[StoredPhoto]) -> tuple[Case, bool]:
        """Record a new case with its photos and queue its confirmation mail.

        Returns the case and whether it was created now; a submission already filed
        (a double click, a re-sent form) returns the earlier case instead.
        """
        with self.writing() as db:
            received_at = now()
            inserted = db.execute(
                "INSERT INTO cases (reference, submission_key, order_ref, email, claim_type,"
                " lane, lane_rank, description, received_at, status, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (submission_key) DO NOTHING RETURNING id",
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
                    received_at,
                ),
            ).fetchone()
            if inserted is None:  # this very form was filed already
                return self._case_where("submission_key = ?", new.submission_key), False
            case_id = inserted["id"]
            self._add_event(case_id, "submitted", "customer", new.claim_type)
            self._add_photos(case_id, photos)
            self._queue_mail(case_id, "confirmation")
            return self._case_where("id = ?", case_id), True

    def _unused_reference(self) -> str:
        while True:
            reference = new_reference()
            if not self.db.execute(
                "SELECT 1 FROM cases WHERE reference = ?", (reference,)
            ).fetchone():
                return reference

    def _add_photos(self, case_id: int, photos: list[StoredPhoto]) -> None:
        for photo in photos:
            self.db.execute(
                f"INSERT INTO photos (case_id, {PHOTO_COLUMNS})"
                f" VALUES (?, {', '.join('?' for _ in fields(StoredPhoto))})",
                (case_id, *astuple(photo)),
            )
            self._add_event(case_id, "photo_added", "customer", photo.stored_name)

    def _add_event(self, case_id: int, kind: str, actor: str, detail: str = "", text: str = ""):
        """Append to a case's history (with its message, if any). Nothing edits events."""
        event_id = self.db.execute(
            "INSERT INTO events (case_id, at, kind, actor, detail) VALUES (?, ?, ?, ?, ?)"
            " RETURNING id",
            (case_id, now(), kind, actor, detail),
        ).fetchone()["id"]
        if text:
            self.db.execute(
                "INSERT INTO messages (event_id, case_id, body) VALUES (?, ?, ?)",
                (event_id, case_id, text),
            )

    def _queue_mail(self, case_id: int, kind: str, status: str | None = None) -> None:
        """Queue mail about a case: its confirmation, or the status it just reached."""
        created = now()
        self.db.execute(
            "INSERT INTO outbox (case_id, kind, status, created_at, next_attempt_at, attempts)"
            " VALUES (?, ?, ?, ?, ?, 0)",
            (case_id, kind, status, created, created),
        )

    # Reading cases

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
        expected = case.email if case and not case.purged_at else "\0"
        matches = secrets.compare_digest(expected.casefold().encode(), email.casefold().encode())
        return case if case and matches else None

    def photos(self, case_id: int) -> list[StoredPhoto]:
        rows = self.db.execute(
            f"SELECT {PHOTO_COLUMNS} FROM photos WHERE case_id = ? ORDER BY id", (case_id,)
        )
        return [StoredPhoto(**row) for row in rows]

    def photo_for_agents(self, stored_name: str) -> StoredPhoto | None:
        row = self.db.execute(
            f"SELECT {PHOTO_COLUMNS} FROM photos WHERE stored_name = ?", (stored_name,)
        ).fetchone()
        return StoredPhoto(**row) if row else None

    def events(self, case_id: int, customer_view: bool = False) -> list[Event]:
        """A case's history in order; what a customer may see when customer_view is set."""
        sql, params = EVENTS_OF_CASE, (case_id,)
        if customer_view:
            sql += f" AND e.kind IN ({', '.join('?' for _ in CUSTOMER_EVENTS)})"
            params += CUSTOMER_EVENTS
        return [Event(**row) for row in self.db.execute(sql + " ORDER BY e.id", params)]

    def latest_event(self, case_id: int, kind: str) -> Event | None:
        row = self.db.execute(
            EVENTS_OF_CASE + " AND e.kind = ? ORDER BY e.id DESC LIMIT 1", (case_id, kind)
        ).fetchone()
        return Event(**row) if row else None

    def stored_photo_names(self) -> set[str]:
        return {row["stored_name"] for row in self.db.execute("SELECT stored_name FROM photos")}

    def cases(self, since: str | None = None, status: str | None = None) -> Iterator[Case]:
        """Cases in the order received, received since a time and in a status when given."""
        conditions, params = ["1 = 1"], []
        if since:
            conditions.append("received_at >= ?")
            params.append(since)
        if status:
            conditions.append("status = ?")
            params.append(status)
        rows = self.db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE {' AND '.join(conditions)} ORDER BY id",
            params,
        )
        for row in rows:
            yield Case(**row)

    # The queue

    def queue(
        self,
        status: str = WAITING,
        claim_type: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Case]:
        """Cases in a status, in the order agents take them (the queue, for waiting ones)."""
        type_filter = " AND claim_type = ?" if claim_type else ""
        params = [status, *([claim_type] if claim_type else []), limit, offset]
        rows = self.db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE status = ?{type_filter}"
            f" ORDER BY {QUEUE_ORDER} LIMIT ? OFFSET ?",
            params,
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
        # The cases ahead in QUEUE_ORDER (lane_rank, id), counted as two exact ranges of the
        # queue index: SQLite bounds a row-value comparison by its first column only.
        rank = LANE_RANK[case.lane]
        ahead = self.db.scalar(
            "SELECT (SELECT COUNT(*) FROM cases WHERE status = ? AND lane_rank < ?)"
            " + (SELECT COUNT(*) FROM cases WHERE status = ? AND lane_rank = ? AND id < ?)"
            " AS ahead",
            (WAITING, rank, WAITING, rank, case.id),
        )
        return ahead + 1

    def queue_summary(self) -> QueueSummary:
        """How many cases wait in each lane, and since when the oldest has waited."""
        # Read from the queue index alone: each lane by its rank, and the oldest case as the
        # smallest id (cases are numbered in the order received).
        per_lane, first_ids = {}, []
        for lane, rank in LANE_RANK.items():
            row = self.db.execute(
                "SELECT COUNT(*) AS waiting, MIN(id) AS first FROM cases"
                " WHERE status = ? AND lane_rank = ?",
                (WAITING, rank),
            ).fetchone()
            per_lane[lane] = row["waiting"]
            if row["first"] is not None:
                first_ids.append(row["first"])
        oldest = None
        if first_ids:
            oldest = self.db.scalar("SELECT received_at FROM cases WHERE id = ?", (min(first_ids),))
        return QueueSummary(per_lane, oldest)

    def photo_counts(self, case_ids: list[int]) -> dict[int, int]:
        if not case_ids:
            return {}
        rows = self.db.execute(
            f"SELECT case_id, COUNT(*) AS photos FROM photos WHERE case_id IN"
            f" ({', '.join('?' for _ in case_ids)}) GROUP BY case_id",
            case_ids,
        )
        return dict.fromkeys(case_ids, 0) | {row["case_id"]: row["photos"] for row in rows}

    # Moving a case through its life

    def take_next(self, agent: str) -> Case | None:
        """Give the next waiting case to this agent; two agents never get the same case."""
        with self.writing() as db:
            row = db.execute(
                f"SELECT {CASE_COLUMNS} FROM cases WHERE status = ?"
                f" ORDER BY {QUEUE_ORDER} LIMIT 1{db.for_update(skip_locked=True)}",
                (WAITING,),
            ).fetchone()
            return self._move(Case(**row), "take", agent) if row else None

    def act(self, reference: str, action: str, agent: str, text: str = "", detail: str = ""):
        """Take, release, ask the customer, resolve or close a case, as this agent."""
        with self.writing():
            case = self._case_where(f"reference = ?{self.db.for_update()}", reference)
            if case is None:
                raise TransitionRefused("There is no such case.")
            return self._move(case, action, agent, text=text, detail=detail)

    def _move(self, case: Case, action: str, actor: str, text: str = "", detail: str = "") -> Case:
        """Apply one transition inside the caller's transaction, or refuse it."""
        after = TRANSITIONS.get((case.status, action))
        if after is None:
            raise TransitionRefused(
                f"This case is {case.status.replace('_', ' ')}: it cannot be {PAST[action]} now."
            )
        if action in HOLDER_ONLY and case.status == IN_REVIEW and case.assigned_to != actor:
            raise TransitionRefused(f"{case.assigned_to} holds this case; only they can do that.")
        first_review = after == IN_REVIEW and not self._has_event(case.id, "taken")
        holder = actor if after == IN_REVIEW else None
        self.db.execute(
            "UPDATE cases SET status = ?, assigned_to = ?, updated_at = ? WHERE id = ?",
            (after, holder, now(), case.id),
        )
        self._add_event(case.id, EVENT_OF[action], actor, detail, text)
        if after in MAILED_STATUSES and (after != IN_REVIEW or first_review):
            self._queue_mail(case.id, "status", after)
        return self.case_by_id(case.id)

    def _has_event(self, case_id: int, kind: str) -> bool:
        return (
            self.db.execute(
                "SELECT 1 FROM events WHERE case_id = ? AND kind = ? LIMIT 1", (case_id, kind)
            ).fetchone()
            is not None
        )

    def add_note(self, reference: str, agent: str, text: str) -> None:
        """An internal note: in the case's log for agents, never shown to the customer."""
        with self.writing():
            case = self.case_by_reference(reference)
            if case is None:
                raise TransitionRefused("There is no such case.")
            self._add_event(case.id, "note", agent, text=text)

    def customer_reply(self, case: Case, text: str, photos: list[StoredPhoto]) -> Case:
        """The customer answers a question: their reply and photos join the case, which goes
        back to the queue in its original place."""
        with self.writing():
            current = self._case_where(f"id = ?{self.db.for_update()}", case.id)
            moved = self._move(current, "customer_reply", "customer", text=text)
            self._add_photos(case.id, photos)
            return moved

    # Agents and their sessions

    def add_agent(self, name: str, password_hash: str) -> None:
        """Create an agent, or give an existing one a new password and enable them again.

        A new password ends every session opened with the old one: it is usually set because
        the old one may be known to someone else.
        """
        with self.writing() as db:
            db.execute(
                "INSERT INTO agents (name, password_hash, disabled, created_at)"
                " VALUES (?, ?, 0, ?) ON CONFLICT (name) DO UPDATE"
                " SET password_hash = excluded.password_hash, disabled = 0",
                (name, password_hash, now()),
            )
            db.execute("DELETE FROM agent_sessions WHERE agent = ?", (name,))

    def disable_agent(self, name: str) -> bool:
        """Stop an agent signing in, and end their open sessions at once."""
        with self.writing() as db:
            changed = db.execute("UPDATE agents SET disabled = 1 WHERE name = ?", (name,))
            db.execute("DELETE FROM agent_sessions WHERE agent = ?", (name,))
            return changed.rowcount == 1

    def agent_password_hash(self, name: str) -> str | None:
        """The password hash of an enabled agent; None for unknown or disabled names."""
        row = self.db.execute(
            "SELECT password_hash FROM agents WHERE name = ? AND disabled = 0", (name,)
        ).fetchone()
        return row["password_hash"] if row else None

    def start_session(self, agent: str, lifetime_seconds: int) -> str:
        """A new sign-in; returns the token for the agent's cookie."""
        token = secrets.token_urlsafe(32)
        with self.writing() as db:
            db.execute("DELETE FROM agent_sessions WHERE expires_at < ?", (now(),))
            db.execute(
                "INSERT INTO agent_sessions (token_hash, agent, expires_at) VALUES (?, ?, ?)",
                (token_hash(token), agent, now(later_by_seconds=lifetime_seconds)),
            )
        return token

    def session_agent(self, token: str) -> str | None:
        """The enabled agent signed in with this token, while the session lasts."""
        row = self.db.execute(
            "SELECT s.agent FROM agent_sessions s JOIN agents a ON a.name = s.agent"
            " WHERE s.token_hash = ? AND s.expires_at > ? AND a.disabled = 0",
            (token_hash(token), now()),
        ).fetchone()
        return row["agent"] if row else None

    def end_session(self, token: str) -> None:
        with self.writing() as db:
            db.execute("DELETE FROM agent_sessions WHERE token_hash = ?", (token_hash(token),))

    # Retention

    def purgeable(self, older_than_days: int) -> list[Case]:
        """Finished cases untouched for longer than the retention period, not yet purged."""
        cutoff = now(later_by_seconds=-older_than_days * 86400)
        rows = self.db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE status IN (?, ?) AND updated_at < ?"
            " AND purged_at IS NULL ORDER BY id",
            (*FINISHED, cutoff),
        )
        return [Case(**row) for row in rows]

    def purge(self, case: Case) -> list[str]:
        """Remove a finished case's personal data and photo records, keeping its anonymous
        event trail. Returns the photo files to delete once this has committed."""
        with self.writing() as db:
            names = [photo.stored_name for photo in self.photos(case.id)]
            db.execute("DELETE FROM photos WHERE case_id = ?", (case.id,))
            db.execute("DELETE FROM messages WHERE case_id = ?", (case.id,))
            # A mail server's answer may quote the customer's address.
            db.execute("UPDATE outbox SET last_error = NULL WHERE case_id = ?", (case.id,))
            db.execute(
                "UPDATE cases SET order_ref = '', email = '', description = '', purged_at = ?"
                " WHERE id = ?",
                (now(), case.id),
            )
            self._add_event(case.id, "purged", "system", f"{len(names)} photo(s)")
        return names

    # Moving a shop's log to another database

    def copy_from(self, source: "CaseLog") -> dict[str, int]:
        """Copy every row of another case log into this empty one, keeping every id, so
        references, events, photos and their order stay exactly as they were. Returns the
        rows copied per table."""
        copied = {}
        with self.writing() as db:
            if db.scalar("SELECT COUNT(*) AS cases FROM cases"):
                raise ValueError("The target case log is not empty; copy into an empty one.")
            for table, key in COPIED_TABLES:
                rows = source.db.execute(f"SELECT * FROM {table} ORDER BY {key}").fetchall()
                for row in rows:
                    columns = ", ".join(row)
                    marks = ", ".join("?" for _ in row)
                    db.execute(
                        f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values())
                    )
                copied[table] = len(rows)
            if db.is_postgresql:  # new rows continue after the copied ids
                for table, key in COPIED_TABLES:
                    if key == "id":
                        db.execute(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                            f" (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                        )
        return copied

    # The mail outbox

    def claim_mail(
        self, due_only: bool = True, after_id: int = 0, lease_seconds: int = 120
    ) -> OutgoingMail | None:
        """Take the oldest unsent mail after `after_id` (only one whose retry time has come,
        when due_only) for delivery, so that no other worker sends it meanwhile. Mail given up
        on is never taken again."""
        current, lease_end = now(), now(later_by_seconds=lease_seconds)
        due = " AND next_attempt_at <= ?" if due_only else ""
        with self.writing() as db:
            row = db.execute(
                "SELECT id, case_id, kind, status, attempts FROM outbox"
                " WHERE sent_at IS NULL AND failed_at IS NULL AND id > ?"
                f" AND (claimed_until IS NULL OR claimed_until < ?){due} ORDER BY id LIMIT 1"
                f"{db.for_update(skip_locked=True)}",
                (after_id, current, current) if due_only else (after_id, current),
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
        """A try that failed for now: the mail is tried again after `retry_in_seconds`."""
        retry_at = now(later_by_seconds=retry_in_seconds)
        with self.writing() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?,"
                " next_attempt_at = ?, claimed_until = NULL WHERE id = ?",
                (error[:500], retry_at, mail.id),
            )

    def mail_given_up(self, mail: OutgoingMail, error: str, description: str) -> None:
        """A mail that can never be sent as it is: kept out of every later round, and told
        in the case's history (with the reason, for agents only) so someone acts on it."""
        with self.writing() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, failed_at = ?,"
                " claimed_until = NULL WHERE id = ?",
                (error[:500], now(), mail.id),
            )
            self._add_event(mail.case_id, "mail_failed", "system", description, error[:500])

    def retry_given_up_mail(self) -> int:
        """Put mail given up on back in the outbox, due now (after the mail settings were
        fixed, say); returns how many."""
        with self.writing() as db:
            return db.execute(
                "UPDATE outbox SET failed_at = NULL, next_attempt_at = ?"
                " WHERE failed_at IS NOT NULL AND sent_at IS NULL",
                (now(),),
            ).rowcount

    def mail_dropped(self, mail: OutgoingMail) -> None:
        """Give up on a mail that can no longer be written (its case was purged)."""
        with self.writing() as db:
            db.execute(
                "UPDATE outbox SET sent_at = ?, last_error = 'dropped' WHERE id = ?",
                (now(), mail.id),
            )

    def unsent_mail(self, case_id: int | None = None) -> list[UnsentMail]:
        """Mail not sent (of one case, when given), oldest first: waiting or given up on."""
        of_case = " AND o.case_id = ?" if case_id is not None else ""
        rows = self.db.execute(
            "SELECT o.id, c.reference, o.kind, o.attempts, o.last_error, o.next_attempt_at,"
            " o.failed_at FROM outbox o JOIN cases c ON c.id = o.case_id"
            f" WHERE o.sent_at IS NULL{of_case} ORDER BY o.id",
            () if case_id is None else (case_id,),
        )
        return [UnsentMail(**row) for row in rows]


# The event each action appends, and how a refusal names the action.
EVENT_OF = {
    "take": "taken",
    "release": "released",
    "ask_customer": "asked_customer",
    "resolve": "resolved",
    "close": "closed",
    "customer_reply": "customer_replied",
}
PAST = {
    "take": "taken",
    "release": "released",
    "ask_customer": "sent back to the customer",
    "resolve": "resolved",
    "close": "closed",
    "customer_reply": "answered",
}
