"""PNG, WebP and HEIC uploads, and damaged metadata in any format: stripped, converted or
dropped, every pixel kept.

Every image is generated here with Pillow / pillow-heif; no binary fixtures.
"""

import hashlib
import struct
import tempfile

import pytest
from PIL import PngImagePlugin

from claims.photos import store_photo
from tests.reliability.hostile_files import ACCEPTED_BUILDERS
from tests.support.images import encode, insert_png_chunks, picture, png_chunk
from tests.support.stored_photos import (
    ORIENTATION,
    XMP,
    camera_exif,
    decoded,
    png_chunk_types,
    riff_chunks,
    store,
    stored_bytes,
)


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
