"""Photos staged for a claim form that is not filed yet, so a form sent back with errors (or
photos uploaded as they are chosen) does not make the customer pick them again.

A staged photo belongs to one form (its submission id) in one browser (a hash of a token kept
in that browser's session): no other form or browser can see, remove or file it. It lives a
day (STAGED_SECONDS); filing the form moves it to the case's photos in the filing transaction
(``Cases.file_case``), and `remove-orphans` forgets older ones, whose files it then removes.
"""

from dataclasses import astuple, dataclass, fields
from operator import itemgetter

from claims.photos import StoredPhoto
from claims.store.clock import Clock
from claims.store.connection import Connection
from claims.store.records import StagedPhoto, columns

STAGED_SECONDS = 24 * 3600
PHOTO_FIELDS = columns(StoredPhoto)


def staged(row: dict) -> StagedPhoto:
    """A staged photo from its row: its id, then the photo's own columns."""
    photo = {name: value for name, value in row.items() if name != "id"}
    return StagedPhoto(row["id"], StoredPhoto(**photo))


@dataclass(frozen=True)
class Form:
    """One claim form in one browser: what staged photos are bound to."""

    submission_id: str
    owner_hash: str


class Staging:
    """Staged photos of unfiled claim forms."""

    def __init__(self, connection: Connection, clock: Clock):
        self.db, self.clock = connection, clock

    def _live(self) -> str:
        """The oldest stamp of a photo still staged."""
        return self.clock.stamp(later_by_seconds=-STAGED_SECONDS)

    def stage(self, form: Form, photo: StoredPhoto) -> StagedPhoto:
        """Keep a stored photo for this form until it is filed, removed or expired."""
        with self.db.transaction() as db:
            staged_id = db.one(
                f"INSERT INTO staged_photos (submission_id, owner_hash, staged_at, {PHOTO_FIELDS})"
                f" VALUES (?, ?, ?, {', '.join('?' for _ in fields(StoredPhoto))}) RETURNING id",
                (form.submission_id, form.owner_hash, self.clock.stamp(), *astuple(photo)),
            )["id"]
        return StagedPhoto(staged_id, photo)

    def photos(self, form: Form) -> list[StagedPhoto]:
        """This form's staged photos, in the order they were sent."""
        rows = self.db.execute(
            f"SELECT id, {PHOTO_FIELDS} FROM staged_photos"
            " WHERE owner_hash = ? AND submission_id = ? AND staged_at >= ? ORDER BY id",
            (form.owner_hash, form.submission_id, self._live()),
        )
        return [staged(row) for row in rows]

    def photo(self, form: Form, staged_id: int) -> StagedPhoto | None:
        """One of this form's staged photos; None for anyone else's, or an expired one."""
        return next((p for p in self.photos(form) if p.id == staged_id), None)

    def remove(self, form: Form, staged_id: int) -> StoredPhoto | None:
        """Forget one of this form's photos; returns it (its file is the caller's to delete
        once this has committed), or None when it was not this form's."""
        with self.db.transaction() as db:
            row = db.execute(
                f"DELETE FROM staged_photos WHERE id = ? AND owner_hash = ? AND submission_id = ?"
                f" RETURNING {PHOTO_FIELDS}",
                (staged_id, form.owner_hash, form.submission_id),
            ).fetchone()
        return StoredPhoto(**row) if row else None

    def take(self, form: Form) -> list[StoredPhoto]:
        """Remove this form's live staged photos and return them, inside the caller's
        transaction (filing the form, which records them as the case's photos)."""
        rows = self.db.execute(
            f"DELETE FROM staged_photos WHERE owner_hash = ? AND submission_id = ?"
            f" AND staged_at >= ? RETURNING id, {PHOTO_FIELDS}",
            (form.owner_hash, form.submission_id, self._live()),
        ).fetchall()
        return [staged(row).photo for row in sorted(rows, key=itemgetter("id"))]

    def forget_expired(self) -> int:
        """Forget photos staged more than a day ago; their files become orphans."""
        with self.db.transaction() as db:
            return db.execute(
                "DELETE FROM staged_photos WHERE staged_at < ?", (self._live(),)
            ).rowcount

    def live_names(self) -> set[str]:
        """The stored names of photos still staged (their files are not orphans)."""
        rows = self.db.execute(
            "SELECT stored_name FROM staged_photos WHERE staged_at >= ?", (self._live(),)
        )
        return {row["stored_name"] for row in rows}
