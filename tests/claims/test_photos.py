"""Photo uploads: what is accepted, what is stripped, what is rejected, and how files are stored.

Every image is generated here with Pillow / pillow-heif; no binary fixtures.
"""

import errno
import hashlib
import io
import os
import random
import re
import struct
import tempfile
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from claims import photos
from claims.photos import (
    PhotoLimits,
    PhotoRejected,
    jpeg,
    orphan_files,
    reader,
    remove_photo,
    storage,
    store_photo,
)
from tests.reliability.hostile_files import (
    ACCEPTED_BUILDERS,
    MB,
    flat_lossy_webp,
    heic_declaring,
    jpeg_declaring,
    jpeg_with_fill_before_restarts,
)
from tests.support.images import (
    bilevel_png,
    encode,
    flat_png,
    flat_webp,
    insert_png_chunks,
    jpeg_segment,
    jpeg_with_fill,
    picture,
    png_chunk,
    raw_png,
)

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


# ---------------------------------------------------------------------------------------------
# JPEG


def test_jpeg_loses_gps_camera_comment_and_xmp_but_keeps_every_pixel(tmp_path):
    original = encode(picture(), "JPEG", exif=camera_exif(), comment=b"SecretComment", xmp=XMP)
    before = decoded(original)
    assert before.getexif().get_ifd(GPS_IFD) and "comment" in before.info and "xmp" in before.info

    result = store(tmp_path, original)

    data = stored_bytes(tmp_path, result)
    after = decoded(data)
    assert after.format == "JPEG"
    assert dict(after.getexif()) == {}
    assert "comment" not in after.info and "xmp" not in after.info and "exif" not in after.info
    assert [name for name, _ in after.applist] == ["APP0"]  # JFIF only
    for secret in (b"SecretCam", b"Model X1", b"2024:05:01", b"SecretAuthor", b"SecretComment"):
        assert secret not in data
    assert after.tobytes() == before.tobytes()
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.size_bytes == len(data) < len(original)
    assert (result.width, result.height, result.content_type) == (160, 120, "image/jpeg")
    assert STORED_NAME.fullmatch(result.stored_name).group(2) == "jpg"


def test_rotated_jpeg_keeps_its_orientation_as_the_only_exif_tag(tmp_path):
    original = encode(picture(), "JPEG", exif=camera_exif(orientation=6))

    data = stored_bytes(tmp_path, store(tmp_path, original))

    after = decoded(data)
    assert dict(after.getexif()) == {ORIENTATION: 6}
    assert after.getexif().get_ifd(GPS_IFD) == {}
    assert b"SecretCam" not in data
    # SOI, then JFIF, then the minimal EXIF segment
    assert data[:4] == b"\xff\xd8\xff\xe0"
    assert data[20:22] == b"\xff\xe1" and data[24:30] == b"Exif\x00\x00"
    assert after.tobytes() == decoded(original).tobytes()


def test_upright_jpeg_gets_no_exif_at_all(tmp_path):
    original = encode(picture(), "JPEG", exif=camera_exif(orientation=1))

    after = decoded(stored_bytes(tmp_path, store(tmp_path, original)))

    assert "exif" not in after.info


def test_progressive_jpeg_is_stripped_without_changing_a_pixel(tmp_path):
    original = encode(picture(), "JPEG", progressive=True, exif=camera_exif(), comment=b"hi")

    data = stored_bytes(tmp_path, store(tmp_path, original))

    assert data.count(b"\xff\xda") > 1  # several scans survived, with their tables
    assert b"SecretCam" not in data and "comment" not in decoded(data).info
    assert decoded(data).tobytes() == decoded(original).tobytes()


def test_jpeg_with_restart_markers_is_stripped_without_changing_a_pixel(tmp_path):
    original = encode(picture(), "JPEG", restart_marker_blocks=2, exif=camera_exif())
    assert re.search(rb"\xff[\xd0-\xd7]", original)

    data = stored_bytes(tmp_path, store(tmp_path, original))

    assert decoded(data).tobytes() == decoded(original).tobytes()
    assert b"SecretCam" not in data


