"""What the insight page reads: the help site's counted events, and how the queue is doing.

Help events are counters per day and key, never one row per event: repeating an event only
raises a number, and each day holds at most ``KEYS_PER_DAY`` keys (a flood of made-up terms
fills one day's quota, and the retention period removes whole days), so the table cannot
grow without bound whatever is sent.
"""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from claims.lifecycle import RESPONSE_EVENTS, SETTLING_EVENTS, Status
from claims.store.clock import Clock
from claims.store.connection import Connection

KEYS_PER_DAY = 5000
TOP = 20  # rows in each search table
# Waiting cases by age: (label, at least this many hours old).
AGE_BANDS = (("under 1 day", 0), ("1–3 days", 24), ("3–7 days", 72), ("over 7 days", 168))


@dataclass(frozen=True)
class Period:
    """Days from `first` to `last`, both included, and optionally one claim type."""

    first: date
    last: date
    claim_type: str | None = None

    @property
    def stamps(self) -> tuple[str, str]:
        """The stored times that fall inside: from `first` (included) to after `last`."""
        return self.first.isoformat(), (self.last + timedelta(days=1)).isoformat()


class HelpEvents:
    """The help site's reports, counted per day."""

    def __init__(self, connection: Connection, clock: Clock):
        self.db, self.clock = connection, clock

    def count(self, kind: str, subject: str, detail: str) -> bool:
        """Add one to today's counter for this key; False when the day's quota of keys is
        full and the key is new (the event is dropped)."""
        day = self.clock.stamp()[:10]
        key = (day, kind, subject, detail)
        with self.db.transaction() as db:
            raised = db.execute(
                "UPDATE help_events SET count = count + 1"
                " WHERE day = ? AND kind = ? AND subject = ? AND detail = ?",
                key,
            )
            if raised.rowcount:
                return True
            if db.scalar("SELECT COUNT(*) AS n FROM help_events WHERE day = ?", (day,)) >= (
                KEYS_PER_DAY
            ):
                return False
            db.execute(
                "INSERT INTO help_events (day, kind, subject, detail, count) VALUES (?, ?, ?, ?, 1)"
                " ON CONFLICT (day, kind, subject, detail) DO UPDATE"
                " SET count = help_events.count + 1",
                key,
            )
        return True

    def forget_before(self, older_than_days: int) -> int:
        """Remove the days older than the retention period; returns how many keys went."""
        cutoff = self.clock.stamp(later_by_seconds=-older_than_days * 86400)[:10]
        with self.db.transaction() as db:
            return db.execute("DELETE FROM help_events WHERE day < ?", (cutoff,)).rowcount

    def _totals(self, period: Period, kind: str, detail: str | None = None) -> list[dict]:
        """Each subject of `kind` (and `detail`) in the period with its total, largest first."""
        first, last = period.first.isoformat(), period.last.isoformat()
        only_detail = " AND detail = ?" if detail is not None else ""
        params = (kind, first, last) + ((detail,) if detail is not None else ()) + (TOP,)
        return self.db.execute(
            "SELECT subject, SUM(count) AS total FROM help_events"
            f" WHERE kind = ? AND day >= ? AND day <= ?{only_detail}"
            " GROUP BY subject ORDER BY total DESC, subject LIMIT ?",
            params,
        ).fetchall()

    def top_searches(self, period: Period) -> list[dict]:
        return self._totals(period, "search")

    def searches_without_results(self, period: Period) -> list[dict]:
        return self._totals(period, "search", "none")

    def searches_never_opened(self, period: Period) -> list[dict]:
        """Terms that found something, of which no result was opened in the period."""
        first, last = period.first.isoformat(), period.last.isoformat()
        return self.db.execute(
            "SELECT subject, SUM(count) AS total FROM help_events s"
            " WHERE kind = 'search' AND detail = 'found' AND day >= ? AND day <= ?"
            " AND NOT EXISTS (SELECT 1 FROM help_events o WHERE o.kind = 'open'"
            " AND o.subject = s.subject AND o.day >= ? AND o.day <= ?)"
            " GROUP BY subject ORDER BY total DESC, subject LIMIT ?",
            (first, last, first, last, TOP),
        ).fetchall()

    def helpfulness(self, period: Period) -> list[dict]:
        """Per question: how many said yes and no, most "no" first."""
        first, last = period.first.isoformat(), period.last.isoformat()
        return self.db.execute(
            "SELECT subject,"
            " SUM(CASE WHEN detail = 'yes' THEN count ELSE 0 END) AS yes,"
            " SUM(CASE WHEN detail = 'no' THEN count ELSE 0 END) AS no"
            " FROM help_events WHERE kind = 'helpful' AND day >= ? AND day <= ?"
            " GROUP BY subject ORDER BY no DESC, subject",
            (first, last),
        ).fetchall()

    def missing_notes(self, period: Period) -> list[dict]:
        """What readers said was missing, per question, most repeated first."""
        first, last = period.first.isoformat(), period.last.isoformat()
        return self.db.execute(
            "SELECT subject, detail AS note, SUM(count) AS total FROM help_events"
            " WHERE kind = 'missing' AND day >= ? AND day <= ?"
            " GROUP BY subject, detail ORDER BY subject, total DESC, detail LIMIT 200",
            (first, last),
        ).fetchall()


