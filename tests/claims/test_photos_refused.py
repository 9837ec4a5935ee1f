"""Photos refused: decompression bombs, damaged, animated, oversized or unreadable files, each
with its message and nothing left behind.

Every image is generated here with Pillow / pillow-heif; no binary fixtures.
"""

import errno
import random
import re
import zlib

import pytest
from PIL import Image

from claims.photos import PhotoLimits, PhotoRejected, jpeg, storage
from tests.reliability.hostile_files import MB, flat_lossy_webp, heic_declaring, jpeg_declaring
from tests.support.images import (
    bilevel_png,
    encode,
    flat_png,
    flat_webp,
    insert_png_chunks,
    picture,
    png_chunk,
    raw_png,
)
from tests.support.stored_photos import camera_exif, decoded, files_under, store, stored_bytes

BOMB_SIDE = 7745  # 60 megapixels: within the general pixel limit
BOMB = "decompression bomb"
BOMBS = {
    "lossless webp of 60 MP in 28 bytes": (
        lambda: flat_webp(BOMB_SIDE, BOMB_SIDE),
        "7745 × 7745 pixels). Please send a smaller photo, of at most 16 megapixels",
    ),
    "lossless webp of 16 MP in 28 bytes": (lambda: flat_webp(4000, 4000), BOMB),
    "animated webp of 60 MP": (lambda: flat_webp(BOMB_SIDE, BOMB_SIDE, frames=2), "at most 16"),
    "lossy webp of 16.8 MP in 45 KB": (lambda: flat_lossy_webp(4096, 4096), "at most 16"),
    "bilevel png of 60 MP in 7 KB": (lambda: bilevel_png(BOMB_SIDE, BOMB_SIDE), BOMB),
    "jpeg frame of 60 MP on 3 KB of data": (lambda: jpeg_declaring(BOMB_SIDE, BOMB_SIDE), BOMB),
    "heic of 20 MP in 3 KB": (lambda: heic_declaring(5000, 4000), BOMB),
    "heic of 40 MP": (lambda: heic_declaring(8000, 5000), "at most 33 megapixels"),
}


@pytest.mark.parametrize("content, message", BOMBS.values(), ids=BOMBS.keys())
def test_tiny_file_of_a_huge_bitmap_is_refused_before_decoding(tmp_path, content, message):
    with pytest.raises(PhotoRejected, match=re.escape(message)):
        store(tmp_path, content(), "bomb.webp")

    assert files_under(tmp_path) == []


def test_pixel_limit_of_each_format_follows_from_the_memory_a_photo_may_take():
    """Decoding costs 16 bytes a pixel for WebP, 8 for HEIC, 4 for PNG; a JPEG is checked on a
    skeleton, so its limit is the general one."""
    limits = PhotoLimits()

    assert limits.max_memory == 256 * MB
    assert [limits.pixels_for(format) for format in ("JPEG", "PNG", "WEBP", "HEIF")] == [
        60_000_000,
        60_000_000,
        16_000_000,
        33_000_000,
    ]
    assert PhotoLimits(max_memory=64 * MB).pixels_for("PNG") == 16_000_000


@pytest.mark.parametrize(
    "content",
    [
        lambda: flat_lossy_webp(2000, 1500),
        lambda: flat_png(2000, 1500, 8, 2),
        lambda: encode(Image.new("RGB", (2000, 1500), (250, 250, 250)), "JPEG", quality=50),
    ],
    ids=["webp", "png", "jpeg"],
)
def test_plain_picture_of_one_colour_is_not_taken_for_a_bomb(tmp_path, content):
    stored = store(tmp_path, content())

    assert (stored.width, stored.height) == (2000, 1500)


# ---------------------------------------------------------------------------------------------
# Rejections


NOT_A_PHOTO = "JPEG, PNG, WebP or HEIC"
DAMAGED = "damaged or incomplete"
UNUSUAL = "regular photo or screenshot"
SEVERAL = "single still photo"
TOO_BIG = "megapixels"


def jpeg_with_garbage_in_scan() -> bytes:
    data = bytearray(encode(picture(), "JPEG"))
    start = data.index(b"\xff\xda") + 20
    generator = random.Random(1)
    data[start : start + 2000] = bytes(generator.randrange(256) for _ in range(2000))
    return bytes(data)