def test_grayscale_jpeg_is_accepted(tmp_path):
    original = encode(picture(mode="L"), "JPEG")

    data = stored_bytes(tmp_path, store(tmp_path, original))

    assert decoded(data).mode == "L"
    assert decoded(data).tobytes() == decoded(original).tobytes()


def test_mpo_phone_photo_is_stored_as_its_first_frame_only(tmp_path):
    first, second = picture(), picture().rotate(180)
    original = encode(first, "MPO", save_all=True, append_images=[second], exif=camera_exif())
    assert Image.open(io.BytesIO(original)).format == "MPO"

    result = store(tmp_path, original)

    data = stored_bytes(tmp_path, result)
    after = decoded(data)
    assert after.format == "JPEG" and getattr(after, "n_frames", 1) == 1
    assert data.count(b"\xff\xd8") == 1 and b"MPF" not in data
    assert after.tobytes() == decoded(original).tobytes()  # the first frame
    assert (result.width, result.height) == first.size


def test_polyglot_jpeg_loses_what_follows_the_image(tmp_path):
    image = encode(picture(), "JPEG")
    original = image + b"<html><script>alert(document.cookie)</script></html>"

    data = stored_bytes(tmp_path, store(tmp_path, original))

    assert data.endswith(b"\xff\xd9") and b"<html>" not in data and b"script" not in data
    assert decoded(data).tobytes() == decoded(image).tobytes()


def test_jpeg_thumbnails_and_other_app_segments_are_dropped(tmp_path):
    image = encode(picture(), "JPEG")
    assert image[2:4] == b"\xff\xe0" and image[4:6] == b"\x00\x10"  # Pillow's plain JFIF
    thumbnail = bytes([0x11, 0x22, 0x33]) * 4
    jfif = jpeg_segment(0xE0, image[6:18] + b"\x02\x02" + thumbnail)
    photoshop = jpeg_segment(0xED, b"Photoshop 3.0\x008BIM\x04\x04IPTC")
    extension = jpeg_segment(0xE0, b"JFXX\x00\x10thumbnail")
    original = image[:2] + jfif + photoshop + extension + image[20:]

    data = stored_bytes(tmp_path, store(tmp_path, original))

    assert data[:20] == image[:20]  # JFIF kept, its thumbnail gone
    assert b"Photoshop" not in data and b"JFXX" not in data and thumbnail not in data
    assert decoded(data).tobytes() == decoded(image).tobytes()


def test_jpeg_icc_profile_is_kept(tmp_path):
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = encode(picture(), "JPEG", icc_profile=profile, exif=camera_exif())

    after = decoded(stored_bytes(tmp_path, store(tmp_path, original)))

    assert after.info["icc_profile"] == profile


def test_jpeg_fill_bytes_before_markers_are_understood(tmp_path):
    image = encode(picture(), "JPEG")
    scan = image.index(b"\xff\xda")
    original = image[:scan] + b"\xff\xff\xff" + image[scan:-2] + b"\xff\xff\xff\xd9"

    data = stored_bytes(tmp_path, store(tmp_path, original))

    assert data == image


def test_jpeg_fill_bytes_are_skipped_in_blocks_and_not_stored(tmp_path):
    """Any number of 0xFF may come before a marker: megabytes of them cost a few block reads
    (not one read per byte, which took seconds of CPU), and the stored photo has none."""
    image = encode(picture((320, 240)), "JPEG")
    padded = jpeg_with_fill(jpeg_with_fill(image, b"\xff\xda", 2 * MB), b"\xff\xd9", 2 * MB)
    stream = RecordingStream(padded[:2] + b"\xff" * MB + padded[2:])

    data = stored_bytes(tmp_path, store_photo(stream, "photo.jpg", tmp_path))

    assert data == image
    assert len(stream.read_sizes) < 2 * len(stream.getvalue()) // (64 * 1024) + 100


