"""A case log filled in bulk: a million cases in seconds, straight into the tables.

Cases are received over two years in id order, as the service files them. Most are
finished; the newest few are still open (waiting, in review, waiting for the customer),
interleaved as a real queue is. Descriptions name one of 50 products and one of 20 faults,
so that a two-word search ("kettle cracked") matches about one case in a thousand, as a real
log's would. Filling goes through `claims.store.bulk` (one `executemany`
on SQLite, `COPY` on PostgreSQL), so the tables and indexes are the service's.
"""

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from claims.catalog import CLAIM_TYPES
from claims.lifecycle import Status
from claims.store import Store, bulk
from claims.store.cases import LANE_RANK
from claims.store.references import ALPHABET, PREFIX, order_key

CLOSED, IN_REVIEW, RESOLVED = Status.CLOSED, Status.IN_REVIEW, Status.RESOLVED
WAITING, WAITING_CUSTOMER = Status.WAITING, Status.WAITING_CUSTOMER
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

PRODUCTS = [
    "kettle",
    "toaster",
    "blender",
    "mixer",
    "juicer",
    "grinder",
    "scale",
    "lamp",
    "fan",
    "heater",
    "mirror",
    "clock",
    "radio",
    "speaker",
    "headphones",
    "charger",
    "cable",
    "keyboard",
    "mouse",
    "monitor",
    "router",
    "camera",
    "tripod",
    "backpack",
    "suitcase",
    "jacket",
    "boots",
    "sneakers",
    "gloves",
    "scarf",
    "umbrella",
    "bottle",
    "thermos",
    "mug",
    "teapot",
    "pan",
    "pot",
    "knife",
    "cutlery",
    "plate",
    "bowl",
    "vase",
    "cushion",
    "blanket",
    "towel",
    "curtain",
    "rug",
    "shelf",
    "stool",
    "chair",
    "desk",
]
FAULTS = [
    "cracked",
    "scratched",
    "dented",
    "broken",
    "bent",
    "torn",
    "stained",
    "leaking",
    "rattling",
    "faded",
    "warped",
    "chipped",
    "loose",
    "melted",
    "rusty",
    "noisy",
    "wobbly",
    "shrunk",
    "peeling",
    "dead",
]


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
    pairs = [first + second for first in ALPHABET for second in ALPHABET]
    seen: set[str] = set()
    ordered = []
    while len(ordered) < count:
        bits = rng.getrandbits(60)
        a, b, c, d, e, f = (pairs[(bits >> shift) & 1023] for shift in range(0, 60, 10))
        reference = f"{PREFIX}-{a}{b}-{c}{d}-{e}{f}"
        if reference not in seen:
            seen.add(reference)
            ordered.append(reference)
    return ordered


def rows(total: int, waiting: int, seed: int = 1) -> Iterator[tuple]:
    """The cases, oldest first, as tuples in `bulk.LOADED_COLUMNS` order."""
    rng = random.Random(seed)
    names = list(TYPE_WEIGHTS)
    kinds = rng.choices(names, weights=list(TYPE_WEIGHTS.values()), k=total)
    status_of = statuses(total, waiting, rng)
    first = datetime.now(UTC) - timedelta(days=730)
    step = timedelta(days=730) / total
    for number, (reference, kind, status) in enumerate(
        zip(references(total, rng), kinds, status_of, strict=True)
    ):
        product, fault = rng.choice(PRODUCTS), rng.choice(FAULTS)
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
            f"The {product} arrived {fault}; the box was crushed and one part is missing.",
            received,
            status,
            "sam" if status == IN_REVIEW else None,
            received,
            number + 1,
            order_key(str(100000 + number)),
        )


def fill(store: Store, total: int, waiting: int, seed: int = 1, cache_mb: int = 0) -> None:
    """Add `total` cases, `waiting` of them in the queue, in one transaction."""
    bulk.load_cases(store, rows(total, waiting, seed), cache_mb=cache_mb)
