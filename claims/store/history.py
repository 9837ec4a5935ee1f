"""A case's history: events appended in order, each with its message if it has one.

Events are never changed or removed (a purge or erasure removes messages, which hold personal
text, and the keys of the forms they came from, and keeps the events). History order is the
events' auto-numbered id.
"""

from claims.lifecycle import CUSTOMER_EVENTS
from claims.store.clock import Clock
from claims.store.connection import Connection
from claims.store.records import Event
from claims.store.search import Search

# A case's events with their text: a message's body, or an added photo's file name.
EVENTS_OF_CASE = (
    "SELECT e.at, e.kind, e.actor, e.detail,"
    " COALESCE(m.body, p.original_name, '') AS text FROM events e"
    " LEFT JOIN messages m ON m.event_id = e.id"
    " LEFT JOIN photos p ON e.kind = 'photo_added' AND p.stored_name = e.detail"
    " WHERE e.case_id = ?"
)


class History:
    """Appends to and reads cases' histories."""

    def __init__(self, connection: Connection, clock: Clock, search: Search):
        self.db, self.clock, self.search = connection, clock, search

    def append(
        self,
        case_id: int,
        kind: str,
        actor: str,
        detail: str = "",
        text: str = "",
        submission_key: str | None = None,
    ) -> None:
        """Add an event (with its message, if any), inside the caller's transaction; the
        customer's form that made it, when given, can make no second event."""
        event_id = self.db.one(
            "INSERT INTO events (case_id, at, kind, actor, detail, submission_key)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (case_id, self.clock.stamp(), kind, actor, detail, submission_key),
        )["id"]
        if text:
            self.db.execute(
                "INSERT INTO messages (event_id, case_id, body) VALUES (?, ?, ?)",
                (event_id, case_id, text),
            )
            self.search.add_text(case_id, text)

    def events(self, case_id: int, customer_view: bool = False) -> list[Event]:
        """A case's history in order; what a customer may see when customer_view is set."""
        sql = EVENTS_OF_CASE
        params: tuple[int | str, ...] = (case_id,)
        if customer_view:
            sql += f" AND e.kind IN ({', '.join('?' for _ in CUSTOMER_EVENTS)})"
            params += CUSTOMER_EVENTS
        return [Event(**row) for row in self.db.execute(sql + " ORDER BY e.id", params)]

    def latest(self, case_id: int, *kinds: str) -> Event | None:
        """The case's most recent event of these kinds."""
        if not kinds:
            return None
        row = self.db.execute(
            EVENTS_OF_CASE
            + f" AND e.kind IN ({', '.join('?' for _ in kinds)}) ORDER BY e.id DESC LIMIT 1",
            (case_id, *kinds),
        ).fetchone()
        return Event(**row) if row else None

    def has(self, case_id: int, kind: str) -> bool:
        """Whether the case ever had an event of this kind."""
        row = self.db.execute(
            "SELECT 1 FROM events WHERE case_id = ? AND kind = ? LIMIT 1", (case_id, kind)
        ).fetchone()
        return row is not None

    def has_submission(self, submission_key: str) -> bool:
        """Whether the customer's form with this key was added to a case already."""
        row = self.db.execute(
            "SELECT 1 FROM events WHERE submission_key = ?", (submission_key,)
        ).fetchone()
        return row is not None

    def count(self, kind: str) -> tuple[int, int]:
        """(events of this kind, cases that had one) over the whole log."""
        row = self.db.one(
            "SELECT COUNT(*) AS events, COUNT(DISTINCT case_id) AS cases FROM events"
            " WHERE kind = ?",
            (kind,),
        )
        return row["events"], row["cases"]
