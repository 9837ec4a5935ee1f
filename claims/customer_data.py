"""A customer's data on request: everything held under one email address, exported as a ZIP
the way the customer saw it (GDPR art. 15), or erased (art. 17).

The address is cleaned as the claim form cleans it, then compared case-insensitively. Erasure
is one transaction in the case log; photo files are deleted only after it committed, so a
crash in between leaves orphan files for ``remove-orphans``, never a case whose photos are gone.
"""

import hashlib
import json
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from claims import photos
from claims.catalog import CLAIM_TYPES
from claims.forms import single_line
from claims.lifecycle import Status, customer_history
from claims.store import Store
from claims.store.records import Case, Erasure

CUSTOMER_ACTORS = ("customer", "system")  # who in a history is not an agent


def customer_address(typed: str) -> str:
    """An address as the claim form stores it: control characters and outer spaces dropped."""
    return single_line(typed) or ""


def export_archive(
    store: Store,
    address: str,
    target: IO[bytes],
    config: Mapping[str, Any],
    actor: str,
) -> list[Case]:
    """Write the ZIP of every case of `address` to `target` and note the export in each case's
    history; returns the cases (none: nothing is written)."""
    cases = store.customers.cases_of(address)
    if not cases:
        return []
    with_agents = bool(config["CUSTOMER_EXPORT_AGENT_NAMES"])
    exported_at = datetime.now(UTC).isoformat(timespec="seconds")
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        records = [
            case_record(store, case, archive, config["PHOTO_DIR"], with_agents) for case in cases
        ]
        document = {"email": address, "exported_at": exported_at, "cases": records}
        archive.writestr("cases.json", json.dumps(document, indent=2, ensure_ascii=False))
        archive.writestr("README.txt", readme(address, exported_at, records, with_agents))
    store.customers.record_export(cases, actor)
    return cases


def case_record(
    store: Store, case: Case, archive: zipfile.ZipFile, photo_dir: Path, with_agents: bool
) -> dict[str, Any]:
    """One case as its customer saw it on their case page, its photos added to `archive`."""
    history = []
    for event in store.history.events(case.id, customer_view=True):
        said, message = customer_history(event.kind, event.detail, event.text)
        entry = {"at": event.at, "what": said, "message": message}
        if with_agents and event.actor not in CUSTOMER_ACTORS:
            entry["agent"] = event.actor
        history.append(entry)
    return {
        "reference": case.reference,
        "order_reference": case.order_ref,
        "email": case.email,
        "claim_type": CLAIM_TYPES[case.claim_type].label,
        "lane": case.lane,
        "status": Status(case.status).label,
        "received_at": case.received_at,
        "last_change_at": case.updated_at,
        "description": case.description,
        "history": history,
        "photos": [
            photo_record(archive, photo_dir, case, number, photo)
            for number, photo in enumerate(store.cases.photos(case.id), start=1)
        ],
    }


def photo_record(
    archive: zipfile.ZipFile,
    photo_dir: Path,
    case: Case,
    number: int,
    photo: photos.StoredPhoto,
) -> dict[str, Any]:
    """Add one stored photo to the archive; its entry in cases.json, with the sha256 of the
    file as stored (the photo's file is null when it is missing from the store)."""
    name: str | None = f"photos/{case.reference}/{number}{Path(photo.stored_name).suffix}"
    digest: str | None = None
    try:
        data = photos.read_photo(photo_dir, photo.stored_name)
    except FileNotFoundError:
        name = None
    else:
        archive.writestr(str(name), data, compress_type=zipfile.ZIP_STORED)
        digest = hashlib.sha256(data).hexdigest()
    return {
        "file": name,
        "sha256": digest,
        "original_name": photo.original_name,
        "content_type": photo.content_type,
        "width": photo.width,
        "height": photo.height,
        "size_bytes": photo.size_bytes,
    }


def readme(address: str, exported_at: str, records: list[dict], with_agents: bool) -> str:
    """What the archive holds, for the customer who reads it."""
    photo_count = sum(len(record["photos"]) for record in records)
    agents = (
        "The names of the support agents who worked on your cases are included."
        if with_agents
        else "The names of our support agents are not included."
    )
    return (
        f"Your data held by our help center\n"
        f"\n"
        f"Exported on {exported_at[:16].replace('T', ' ')} UTC for the email address {address}:\n"
        f"{len(records)} case(s) and {photo_count} photo(s).\n"
        f"\n"
        f"cases.json   every case filed with this address: the order reference, email address\n"
        f"             and description you gave, the claim type, lane and status, and the\n"
        f"             history you saw on your case page, with our questions and messages and\n"
        f"             your answers.\n"
        f"photos/      the photos you sent, one folder per case, as we stored them (location\n"
        f"             and camera data were removed when we received them). In cases.json,\n"
        f"             each photo has the SHA-256 checksum of its file, to check it is whole.\n"
        f"\n"
        f"Internal notes of our support team are not part of your case history. {agents}\n"
    )


def erase(store: Store, address: str, photo_dir: Path, actor: str) -> tuple[Erasure, bool]:
    """Erase every case of `address` (one transaction), then clear the database's write-ahead
    log and delete the photo files; returns what was erased, and whether the log was cleared
    (False: readers held it, and erased values stay in it until its next checkpoint)."""
    erasure = store.customers.erase(address, actor)
    cleared = store.connection.clear_write_ahead_log()  # also after a run cut short
    for name in erasure.photo_files:
        photos.remove_photo(photo_dir, name)
    return erasure, cleared
