"""Reading what the photo pipeline stored: EXIF as a phone writes it, chunks of PNG and RIFF
files, the stored bytes, and an upload that records how it was read."""

import io
import os
import re
import struct
from pathlib import Path

from PIL import Image

from claims.photos import PhotoLimits, store_photo

GPS_IFD = 0x8825
ORIENTATION = 0x0112
STORED_NAME = re.compile(r"([0-9a-f]{2})/\1[0-9a-f]{30}\.(jpg|png|webp)")


# ---------------------------------------------------------------------------------------------
# Helpers


def camera_exif(orientation: int | None = None) -> Image.Exif:
    """EXIF as a phone writes it: camera, date, GPS position (and an orientation if given)."""
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0110] = "Model X1"  # Model
    exif[0x0132] = "2024:05:01 10:00:00"  # DateTime
    if orientation is not None:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (52.0, 22.0, 10.5)
    gps[3] = "E"
    gps[4] = (4.0, 53.0, 20.1)
    return exif


XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description Creator="SecretAuthor"/></x:xmpmeta>'


def store(photo_dir: Path, data: bytes, filename: str | None = "photo.jpg", **limits):
    return store_photo(io.BytesIO(data), filename, photo_dir, PhotoLimits(**limits))


def stored_bytes(photo_dir: Path, stored) -> bytes:
    return (photo_dir / stored.stored_name).read_bytes()


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def files_under(path: Path) -> list[Path]:
    return [Path(root) / name for root, _, names in os.walk(path) for name in names]


class RecordingStream(io.BytesIO):
    """An upload that remembers the size of every read asked of it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.read_sizes: list[int | None] = []

    def read(self, size: int | None = -1) -> bytes:
        self.read_sizes.append(size)
        return super().read(size)


def png_chunk_types(data: bytes) -> list[bytes]:
    types, offset = [], 8
    while offset < len(data):
        length, chunk_type = struct.unpack(">I4s", data[offset : offset + 8])
        types.append(chunk_type)
        offset += 12 + length
    return types


def riff_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, offset = [], 12
    while offset < len(data):
        fourcc, size = struct.unpack("<4sI", data[offset : offset + 8])
        chunks.append((fourcc, data[offset + 8 : offset + 8 + size]))
        offset += 8 + size + (size & 1)
    return chunks