def jpeg_with_missing_quantization_table() -> bytes:
    data = bytearray(encode(picture(), "JPEG"))
    frame = data.index(b"\xff\xc0")
    data[frame + 12] = 3  # the first component now names a table that was never defined
    return bytes(data)


def progressive_jpeg_with_a_bad_last_scan() -> bytes:
    """Only libjpeg knows this is impossible: the last scan's spectral range runs past 63."""
    data = bytearray(encode(picture(), "JPEG", progressive=True))
    scan = data.rindex(b"\xff\xda")
    components = data[scan + 4]
    data[scan + 5 + 2 * components] = 70  # Ss, the start of the spectral range
    return bytes(data)


def jpeg_with_too_many_scans() -> bytes:
    """A progressive JPEG whose last scan comes round again and again: libjpeg only warns, but
    each repeat costs a pass over the whole picture."""
    data = encode(picture(), "JPEG", progressive=True)
    last_scan, end = data.rindex(b"\xff\xda"), data.rindex(b"\xff\xd9")
    return data[:end] + data[last_scan:end] * jpeg._MAX_SCANS + data[end:]


def png_16_bit_rgb() -> bytes:
    rows = b"".join(b"\x00" + bytes(range(6)) * 4 for _ in range(4))
    return raw_png(4, 4, 16, 2, zlib.compress(rows))


def png_with_huge_text(chunk_type: bytes) -> bytes:
    text = b"A" * 5_000_000
    if chunk_type == b"zTXt":
        payload = b"Comment\x00\x00" + zlib.compress(text)
    else:
        payload = b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + text
    return insert_png_chunks(encode(picture(), "PNG"), png_chunk(chunk_type, payload))


def animated(format: str, **options) -> bytes:
    return encode(picture(), format, save_all=True, append_images=[picture().rotate(90)], **options)


