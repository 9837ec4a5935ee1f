"""Customer photos: check an upload by its content, strip its metadata, store it durably.

A photo is accepted only when Pillow reads it as a still, ordinary 8-bit JPEG, PNG, WebP or
HEIC image (a JPEG's tables and scans are checked by libjpeg on a skeleton: see _Skeleton).
JPEG, PNG and WebP files are then rewritten losslessly, segment by segment, keeping only what
is needed to display the picture; HEIC is converted to JPEG because agents' browsers cannot
show it. The result is stored under a generated name in a two-character shard directory.

Checking a photo never costs more than `PhotoLimits.max_memory`: the pixel limit of each format
follows from what decoding it costs per pixel (_MEMORY_PER_PIXEL), and a file far smaller than
any real picture of its declared size (a decompression bomb) is refused before it is decoded.
Of a JPEG's metadata only the EXIF orientation tag is read (here, not by Pillow), so damaged
metadata is dropped with the rest instead of refusing a photo whose picture decodes.
"""

import hashlib
import io
import os
import re
import secrets
import struct
import time
import unicodedata
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pillow_heif
from PIL import Image, ImageCms, ImageFile, PngImagePlugin

pillow_heif.register_heif_opener()

NOT_A_PHOTO = "This file is not a photo we can read. Please send a JPEG, PNG, WebP or HEIC image."
DAMAGED = (
    "This photo seems to be damaged or incomplete, so we cannot read it. "
    "Please send the original photo again."
)
UNUSUAL_COLORS = (
    "This image uses an unusual color format (such as CMYK or 16-bit color). "
    "Please send a regular photo or screenshot."
)
SEVERAL_PICTURES = (
    "This file is animated or holds several pictures. Please send a single still photo."
)
TOO_MANY_PIXELS = (
    "This image is too large ({pixels}). "
    "Please send a smaller photo, of at most {limit:g} megapixels."
)

DECOMPRESSION_BOMB = (
    "This file declares a picture of {pixels} but holds almost no image data, as a "
    "decompression bomb does, so we cannot accept it. Please send the original photo."
)

MB = 1024 * 1024
_FORMATS = ["PNG", "WEBP", "HEIF"]  # JPEG is recognized by its start and parsed here
_JPEG_START = b"\xff\xd8\xff"
_ALLOWED_MODES = {"1", "L", "LA", "P", "PA", "RGB", "RGBA"}
_STORED_AS = {  # Pillow format -> (extension, content type) of the stored file
    "JPEG": (".jpg", "image/jpeg"),
    "HEIF": (".jpg", "image/jpeg"),
    "PNG": (".png", "image/png"),
    "WEBP": (".webp", "image/webp"),
}
_DECODE_ERRORS = (
    OSError,  # includes PIL.UnidentifiedImageError
    ValueError,
    SyntaxError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    ArithmeticError,  # OverflowError, ZeroDivisionError
    RuntimeError,
    MemoryError,
    struct.error,
    zlib.error,
    Image.DecompressionBombError,
)
_BLOCK = 64 * 1024
# Peak memory of checking a photo, per pixel, as measured (VmHWM) with Pillow 13 and
# pillow-heif 1.8: WebP goes through libwebp's animation decoder (two RGBA canvases, a copy as
# bytes and Pillow's image: 15.3 bytes), HEIC through libheif (YUV planes, RGB, Pillow's copy:
# 7.9 bytes), PNG into Pillow's 4-byte pixels (3.8 bytes). A JPEG is checked on a skeleton a
# few rows tall, so its memory does not grow with its height.
_MEMORY_PER_PIXEL = {"JPEG": 0, "PNG": 4, "WEBP": 16, "HEIF": 8}
# No real picture is this much smaller than its bitmap: even a JPEG needs one bit per 8x8 block
# (512 pixels a byte), and a solid-colour 60 MP PNG or lossy WebP takes 300 to 600 pixels a byte.
_MAX_PIXELS_PER_BYTE = 1024
_HEIC_JPEG_QUALITY = 90
_NAME_LIMIT = 100
_STORED_NAME = re.compile(r"[0-9a-f]{2}/(?:[0-9a-f]{32}\.(?:jpg|png|webp)|\.tmp-[0-9a-f]{16})")

