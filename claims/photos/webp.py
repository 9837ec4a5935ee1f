"""WebP: a lossless copy of the RIFF container without metadata.

The upload is a stream already in hand and the copy goes to a `Write`; nothing here touches
the filesystem. Pillow decodes the picture elsewhere (formats); this module only walks chunks.
"""

import struct
from typing import IO

from claims.photos.problems import Malformed
from claims.photos.reader import Reader, Write

_WEBP_KEPT_CHUNKS = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ICCP"}
_WEBP_IMAGE_CHUNKS = {b"VP8 ", b"VP8L"}
_WEBP_MAX_CHUNKS = 1000  # a still WebP has a handful; many more is not a photo
_VP8X_EXIF_AND_XMP_FLAGS = 0x08 | 0x04


def strip_webp(stream: IO[bytes], write: Write) -> None:
    """Rewrite a WebP's RIFF container keeping only image, alpha and ICC chunks.

    EXIF, XMP and unknown chunks are dropped, their flags cleared in VP8X and the RIFF size
    recomputed. Anything after the RIFF container is dropped too.
    """
    kept = [chunk for chunk in _webp_chunks(stream) if chunk[0] in _WEBP_KEPT_CHUNKS]
    if not any(fourcc in _WEBP_IMAGE_CHUNKS for fourcc, _, _ in kept):
        raise Malformed("no image chunk")
    riff_size = 4 + sum(8 + size + (size & 1) for _, _, size in kept)
    write(b"RIFF" + struct.pack("<I", riff_size) + b"WEBP")
    for fourcc, offset, size in kept:
        write(struct.pack("<4sI", fourcc, size))
        reader = Reader(stream, offset)
        if fourcc == b"VP8X":
            if size < 10:
                raise Malformed("a VP8X chunk too short")
            payload = reader.read(size)
            write(bytes((payload[0] & ~_VP8X_EXIF_AND_XMP_FLAGS,)) + payload[1:])
        else:
            reader.copy(size, write)
        if size & 1:
            write(b"\x00")  # chunks are padded to an even length


def _webp_chunks(stream: IO[bytes]) -> list[tuple[bytes, int, int]]:
    """(fourcc, payload offset, payload size) of each chunk in the RIFF container."""
    stream.seek(0)
    header = stream.read(12)
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:] != b"WEBP":
        raise Malformed("no RIFF WEBP header")
    end = 8 + struct.unpack("<I", header[4:8])[0]
    chunks: list[tuple[bytes, int, int]] = []
    offset = 12
    while offset + 8 <= end:
        stream.seek(offset)
        chunk_header = stream.read(8)
        if len(chunk_header) < 8:
            raise Malformed("the file ends too early")
        fourcc, size = struct.unpack("<4sI", chunk_header)
        if offset + 8 + size > end or len(chunks) == _WEBP_MAX_CHUNKS:
            raise Malformed("a chunk outside the container, or too many chunks")
        chunks.append((fourcc, offset + 8, size))
        offset += 8 + size + (size & 1)
    return chunks
