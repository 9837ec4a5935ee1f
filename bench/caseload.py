"""A case log filled in bulk: a million cases in seconds, straight into the tables.

Cases are received over two years in id order, as the service files them. Most are
finished; the newest few are still open (waiting, in review, waiting for the customer),
interleaved as a real queue is. Filling goes through the case log's own connection, one
`executemany` (SQLite) or `COPY` (PostgreSQL), so the tables and indexes are the service's.
"""

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from claims.caselog import (
    CLOSED,
    IN_REVIEW,
    LANE_RANK,
    REFERENCE_ALPHABET,
    REFERENCE_PREFIX,
    RESOLVED,
    WAITING,
    WAITING_CUSTOMER,
    CaseLog,
)
from claims.catalog import CLAIM_TYPES

COLUMNS = (
    "reference, submission_key, order_ref, email, claim_type, lane, lane_rank, description,"
    " received_at, status, assigned_to, updated_at"
)
# How often each kind of claim comes in, roughly.
TYPE_WEIGHTS = {
    "defective-item": 30,
    "incorrect-item": 10,
    "missing-components": 10,
    "checkout-correction": 5,
    "product-concern": 15,
    "return-request": 25,
    "refund-question": 5,
}


def statuses(total: int, waiting: int, rng: random.Random) -> list[str]:
    """Each case's status: `waiting` open cases among the newest, the rest finished."""
    window = min(total, 3 * waiting + 100)
    newest = list(range(total - window, total))
    rng.shuffle(newest)
    result = [RESOLVED if rng.random() < 0.88 else CLOSED for _ in range(total)]
    for index in newest[:waiting]:
        result[index] = WAITING
    for index in newest[waiting : waiting + waiting // 5]:
        result[index] = WAITING_CUSTOMER
    for index in newest[waiting + waiting // 5 : waiting + waiting // 5 + 20]:
        result[index] = IN_REVIEW
    return result


def references(count: int, rng: random.Random) -> list[str]:
    """`count` distinct case references in the service's format."""
    pairs = [first + second for first in REFERENCE_ALPHABET for second in REFERENCE_ALPHABET]
    seen: set[str] = set()
    ordered = []
    while len(ordered) < count:
        bits = rng.getrandbits(60)
        a, b, c, d, e, f = (pairs[(bits >> shift) & 1023] for shift in range(0, 60, 10))
        reference = f"{REFERENCE_PREFIX}-{a}{b}-{c}{d}-{e}{f}"
        if reference not in seen:
            seen.add(reference)
            ordered.append(reference)
    return ordered


def rows(total: int, waiting: int, seed: int = 1) -> Iterator[tuple]:
    """The cases, oldest first, as tuples in COLUMNS order."""
    rng = random.Random(seed)
    names = list(TYPE_WEIGHTS)
    kinds = rng.choices(names, weights=list(TYPE_WEIGHTS.values()), k=total)
    status_of = statuses(total, waiting, rng)
    first = datetime.now(UTC) - timedelta(days=730)
    step = timedelta(days=730) / total
    for number, (reference, kind, status) in enumerate(
        zip(references(total, rng), kinds, status_of, strict=True)
    ):
        lane = CLAIM_TYPES[kind].lane
        received = (first + step * number).isoformat(timespec="microseconds")
        yield (
            reference,
            rng.randbytes(32).hex(),
            str(100000 + number),
            f"customer{number}@example.com",
            kind,
            lane,
            LANE_RANK[lane],
            "The item arrived damaged; the box was crushed and one part is missing.",
            received,
            status,
            "sam" if status == IN_REVIEW else None,
            received,
        )


def fill(caselog: CaseLog, total: int, waiting: int, seed: int = 1) -> None:
    """Add `total` cases, `waiting` of them in the queue, in one transaction."""
    caselog.upgrade_schema()
    db = caselog.db
    with caselog.writing():
        if db.is_postgresql:
            cursor = db.connection.cursor()
            with cursor.copy(f"COPY cases ({COLUMNS}) FROM STDIN") as copy:
                for row in rows(total, waiting, seed):
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in COLUMNS.split(","))
            db.connection.executemany(
                f"INSERT INTO cases ({COLUMNS}) VALUES ({marks})", rows(total, waiting, seed)
            )


def requeue(caselog: CaseLog, count: int, seed: int = 2) -> None:
    """Put `count` more of the newest finished cases back in the queue (a backlog)."""
    with caselog.writing() as db:
        newest = db.execute(
            "SELECT id FROM cases WHERE status IN (?, ?) ORDER BY id DESC LIMIT ?",
            (RESOLVED, CLOSED, 3 * count),
        ).fetchall()
        chosen = random.Random(seed).sample([row["id"] for row in newest], count)
        for case_id in chosen:
            db.execute("UPDATE cases SET status = ? WHERE id = ?", (WAITING, case_id))
