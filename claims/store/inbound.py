"""Mail customers send in: each message recorded once (by its Message-ID) with what became of
it, the automatic answers still to send, the counts that rate-limit senders and cases, and
the lease that lets one fetcher at a time read the mailbox.

A reply attached to a case is recorded after the case commits it (``Cases.customer_adds``
refuses the same message twice by its submission key), so a fetcher that dies in between
fetches it again, adds nothing twice and records it then.
"""

from dataclasses import dataclass

from claims.store.clock import Clock
from claims.store.connection import Connection

LEASE_NAME = "mailbox"


@dataclass(frozen=True)
class InboundMail:
    """A message as fetched and judged, before it is recorded."""

    message_id: str
    sender: str
    subject: str
    case_id: int | None
    outcome: str  # attached, unmatched, ignored (automatic mail) or held (over a rate limit)
    reason: str  # for agents (and, unmatched, for the sender): why it went where it went
    refused_attachments: str  # one per line: "name: why"
    original: str  # the whole message as received
    answer_due: bool


@dataclass(frozen=True)
class RecordedMail:
    id: int
    message_id: str
    received_at: str
    sender: str
    subject: str
    case_id: int | None
    reference: str | None
    outcome: str
    reason: str
    refused_attachments: str
    answer_due: int
    answered_at: str | None


SUMMARY = (
    "SELECT i.id, i.message_id, i.received_at, i.sender, i.subject, i.case_id, c.reference,"
    " i.outcome, i.reason, i.refused_attachments, i.answer_due, i.answered_at"
    " FROM inbound_mail i LEFT JOIN cases c ON c.id = i.case_id"
)


class Inbound:
    """Records, lists and rate-limits mail from customers."""

    def __init__(self, connection: Connection, clock: Clock):
        self.db, self.clock = connection, clock

    def seen(self, message_id: str) -> bool:
        """Whether this message was recorded already (fetched before)."""
        row = self.db.execute(
            "SELECT 1 FROM inbound_mail WHERE message_id = ?", (message_id,)
        ).fetchone()
        return row is not None

    def record(self, mail: InboundMail) -> None:
        """Keep a message and what became of it; the same message twice is kept once."""
        with self.db.transaction() as db:
            db.execute(
                "INSERT INTO inbound_mail (message_id, received_at, sender, subject, case_id,"
                " outcome, reason, refused_attachments, original, answer_due)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING",
                (
                    mail.message_id,
                    self.clock.stamp(),
                    mail.sender,
                    mail.subject,
                    mail.case_id,
                    mail.outcome,
                    mail.reason,
                    mail.refused_attachments,
                    mail.original,
                    int(mail.answer_due),
                ),
            )

    def from_sender_since(self, sender: str, seconds: int) -> int:
        """How many messages this sender sent in the last `seconds`."""
        return self.db.scalar(
            "SELECT COUNT(*) AS n FROM inbound_mail WHERE sender = ? AND received_at >= ?",
            (sender, self.clock.stamp(-seconds)),
        )

    def to_case_since(self, case_id: int, seconds: int) -> int:
        """How many messages were attached to this case in the last `seconds`."""
        return self.db.scalar(
            "SELECT COUNT(*) AS n FROM inbound_mail WHERE case_id = ? AND outcome = 'attached'"
            " AND received_at >= ?",
            (case_id, self.clock.stamp(-seconds)),
        )

    def answered_since(self, sender: str, seconds: int) -> bool:
        """Whether this sender got an automatic answer in the last `seconds`."""
        row = self.db.execute(
            "SELECT 1 FROM inbound_mail WHERE sender = ? AND answered_at >= ?",
            (sender, self.clock.stamp(-seconds)),
        ).fetchone()
        return row is not None

    def answers_due(self) -> list[RecordedMail]:
        rows = self.db.execute(f"{SUMMARY} WHERE i.answer_due = 1 ORDER BY i.id")
        return [RecordedMail(**row) for row in rows]

    def answer_settled(self, mail_id: int, sent: bool) -> None:
        """The automatic answer went out (sent), or is not to be sent after all."""
        with self.db.transaction() as db:
            db.execute(
                "UPDATE inbound_mail SET answer_due = 0, answered_at = ? WHERE id = ?",
                (self.clock.stamp() if sent else None, mail_id),
            )

    def listing(self, case_id: int | None = None, limit: int = 200) -> list[RecordedMail]:
        """Recorded mail, newest first: of one case, or all of it."""
        where, params = ("WHERE i.case_id = ?", (case_id, limit)) if case_id else ("", (limit,))
        rows = self.db.execute(f"{SUMMARY} {where} ORDER BY i.id DESC LIMIT ?", params)
        return [RecordedMail(**row) for row in rows]

    def original(self, mail_id: int) -> tuple[RecordedMail, str] | None:
        """One recorded message and its full original."""
        row = self.db.execute(
            f"{SUMMARY.replace(' FROM', ', i.original FROM', 1)} WHERE i.id = ?", (mail_id,)
        ).fetchone()
        if row is None:
            return None
        original = row.pop("original")
        return RecordedMail(**row), original

    def take_lease(self, holder: str, seconds: int) -> bool:
        """Become (or stay) the one fetcher for `seconds`; False while another holds it."""
        now, until = self.clock.stamp(), self.clock.stamp(seconds)
        with self.db.transaction() as db:
            taken = db.execute(
                "INSERT INTO inbound_mail_lease (name, holder, until) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
                " until = excluded.until"
                " WHERE inbound_mail_lease.holder = excluded.holder"
                " OR inbound_mail_lease.until < ? RETURNING holder",
                (LEASE_NAME, holder, until, now),
            ).fetchone()
        return taken is not None

    def release_lease(self, holder: str) -> None:
        with self.db.transaction() as db:
            db.execute(
                "DELETE FROM inbound_mail_lease WHERE name = ? AND holder = ?",
                (LEASE_NAME, holder),
            )