def test_jpeg_fill_bytes_before_restart_markers_are_understood(tmp_path):
    original = jpeg_with_fill_before_restarts(1000)

    data = stored_bytes(tmp_path, store(tmp_path, original))

    assert decoded(data).tobytes() == decoded(original).tobytes()
    assert b"\xff\xff" not in data


def test_jpeg_is_processed_in_blocks_never_read_whole(tmp_path):
    stream = RecordingStream(encode(picture((800, 600)), "JPEG", quality=95))

    store_photo(stream, "photo.jpg", tmp_path)

    assert all(size is not None and 0 <= size <= 64 * 1024 for size in stream.read_sizes)


@pytest.mark.parametrize("block", [1, 2, 3, 7])
@pytest.mark.parametrize("options", [{"progressive": True}, {"restart_marker_blocks": 1}])
def test_markers_split_across_read_blocks_are_still_found(tmp_path, monkeypatch, block, options):
    """Tiny read blocks put an 0xFF and the byte after it in different blocks again and again."""
    monkeypatch.setattr(reader, "_BLOCK", block)
    original = encode(picture((48, 32)), "JPEG", **options)

    data = stored_bytes(tmp_path, store(tmp_path, original))

    assert decoded(data).tobytes() == decoded(original).tobytes()


def test_jpeg_is_checked_on_a_skeleton_much_smaller_than_the_photo():
    original = encode(picture((1600, 1200)), "JPEG", quality=95, progressive=True)

    layout = jpeg._strip_jpeg(jpeg.JpegReader(io.BytesIO(original)), jpeg._discard, b"")

    assert (layout.width, layout.height) == (1600, 1200)
    assert len(layout.skeleton) < len(original) // 4  # scans cut short
    assert Image.open(io.BytesIO(layout.skeleton)).height <= jpeg._SKELETON_ROWS  # a strip


# ---------------------------------------------------------------------------------------------
# PNG, WebP, HEIC


def test_png_loses_text_exif_and_time_chunks_but_keeps_every_pixel(tmp_path):
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "SecretAuthor")
    text.add_itxt("XML:com.adobe.xmp", XMP.decode(), zip=True)
    original = encode(picture(), "PNG", pnginfo=text, exif=camera_exif())
    original = insert_png_chunks(original, png_chunk(b"tIME", b"\x07\xe8\x05\x01\x0a\x00\x00"))
    assert {b"tEXt", b"iTXt", b"eXIf", b"tIME"} <= set(png_chunk_types(original))

    result = store(tmp_path, original, "screenshot.png")

    data = stored_bytes(tmp_path, result)
    assert png_chunk_types(data) == [b"IHDR", b"IDAT", b"IEND"]
    assert b"SecretAuthor" not in data and b"SecretCam" not in data
    assert decoded(data).tobytes() == decoded(original).tobytes()
    assert (result.content_type, result.width, result.height) == ("image/png", 160, 120)
    assert result.stored_name.endswith(".png")
    assert result.sha256 == hashlib.sha256(data).hexdigest() and result.size_bytes == len(data)


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "RGB", "RGBA"])
def test_ordinary_8_bit_png_modes_are_accepted_unchanged(tmp_path, mode):
    image = picture(mode=mode)
    original = encode(image, "PNG", transparency=0) if mode == "P" else encode(image, "PNG")

    data = stored_bytes(tmp_path, store(tmp_path, original, "image.png"))

    after = decoded(data)
    assert after.mode == decoded(original).mode
    assert after.tobytes() == decoded(original).tobytes()
    if mode == "P":
        assert b"PLTE" in png_chunk_types(data) and b"tRNS" in png_chunk_types(data)


def test_png_declared_as_jpeg_is_stored_as_png(tmp_path):
    result = store(tmp_path, encode(picture(), "PNG"), "holiday.jpg")

    assert result.content_type == "image/png" and result.stored_name.endswith(".png")


