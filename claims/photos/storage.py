"""Photos on disk: storing a checked photo durably, reading back its checksum, removing it,
and finding orphans. The only module of the package that touches the filesystem.

A stored file is written to a temp file in a two-character shard directory, fsynced, renamed
into place and the directory fsynced, so a stored name never points at a partial file: a crash
leaves at most an orphan (a stored file no claim knows, or a temp file), which orphan_files
finds for the maintenance command to remove.
"""

import hashlib
import os
import re
import secrets
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from claims.photos.formats import _open_and_check, _rewrite
from claims.photos.limits import PhotoLimits, check_byte_size
from claims.photos.names import clean_original_name
from claims.photos.problems import DAMAGED, Malformed, PhotoRejected
from claims.photos.reader import Write, stream_size

_STORED_NAME = re.compile(r"[0-9a-f]{2}/(?:[0-9a-f]{32}\.(?:jpg|png|webp)|\.tmp-[0-9a-f]{16})")


@dataclass(frozen=True)
class StoredPhoto:
    """A photo as stored: where, its checksum, and what it is."""

    stored_name: str  # relative to photo_dir, e.g. "ab/ab3f...e1.jpg"
    sha256: str  # of the file as stored
    size_bytes: int
    width: int
    height: int
    content_type: str  # "image/jpeg" | "image/png" | "image/webp"
    original_name: str  # the customer's file name, cleaned for display only


def store_photo(
    stream: IO[bytes],
    filename: str | None,
    photo_dir: Path,
    limits: PhotoLimits = PhotoLimits(),  # noqa: B008 - frozen, so sharing the default is safe
) -> StoredPhoto:
    """Check an uploaded photo by its content, strip its metadata and store it under a new name.

    Raises PhotoRejected (with a message for the customer) when the file is not acceptable.
    """
    size = stream_size(stream)
    check_byte_size(size, limits)
    checked = _open_and_check(stream, size, limits)
    extension, content_type = checked.stored_as

    def produce(write: Write) -> None:
        try:
            _rewrite(checked, stream, write)
        except (Malformed, struct.error) as error:
            raise PhotoRejected(DAMAGED) from error

    stored_name, sha256, size = _store_durably(Path(photo_dir), extension, produce)
    return StoredPhoto(
        stored_name=stored_name,
        sha256=sha256,
        size_bytes=size,
        width=checked.width,
        height=checked.height,
        content_type=content_type,
        original_name=clean_original_name(filename),
    )


def remove_photo(photo_dir: Path, stored_name: str) -> None:
    """Delete a stored file, e.g. when a later step of the claim fails; a missing file is fine."""
    _stored_path(photo_dir, stored_name).unlink(missing_ok=True)


def read_photo(photo_dir: Path, stored_name: str) -> bytes:
    """A stored file's bytes (FileNotFoundError when it is missing)."""
    return _stored_path(photo_dir, stored_name).read_bytes()


def file_sha256(photo_dir: Path, stored_name: str) -> str | None:
    """The hex sha256 of a stored file as it is now, or None when the file is missing."""
    try:
        with _stored_path(photo_dir, stored_name).open("rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except FileNotFoundError:
        return None


def _stored_path(photo_dir: Path, stored_name: str) -> Path:
    """The path of a stored file, for names this module generates only."""
    if not _STORED_NAME.fullmatch(stored_name):
        raise ValueError(f"not a stored photo name: {stored_name!r}")
    return Path(photo_dir) / stored_name


def orphan_files(photo_dir: Path, known: set[str], older_than_seconds: float) -> list[str]:
    """Stored files and leftover temp files that no claim knows and that are older than the cutoff.

    Names are relative to photo_dir. Fresh files are skipped: they may belong to an upload in
    progress whose claim is not saved yet.
    """
    photo_dir = Path(photo_dir)
    if not photo_dir.is_dir():
        return []
    cutoff = time.time() - older_than_seconds
    orphans = []
    for shard in photo_dir.iterdir():
        if not (len(shard.name) == 2 and shard.is_dir()):
            continue
        for path in shard.iterdir():
            name = f"{shard.name}/{path.name}"
            if name in known or not _STORED_NAME.fullmatch(name):
                continue
            try:
                modified = path.stat().st_mtime
            except FileNotFoundError:  # removed meanwhile
                continue
            if modified < cutoff:
                orphans.append(name)
    return sorted(orphans)


def _store_durably(
    photo_dir: Path, extension: str, produce: Callable[[Write], None]
) -> tuple[str, str, int]:
    """Write what `produce` emits under a new name; returns (stored name, sha256, size).

    The data goes to a temp file in the shard directory, is fsynced, renamed into place and the
    directory fsynced, so a stored name never points at a partial file. On failure nothing is
    left behind and the error propagates.
    """
    token = secrets.token_hex(16)
    shard = photo_dir / token[:2]
    shard_created = _make_shard(shard)
    temp = shard / f".tmp-{secrets.token_hex(8)}"
    final = shard / f"{token}{extension}"
    leftover = temp
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        with open(os.open(temp, flags, 0o644), "wb") as file:
            output = _HashingWriter(file)
            produce(output.write)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, final)
        leftover = final
        _fsync_directory(shard)
        if shard_created:
            _fsync_directory(photo_dir)
    except BaseException:
        leftover.unlink(missing_ok=True)
        raise
    return f"{shard.name}/{final.name}", output.sha256.hexdigest(), output.size


class _HashingWriter:
    """Writes to a file while keeping the sha256 and the size of everything written."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes | memoryview) -> None:
        """Write `data` and count it into the checksum and the size."""
        self._file.write(data)
        self.sha256.update(data)
        self.size += len(data)


def _make_shard(shard: Path) -> bool:
    """Create the shard directory (and photo_dir) as needed; True when the shard is new."""
    shard.parent.mkdir(parents=True, exist_ok=True)
    try:
        shard.mkdir()
    except FileExistsError:
        return False
    return True


def _fsync_directory(path: Path) -> None:
    """Make a rename or a new entry in `path` survive a crash."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
