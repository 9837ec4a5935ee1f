"""Filing a claim and adding to a case (a message, photos, reopening it), as plain functions of
plain values.

The blueprints call these after validating the form; benchmarks and scripts can call them
without HTTP. Durability is the order of the steps: every photo is checked and written
(temp file, fsync, rename, fsync dir) before the case log commits, so a case that was
acknowledged has all its photos; if anything stops the commit, the photos written are removed
again (a crash in between leaves at most an orphan file). The same submission filed twice (a
double click, a re-sent form) gives one case, or one addition.

Photos sent with a form that is not filed yet are staged: stored the same way, recorded
against the form, and moved to the case when the form is filed.
"""

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from claims import photos
from claims.catalog import ClaimType
from claims.store import Store
from claims.store.cases import TransitionRefused
from claims.store.connection import Unavailable
from claims.store.records import Case, NewCase, StagedPhoto
from claims.store.staging import Form


class Upload(Protocol):
    """An uploaded file: werkzeug's FileStorage, or anything with a stream and a name."""

    stream: IO[bytes]
    filename: str | None


@dataclass
class PhotoProblem(Exception):
    """A photo that cannot be accepted: its name as the customer knows it, and why."""

    photo: str
    message: str

    def __str__(self) -> str:
        return f"{self.photo}: {self.message}"


@dataclass(frozen=True)
class PhotoShelf:
    """Where photos are kept, and the limits each one is checked against."""

    directory: Path
    limits: photos.PhotoLimits

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "PhotoShelf":
        return cls(
            directory=config["PHOTO_DIR"],
            limits=photos.PhotoLimits(
                max_bytes=config["MAX_PHOTO_BYTES"],
                max_pixels=config["MAX_PHOTO_PIXELS"],
                max_memory=config["MAX_PHOTO_MEMORY"],
            ),
        )


@dataclass(frozen=True)
class Claim:
    """What the customer filled in, validated."""

    submission_id: str  # the form's one-time id: the same form sent twice files one case
    order_ref: str
    email: str
    claim_type: ClaimType
    description: str


def file_claim(
    store: Store, shelf: PhotoShelf, claim: Claim, uploads: Sequence[Upload]
) -> tuple[Case, bool]:
    """Store the photos, then record the case; returns it and whether it is new (False: this
    very submission was filed before, and that earlier case is returned).

    Raises PhotoProblem for a photo that cannot be accepted (nothing is kept), OSError when
    photos cannot be written, Unavailable when the case log cannot be reached.
    """
    return record_claim(store, shelf, claim, store_photos(shelf, uploads))


def record_claim(
    store: Store,
    shelf: PhotoShelf,
    claim: Claim,
    stored: list[photos.StoredPhoto],
    staged_for: Form | None = None,
) -> tuple[Case, bool]:
    """Record the case with photos already stored (removed again when the case is not
    recorded with them) and the photos staged for its form; returns as file_claim does."""
    new = NewCase(
        submission_key=submission_key(claim, stored),
        order_ref=claim.order_ref,
        email=claim.email,
        claim_type=claim.claim_type.name,
        lane=claim.claim_type.lane,
        description=claim.description,
    )
    try:
        case, created = store.cases.file_case(new, stored, staged_for)
    except Unavailable:
        discard(shelf, stored)
        raise
    if not created:
        discard(shelf, stored)  # a double click: the first request already stored these
    return case, created


@dataclass(frozen=True)
class Addition:
    """What the customer adds to their case, validated."""

    submission_id: str  # the form's one-time id: the same form sent twice adds once
    message: str
    reopen: bool = False  # reopen the settled case with it


def add_to_case(
    store: Store,
    shelf: PhotoShelf,
    case: Case,
    addition: Addition,
    uploads: Sequence[Upload],
    reopen_days: int,
) -> Case:
    """Store the photos, then add them and the message to the case: as the answer the agent
    asked for, as more information while the case is open, or reopening it (within
    `reopen_days` of being settled). Returns the case as it is now; the same form sent again
    adds nothing.

    Raises TransitionRefused when the case cannot take this now (nothing is kept), and as
    file_claim does.
    """
    stored = store_photos(shelf, uploads)
    try:
        case, added = store.cases.customer_adds(
            case,
            "reopen" if addition.reopen else None,
            addition.message,
            stored,
            submission_key=addition_key(case, addition, stored),
            reopen_days=reopen_days,
        )
    except (TransitionRefused, Unavailable):
        discard(shelf, stored)
        raise
    if not added:
        discard(shelf, stored)  # a double click: the first request already stored these
    return case


