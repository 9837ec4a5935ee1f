"""Saved replies: texts agents share and insert into messages to customers, with the case's
reference, order reference and the agent's name filled in (``fill``)."""

from claims.store.clock import Clock
from claims.store.connection import Connection
from claims.store.records import SavedReply, columns

REPLY_COLUMNS = columns(SavedReply)
# What a saved reply may say in braces, and what of the case or agent each stands for.
PLACEHOLDERS = ("{reference}", "{order_ref}", "{agent}")


class TitleTaken(Exception):
    """Another saved reply already has this title."""


def fill(body: str, reference: str, order_ref: str, agent: str) -> str:
    """A saved reply's text for one case and agent; other braces are left as they are."""
    values = dict(zip(PLACEHOLDERS, (reference, order_ref, agent), strict=True))
    for placeholder, value in values.items():
        body = body.replace(placeholder, value)
    return body


class SavedReplies:
    """The shared saved replies, listed by title."""

    def __init__(self, connection: Connection, clock: Clock):
        self.db, self.clock = connection, clock

    def all(self) -> list[SavedReply]:
        rows = self.db.execute(f"SELECT {REPLY_COLUMNS} FROM saved_replies ORDER BY title")
        return [SavedReply(**row) for row in rows]

    def get(self, reply_id: int) -> SavedReply | None:
        row = self.db.execute(
            f"SELECT {REPLY_COLUMNS} FROM saved_replies WHERE id = ?", (reply_id,)
        ).fetchone()
        return SavedReply(**row) if row else None

    def save(self, reply_id: int | None, title: str, body: str, agent: str) -> None:
        """Add a reply (no id) or change one; raises TitleTaken for a title in use."""
        with self.db.transaction() as db:
            taken = db.execute(
                "SELECT id FROM saved_replies WHERE title = ? AND id <> ?", (title, reply_id or 0)
            ).fetchone()
            if taken:
                raise TitleTaken(title)
            if reply_id is None:
                db.execute(
                    "INSERT INTO saved_replies (title, body, updated_by, updated_at)"
                    " VALUES (?, ?, ?, ?)",
                    (title, body, agent, self.clock.stamp()),
                )
            else:
                db.execute(
                    "UPDATE saved_replies SET title = ?, body = ?, updated_by = ?, updated_at = ?"
                    " WHERE id = ?",
                    (title, body, agent, self.clock.stamp(), reply_id),
                )

    def delete(self, reply_id: int) -> None:
        with self.db.transaction() as db:
            db.execute("DELETE FROM saved_replies WHERE id = ?", (reply_id,))
