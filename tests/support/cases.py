"""What the case log holds, read the way an operator would: exported cases, stored photo files."""

import json
import os
import re
from pathlib import Path


def cases(runner) -> list[dict]:
    """Every case in the log, from the export command."""
    result = runner.invoke(args=["claims", "export"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def file_directly(app, email: str) -> str:
    """A case filed past today's form (by an older version, or by hand); returns its reference."""
    from claims.store import get_store

    with app.app_context():
        return file_into(get_store(), email)


def file_into(store, email: str) -> str:
    """A case filed straight into this store, past any form; returns its reference."""
    from claims.catalog import CLAIM_TYPES
    from claims.store.records import NewCase

    claim = NewCase(
        submission_key=os.urandom(8).hex(),
        order_ref="100234",
        email=email,
        claim_type="defective-item",
        lane=CLAIM_TYPES["defective-item"].lane,
        description="The kettle arrived with a cracked lid.",
    )
    case, _ = store.cases.file_case(claim, [])
    return case.reference


def file_into_first_schema(store, email: str, description: str = "Cracked lid.") -> str:
    """A case and its confirmation mail written as the first version wrote them, into a log
    still at schema version 1 (today's code writes columns and tables it lacks)."""
    from datetime import UTC, datetime

    from claims.store.references import new_reference

    reference, now = new_reference(), datetime.now(UTC).isoformat(timespec="microseconds")
    with store.connection.transaction() as db:
        case_id = db.one(
            "INSERT INTO cases (reference, submission_key, order_ref, email, claim_type, lane,"
            " lane_rank, description, received_at, status, updated_at)"
            " VALUES (?, ?, '100234', ?, 'defective-item', 'priority', 0, ?, ?, 'waiting', ?)"
            " RETURNING id",
            (reference, os.urandom(8).hex(), email, description, now, now),
        )["id"]
        db.execute(
            "INSERT INTO events (case_id, at, kind, actor, detail)"
            " VALUES (?, ?, 'submitted', 'customer', 'defective-item')",
            (case_id, now),
        )
        db.execute(
            "INSERT INTO outbox (case_id, kind, created_at, next_attempt_at, attempts)"
            " VALUES (?, 'confirmation', ?, ?, 0)",
            (case_id, now, now),
        )
    return reference


def checked_claim_type(page: str) -> str | None:
    """The claim type whose radio button is selected on a rendered form."""
    match = re.search(r'<input[^>]* checked [^>]*value="([^"]+)"', page)
    return match.group(1) if match else None


def stored_files(app) -> list:
    return [path for path in app.config["PHOTO_DIR"].rglob("*") if path.is_file()]


def photo_files(data_dir: Path) -> set[str]:
    """Every file under DATA_DIR/photos (temp files included), relative to it."""
    root = data_dir / "photos"
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}
