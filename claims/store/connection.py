"""The case log's database connection: SQLite or PostgreSQL behind one small interface.

Queries are written once, with ``?`` placeholders, and rows come back as dicts. Every write
is one ``transaction()``: all of it commits durably, or none of it. It starts the way each
database needs: SQLite takes its write lock at once (``BEGIN IMMEDIATE``; WAL mode with
``synchronous=FULL``, so a commit that returned is on disk); PostgreSQL locks rows where a
query asks (``FOR UPDATE``).
Failures of the storage itself (disk full, read-only, server gone) become ``Unavailable``.

SQLite connections are opened per use: that costs a fraction of a millisecond. PostgreSQL
connections cost several (a new server process, password hashing), so each process keeps a
pool of them.
"""

import atexit
import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import psycopg
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool

# One connection per thread of a gunicorn worker, plus the mail courier; more threads wait.
POOL_SIZE = 8
# A request waits this long for a connection (e.g. while the server restarts), then gets a 503.
POOL_TIMEOUT = 5.0

_pools: dict[tuple[int, str], ConnectionPool[psycopg.Connection[DictRow]]] = {}
_pools_lock = threading.Lock()
# While a benchmark records (``recording()``), every statement any connection runs.
_recorded: list[tuple[str, tuple]] | None = None


class Unavailable(Exception):
    """The database cannot be used right now; the request should be retried later."""


class Cursor(Protocol):
    """What a statement gives back on either database: rows as dicts (DictRow), and how many
    rows a write changed."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> DictRow | None: ...

    def fetchall(self) -> list[DictRow]: ...

    def __iter__(self) -> Iterator[DictRow]: ...


def dict_from_row(cursor: sqlite3.Cursor, row: tuple) -> DictRow:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


class Connection:
    """One connection, to ``sqlite:///PATH`` or ``postgresql://…``. Not shared between threads."""

    def __init__(self, url: str):
        self.raw: sqlite3.Connection | psycopg.Connection[DictRow]
        try:
            if url.startswith("sqlite:///"):
                self.kind = "sqlite"
                self.raw = self._sqlite(Path(url.removeprefix("sqlite:///")))
            elif url.startswith(("postgresql://", "postgres://")):
                self.kind = "postgresql"
                self._pool = _postgresql_pool(url)
                self.raw = self._pool.getconn()
            else:
                raise ValueError(
                    f"Unsupported database URL {url!r}: use sqlite:///PATH or postgresql://…"
                )
        except (sqlite3.OperationalError, psycopg.OperationalError) as error:
            raise Unavailable(str(error)) from error

    @staticmethod
    def _sqlite(path: Path) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, isolation_level=None, timeout=30)
        connection.row_factory = dict_from_row
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")  # a commit that returned is on disk
        connection.execute("PRAGMA foreign_keys = ON")
        # Deleted and overwritten content is zeroed, not left in free space: what a purge or
        # an erasure removes is gone from the file.
        connection.execute("PRAGMA secure_delete = ON")
        return connection

    @property
    def is_postgresql(self) -> bool:
        return self.kind == "postgresql"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        """Run one statement; returns the cursor."""
        if _recorded is not None:
            _recorded.append((sql, tuple(params)))
        if self.is_postgresql:
            sql = sql.replace("%", "%%").replace("?", "%s")
        try:
            return self.raw.execute(sql, params)
        except (sqlite3.OperationalError, psycopg.OperationalError) as error:
            raise Unavailable(str(error)) from error

    def one(self, sql: str, params: Sequence[Any] = ()) -> DictRow:
        """The row a statement always returns: an aggregate's, or an INSERT's RETURNING."""
        row = self.execute(sql, params).fetchone()
        if row is None:
            raise LookupError(f"No row came back from: {sql}")
        return row

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None."""
        row = self.execute(sql, params).fetchone()
        return next(iter(row.values())) if row else None

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Connection"]:
        """One durable write transaction: all of it commits, or none of it."""
        self.execute("BEGIN" if self.is_postgresql else "BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            # If the connection itself is gone, so is the transaction: keep the first error.
            with contextlib.suppress(Unavailable):
                self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def for_update(self, skip_locked: bool = False) -> str:
        """Row locking for a SELECT inside a write transaction (SQLite locks the whole file)."""
        if not self.is_postgresql:
            return ""
        return " FOR UPDATE SKIP LOCKED" if skip_locked else " FOR UPDATE"

    def clear_write_ahead_log(self) -> bool:
        """Move SQLite's write-ahead log into the database file and empty it, after a purge or
        erasure: the log still holds earlier versions of the pages changed. False when readers
        kept it from finishing (the next checkpoint will). PostgreSQL keeps old row versions
        until it vacuums them; nothing to do here."""
        if self.is_postgresql:
            return True
        return self.one("PRAGMA wal_checkpoint(TRUNCATE)")["busy"] == 0

    def close(self) -> None:
        """Close the connection, or give it back to the pool (which ends any transaction)."""
        if isinstance(self.raw, sqlite3.Connection):
            self.raw.close()
        else:
            self._pool.putconn(self.raw)


@contextlib.contextmanager
def recording() -> Iterator[list[tuple[str, tuple]]]:
    """Collect every statement run inside the block, with its parameters (for benchmarks
    that look for the slowest one)."""
    global _recorded
    _recorded = []
    try:
        yield _recorded
    finally:
        _recorded = None


def _postgresql_pool(url: str) -> ConnectionPool[psycopg.Connection[DictRow]]:
    """This process's pool for `url`: a forked worker must not share its parent's sockets."""
    key = (os.getpid(), url)
    with _pools_lock:
        if key not in _pools:
            _pools[key] = ConnectionPool(
                url,
                connection_class=psycopg.Connection[DictRow],
                kwargs={"autocommit": True, "row_factory": dict_row},
                min_size=1,
                max_size=POOL_SIZE,
                timeout=POOL_TIMEOUT,
                check=ConnectionPool.check_connection,  # drop connections the server ended
                open=True,
            )
        return _pools[key]


@atexit.register
def close_pools() -> None:
    """Close this process's PostgreSQL connections (at exit; tests also call it)."""
    with _pools_lock:
        mine = [key for key in _pools if key[0] == os.getpid()]
        for key in mine:
            _pools.pop(key).close()