_Write = Callable[[bytes], object]


class PhotoRejected(ValueError):
    """A customer-facing reason the file cannot be accepted (str(e) is shown next to the field)."""


@dataclass(frozen=True)
class PhotoLimits:
    """How big an upload may be, in bytes and in pixels."""

    max_bytes: int = 15 * MB  # per file
    max_pixels: int = 60_000_000  # width*height
    max_memory: int = 256 * MB  # what checking one photo may take; lowers the pixel limit
    # of formats that are decoded in full (see _MEMORY_PER_PIXEL)

    def pixels_for(self, format: str) -> int:
        """The pixel limit of a format: max_pixels, or fewer (in whole megapixels, as customers
        are told) when decoding the format costs more than max_memory."""
        per_pixel = _MEMORY_PER_PIXEL[format]
        if not per_pixel:
            return self.max_pixels
        return min(self.max_pixels, self.max_memory // per_pixel // 1_000_000 * 1_000_000)


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


@dataclass(frozen=True)
class _Checked:
    """What validation learned about an upload; `image` is kept only for HEIF (to convert)."""

    format: str
    width: int
    height: int
    orientation: int
    image: Image.Image | None


class _Malformed(Exception):
    """The container structure is broken; becomes a PhotoRejected."""


# ---------------------------------------------------------------------------------------------
# Public API


def store_photo(
    stream: BinaryIO,
    filename: str | None,
    photo_dir: Path,
    limits: PhotoLimits = PhotoLimits(),  # noqa: B008 - frozen, so sharing the default is safe
) -> StoredPhoto:
    """Check an uploaded photo by its content, strip its metadata and store it under a new name.

    Raises PhotoRejected (with a message for the customer) when the file is not acceptable.
    """
    size = stream_size(stream)
    _check_byte_size(size, limits)
    checked = _open_and_check(stream, size, limits)
    extension, content_type = _STORED_AS[checked.format]

    def produce(write: _Write) -> None:
        try:
            _rewrite(checked, stream, write)
        except (_Malformed, struct.error) as error:
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


def clean_original_name(filename: str | None) -> str:
    """The customer's file name made safe to display: no path, no control characters, short."""
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if char.isspace() else char
        for char in name
        if char.isspace() or unicodedata.category(char) not in ("Cc", "Cf", "Cs")
    )
    name = " ".join(name.split())
    if not name.strip(". "):
        return "photo"
    if len(name) <= _NAME_LIMIT:
        return name
    stem, extension = os.path.splitext(name)
    if not extension or len(extension) > 10:
        return name[: _NAME_LIMIT - 1] + "…"
    return stem[: _NAME_LIMIT - 1 - len(extension)] + "…" + extension


# ---------------------------------------------------------------------------------------------
# Validation


def stream_size(stream: BinaryIO) -> int:
    """The upload's length in bytes, leaving the stream at its start."""
    size = stream.seek(0, os.SEEK_END)
    stream.seek(0)
    return size


def _check_byte_size(size: int, limits: PhotoLimits) -> None:
    """Reject empty and oversized uploads before any parsing."""
    if size == 0:
        raise PhotoRejected("The file is empty. Please choose the photo again.")
    if size > limits.max_bytes:
        raise PhotoRejected(
            f"This file is larger than {_describe_bytes(limits.max_bytes)}. "
            "Please send a smaller photo, for example by sharing it at a reduced size."
        )


