"""JPEG: a walk through its segments that checks the headers and copies the picture without
metadata, keeping a small skeleton of it for libjpeg to check.

Only the segments a picture needs are kept (see _kept_jpeg_payload); of the metadata only the
EXIF orientation tag is read (here, not by Pillow), so damaged metadata is dropped with the rest
instead of refusing a photo whose picture decodes. Pillow only ever decodes the skeleton
(see _Skeleton), never the upload. The upload is a stream already in hand and the copy goes to
a `Write`: nothing here touches the filesystem.
"""

import io
import re
import struct
from dataclasses import dataclass
from typing import IO

from PIL import Image

from claims.photos.colors import ALLOWED_MODES, check_icc_profile
from claims.photos.limits import PhotoLimits, check_pixels
from claims.photos.problems import DAMAGED, DECODE_ERRORS, UNUSUAL_COLORS, Malformed, PhotoRejected
from claims.photos.reader import Reader, Write

JPEG_START = b"\xff\xd8\xff"

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
class JpegLayout:
    """What a walk through a JPEG learned: its skeleton, frame size and EXIF orientation."""

    skeleton: bytes
    width: int
    height: int
    orientation: int


def check_jpeg(stream: IO[bytes], size: int, limits: PhotoLimits) -> JpegLayout:
    """Check a JPEG's headers as stripped (metadata skipped unread, fill bytes dropped): Pillow
    never reads the original. Its tables and scans are checked while it is stored."""
    head = _strip_jpeg(JpegReader(stream), _discard, b"", headers_only=True)
    check_pixels("JPEG", head.width, head.height, size, limits)
    with Image.open(io.BytesIO(head.skeleton), formats=["JPEG"]) as image:
        if image.mode not in ALLOWED_MODES:
            raise PhotoRejected(UNUSUAL_COLORS)
        if "icc_profile" in image.info:
            check_icc_profile(image.info["icc_profile"])
    return head


def rewrite_jpeg(stream: IO[bytes], write: Write, orientation: int) -> None:
    """Write the JPEG without its metadata (but its orientation), then have libjpeg check the
    tables and scans that were written, on the skeleton kept on the way."""
    layout = _strip_jpeg(JpegReader(stream), write, _orientation_segment(orientation))
    _check_jpeg_skeleton(layout.skeleton)


def _discard(data: bytes | memoryview) -> None:
    """A writer for a walk that only looks."""


class JpegReader(Reader):
    """A Reader that also knows the two byte patterns JPEG puts between its segments."""

    def skip_fill(self) -> None:
        """Skip any number of 0xFF fill bytes (a JPEG may put them before a marker) in bulk."""
        while (unread := self._buffer[self._position :]) == b"\xff" * len(unread):
            self._position = len(self._buffer)  # all fill, as compared at memory speed
            if not self._fill(1):
                raise Malformed("the file ends in fill bytes")
        self._position += len(unread) - len(unread.lstrip(b"\xff"))

    def copy_entropy_coded(self, write: Write) -> None:
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
                raise Malformed("the scan data has no end")


