"""Why a photo is refused: the messages customers see, and the errors that carry them.

`PhotoRejected` is the only error that leaves the package for a bad upload (str(e) is shown next
to the form field); `Malformed` is raised deep inside a format's parser and becomes a
PhotoRejected with the DAMAGED message. Nothing here reads, decodes or touches the filesystem.
"""

import struct
import zlib

from PIL import Image

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

# What Pillow and its plugins raise on a file they cannot decode: each means "damaged".
DECODE_ERRORS = (
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


class PhotoRejected(ValueError):
    """A customer-facing reason the file cannot be accepted (str(e) is shown next to the field)."""


class Malformed(Exception):
    """The container structure is broken; becomes a PhotoRejected."""
