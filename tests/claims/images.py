"""Photos made on the spot for tests: what phones send, and what attackers send."""

import io
import os
import random
import struct
import zlib

from PIL import Image


def photo(format: str = "JPEG", size=(64, 48), color=(200, 30, 30), **save_options) -> bytes:
    """A small image in `format`, saved by Pillow."""
    image = Image.new("RGB", size, color)
    for x in range(0, size[0], 8):  # some detail, so compression has work to do
        image.putpixel((x, x % size[1]), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format, **save_options)
    return buffer.getvalue()


def picture(size: tuple[int, int] = (160, 120), mode: str = "RGB", seed: int = 0) -> Image.Image:
    """A small image with real detail, so lossy encoders produce non-trivial data."""
    width, height = size
    detail = Image.effect_mandelbrot(size, (-2.0, -1.2, 1.0, 1.2), 40)
    gradient = Image.linear_gradient("L").resize(size)
    noise = Image.frombytes("L", size, random.Random(seed).randbytes(width * height))
    rgb = Image.merge("RGB", (detail, gradient, noise))
    if mode in ("RGBA", "LA"):
        alpha = Image.radial_gradient("L").resize(size)
        return Image.merge("RGBA", (*rgb.split(), alpha)).convert(mode)
    return rgb.convert(mode)


def encode(image: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
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


# Files built byte by byte, for what Pillow will not write


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def png_chunk(chunk_type: bytes, data: bytes) -> bytes:
    body = chunk_type + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def insert_png_chunks(data: bytes, *chunks: bytes, before: bytes = b"IEND") -> bytes:
    position = data.index(before) - 4
    return data[:position] + b"".join(chunks) + data[position:]


def raw_png(width: int, height: int, bit_depth: int, color_type: int, rows: bytes) -> bytes:
    """A PNG built by hand, for what Pillow will not write (16-bit RGB, giant dimensions)."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", rows)
        + png_chunk(b"IEND", b"")
    )


def bilevel_png(width: int, height: int) -> bytes:
    """A real, valid 1-bit PNG of any size: all-zero rows compress to almost nothing."""
    compressor = zlib.compressobj(9)
    row = bytes(1 + (width + 7) // 8)
    rows_per_block = max(1, (1 << 20) // len(row))
    block = row * rows_per_block
    compressed, remaining = [], height
    while remaining:
        count = min(remaining, rows_per_block)
        compressed.append(compressor.compress(block[: count * len(row)]))
        remaining -= count
    compressed.append(compressor.flush())
    return raw_png(width, height, 1, 0, b"".join(compressed))