def test_webp_loses_exif_and_xmp_and_still_decodes(tmp_path):
    original = encode(picture(mode="RGBA"), "WEBP", quality=80, exif=camera_exif(), xmp=XMP)
    assert {b"EXIF", b"XMP "} <= {fourcc for fourcc, _ in riff_chunks(original)}

    result = store(tmp_path, original, "image.webp")

    data = stored_bytes(tmp_path, result)
    chunks = riff_chunks(data)
    assert [fourcc for fourcc, _ in chunks] == [b"VP8X", b"ALPH", b"VP8 "]
    assert chunks[0][1][0] & 0x0C == 0  # EXIF and XMP flags cleared
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8
    assert b"SecretCam" not in data and b"SecretAuthor" not in data
    after = decoded(data)
    assert "exif" not in after.info and "xmp" not in after.info
    assert after.tobytes() == decoded(original).tobytes()
    assert (result.content_type, result.width, result.height) == ("image/webp", 160, 120)


def test_lossless_webp_is_accepted(tmp_path):
    image = picture()
    original = encode(image, "WEBP", lossless=True)

    data = stored_bytes(tmp_path, store(tmp_path, original, "image.webp"))

    assert decoded(data).tobytes() == image.tobytes()


def test_heic_is_converted_to_an_upright_jpeg_without_metadata(tmp_path):
    image = picture((96, 64))
    image.paste((0, 0, 255), (0, 0, 16, 16))  # a blue top-left corner, to see the rotation
    image.info["exif"] = camera_exif(orientation=6).tobytes()  # pillow-heif writes a rotation
    original = encode(image, "HEIF", quality=90)

    result = store(tmp_path, original, "IMG_0001.HEIC")

    data = stored_bytes(tmp_path, result)
    after = decoded(data)
    assert after.format == "JPEG" and result.content_type == "image/jpeg"
    assert result.stored_name.endswith(".jpg")
    assert after.size == (result.width, result.height) == (64, 96)
    assert "exif" not in after.info and b"SecretCam" not in data
    red, green, blue = after.getpixel((56, 8))  # rotated clockwise: now the top-right corner
    assert blue > 200 and red < 60 and green < 60
    assert result.sha256 == hashlib.sha256(data).hexdigest()


def test_upload_spooled_to_disk_is_accepted(tmp_path):
    with tempfile.SpooledTemporaryFile(max_size=1024) as upload:
        upload.write(encode(picture(), "JPEG"))
        upload.seek(0)

        result = store_photo(upload, "photo.jpg", tmp_path)

    assert decoded(stored_bytes(tmp_path, result)).size == (160, 120)


# ---------------------------------------------------------------------------------------------
# Damaged metadata: dropped with the rest of the metadata, never a reason to refuse


@pytest.mark.parametrize("kind", [kind for kind in ACCEPTED_BUILDERS if "exif" in kind])
def test_photo_with_damaged_metadata_is_stored_without_it(tmp_path, kind):
    filename, build = ACCEPTED_BUILDERS[kind]
    original = build()

    stored = store(tmp_path, original, filename)

    image = decoded(stored_bytes(tmp_path, stored))
    assert sorted(image.size) == [64, 96]
    assert dict(image.getexif()) in ({}, {ORIENTATION: 6})  # at most the orientation we write
    assert stored.size_bytes < len(original) or kind.startswith(("heic", "jpeg whose exif points"))


def test_orientation_is_kept_from_damaged_exif(tmp_path):
    _, build = ACCEPTED_BUILDERS["jpeg whose exif points outside itself"]

    stored = store(tmp_path, build())

    assert dict(decoded(stored_bytes(tmp_path, stored)).getexif()) == {ORIENTATION: 6}


# ---------------------------------------------------------------------------------------------
# Tiny files that decode to huge bitmaps

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


# ---------------------------------------------------------------------------------------------
# Names, removal, orphans


