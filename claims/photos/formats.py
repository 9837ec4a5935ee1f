"""Which format an upload is, whether it is a photo we accept, and how it is stored.

A photo is accepted only when Pillow reads it as a still, ordinary 8-bit JPEG, PNG, WebP or
HEIC image; a JPEG is recognized by its first bytes and checked on a skeleton (see jpeg), the
others are decoded by Pillow. `_rewrite` then writes the stored form through the per-format
module. The upload is a stream already in hand and the stored form goes to a `Write`: nothing
here touches the filesystem (storage does).

The two entry points keep the names `_open_and_check` and `_rewrite`: bench/breakdown.py
attributes profiled time to the stages of a submission by these function names.
"""

import warnings
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageFile, UnidentifiedImageError

from claims.photos import heic
from claims.photos.colors import ALLOWED_MODES, check_icc_profile
from claims.photos.jpeg import JPEG_START, check_jpeg, rewrite_jpeg
from claims.photos.limits import PhotoLimits, check_pixels
from claims.photos.png import png_bit_depth, strip_png
from claims.photos.problems import (
    DAMAGED,
    DECODE_ERRORS,
    NOT_A_PHOTO,
    SEVERAL_PICTURES,
    TOO_MANY_PIXELS,
    UNUSUAL_COLORS,
    Malformed,
    PhotoRejected,
)
from claims.photos.reader import Write
from claims.photos.webp import strip_webp

_FORMATS = ["PNG", "WEBP", "HEIF"]  # JPEG is recognized by its start and parsed here
_STORED_AS = {  # Pillow format -> (extension, content type) of the stored file
    "JPEG": (".jpg", "image/jpeg"),
    "HEIF": (".jpg", "image/jpeg"),
    "PNG": (".png", "image/png"),
    "WEBP": (".webp", "image/webp"),
}


@dataclass(frozen=True)
class Checked:
    """What validation learned about an upload; `image` is kept only for HEIF (to convert)."""

    format: str
    width: int
    height: int
    orientation: int
    image: Image.Image | None

    @property
    def stored_as(self) -> tuple[str, str]:
        """The extension and the content type of the stored file."""
        return _STORED_AS[self.format]


def _open_and_check(stream: IO[bytes], size: int, limits: PhotoLimits) -> Checked:
    """Identify the upload by its content and check it (cheaply where possible).

    Every problem becomes a PhotoRejected; Pillow's decompression-bomb warning is raised as an
    error so that it rejects the file too.
    """
    try:
        if stream.read(len(JPEG_START)) == JPEG_START:
            head = check_jpeg(stream, size, limits)
            return Checked("JPEG", head.width, head.height, head.orientation, None)
        stream.seek(0)
        # The filter is process-wide until Python 3.14; a race between threads can at worst leave
        # it on, and the pixel check below rejects such images anyway.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream, formats=_FORMATS) as image:
                return _check_image(image, stream, size, limits)
    except PhotoRejected:
        raise
    except UnidentifiedImageError as error:
        raise PhotoRejected(NOT_A_PHOTO) from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoRejected(
            TOO_MANY_PIXELS.format(pixels="too many pixels", limit=limits.max_pixels / 1e6)
        ) from error
    except (Malformed, *DECODE_ERRORS) as error:
        raise PhotoRejected(DAMAGED) from error


def _check_image(
    image: ImageFile.ImageFile, stream: IO[bytes], size: int, limits: PhotoLimits
) -> Checked:
    """Check size, color mode and frame count from the header, then decode the primary image."""
    format = image.format
    if format is None:  # every plugin in _FORMATS names its format
        raise Malformed("no format")
    width, height = image.size
    check_pixels(format, width, height, size, limits)
    if image.mode not in ALLOWED_MODES or (format == "PNG" and png_bit_depth(stream) > 8):
        raise PhotoRejected(UNUSUAL_COLORS)
    if getattr(image, "n_frames", 1) > 1:
        raise PhotoRejected(SEVERAL_PICTURES)
    if "icc_profile" in image.info:
        check_icc_profile(image.info["icc_profile"])
    image.load()
    if format == "HEIF":
        converted = heic.without_metadata(image)
        width, height = converted.size
        return Checked("HEIF", width, height, 1, converted)
    return Checked(format, width, height, 1, None)


def _rewrite(checked: Checked, stream: IO[bytes], write: Write) -> None:
    """Write the stored form of the photo: the same image, without its metadata."""
    if checked.image is not None:
        heic.write_as_jpeg(checked.image, write)
    elif checked.format == "PNG":
        strip_png(stream, write)
    elif checked.format == "WEBP":
        strip_webp(stream, write)
    else:
        rewrite_jpeg(stream, write, checked.orientation)