REJECTED = {
    "empty": (lambda: b"", "empty"),
    "html": (lambda: b"<!DOCTYPE html><html><body>hello</body></html>", NOT_A_PHOTO),
    "svg": (
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        NOT_A_PHOTO,
    ),
    "pdf": (
        lambda: b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n",
        NOT_A_PHOTO,
    ),
    "text": (lambda: b"just some words, not a picture\n", NOT_A_PHOTO),
    "shell script named .jpg": (lambda: b"#!/bin/sh\nrm -rf ~\n", NOT_A_PHOTO),
    "gif": (lambda: encode(picture(), "GIF"), NOT_A_PHOTO),
    "animated gif": (lambda: animated("GIF"), NOT_A_PHOTO),
    "bmp": (lambda: encode(picture(), "BMP"), NOT_A_PHOTO),
    "tiff": (lambda: encode(picture(), "TIFF"), NOT_A_PHOTO),
    "truncated jpeg": (lambda: (data := encode(picture(), "JPEG"))[: len(data) // 2], DAMAGED),
    "jpeg missing its end": (lambda: encode(picture(), "JPEG")[:-2], DAMAGED),
    "garbage in jpeg scan data": (jpeg_with_garbage_in_scan, DAMAGED),
    "jpeg naming a missing table": (jpeg_with_missing_quantization_table, DAMAGED),
    "progressive jpeg with a bad last scan": (progressive_jpeg_with_a_bad_last_scan, DAMAGED),
    "jpeg with too many scans": (jpeg_with_too_many_scans, DAMAGED),
    "truncated png": (lambda: (data := encode(picture(), "PNG"))[: len(data) // 2], DAMAGED),
    "truncated webp": (lambda: (data := encode(picture(), "WEBP"))[: len(data) // 2], DAMAGED),
    "cmyk jpeg": (lambda: encode(picture().convert("CMYK"), "JPEG"), UNUSUAL),
    "16-bit grayscale png": (lambda: encode(Image.new("I;16", (8, 8), 300), "PNG"), UNUSUAL),
    "16-bit rgb png": (png_16_bit_rgb, UNUSUAL),
    "animated png": (lambda: animated("PNG"), SEVERAL),
    "animated webp": (lambda: animated("WEBP"), SEVERAL),
    "heif with two images": (lambda: animated("HEIF", quality=50), SEVERAL),
    "png with a huge zTXt chunk": (lambda: png_with_huge_text(b"zTXt"), DAMAGED),
    "png with a huge iTXt chunk": (lambda: png_with_huge_text(b"iTXt"), "hidden data"),
    "png over our pixel limit": (lambda: bilevel_png(8_000, 8_000), "8000 × 8000"),
}


@pytest.mark.parametrize("content, message", REJECTED.values(), ids=REJECTED.keys())
def test_unacceptable_file_is_rejected_and_leaves_nothing_behind(tmp_path, content, message):
    with pytest.raises(PhotoRejected, match=re.escape(message)):
        store(tmp_path, content(), "upload.jpg")

    assert files_under(tmp_path) == []


@pytest.mark.parametrize("side", [10_000, 30_000], ids=["warning", "error"])
def test_pillow_decompression_bomb_checks_reject_even_under_a_generous_limit(tmp_path, side):
    """100 MP trips Pillow's bomb warning, 900 MP its error: both must reject, never decode."""
    with pytest.raises(PhotoRejected, match=TOO_BIG):
        store(tmp_path, bilevel_png(side, side), max_pixels=10**9)

    assert files_under(tmp_path) == []


def test_too_large_file_is_rejected_with_the_limit_in_mb(tmp_path):
    data = encode(picture(), "JPEG") + bytes(2 * 1024 * 1024)

    with pytest.raises(PhotoRejected, match="larger than 2 MB"):
        store(tmp_path, data, max_bytes=2 * 1024 * 1024)

    assert files_under(tmp_path) == []


def test_image_over_a_small_pixel_limit_is_rejected(tmp_path):
    with pytest.raises(PhotoRejected, match=r"160 × 120 pixels.*0\.01 megapixels"):
        store(tmp_path, encode(picture(), "JPEG"), max_pixels=10_000)

    assert files_under(tmp_path) == []


def test_image_at_the_pixel_limit_is_accepted(tmp_path):
    store(tmp_path, encode(picture(), "JPEG"), max_pixels=160 * 120)

    assert len(files_under(tmp_path)) == 1


@pytest.mark.filterwarnings("ignore:.*:UserWarning")  # Pillow's notes on corrupt EXIF
@pytest.mark.parametrize(
    "format, options",
    [
        ("JPEG", {}),
        ("JPEG", {"progressive": True}),
        ("JPEG", {"restart_marker_blocks": 1}),
        ("PNG", {}),
        ("WEBP", {}),
    ],
    ids=["jpeg", "progressive-jpeg", "jpeg-with-restarts", "png", "webp"],
)
def test_damaged_files_are_rejected_or_stored_readable_never_crash(tmp_path, format, options):
    """Flip bytes all over a file: every outcome is a PhotoRejected or a stored file that
    decodes in full (JPEGs are checked on a skeleton, so this is what proves that enough)."""
    original = encode(picture((48, 32)), format, exif=camera_exif(), **options)
    generator = random.Random(f"{format}{options}")
    for _ in range(150):
        data = bytearray(original)
        for _ in range(generator.randint(1, 4)):
            data[generator.randrange(len(data))] = generator.randrange(256)
        try:
            result = store(tmp_path, bytes(data))
        except PhotoRejected:
            continue
        decoded(stored_bytes(tmp_path, result))
        assert b"SecretCam" not in stored_bytes(tmp_path, result)
    assert not [path for path in files_under(tmp_path) if path.name.startswith(".tmp-")]


@pytest.mark.parametrize("failing", ["fsync", "_fsync_directory"])
def test_disk_errors_propagate_and_leave_no_file(tmp_path, monkeypatch, failing):
    def full_disk(_) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    if failing == "fsync":  # while writing the temp file
        monkeypatch.setattr(storage.os, "fsync", full_disk)
    else:  # after the rename
        monkeypatch.setattr(storage, "_fsync_directory", full_disk)

    with pytest.raises(OSError) as raised:
        store(tmp_path, encode(picture(), "JPEG"))

    assert raised.value.errno == errno.ENOSPC and not isinstance(raised.value, PhotoRejected)
    assert files_under(tmp_path) == []