def store_photos(shelf: PhotoShelf, uploads: Sequence[Upload]) -> list[photos.StoredPhoto]:
    """Check and store every photo, or none: one bad file raises PhotoProblem (or OSError)
    and nothing is kept."""
    stored: list[photos.StoredPhoto] = []
    try:
        for upload in uploads:
            stored.append(
                photos.store_photo(upload.stream, upload.filename, shelf.directory, shelf.limits)
            )
    except photos.PhotoRejected as rejection:
        discard(shelf, stored)
        raise PhotoProblem(photos.clean_original_name(upload.filename), str(rejection)) from None
    except OSError:
        discard(shelf, stored)
        raise
    return stored


def filed_before(store: Store, claim: Claim, stored: list[photos.StoredPhoto]) -> Case | None:
    """The case this very submission was filed as already, if any: a double click whose
    first request has filed the form and taken its staged photos."""
    if not claim.submission_id:
        return None
    return store.cases.case_by_submission_key(submission_key(claim, stored))


def store_good_photos(
    shelf: PhotoShelf, uploads: Sequence[Upload]
) -> tuple[list[photos.StoredPhoto], list[PhotoProblem]]:
    """Check and store each photo on its own: the good ones stored, and a problem naming each
    bad one, so the customer hears of every bad photo at once. Raises OSError (keeping
    nothing) when photos cannot be written."""
    stored: list[photos.StoredPhoto] = []
    problems = []
    for upload in uploads:
        try:
            stored.extend(store_photos(shelf, [upload]))
        except PhotoProblem as problem:
            problems.append(problem)
        except OSError:
            discard(shelf, stored)
            raise
    return stored, problems


def stage_photos(
    store: Store, shelf: PhotoShelf, form: Form, stored: list[photos.StoredPhoto]
) -> list[StagedPhoto]:
    """Keep stored photos for a form that is not filed yet; if the case log cannot take
    them, none of those not yet staged is kept (Unavailable is raised)."""
    staged = []
    for index, photo in enumerate(stored):
        try:
            staged.append(store.staging.stage(form, photo))
        except Unavailable:
            discard(shelf, stored[index:])
            raise
    return staged


def unstage_photo(store: Store, shelf: PhotoShelf, form: Form, staged_id: int) -> bool:
    """Remove one of a form's staged photos, file and all; False when it is not the form's."""
    removed = store.staging.remove(form, staged_id)
    if removed is not None:
        discard(shelf, [removed])
    return removed is not None


def submission_key(claim: Claim, stored: list[photos.StoredPhoto]) -> str:
    """Equal for the same form sent twice; different as soon as anything was changed."""
    fields = (
        claim.submission_id or secrets.token_hex(16),
        claim.order_ref,
        claim.email.casefold(),
        claim.claim_type.name,
        claim.description,
        *sorted(photo.sha256 for photo in stored),
    )
    return hashlib.sha256("\0".join(fields).encode()).hexdigest()


def addition_key(case: Case, addition: Addition, stored: list[photos.StoredPhoto]) -> str:
    """Equal for the same addition form sent twice; different when anything was changed."""
    fields = (
        addition.submission_id or secrets.token_hex(16),
        case.reference,
        addition.message,
        str(addition.reopen),
        *sorted(photo.sha256 for photo in stored),
    )
    return hashlib.sha256("\0".join(fields).encode()).hexdigest()


def discard(shelf: PhotoShelf, stored: list[photos.StoredPhoto]) -> None:
    """Remove photos written for a case that was not recorded with them."""
    for photo in stored:
        photos.remove_photo(shelf.directory, photo.stored_name)


@dataclass
class MailAttachment:
    """A file attached to an email, in the shape of an upload."""

    stream: IO[bytes]
    filename: str | None


def add_by_mail(
    store: Store,
    shelf: PhotoShelf,
    case: Case,
    action: str | None,
    text: str,
    uploads: Sequence[Upload],
    submission_key: str,
    max_photos: int,
    reopen_days: int,
) -> tuple[bool, list[PhotoProblem]]:
    """A customer's email joins their case as `action` (None: an answer or more information,
    as the case's status says; or "reopen") with the photos it carries. Unlike the form, one
    refused attachment does not refuse the rest: the message is still added, and the refusals
    are returned for the agent and the customer. Returns whether it was added now (False: this
    message was added before).

    Raises TransitionRefused when the case cannot take it, and as file_claim does.
    """
    stored: list[photos.StoredPhoto] = []
    refused: list[PhotoProblem] = []
    for upload in uploads:
        if len(stored) >= max_photos:
            name = photos.clean_original_name(upload.filename)
            refused.append(PhotoProblem(name, f"Only {max_photos} photos are kept per message."))
            continue
        try:
            stored += store_photos(shelf, [upload])
        except PhotoProblem as problem:
            refused.append(problem)
    try:
        _, added = store.cases.customer_adds(
            case, action, text, stored, submission_key=submission_key, reopen_days=reopen_days
        )
    except (TransitionRefused, Unavailable):
        discard(shelf, stored)
        raise
    if not added:
        discard(shelf, stored)  # fetched again after a crash: the first fetch stored these
    return added, refused
