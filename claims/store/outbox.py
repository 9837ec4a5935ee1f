"""The mail outbox: mail about a case is queued in the same transaction as the change it
tells of, so it is never lost, and delivered later, by one worker at a time.

A mail is claimed for a lease before it is sent, so no other worker sends it meanwhile; it
ends sent, waiting for its next try, or given up on (never tried again unless asked).
Webhooks to the shop's other systems (kind ``webhook``, the event type as its ``status``)
wait in the same outbox, queued only when the shop set them up, and go the same way.
"""

from claims.store.clock import Clock
from claims.store.connection import Connection
from claims.store.history import History
from claims.store.records import OutgoingMail, UnsentMail

LONGEST_ERROR = 500  # characters of a mail server's answer that are kept
WEBHOOK = "webhook"


class Outbox:
    """Queues, hands out and settles the mail to customers."""

    def __init__(
        self,
        connection: Connection,
        clock: Clock,
        history: History,
        webhooks: bool = False,
        agent_alerts: bool = False,
    ):
        self.db, self.clock, self.history = connection, clock, history
        self.webhooks, self.agent_alerts = webhooks, agent_alerts

    def enqueue_agent_alert(self, case_id: int) -> None:
        """Queue the agents' email about a new priority case, when the shop asked for it."""
        if self.agent_alerts:
            self.enqueue(case_id, "agent_alert")

    def enqueue_webhook(self, case_id: int, event_type: str) -> None:
        """Queue a webhook about a case inside the caller's transaction, when webhooks are
        set up: "case.filed", "case.customer_replied" or "case.status_changed"."""
        if self.webhooks:
            self.enqueue(case_id, WEBHOOK, event_type)

    def enqueue(self, case_id: int, kind: str, status: str | None = None) -> None:
        """Queue mail about a case inside the caller's transaction: its confirmation, or the
        status it just reached."""
        created = self.clock.stamp()
        self.db.execute(
            "INSERT INTO outbox (case_id, kind, status, created_at, next_attempt_at, attempts)"
            " VALUES (?, ?, ?, ?, ?, 0)",
            (case_id, kind, status, created, created),
        )

    def claim_mail(
        self,
        due_only: bool = True,
        after_id: int = 0,
        lease_seconds: int = 120,
        webhooks: bool = False,
    ) -> OutgoingMail | None:
        """Take the oldest unsent mail (webhooks: webhook) after `after_id` (only one whose
        retry time has come, when due_only) for delivery, so that no other worker sends it
        meanwhile. Mail given up on is never taken again."""
        current, lease_end = self.clock.stamp(), self.clock.stamp(later_by_seconds=lease_seconds)
        due = " AND next_attempt_at <= ?" if due_only else ""
        with self.db.transaction() as db:
            row = db.execute(
                "SELECT id, case_id, kind, status, attempts FROM outbox"
                f" WHERE sent_at IS NULL AND failed_at IS NULL AND id > ?"
                f" AND kind {'=' if webhooks else '<>'} '{WEBHOOK}'"
                f" AND (claimed_until IS NULL OR claimed_until < ?){due} ORDER BY id LIMIT 1"
                f"{db.for_update(skip_locked=True)}",
                (after_id, current, current) if due_only else (after_id, current),
            ).fetchone()
            if row is None:
                return None
            db.execute("UPDATE outbox SET claimed_until = ? WHERE id = ?", (lease_end, row["id"]))
            return OutgoingMail(**row)

    def mail_sent(self, mail: OutgoingMail, description: str = "") -> None:
        """Settle a delivered mail; with a description, told in the case's history."""
        with self.db.transaction() as db:
            db.execute(
                "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, claimed_until = NULL"
                " WHERE id = ?",
                (self.clock.stamp(), mail.id),
            )
            if description:
                self.history.append(mail.case_id, "mail_sent", "system", description)

    def mail_failed(self, mail: OutgoingMail, error: str, retry_in_seconds: int) -> None:
        """A try that failed for now: the mail is tried again after `retry_in_seconds`."""
        retry_at = self.clock.stamp(later_by_seconds=retry_in_seconds)
        with self.db.transaction() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?,"
                " next_attempt_at = ?, claimed_until = NULL WHERE id = ?",
                (error[:LONGEST_ERROR], retry_at, mail.id),
            )

    def mail_given_up(self, mail: OutgoingMail, error: str, description: str) -> None:
        """A mail that can never be sent as it is: kept out of every later round, and told
        in the case's history (with the reason, for agents only) so someone acts on it."""
        with self.db.transaction() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, failed_at = ?,"
                " claimed_until = NULL WHERE id = ?",
                (error[:LONGEST_ERROR], self.clock.stamp(), mail.id),
            )
            self.history.append(
                mail.case_id, "mail_failed", "system", description, error[:LONGEST_ERROR]
            )

    def retry_given_up_mail(self) -> int:
        """Put mail given up on back in the outbox, due now (after the mail settings were
        fixed, say); returns how many."""
        with self.db.transaction() as db:
            return db.execute(
                "UPDATE outbox SET failed_at = NULL, next_attempt_at = ?"
                " WHERE failed_at IS NOT NULL AND sent_at IS NULL",
                (self.clock.stamp(),),
            ).rowcount

    def mail_dropped(self, mail: OutgoingMail) -> None:
        """Give up on a mail that can no longer be written (its case was purged)."""
        with self.db.transaction() as db:
            db.execute(
                "UPDATE outbox SET sent_at = ?, last_error = 'dropped' WHERE id = ?",
                (self.clock.stamp(), mail.id),
            )

    def unsent_mail(self, case_id: int | None = None) -> list[UnsentMail]:
        """Mail not sent (of one case, when given), oldest first: waiting or given up on."""
        of_case = " AND o.case_id = ?" if case_id is not None else ""
        rows = self.db.execute(
            "SELECT o.id, c.reference, o.kind, o.attempts, o.last_error, o.next_attempt_at,"
            " o.failed_at FROM outbox o JOIN cases c ON c.id = o.case_id"
            f" WHERE o.sent_at IS NULL AND o.kind <> '{WEBHOOK}'{of_case} ORDER BY o.id",
            () if case_id is None else (case_id,),
        )
        return [UnsentMail(**row) for row in rows]
