"""HEIC: the decoded picture turned into a JPEG without metadata (agents' browsers cannot show
HEIC). Importing this module registers pillow-heif's opener with Pillow.

The picture is already decoded (formats) and the JPEG goes to a `Write`; nothing here touches
the filesystem.
"""

import io

import pillow_heif
from PIL import Image

from claims.photos.reader import Write

pillow_heif.register_heif_opener()

_HEIC_JPEG_QUALITY = 90


def without_metadata(image: Image.Image) -> Image.Image:
    """The decoded picture as RGB with its colour profile only: no EXIF, no XMP."""
    converted = image if image.mode == "RGB" else image.convert("RGB")
    icc_profile = image.info.get("icc_profile")
    converted.info = {"icc_profile": icc_profile} if icc_profile else {}  # no EXIF, no XMP
    return converted


def write_as_jpeg(image: Image.Image, write: Write) -> None:
    """Encode the decoded HEIC picture (already turned upright) as a JPEG without EXIF."""
    buffer = io.BytesIO()
    image.save(
        buffer, "JPEG", quality=_HEIC_JPEG_QUALITY, icc_profile=image.info.get("icc_profile")
    )
    write(buffer.getbuffer())
