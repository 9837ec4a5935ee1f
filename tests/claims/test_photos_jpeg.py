"""JPEG uploads: metadata stripped losslessly, orientation kept, fill bytes and restart markers
understood, read in blocks and checked on a skeleton.

Every image is generated here with Pillow / pillow-heif; no binary fixtures.
"""

import hashlib
import io
import re

import pytest
from PIL import Image, ImageCms

from claims.photos import jpeg, reader, store_photo
from tests.reliability.hostile_files import MB, jpeg_with_fill_before_restarts
from tests.support.images import encode, jpeg_segment, jpeg_with_fill, picture
from tests.support.stored_photos import (
    GPS_IFD,
    ORIENTATION,
    STORED_NAME,
    XMP,
    RecordingStream,
    camera_exif,
    decoded,
    store,
    stored_bytes,
)


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
