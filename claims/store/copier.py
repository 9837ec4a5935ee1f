"""Moving a shop's case log to another database (SQLite to PostgreSQL) with every id kept,
so references, events, photos and their order stay exactly as they were."""

from typing import TYPE_CHECKING

from claims.store.connection import Connection

if TYPE_CHECKING:
    from claims.store import Store

# Every table of the log with its key, parents before children.
COPIED_TABLES = (
    ("cases", "id"),
    ("photos", "id"),
    ("events", "id"),
    ("messages", "event_id"),
    ("outbox", "id"),
    ("agents", "name"),
    ("agent_sessions", "token_hash"),
    ("inbound_mail", "id"),
    ("saved_replies", "id"),
)


def copy_log(source: "Store", target: "Store") -> dict[str, int]:
    """Copy every row of `source` into `target`, which must be empty; returns the rows copied
    per table. Raises ValueError when the target already holds cases."""
    copied = {}
    with target.connection.transaction() as db:
        if db.scalar("SELECT COUNT(*) AS cases FROM cases"):
            raise ValueError("The target case log is not empty; copy into an empty one.")
        for table, key in COPIED_TABLES:
            rows = source.connection.execute(f"SELECT * FROM {table} ORDER BY {key}").fetchall()
            for row in rows:
                columns = ", ".join(row)
                marks = ", ".join("?" for _ in row)
                db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))
            copied[table] = len(rows)
        target.search.rebuild()  # each database keeps its own kind of search index
        if db.is_postgresql:  # new rows continue after the copied ids
            for table, key in COPIED_TABLES:
                if key == "id":
                    db.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                        f" (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                    )
            restart_queue_places(db)
    return copied


def restart_queue_places(db: Connection) -> None:
    """On PostgreSQL, hand out new queue places after the highest one a copy or load wrote."""
    db.execute(
        "SELECT setval('queue_places', (SELECT COALESCE(MAX(queue_place), 0) + 1 FROM cases),"
        " false)"
    )