def _describe_bytes(size: int) -> str:
    """A byte count for customers: "15 MB", "1.5 MB", "200 KB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{max(size // 1024, 1)} KB"


def _open_and_check(stream: BinaryIO, size: int, limits: PhotoLimits) -> _Checked:
    """Identify the upload by its content and check it (cheaply where possible).

    Every problem becomes a PhotoRejected; Pillow's decompression-bomb warning is raised as an
    error so that it rejects the file too.
    """
    try:
        if stream.read(len(_JPEG_START)) == _JPEG_START:
            return _check_jpeg(stream, size, limits)
        stream.seek(0)
        # The filter is process-wide until Python 3.14; a race between threads can at worst leave
        # it on, and the pixel check below rejects such images anyway.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream, formats=_FORMATS) as image:
                return _check_image(image, stream, size, limits)
    except PhotoRejected:
        raise
    except Image.UnidentifiedImageError as error:
        raise PhotoRejected(NOT_A_PHOTO) from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoRejected(
            TOO_MANY_PIXELS.format(pixels="too many pixels", limit=limits.max_pixels / 1e6)
        ) from error
    except (_Malformed, *_DECODE_ERRORS) as error:
        raise PhotoRejected(DAMAGED) from error


def _check_size(format: str, width: int, height: int, size: int, limits: PhotoLimits) -> None:
    """Refuse too many pixels for the format, and pixels absurd for the file's size (a bomb),
    from the header alone, before anything is decoded."""
    pixels = f"{width} × {height} pixels"
    limit = limits.pixels_for(format)
    if width * height > limit:
        raise PhotoRejected(TOO_MANY_PIXELS.format(pixels=pixels, limit=limit / 1e6))
    if width * height > _MAX_PIXELS_PER_BYTE * size:
        raise PhotoRejected(DECOMPRESSION_BOMB.format(pixels=pixels))


def _check_jpeg(stream: BinaryIO, size: int, limits: PhotoLimits) -> _Checked:
    """Check a JPEG's headers as stripped (metadata skipped unread, fill bytes dropped): Pillow
    never reads the original. Its tables and scans are checked while it is stored."""
    head = _strip_jpeg(_Reader(stream), _discard, b"", headers_only=True)
    _check_size("JPEG", head.width, head.height, size, limits)
    with Image.open(io.BytesIO(head.skeleton), formats=["JPEG"]) as image:
        if image.mode not in _ALLOWED_MODES:
            raise PhotoRejected(UNUSUAL_COLORS)
        if "icc_profile" in image.info:
            _check_icc_profile(image.info["icc_profile"])
    return _Checked("JPEG", head.width, head.height, head.orientation, None)


def _discard(data: bytes) -> None:
    """A writer for a walk that only looks."""


def _check_image(
    image: ImageFile.ImageFile, stream: BinaryIO, size: int, limits: PhotoLimits
) -> _Checked:
    """Check size, color mode and frame count from the header, then decode the primary image."""
    width, height = image.size
    _check_size(image.format, width, height, size, limits)
    if image.mode not in _ALLOWED_MODES or (image.format == "PNG" and _png_bit_depth(stream) > 8):
        raise PhotoRejected(UNUSUAL_COLORS)
    if getattr(image, "n_frames", 1) > 1:
        raise PhotoRejected(SEVERAL_PICTURES)
    if "icc_profile" in image.info:
        _check_icc_profile(image.info["icc_profile"])
    image.load()
    if image.format == "HEIF":
        converted = image if image.mode == "RGB" else image.convert("RGB")
        icc_profile = image.info.get("icc_profile")
        converted.info = {"icc_profile": icc_profile} if icc_profile else {}  # no EXIF, no XMP
        width, height = converted.size
        return _Checked("HEIF", width, height, 1, converted)
    return _Checked(image.format, width, height, 1, None)


def _check_icc_profile(profile: bytes | None) -> None:
    """A colour profile must be one Little CMS can read: browsers apply it when showing."""
    try:
        ImageCms.ImageCmsProfile(io.BytesIO(profile or b""))
    except (OSError, ValueError, TypeError) as error:
        raise PhotoRejected("This photo's color profile is damaged.") from error


def _png_bit_depth(stream: BinaryIO) -> int:
    """The bit depth in the IHDR chunk (Pillow opens 16-bit RGB PNGs as plain "RGB")."""
    position = stream.tell()
    stream.seek(8 + 8 + 8)  # signature, chunk length and type, width and height
    depth = stream.read(1)
    stream.seek(position)
    return depth[0] if depth else 0


def _exif_orientation(payload: bytes) -> int:
    """The orientation tag (1 = upright) of an EXIF APP1 payload, read from IFD0 alone.

    Nothing else of the EXIF is parsed (it is dropped): damaged EXIF counts as upright.
    """
    tiff = payload[6:]
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None or len(tiff) < 8:
        return 1
    (ifd0,) = struct.unpack_from(order + "I", tiff, 4)
    if ifd0 + 2 > len(tiff):
        return 1
    (count,) = struct.unpack_from(order + "H", tiff, ifd0)
    for entry in range(ifd0 + 2, min(ifd0 + 2 + 12 * count, len(tiff) - 11), 12):
        tag, kind, number, value = struct.unpack_from(order + "HHIH", tiff, entry)
        if tag == 0x0112:
            return value if kind == 3 and number == 1 and 1 <= value <= 8 else 1
    return 1


# ---------------------------------------------------------------------------------------------
# Metadata stripping


def _rewrite(checked: _Checked, stream: BinaryIO, write: _Write) -> None:
    """Write the stored form of the photo: the same image, without its metadata."""
    if checked.image is not None:
        _write_heif_as_jpeg(checked.image, write)
        return
    reader = _Reader(stream)
    if checked.format == "PNG":
        _strip_png(reader, write)
    elif checked.format == "WEBP":
        _strip_webp(stream, write)
    else:
        layout = _strip_jpeg(reader, write, _orientation_segment(checked.orientation))
        _check_jpeg_skeleton(layout.skeleton)


class _Reader:
    """Sequential reads from a stream in blocks, so large files never sit whole in memory."""

    def __init__(self, stream: BinaryIO, start: int = 0) -> None:
        stream.seek(start)
        self._stream = stream
        self._buffer = b""
        self._position = 0

    def _fill(self, count: int) -> bool:
        """Make at least `count` unread bytes available; False when the stream ends first."""
        while len(self._buffer) - self._position < count:
            block = self._stream.read(_BLOCK)
            if not block:
                return False
            self._buffer = self._buffer[self._position :] + block
            self._position = 0
        return True

    def read(self, count: int) -> bytes:
        """Exactly `count` bytes (meant for headers; copy() is for bulk data)."""
        if not self._fill(count):
            raise _Malformed("the file ends too early")
        data = self._buffer[self._position : self._position + count]
        self._position += count
        return data

    def copy(self, count: int, write: _Write | None) -> None:
        """Pass `count` bytes to `write` block by block, or skip them when write is None."""
        while count:
            if not self._fill(1):
                raise _Malformed("the file ends too early")
            data = self._buffer[self._position : self._position + min(count, _BLOCK)]
            self._position += len(data)
            count -= len(data)
            if write is not None:
                write(data)

    def skip_fill(self) -> None:
        """Skip any number of 0xFF fill bytes (a JPEG may put them before a marker) in bulk."""
        while (unread := self._buffer[self._position :]) == b"\xff" * len(unread):
            self._position = len(self._buffer)  # all fill, as compared at memory speed
            if not self._fill(1):
                raise _Malformed("the file ends in fill bytes")
        self._position += len(unread) - len(unread.lstrip(b"\xff"))

    def copy_entropy_coded(self, write: _Write) -> None:
        """Copy JPEG scan data up to the next marker (see _MARKER_IN_SCAN)."""
        while True:
            marker = _MARKER_IN_SCAN.search(self._buffer, self._position)
            # A 0xFF at the end of the buffer stays unread: the byte after it decides.
            end = marker.start() if marker else len(self._buffer) - self._buffer.endswith(b"\xff")
            write(self._buffer[self._position : end])
            self._position = end
            if marker:
                return
            if not self._fill(2):
                raise _Malformed("the scan data has no end")


# JPEG markers
_SOI, _EOI, _SOS, _APP0, _APP1, _APP2, _APP14 = 0xD8, 0xD9, 0xDA, 0xE0, 0xE1, 0xE2, 0xEE
_SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_TABLE_MARKERS = {0xC4, 0xCC, 0xDB, 0xDC, 0xDD}  # DHT, DAC, DQT, DNL, DRI
_TEM = 0x01  # no length field
_RST_MARKERS = range(0xD0, 0xD8)  # inside a scan, no length field
# In scan data 0xFF is followed by 0x00 (a stuffed byte) or RST0-7; any other byte after 0xFF
# starts the next marker (possibly after 0xFF fill bytes, even before an RST marker).
_MARKER_IN_SCAN = re.compile(rb"\xff[^\x00\xd0-\xd7]")
_SCAN_SAMPLE = 4096  # bytes of each scan kept in the skeleton: a few rows of blocks
_SKELETON_ROWS = 32  # the skeleton's picture height: a row of the tallest blocks (MCUs)
_MAX_SCANS = 100  # a progressive photo has about ten; thousands would make decoding crawl


@dataclass(frozen=True)
class _JpegLayout:
    """What a walk through a JPEG learned: its skeleton, frame size and EXIF orientation."""

    skeleton: bytes
    width: int
    height: int
    orientation: int


def _strip_jpeg(
    reader: _Reader, write: _Write, orientation_segment: bytes, headers_only: bool = False
) -> _JpegLayout:
    """Copy a JPEG's image-bearing segments up to the first EOI (or, headers_only, up to the
    first scan's header), dropping all metadata.

    Dropped: EXIF and XMP (APP1), IPTC (APP13), comments, the MPF index, every other APPn and
    fill bytes. Kept: JFIF (without its thumbnail), ICC profile, Adobe color transform, tables,
    frame and scans. Everything after the first EOI (further MPO frames, appended files) is
    dropped. Dropped segments are skipped unread but for the EXIF orientation tag.
    """
    if reader.read(2) != b"\xff\xd8":
        raise _Malformed("no JPEG start marker")
    out = _Skeleton(write)
    out.segment(b"\xff\xd8")
    pending = orientation_segment  # goes after SOI, or after APP0 JFIF when there is one
    orientation = None
    scans = 0
    while True:
        marker = _read_marker(reader)
        if marker == _EOI:
            if not (out.size and scans):
                raise _Malformed("no image before the end marker")
            out.segment(b"\xff\xd9")
            return _JpegLayout(bytes(out.data), *out.size, orientation or 1)
        if marker == _TEM:
            out.segment(bytes((0xFF, marker)))
            continue
        if marker in _RST_MARKERS:  # fill bytes before it ended the copy of the scan early
            if not scans:
                raise _Malformed("a restart marker outside a scan")
            out.scan(bytes((0xFF, marker)))
            reader.copy_entropy_coded(out.scan)
            continue
        if marker == _SOI or (marker in _SOF_MARKERS and out.size):
            raise _Malformed("a second start marker or frame header")
        (length,) = struct.unpack(">H", reader.read(2))
        if length < 2:
            raise _Malformed("a segment with an impossible length")
        original = reader.read(length - 2)
        if orientation is None and marker == _APP1 and original.startswith(b"Exif\x00\x00"):
            orientation = _exif_orientation(original)
        payload = _kept_jpeg_payload(marker, original)
        if payload is None:
            continue
        if pending and not (marker == _APP0 and payload.startswith(b"JFIF\x00")):
            out.segment(pending)
            pending = b""
        segment = bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload
        out.segment(segment, frame=marker in _SOF_MARKERS)
        if marker == _SOS:
            if not out.size:
                raise _Malformed("a scan before the frame header")
            if headers_only:
                return _JpegLayout(bytes(out.data), *out.size, orientation or 1)
            scans += 1
            if scans > _MAX_SCANS:
                raise _Malformed("too many scans")
            reader.copy_entropy_coded(out.scan)


class _Skeleton:
    """Passes a stripped JPEG on to `write`, keeping a copy cut down to its skeleton.

    The skeleton has every header and table of the stored picture, a frame only a few rows
    tall and the first bytes of each scan. Decoding it makes libjpeg check every header and
    table, as it would when showing the photo, at a tiny fraction of the cost of decoding the
    photo: scan data that is cut short or damaged is only a warning to libjpeg, so a full
    decode would catch no more.
    """

    def __init__(self, write: _Write) -> None:
        self._write = write
        self.data = bytearray()
        self.size: tuple[int, int] | None = None  # (width, height) of the frame, once seen
        self._scan_room = 0

    def segment(self, data: bytes, frame: bool = False) -> None:
        self._write(data)
        if frame:  # height and width: bytes 5 to 8 of a frame header
            height, width = struct.unpack(">HH", data[5:9])
            self.size = (width, height)
            data = data[:5] + struct.pack(">H", min(height, _SKELETON_ROWS)) + data[7:]
        self.data += data
        self._scan_room = _SCAN_SAMPLE

    def scan(self, data: bytes) -> None:
        self._write(data)
        self.data += data[: self._scan_room]
        self._scan_room -= min(len(data), self._scan_room)


def _check_jpeg_skeleton(skeleton: bytes) -> None:
    """Decode the skeleton at 1/8 scale; libjpeg refuses undefined tables and bad scan layouts."""
    try:
        with Image.open(io.BytesIO(skeleton), formats=["JPEG"]) as image:
            image.draft(image.mode, (max(image.width // 8, 1), max(image.height // 8, 1)))
            image.load()
    except _DECODE_ERRORS as error:
        raise PhotoRejected(DAMAGED) from error


def _read_marker(reader: _Reader) -> int:
    """The next marker code, skipping 0xFF fill bytes."""
    if reader.read(1) != b"\xff":
        raise _Malformed("expected a marker")
    reader.skip_fill()
    code = reader.read(1)[0]
    if code == 0x00:
        raise _Malformed("expected a marker")
    return code


def _kept_jpeg_payload(marker: int, payload: bytes) -> bytes | None:
    """The segment payload to store, or None to drop the segment."""
    if marker in _SOF_MARKERS or marker in _TABLE_MARKERS or marker == _SOS:
        return payload
    if marker == _APP0 and payload.startswith(b"JFIF\x00") and len(payload) >= 14:
        return payload[:12] + b"\x00\x00"  # zero thumbnail width and height: no thumbnail
    if marker == _APP2 and payload.startswith(b"ICC_PROFILE\x00"):
        return payload
    if marker == _APP14 and payload.startswith(b"Adobe"):
        return payload
    return None


def _orientation_segment(orientation: int) -> bytes:
    """A minimal EXIF APP1 segment holding only the orientation, or b"" when it is upright."""
    if orientation == 1:
        return b""
    exif = Image.Exif()
    exif[0x0112] = orientation
    payload = exif.tobytes()  # starts with b"Exif\0\0"
    return bytes((0xFF, _APP1)) + struct.pack(">H", len(payload) + 2) + payload


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_KEPT_CHUNKS = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA",
    b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"pHYs", b"bKGD",
}  # fmt: skip
# Larger than any honest screenshot's metadata; Pillow uses the same limit for decompressed text.
_PNG_MAX_DROPPED_CHUNK = PngImagePlugin.MAX_TEXT_CHUNK


def _strip_png(reader: _Reader, write: _Write) -> None:
    """Copy a PNG chunk by chunk up to IEND, keeping only the chunks that describe the image.

    Text, EXIF, time stamps, animation and private chunks are dropped; CRCs are copied as is.
    """
    if reader.read(8) != _PNG_SIGNATURE:
        raise _Malformed("no PNG signature")
    write(_PNG_SIGNATURE)
    chunk_type = b""
    first = True
    seen_data = False
    while chunk_type != b"IEND":
        header = reader.read(8)
        length, chunk_type = struct.unpack(">I4s", header)
        if first != (chunk_type == b"IHDR"):
            raise _Malformed("IHDR is not the first chunk")
        first = False
        if chunk_type in _PNG_KEPT_CHUNKS:
            write(header)
            reader.copy(length + 4, write)
            seen_data = seen_data or chunk_type == b"IDAT"
        elif length > _PNG_MAX_DROPPED_CHUNK:
            raise PhotoRejected(
                "This image carries an unusually large amount of hidden data. "
                "Please send a regular photo or screenshot."
            )
        else:
            reader.copy(length + 4, None)
    if not seen_data:
        raise _Malformed("no image data")


_WEBP_KEPT_CHUNKS = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ICCP"}
_WEBP_IMAGE_CHUNKS = {b"VP8 ", b"VP8L"}
_WEBP_MAX_CHUNKS = 1000  # a still WebP has a handful; many more is not a photo
_VP8X_EXIF_AND_XMP_FLAGS = 0x08 | 0x04


def _strip_webp(stream: BinaryIO, write: _Write) -> None:
    """Rewrite a WebP's RIFF container keeping only image, alpha and ICC chunks.

    EXIF, XMP and unknown chunks are dropped, their flags cleared in VP8X and the RIFF size
    recomputed. Anything after the RIFF container is dropped too.
    """
    kept = [chunk for chunk in _webp_chunks(stream) if chunk[0] in _WEBP_KEPT_CHUNKS]
    if not any(fourcc in _WEBP_IMAGE_CHUNKS for fourcc, _, _ in kept):
        raise _Malformed("no image chunk")
    riff_size = 4 + sum(8 + size + (size & 1) for _, _, size in kept)
    write(b"RIFF" + struct.pack("<I", riff_size) + b"WEBP")
    for fourcc, offset, size in kept:
        write(struct.pack("<4sI", fourcc, size))
        reader = _Reader(stream, offset)
        if fourcc == b"VP8X":
            if size < 10:
                raise _Malformed("a VP8X chunk too short")
            payload = reader.read(size)
            write(bytes((payload[0] & ~_VP8X_EXIF_AND_XMP_FLAGS,)) + payload[1:])
        else:
            reader.copy(size, write)
        if size & 1:
            write(b"\x00")  # chunks are padded to an even length


def _webp_chunks(stream: BinaryIO) -> list[tuple[bytes, int, int]]:
    """(fourcc, payload offset, payload size) of each chunk in the RIFF container."""
    stream.seek(0)
    header = stream.read(12)
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:] != b"WEBP":
        raise _Malformed("no RIFF WEBP header")
    end = 8 + struct.unpack("<I", header[4:8])[0]
    chunks = []
    offset = 12
    while offset + 8 <= end:
        stream.seek(offset)
        chunk_header = stream.read(8)
        if len(chunk_header) < 8:
            raise _Malformed("the file ends too early")
        fourcc, size = struct.unpack("<4sI", chunk_header)
        if offset + 8 + size > end or len(chunks) == _WEBP_MAX_CHUNKS:
            raise _Malformed("a chunk outside the container, or too many chunks")
        chunks.append((fourcc, offset + 8, size))
        offset += 8 + size + (size & 1)
    return chunks


def _write_heif_as_jpeg(image: Image.Image, write: _Write) -> None:
    """Encode the decoded HEIC picture (already turned upright) as a JPEG without EXIF."""
    buffer = io.BytesIO()
    image.save(
        buffer, "JPEG", quality=_HEIC_JPEG_QUALITY, icc_profile=image.info.get("icc_profile")
    )
    write(buffer.getbuffer())


# ---------------------------------------------------------------------------------------------
# Durable storage


def _store_durably(
    photo_dir: Path, extension: str, produce: Callable[[_Write], None]
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

    def write(self, data: bytes) -> None:
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
