"""Photos made on the spot for tests: what phones send, and what attackers send."""

import io
import os

from PIL import Image


def photo(format: str = "JPEG", size=(64, 48), color=(200, 30, 30), **save_options) -> bytes:
    """A small image in `format`, saved by Pillow."""
    image = Image.new("RGB", size, color)
    for x in range(0, size[0], 8):  # some detail, so compression has work to do
        image.putpixel((x, x % size[1]), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format, **save_options)
    return buffer.getvalue()


def noisy_png(size=(100, 100)) -> bytes:
    """A PNG that does not compress: its file size grows with its pixel count."""
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    """A JPEG carrying what phones write: GPS position, camera make and model."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "PhoneModel X"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (52.0, 22.0, 5.0)
    gps[3] = "E"
    gps[4] = (4.0, 53.0, 30.0)
    return photo("JPEG", size=(320, 240), exif=exif.tobytes())


def heic() -> bytes:
    """An HEIC image as an iPhone sends it."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    return photo("HEIF", size=(320, 240), quality=70)