def _strip_jpeg(
    reader: JpegReader, write: Write, orientation_segment: bytes, headers_only: bool = False
) -> JpegLayout:
    """Copy a JPEG's image-bearing segments up to the first EOI (or, headers_only, up to the
    first scan's header), dropping all metadata.

    Dropped: EXIF and XMP (APP1), IPTC (APP13), comments, the MPF index, every other APPn and
    fill bytes. Kept: JFIF (without its thumbnail), ICC profile, Adobe color transform, tables,
    frame and scans. Everything after the first EOI (further MPO frames, appended files) is
    dropped. Dropped segments are skipped unread but for the EXIF orientation tag.
    """
    if reader.read(2) != b"\xff\xd8":
        raise Malformed("no JPEG start marker")
    out = _Skeleton(write)
    out.segment(b"\xff\xd8")
    pending = orientation_segment  # goes after SOI, or after APP0 JFIF when there is one
    orientation = None
    scans = 0
    while True:
        marker = _read_marker(reader)
        if marker == _EOI:
            if not (out.size and scans):
                raise Malformed("no image before the end marker")
            out.segment(b"\xff\xd9")
            return JpegLayout(bytes(out.data), *out.size, orientation or 1)
        if marker == _TEM:
            out.segment(bytes((0xFF, marker)))
            continue
        if marker in _RST_MARKERS:  # fill bytes before it ended the copy of the scan early
            if not scans:
                raise Malformed("a restart marker outside a scan")
            out.scan(bytes((0xFF, marker)))
            reader.copy_entropy_coded(out.scan)
            continue
        if marker == _SOI or (marker in _SOF_MARKERS and out.size):
            raise Malformed("a second start marker or frame header")
        (length,) = struct.unpack(">H", reader.read(2))
        if length < 2:
            raise Malformed("a segment with an impossible length")
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
                raise Malformed("a scan before the frame header")
            if headers_only:
                return JpegLayout(bytes(out.data), *out.size, orientation or 1)
            scans += 1
            if scans > _MAX_SCANS:
                raise Malformed("too many scans")
            reader.copy_entropy_coded(out.scan)


class _Skeleton:
    """Passes a stripped JPEG on to `write`, keeping a copy cut down to its skeleton.

    The skeleton has every header and table of the stored picture, a frame only a few rows
    tall and the first bytes of each scan. Decoding it makes libjpeg check every header and
    table, as it would when showing the photo, at a tiny fraction of the cost of decoding the
    photo: scan data that is cut short or damaged is only a warning to libjpeg, so a full
    decode would catch no more.
    """

    def __init__(self, write: Write) -> None:
        self._write = write
        self.data = bytearray()
        self.size: tuple[int, int] | None = None  # (width, height) of the frame, once seen
        self._scan_room = 0

    def segment(self, data: bytes, frame: bool = False) -> None:
        """Pass on a whole segment; a frame header goes into the skeleton a few rows tall."""
        self._write(data)
        if frame:  # height and width: bytes 5 to 8 of a frame header
            height, width = struct.unpack(">HH", data[5:9])
            self.size = (width, height)
            data = data[:5] + struct.pack(">H", min(height, _SKELETON_ROWS)) + data[7:]
        self.data += data
        self._scan_room = _SCAN_SAMPLE

    def scan(self, data: bytes | memoryview) -> None:
        """Pass on scan data; only the first _SCAN_SAMPLE bytes of a scan go into the skeleton."""
        self._write(data)
        self.data += data[: self._scan_room]
        self._scan_room -= min(len(data), self._scan_room)


def _check_jpeg_skeleton(skeleton: bytes) -> None:
    """Decode the skeleton at 1/8 scale; libjpeg refuses undefined tables and bad scan layouts."""
    try:
        with Image.open(io.BytesIO(skeleton), formats=["JPEG"]) as image:
            image.draft(image.mode, (max(image.width // 8, 1), max(image.height // 8, 1)))
            image.load()
    except DECODE_ERRORS as error:
        raise PhotoRejected(DAMAGED) from error


def _read_marker(reader: JpegReader) -> int:
    """The next marker code, skipping 0xFF fill bytes."""
    if reader.read(1) != b"\xff":
        raise Malformed("expected a marker")
    reader.skip_fill()
    code = reader.read(1)[0]
    if code == 0x00:
        raise Malformed("expected a marker")
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


def _orientation_segment(orientation: int) -> bytes:
    """A minimal EXIF APP1 segment holding only the orientation, or b"" when it is upright."""
    if orientation == 1:
        return b""
    exif = Image.Exif()
    exif[0x0112] = orientation
    payload = exif.tobytes()  # starts with b"Exif\0\0"
    return bytes((0xFF, _APP1)) + struct.pack(">H", len(payload) + 2) + payload
