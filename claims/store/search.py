"""Finding cases: by reference, order reference or email (exactly), and by the words of their
description and messages (SQLite's FTS5, PostgreSQL's full-text search with a GIN index).

Each case has one search document (``case_text``) holding its description and every message,
kept in step by the store as they are written. Results come in one order: cases whose
reference, order reference or email is the text searched for first, then cases that only
mention its words; within each, open cases in queue order, then finished ones newest first.
"""

import re
from dataclasses import dataclass

from claims.lifecycle import OPEN
from claims.store import references
from claims.store.clock import Clock
from claims.store.connection import Connection
from claims.store.records import Case, columns

# Words of a query that count; more narrow nothing down and only slow the search.
MOST_WORDS = 8
CASE_COLUMNS = columns(Case)
# Text matches considered per search: the newest this many (a query as broad as "item" would
# otherwise sort the whole log).
MOST_TEXT_MATCHES = 2000
_OPEN = ", ".join(f"'{status}'" for status in OPEN)
SEARCH_ORDER = (
    f"CASE WHEN status IN ({_OPEN}) THEN 0 ELSE 1 END,"
    f" CASE WHEN status IN ({_OPEN}) THEN lane_rank ELSE 0 END,"
    f" CASE WHEN status IN ({_OPEN}) THEN id ELSE -id END"
)


@dataclass(frozen=True)
class Filters:
    """What narrows a search; None (or False) leaves that side open."""

    status: str | None = None
    claim_type: str | None = None
    lane: str | None = None
    holder: str | None = None
    customer_added: bool = False  # the customer added something no agent answered yet
    older_than_hours: int | None = None


def words(text: str) -> list[str]:
    """The words of a query, without punctuation or operators of either search engine."""
    return re.findall(r"\w+", text.casefold())[:MOST_WORDS]


class Search:
    """The cases' search documents, and finding cases with them."""

    def __init__(self, connection: Connection, clock: Clock):
        self.db, self.clock = connection, clock

    # Keeping the documents in step (inside the caller's transaction)

    def add_case(self, case_id: int, description: str) -> None:
        self.db.execute(
            f"INSERT INTO case_text ({self._key}, body) VALUES (?, ?)", (case_id, description)
        )

    def add_text(self, case_id: int, text: str) -> None:
        """A message joins its case's document."""
        self.db.execute(
            f"UPDATE case_text SET body = body || ' ' || ? WHERE {self._key} = ?",
            (text, case_id),
        )

    def forget(self, case_id: int) -> None:
        """A purged case can no longer be found by its words."""
        self.db.execute(f"DELETE FROM case_text WHERE {self._key} = ?", (case_id,))

    def rebuild(self, case_id: int | None = None) -> None:
        """Every case's document anew (or this case's), from its description and messages:
        after a bulk load or a copy, which write the tables directly, or a merge."""
        together = "string_agg" if self.db.is_postgresql else "group_concat"
        which, params = "", list[int]()
        if case_id is None:
            self.db.execute("DELETE FROM case_text")
        else:
            which, params = " AND c.id = ?", [case_id]
            self.forget(case_id)
        self.db.execute(
            f"INSERT INTO case_text ({self._key}, body) SELECT c.id, c.description || COALESCE("
            f" ' ' || (SELECT {together}(m.body, ' ') FROM messages m WHERE m.case_id = c.id),"
            f" '') FROM cases c WHERE c.purged_at IS NULL{which}",
            params,
        )

    @property
    def _key(self) -> str:
        """The column naming a document's case: FTS5 has only its rowid."""
        return "case_id" if self.db.is_postgresql else "rowid"

    # Finding

    def unique_case(self, text: str) -> Case | None:
        """The one case this text names by reference, or by an order reference only it has."""
        reference = references.normalize(text)
        if reference:
            row = self.db.execute(
                f"SELECT {CASE_COLUMNS} FROM cases WHERE reference = ?", (reference,)
            ).fetchone()
            if row:
                return Case(**row)
        rows = self.db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE order_key = ? LIMIT 2",
            (references.order_key(text),),
        ).fetchall()
        return Case(**rows[0]) if len(rows) == 1 else None

    def find(
        self, text: str, filters: Filters = Filters(), limit: int = 50, offset: int = 0
    ) -> list[Case]:
        """Cases matching `text` (any of reference, order reference, email, or all its words)
        and the filters, in search order; with no text, every case the filters let through."""
        conditions, params = self._filtered(filters)
        candidates: tuple[str, tuple] = ("1 = 1", ())
        order: tuple[str, tuple] = (SEARCH_ORDER, ())
        if text.strip():
            named, named_params = self._named(text)
            matching, matching_params = self._mentioning(text)
            # Cases named exactly come first.
            order = (f"CASE WHEN id IN ({named}) THEN 0 ELSE 1 END, {SEARCH_ORDER}", named_params)
            candidates = (f"id IN ({named})", named_params)
            if matching:
                candidates = (
                    f"(id IN ({named}) OR id IN ({matching}))",
                    (*named_params, *matching_params),
                )
        rows = self.db.execute(
            f"SELECT {CASE_COLUMNS} FROM cases WHERE {candidates[0]}{conditions}"
            f" ORDER BY {order[0]} LIMIT ? OFFSET ?",
            (*candidates[1], *params, *order[1], limit, offset),
        )
        return [Case(**row) for row in rows]

    def _named(self, text: str) -> tuple[str, tuple]:
        """The cases whose reference, order reference or email is `text` (each by its index)."""
        text = text.strip()
        return (
            "SELECT id FROM cases WHERE reference = ?"
            " UNION SELECT id FROM cases WHERE order_key = ?"
            " UNION SELECT id FROM cases WHERE lower(email) = ?",
            (references.normalize(text), references.order_key(text), text.lower()),
        )

    def _mentioning(self, text: str) -> tuple[str, tuple]:
        """The newest cases whose document has every word of `text`; ("", ()) for no words."""
        found = words(text)
        if not found:
            return "", ()
        if self.db.is_postgresql:
            return (
                "SELECT case_id FROM case_text WHERE to_tsvector('english', body)"
                " @@ plainto_tsquery('english', ?) ORDER BY case_id DESC LIMIT ?",
                (" ".join(found), MOST_TEXT_MATCHES),
            )
        phrases = " ".join(f'"{word}"' for word in found)  # each word quoted: no operators
        return (
            "SELECT rowid FROM case_text WHERE case_text MATCH ? ORDER BY rowid DESC LIMIT ?",
            (phrases, MOST_TEXT_MATCHES),
        )

    def _filtered(self, filters: Filters) -> tuple[str, list]:
        """The filters as `AND …` conditions on cases, with their parameters."""
        conditions, params = [], []
        for column, value in (
            ("status", filters.status),
            ("claim_type", filters.claim_type),
            ("lane", filters.lane),
            ("assigned_to", filters.holder),
        ):
            if value:
                conditions.append(f" AND {column} = ?")
                params.append(value)
        if filters.customer_added:
            conditions.append(" AND customer_added_at IS NOT NULL")
        if filters.older_than_hours:
            conditions.append(" AND received_at < ?")
            params.append(self.clock.stamp(later_by_seconds=-filters.older_than_hours * 3600))
        return "".join(conditions), params
