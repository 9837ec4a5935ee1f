"""Bulk work on a case log, for benchmarks: a million cases loaded in seconds straight into
the service's own tables and indexes (one ``executemany`` on SQLite, ``COPY`` on PostgreSQL),
a backlog made by putting finished cases back in the queue, and the slowest of a set of
recorded statements with its SQLite query plan. The service itself never calls this."""

import random
import statistics
import time
from collections.abc import Iterable

import psycopg

from claims.lifecycle import FINISHED, Status
from claims.store import Store
from claims.store.copier import restart_queue_places

# The columns of a loaded case, in the order of each row given to load_cases.
LOADED_COLUMNS = (
    "reference, submission_key, order_ref, email, claim_type, lane, lane_rank, description,"
    " received_at, status, assigned_to, updated_at, queue_place, order_key"
)


def load_cases(store: Store, rows: Iterable[tuple], cache_mb: int = 0) -> None:
    """Add cases (tuples in LOADED_COLUMNS order) in one transaction; on SQLite, `cache_mb`
    of page cache speeds up a large load."""
    store.upgrade_schema()
    db = store.connection
    if cache_mb and not db.is_postgresql:
        db.execute(f"PRAGMA cache_size = -{cache_mb * 1000}")
    with db.transaction():
        if isinstance(db.raw, psycopg.Connection):
            copy_in = f"COPY cases ({LOADED_COLUMNS}) FROM STDIN"
            with db.raw.cursor() as cursor, cursor.copy(copy_in) as copy:
                for row in rows:
                    copy.write_row(row)
            restart_queue_places(db)
        else:
            marks = ", ".join("?" for _ in LOADED_COLUMNS.split(","))
            db.raw.executemany(f"INSERT INTO cases ({LOADED_COLUMNS}) VALUES ({marks})", rows)
        store.search.rebuild()


def highest_case_id(store: Store) -> int:
    """The number of the newest case (cases are numbered from 1 in the order received)."""
    return store.connection.scalar("SELECT MAX(id) AS newest FROM cases") or 0


def requeue(store: Store, count: int, seed: int = 2) -> None:
    """Put `count` of the newest finished cases back in the queue (a backlog)."""
    with store.connection.transaction() as db:
        newest = db.execute(
            "SELECT id FROM cases WHERE status IN (?, ?) ORDER BY id DESC LIMIT ?",
            (*FINISHED, 3 * count),
        ).fetchall()
        chosen = random.Random(seed).sample([row["id"] for row in newest], count)
        for case_id in chosen:
            db.execute("UPDATE cases SET status = ? WHERE id = ?", (Status.WAITING, case_id))


def slowest_statement(store: Store, statements: list[tuple[str, tuple]]) -> str:
    """The slowest of these recorded statements (SELECTs only), its median time and its
    SQLite query plan."""
    db = store.connection
    timed = []
    for sql, params in statements:
        if sql.split()[0].upper() != "SELECT":
            continue
        runs = []
        for _ in range(5):
            began = time.perf_counter()
            db.raw.execute(sql, params).fetchall()
            runs.append(time.perf_counter() - began)
        timed.append((statistics.median(runs), sql, params))
    if not timed:
        return ""
    took, sql, params = max(timed)
    plan = db.raw.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    steps = "; ".join(row["detail"] for row in plan)
    return f"{took * 1000:.1f} ms in `{sql}` (params {params[:4]}); plan: {steps}"
