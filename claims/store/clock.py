"""The store's sense of time, which tests can set: times are stored as sortable ISO 8601 text.

Everything the store writes with a time (receipt, updates, events, session expiry, mail
retries, the retention cut-off) asks its clock, so a test moves time forward by giving the
store another clock, never by rewriting rows.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Now = Callable[[], datetime]


def utc_now() -> datetime:
    """The real time, in UTC."""
    return datetime.now(UTC)


class Clock:
    """Stamps for the database from a `now` callable (the real time unless a test sets one)."""

    def __init__(self, now: Now = utc_now):
        self.now = now

    def stamp(self, later_by_seconds: float = 0) -> str:
        """The time (now, or that many seconds from now) as stored: sortable ISO 8601 in UTC."""
        moment = self.now().astimezone(UTC) + timedelta(seconds=later_by_seconds)
        return moment.isoformat(timespec="microseconds")
