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


def flat_png(width: int, height: int, bit_depth: int = 1, color_type: int = 0) -> bytes:
    """A real, valid PNG of any size and one colour: all-zero rows compress to almost nothing."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
    compressor = zlib.compressobj(9)
    row = bytes(1 + (width * channels * bit_depth + 7) // 8)
    rows_per_block = max(1, (1 << 20) // len(row))
    block = row * rows_per_block
    compressed, remaining = [], height
    while remaining:
        count = min(remaining, rows_per_block)
        compressed.append(compressor.compress(block[: count * len(row)]))
        remaining -= count
    compressed.append(compressor.flush())
    return raw_png(width, height, bit_depth, color_type, b"".join(compressed))


def bilevel_png(width: int, height: int) -> bytes:
    """A real, valid 1-bit PNG of any size, a few KB even at 60 megapixels."""
    return flat_png(width, height)


def _lsb_first(fields: list[tuple[int, int]]) -> bytes:
    """(value, bit count) pairs packed least significant bit first, as VP8L reads them."""
    packed = bits = 0
    for value, count in fields:
        packed |= value << bits
        bits += count
    return packed.to_bytes((bits + 7) // 8, "little")


def riff_chunk(fourcc: bytes, payload: bytes) -> bytes:
    return fourcc + struct.pack("<I", len(payload)) + payload + b"\x00" * (len(payload) & 1)


def flat_webp(width: int, height: int, frames: int = 1) -> bytes:
    """A real, valid lossless WebP of one colour: each of its prefix codes has a single symbol,
    so a pixel costs no bits at all and any size takes about 30 bytes (a canvas up to 16383
    pixels a side). With frames > 1 it is an animation of that picture."""
    header = [(width - 1, 14), (height - 1, 14), (0, 1), (0, 3)]
    codes = [(0, 1), (0, 1), (0, 1)] + [(1, 1), (0, 1), (0, 1), (0, 1)] * 5  # no transform,
    # no colour cache, no meta codes; five simple codes of one 1-bit symbol (0)
    vp8l = riff_chunk(b"VP8L", b"\x2f" + _lsb_first(header + codes))
    if frames == 1:
        return b"RIFF" + struct.pack("<I", 4 + len(vp8l)) + b"WEBP" + vp8l
    size = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    frame = riff_chunk(b"ANMF", bytes(6) + size + (100).to_bytes(3, "little") + b"\x00" + vp8l)
    body = (
        b"WEBP"
        + riff_chunk(b"VP8X", struct.pack("<B3x", 0x02) + size)  # the animation flag
        + riff_chunk(b"ANIM", bytes(4) + struct.pack("<H", 0))
        + frame * frames
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def jpeg_with_fill(data: bytes, before: bytes, count: int) -> bytes:
    """A JPEG with `count` 0xFF fill bytes before its last marker `before` (e.g. b"\xff\xd9")."""
    position = data.rindex(before)
    return data[:position] + b"\xff" * count + data[position:]


def exif_segment(entries: list[tuple[int, int, int, int]], tail: bytes = b"") -> bytes:
    """An EXIF APP1 segment whose IFD0 holds (tag, type, count, value) entries as given, right
    or wrong, followed by `tail`."""
    ifd0 = struct.pack("<H", len(entries))
    ifd0 += b"".join(struct.pack("<HHII", *entry) for entry in entries) + bytes(4)
    tiff = b"II*\x00" + struct.pack("<I", 8) + ifd0 + tail
    return jpeg_segment(0xE1, b"Exif\x00\x00" + tiff)
