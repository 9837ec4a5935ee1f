"""Rate-limit counters in a small SQLite file, shared by every worker on the machine.

Flask-Limiter keeps counters in memory by default: each gunicorn worker then counts on its
own, and a client gets the limit once per worker. This backend for the `limits` library
(``sqlite:///PATH`` in ``CLAIMS_RATELIMIT_STORAGE_URI``) keeps one count per client in a file
beside the case log, so the limit holds however many workers serve. Several machines need a
store they all reach instead, such as Redis.
"""

import random
import sqlite3
import threading
import time

from limits.storage import Storage

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS counters"
    " (key TEXT PRIMARY KEY, hits INTEGER NOT NULL, expires_at REAL NOT NULL)"
)
# One fixed-window step, atomic in one statement: a new window starts when the old expired.
INCREMENT = """
INSERT INTO counters (key, hits, expires_at) VALUES (:key, :amount, :now + :expiry)
ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN expires_at <= :now THEN :amount ELSE hits + :amount END,
    expires_at = CASE WHEN expires_at <= :now THEN :now + :expiry ELSE expires_at END
RETURNING hits
"""


class SQLiteStorage(Storage):
    """Fixed-window counters for Flask-Limiter in a SQLite file."""

    STORAGE_SCHEME = ["sqlite"]

    def __init__(
        self, uri: str, wrap_exceptions: bool = False, **options: float | str | bool
    ) -> None:
        self.path = uri.removeprefix("sqlite:///")
        self.local = threading.local()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (sqlite3 connections stay in their thread)."""
        if getattr(self.local, "db", None) is None:
            db = sqlite3.connect(self.path, isolation_level=None, timeout=10)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # counters need no fsync per hit
            db.execute(SCHEMA)
            self.local.db = db
        return self.local.db

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        if random.random() < 0.01:  # now and then, forget windows long gone
            self.db.execute("DELETE FROM counters WHERE expires_at < ?", (now,))
        params = {"key": key, "amount": amount, "now": now, "expiry": expiry}
        return self.db.execute(INCREMENT, params).fetchone()[0]

    def get(self, key: str) -> int:
        row = self.db.execute(
            "SELECT hits FROM counters WHERE key = ? AND expires_at > ?", (key, time.time())
        ).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self.db.execute("SELECT expires_at FROM counters WHERE key = ?", (key,)).fetchone()
        return row[0] if row else time.time()

    def check(self) -> bool:
        try:
            self.db.execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int:
        return self.db.execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self.db.execute("DELETE FROM counters WHERE key = ?", (key,))
