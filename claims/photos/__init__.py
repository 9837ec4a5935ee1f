"""Customer photos: check an upload by its content, strip its metadata, store it durably.

A photo is accepted only when Pillow reads it as a still, ordinary 8-bit JPEG, PNG, WebP or
HEIC image. JPEG, PNG and WebP files are then rewritten losslessly, segment by segment, keeping
only what is needed to display the picture; HEIC is converted to JPEG because agents' browsers
cannot show it. The result is stored under a generated name in a two-character shard directory.
Checking a photo never costs more than `PhotoLimits.max_memory`.

The byte-level code does no I/O: it reads an upload already in hand and writes the stored form
to a callable. Only `storage` touches the filesystem.

    problems   the messages customers see, PhotoRejected, and Malformed (internal)
    limits     PhotoLimits: bytes per file, pixels per format, memory per check
    reader     block-by-block reads of an upload; the Write sink type
    colors     the colour modes and profiles a stored photo may have
    jpeg       JPEG: segment walk, header check, skeleton check, lossless strip
    png        PNG: bit depth, lossless strip chunk by chunk
    webp       WebP: lossless strip of the RIFF container
    heic       HEIC: decoded picture to JPEG without metadata (registers pillow-heif)
    formats    identify an upload, check it, dispatch its rewrite to the format's module
    names      the customer's file name, made safe to display
    storage    durable write (temp file, fsync, rename, fsync dir), reading, checksum, removal,
               orphans
    orientation  the size a stored photo is shown at (EXIF orientation)

The rest of the service uses only the names below.
"""

from claims.photos.limits import PhotoLimits
from claims.photos.names import clean_original_name
from claims.photos.orientation import shown_size
from claims.photos.problems import PhotoRejected
from claims.photos.reader import stream_size
from claims.photos.storage import (
    StoredPhoto,
    file_sha256,
    orphan_files,
    read_photo,
    remove_photo,
    store_photo,
)

__all__ = [
    "PhotoLimits",  # how big an upload may be
    "PhotoRejected",  # why one is refused; str(e) is shown to the customer
    "StoredPhoto",  # a photo as stored
    "clean_original_name",  # the customer's file name, safe to display
    "file_sha256",  # the checksum of a stored file as it is now
    "orphan_files",  # stored files no claim knows, for the maintenance command
    "read_photo",  # a stored file's bytes (for a customer's export)
    "remove_photo",  # delete a stored file
    "shown_size",  # the size a stored photo is displayed at, upright
    "store_photo",  # check, strip and store an upload
    "stream_size",  # an upload's length, to tell an empty file input from a file
]
