"""PNG: its bit depth, and a lossless copy without metadata, chunk by chunk.

The upload is a stream already in hand and the copy goes to a `Write`; nothing here touches
the filesystem. Pillow decodes the picture elsewhere (formats); this module only walks chunks.
"""

import struct
from typing import IO

from PIL import PngImagePlugin

from claims.photos.problems import Malformed, PhotoRejected
from claims.photos.reader import Reader, Write

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_KEPT_CHUNKS = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA",
    b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"pHYs", b"bKGD",
}  # fmt: skip
# Larger than any honest screenshot's metadata; Pillow uses the same limit for decompressed text.
_PNG_MAX_DROPPED_CHUNK = PngImagePlugin.MAX_TEXT_CHUNK


def png_bit_depth(stream: IO[bytes]) -> int:
    """The bit depth in the IHDR chunk (Pillow opens 16-bit RGB PNGs as plain "RGB")."""
    position = stream.tell()
    stream.seek(8 + 8 + 8)  # signature, chunk length and type, width and height
    depth = stream.read(1)
    stream.seek(position)
    return depth[0] if depth else 0


def strip_png(stream: IO[bytes], write: Write) -> None:
    """Copy a PNG chunk by chunk up to IEND, keeping only the chunks that describe the image.

    Text, EXIF, time stamps, animation and private chunks are dropped; CRCs are copied as is.
    """
    reader = Reader(stream)
    if reader.read(8) != _PNG_SIGNATURE:
        raise Malformed("no PNG signature")
    write(_PNG_SIGNATURE)
    chunk_type = b""
    first = True
    seen_data = False
    while chunk_type != b"IEND":
        header = reader.read(8)
        length, chunk_type = struct.unpack(">I4s", header)
        if first != (chunk_type == b"IHDR"):
            raise Malformed("IHDR is not the first chunk")
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
        raise Malformed("no image data")
