"""How big a photo may be: bytes per file, pixels per format, memory per check.

Checking a photo never costs more than `PhotoLimits.max_memory`: the pixel limit of each format
follows from what decoding it costs per pixel (_MEMORY_PER_PIXEL), and a file far smaller than
any real picture of its declared size (a decompression bomb) is refused before it is decoded.
Everything here works on numbers from a header; nothing is read, decoded or written.
"""

from dataclasses import dataclass

from claims.photos.problems import DECOMPRESSION_BOMB, TOO_MANY_PIXELS, PhotoRejected

MB = 1024 * 1024
# Peak memory of checking a photo, per pixel, as measured (VmHWM) with Pillow 13 and
# pillow-heif 1.8: WebP goes through libwebp's animation decoder (two RGBA canvases, a copy as
# bytes and Pillow's image: 15.3 bytes), HEIC through libheif (YUV planes, RGB, Pillow's copy:
# 7.9 bytes), PNG into Pillow's 4-byte pixels (3.8 bytes). A JPEG is checked on a skeleton a
# few rows tall, so its memory does not grow with its height.
_MEMORY_PER_PIXEL = {"JPEG": 0, "PNG": 4, "WEBP": 16, "HEIF": 8}
# No real picture is this much smaller than its bitmap: even a JPEG needs one bit per 8x8 block
# (512 pixels a byte), and a solid-colour 60 MP PNG or lossy WebP takes 300 to 600 pixels a byte.
_MAX_PIXELS_PER_BYTE = 1024


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


def check_byte_size(size: int, limits: PhotoLimits) -> None:
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


def check_pixels(format: str, width: int, height: int, size: int, limits: PhotoLimits) -> None:
    """Refuse too many pixels for the format, and pixels absurd for the file's size (a bomb),
    from the header alone, before anything is decoded."""
    pixels = f"{width} × {height} pixels"
    limit = limits.pixels_for(format)
    if width * height > limit:
        raise PhotoRejected(TOO_MANY_PIXELS.format(pixels=pixels, limit=limit / 1e6))
    if width * height > _MAX_PIXELS_PER_BYTE * size:
        raise PhotoRejected(DECOMPRESSION_BOMB.format(pixels=pixels))
