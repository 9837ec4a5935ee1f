"""How a stored photo is shown: browsers turn a JPEG upright by its EXIF orientation (the
only metadata kept), so a portrait taken with the phone on its side is stored 4000 × 3000
and shown 3000 × 4000."""

from pathlib import Path

from PIL import Image

ORIENTATION_TAG = 0x0112
TURNED = {5, 6, 7, 8}  # orientations that swap width and height


def shown_size(path: Path, width: int, height: int) -> tuple[int, int, bool]:
    """(width, height) as displayed, and whether the photo is turned to be shown so. Reads
    the file's header only."""
    try:
        with Image.open(path) as image:
            turned = image.getexif().get(ORIENTATION_TAG) in TURNED
    except OSError:  # a missing or unreadable file shows as stored (its page says so)
        turned = False
    return (height, width, True) if turned else (width, height, False)
