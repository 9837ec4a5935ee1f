"""One customer's cases, found by their email address, to export or erase them on request.

An address is compared case-insensitively (casefold: Ana@Example.COM and ana@example.com are
one customer) with the addresses as the form stored them. The log keeps each address as it was
typed, and SQL's LOWER() folds ASCII letters only on SQLite, so the comparison is made here,
over the addresses not yet forgotten: an occasional request reads every case's address once.
"""

import sys

from claims.lifecycle import ERASURE_REASON, FINISHED
from claims.store.cases import CASE_COLUMNS, Cases
from claims.store.connection import Connection
from claims.store.history import History
from claims.store.records import Case, Erasure, Holding


class Customers:
    """A customer's cases, what they hold, and erasing them."""

    def __init__(self, connection: Connection, history: History, cases: Cases):
        self.db, self.history, self.cases = connection, history, cases

    def cases_of(self, address: str) -> list[Case]:
        """Every case filed with this address and not yet forgotten, in the order received."""
        last = self.db.scalar("SELECT MAX(id) FROM cases") or 0
        return self._cases(self._matching(address, up_to=last))

    def _matching(self, address: str, up_to: int, after: int = 0) -> list[int]:
        """The ids, in (after, up_to], of the cases filed with `address` (none for "")."""
        wanted = address.casefold()
        if not wanted:
            return []
        rows = self.db.execute(
            "SELECT id, email FROM cases WHERE id > ? AND id <= ? AND email <> '' ORDER BY id",
            (after, up_to),
        )
        return [row["id"] for row in rows if row["email"].casefold() == wanted]

    def _cases(self, ids: list[int], lock: bool = False) -> list[Case]:
        """These cases, read again (a purge may have forgotten one since), and locked until
        the write transaction ends when `lock` is set."""
        locking = self.db.for_update() if lock else ""
        found = []
        for case_id in ids:
            row = self.db.execute(
                f"SELECT {CASE_COLUMNS} FROM cases WHERE id = ? AND purged_at IS NULL{locking}",
                (case_id,),
            ).fetchone()
            if row:
                found.append(Case(**row))
        return found

    def holdings(self, address: str) -> list[Holding]:
        """The customer's cases with the photos, messages and queued mail each holds."""
        return [
            Holding(
                case=case,
                photos=self._count("SELECT COUNT(*) FROM photos WHERE case_id = ?", case.id),
                messages=self._count("SELECT COUNT(*) FROM messages WHERE case_id = ?", case.id),
                queued_mail=self._count(
                    "SELECT COUNT(*) FROM outbox WHERE case_id = ? AND sent_at IS NULL", case.id
                ),
            )
            for case in self.cases_of(address)
        ]

    def _count(self, sql: str, case_id: int) -> int:
        return int(self.db.scalar(sql, (case_id,)))

    def record_export(self, cases: list[Case], actor: str) -> None:
        """Note in each case's history that its data was exported, and by whom."""
        with self.db.transaction():
            for case in cases:
                self.history.append(case.id, "exported", actor, "customer data export")

    def erase(self, address: str, actor: str) -> Erasure:
        """Forget every case of this address in one transaction, closing open ones first with
        the reason; returns what was done and the photo files to delete after the commit.

        The log is searched before the transaction, so that the write lock is held only for
        the cases found and those filed meanwhile, not for reading every address."""
        last = self.db.scalar("SELECT MAX(id) FROM cases") or 0
        found = self._matching(address, up_to=last)
        references, closed, files = [], [], []
        with self.db.transaction():
            meanwhile = self._matching(address, up_to=sys.maxsize, after=last)
            for case in self._cases(found + meanwhile, lock=True):
                if case.status not in FINISHED:
                    self.cases.move(case, "close_for_erasure", actor, detail=ERASURE_REASON)
                    closed.append(case.reference)
                files += self.cases.forget(case.id, "erased", actor)
                references.append(case.reference)
            # Email from the address that no case took (unmatched, ignored, held).
            self.db.execute(
                "DELETE FROM inbound_mail WHERE sender = ?", (address.strip().casefold(),)
            )
        return Erasure(references, closed, files)