@pytest.mark.parametrize(
    "filename, shown",
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("C:\\x\\y.jpg", "y.jpg"),
        ("my\tholiday \n  photo.jpg", "my holiday photo.jpg"),
        ("evil\u202egpj.exe", "evilgpj.exe"),
        ("", "photo"),
        (None, "photo"),
        ("../..", "photo"),
    ],
)
def test_original_name_is_cleaned_for_display(tmp_path, filename, shown):
    assert store(tmp_path, encode(picture(), "JPEG"), filename).original_name == shown


def test_long_original_name_with_nul_is_cut_keeping_the_extension(tmp_path):
    name = store(tmp_path, encode(picture(), "JPEG"), "a\x00b" + "c" * 500 + ".jpeg").original_name

    assert len(name) == 100 and name.startswith("abccc") and name.endswith("….jpeg")
    assert "\x00" not in name


def test_each_photo_gets_a_new_name_in_its_shard_directory(tmp_path):
    data = encode(picture(), "JPEG")

    first, second = store(tmp_path, data), store(tmp_path, data)

    assert first.stored_name != second.stored_name and first.sha256 == second.sha256
    for result in (first, second):
        assert STORED_NAME.fullmatch(result.stored_name)
        assert (tmp_path / result.stored_name).is_file()
    assert sorted(files_under(tmp_path)) == sorted(
        tmp_path / result.stored_name for result in (first, second)
    )


def test_remove_photo_deletes_the_file_and_tolerates_a_missing_one(tmp_path):
    result = store(tmp_path, encode(picture(), "JPEG"))

    remove_photo(tmp_path, result.stored_name)
    remove_photo(tmp_path, result.stored_name)

    assert files_under(tmp_path) == []


def test_file_sha256_checks_the_stored_file_as_it_is_now(tmp_path):
    result = store(tmp_path, encode(picture(), "JPEG"))

    assert photos.file_sha256(tmp_path, result.stored_name) == result.sha256
    (tmp_path / result.stored_name).write_bytes(b"changed")
    assert (
        photos.file_sha256(tmp_path, result.stored_name) == hashlib.sha256(b"changed").hexdigest()
    )
    remove_photo(tmp_path, result.stored_name)
    assert photos.file_sha256(tmp_path, result.stored_name) is None


@pytest.mark.parametrize(
    "name", ["../outside.jpg", "ab/../../x.jpg", "/etc/passwd", "ab/notes.txt"]
)
def test_stored_files_are_only_reached_by_names_this_module_generates(tmp_path, name):
    with pytest.raises(ValueError):
        remove_photo(tmp_path, name)
    with pytest.raises(ValueError):
        photos.file_sha256(tmp_path, name)


def test_orphan_files_lists_old_unknown_files_and_old_temp_files_only(tmp_path):
    data = encode(picture(), "JPEG")
    known = store(tmp_path, data).stored_name
    orphan = store(tmp_path, data).stored_name
    fresh = store(tmp_path, data).stored_name
    old_temp = "ab/.tmp-0123456789abcdef"
    fresh_temp = "ab/.tmp-fedcba9876543210"
    (tmp_path / "ab").mkdir(exist_ok=True)
    for name in (old_temp, fresh_temp, "ab/unrelated.txt"):
        (tmp_path / name).write_bytes(b"partial")
    an_hour_ago = time.time() - 3600
    for name in (known, orphan, old_temp, "ab/unrelated.txt"):
        os.utime(tmp_path / name, (an_hour_ago, an_hour_ago))

    found = orphan_files(tmp_path, {known}, older_than_seconds=600)

    assert found == sorted([orphan, old_temp])
    assert fresh not in found and fresh_temp not in found
    for name in found:
        remove_photo(tmp_path, name)
    assert orphan_files(tmp_path, {known}, older_than_seconds=0) == sorted([fresh, fresh_temp])


def test_orphan_files_of_a_missing_directory_is_empty(tmp_path):
    assert orphan_files(tmp_path / "none", set(), older_than_seconds=0) == []