@dataclass(frozen=True)
class LaneTimes:
    """Hours to the first answer and to settling, for the cases of one lane in a period."""

    lane: str
    answered: int
    first_response_median: float | None
    first_response_p90: float | None
    settled: int
    resolution_median: float | None
    resolution_p90: float | None


def median_and_p90(hours: list[float]) -> tuple[float | None, float | None]:
    if not hours:
        return None, None
    if len(hours) == 1:
        return hours[0], hours[0]
    return statistics.median(hours), statistics.quantiles(hours, n=10, method="inclusive")[-1]


def hours_between(start: str, end: str | None) -> float | None:
    if end is None:
        return None
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 3600


class QueueInsight:
    """How the case log is doing over time (filed, waiting, answered), read-only."""

    def __init__(self, connection: Connection, clock: Clock):
        self.db, self.clock = connection, clock

    def _type_filter(self, period: Period, column: str = "claim_type") -> tuple[str, tuple]:
        """The condition (and its parameter) that keeps only the period's claim type."""
        if period.claim_type is None:
            return "", ()
        return f" AND {column} = ?", (period.claim_type,)

    def filed_per_day(self, period: Period) -> list[dict]:
        """Cases received each day of the period, per claim type."""
        only_type, type_params = self._type_filter(period)
        return self.db.execute(
            "SELECT substr(received_at, 1, 10) AS day, claim_type, COUNT(*) AS cases"
            f" FROM cases WHERE received_at >= ? AND received_at < ?{only_type}"
            " GROUP BY substr(received_at, 1, 10), claim_type ORDER BY day, claim_type",
            period.stamps + type_params,
        ).fetchall()

    def waiting_by_age(self, claim_type: str | None = None) -> list[dict]:
        """Cases in the queue now, by how long ago they were received."""
        only_type, type_params = self._type_filter(Period(date.min, date.min, claim_type))
        bounds = [self.clock.stamp(later_by_seconds=-hours * 3600) for _, hours in AGE_BANDS]
        bands = []
        for index, (label, _) in enumerate(AGE_BANDS):
            older = bounds[index + 1] if index + 1 < len(bounds) else ""
            bands.append(
                {
                    "age": label,
                    "cases": self.db.scalar(
                        "SELECT COUNT(*) AS n FROM cases WHERE status = ?"
                        f" AND received_at <= ? AND received_at > ?{only_type}",
                        (Status.WAITING, bounds[index], older) + type_params,
                    ),
                }
            )
        return bands

    def lane_times(self, period: Period) -> list[LaneTimes]:
        """Per lane, for the cases received in the period: median and 90th percentile hours
        to the first answer to the customer and to settling (resolved or closed)."""
        only_type, type_params = self._type_filter(period, "c.claim_type")
        answers = ", ".join("?" for _ in RESPONSE_EVENTS)
        settles = ", ".join("?" for _ in SETTLING_EVENTS)
        rows = self.db.execute(
            "SELECT c.lane, c.received_at,"
            f" MIN(CASE WHEN e.kind IN ({answers}) THEN e.at END) AS answered_at,"
            f" MIN(CASE WHEN e.kind IN ({settles}) THEN e.at END) AS settled_at"
            " FROM cases c LEFT JOIN events e ON e.case_id = c.id"
            f" WHERE c.received_at >= ? AND c.received_at < ?{only_type}"
            " GROUP BY c.id, c.lane, c.received_at",
            RESPONSE_EVENTS + SETTLING_EVENTS + period.stamps + type_params,
        ).fetchall()
        by_lane: dict[str, tuple[list[float], list[float]]] = {}
        for row in rows:
            answered, settled = by_lane.setdefault(row["lane"], ([], []))
            if (hours := hours_between(row["received_at"], row["answered_at"])) is not None:
                answered.append(hours)
            if (hours := hours_between(row["received_at"], row["settled_at"])) is not None:
                settled.append(hours)
        return [
            LaneTimes(
                lane,
                len(answered),
                *median_and_p90(answered),
                len(settled),
                *median_and_p90(settled),
            )
            for lane, (answered, settled) in sorted(by_lane.items())
        ]
