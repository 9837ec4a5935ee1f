"""Photos like customers send: a phone camera JPEG with GPS in its EXIF, a screenshot, a HEIC.

Made with Pillow, with fixed seeds and always in the same order, so every run of a benchmark
uploads the same bytes (Pillow's noise comes from the C library's generator, which starts the
same in each process). Pictures have smooth light, blurred shapes, texture and sensor noise,
so they compress like real photos do.
"""

import io
import random
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageDraw, ImageFilter

PHONE_SIZE = (4032, 3024)  # 12 megapixels, as most phone cameras shoot
SCREEN_SIZE = (1170, 2532)  # an iPhone screenshot


@dataclass(frozen=True)
class Sample:
    """An upload: its bytes, the name a phone gives it and its content type."""

    name: str
    data: bytes
    content_type: str

    @property
    def megabytes(self) -> float:
        return len(self.data) / 1e6


def scene(
    size: tuple[int, int], noise: float, grain_share: float = 0.08, seed: int = 7
) -> Image.Image:
    """A photo-like RGB picture: lit background, soft objects, texture and grain."""
    rng = random.Random(seed)
    width, height = size
    small = (width // 8, height // 8)
    channels = []
    for tilt in (0, 90, 200):  # each channel lit from a different side
        light = Image.linear_gradient("L").rotate(tilt, expand=False).resize(small)
        texture = Image.effect_noise(small, 40).filter(ImageFilter.GaussianBlur(3))
        channels.append(Image.blend(light, texture, 0.35))
    picture = Image.merge("RGB", channels)
    draw = ImageDraw.Draw(picture)
    for _ in range(24):
        x, y = rng.randrange(small[0]), rng.randrange(small[1])
        r = rng.randrange(small[0] // 20, small[0] // 5)
        color = tuple(rng.randrange(30, 230) for _ in range(3))
        draw.ellipse((x - r, y - r // 2, x + r, y + r // 2), fill=color)
    picture = picture.filter(ImageFilter.GaussianBlur(2)).resize(size, Image.Resampling.BICUBIC)
    half = (width // 2, height // 2)
    surface = Image.effect_noise(half, 50).filter(ImageFilter.GaussianBlur(1.5)).resize(size)
    picture = Image.blend(picture, Image.merge("RGB", [surface] * 3), 0.12)
    grain = Image.merge("RGB", [Image.effect_noise(size, noise) for _ in range(3)])
    return Image.blend(picture, grain, grain_share)


def phone_exif() -> Image.Exif:
    """EXIF as a phone writes it: camera, time, orientation and where the photo was taken."""
    exif = Image.Exif()
    exif[0x010F] = "Apple"  # Make
    exif[0x0110] = "iPhone 15"  # Model
    exif[0x0112] = 6  # Orientation: held upright
    exif[0x0132] = "2026:11:20 14:03:11"  # DateTime
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (52.0, 31.0, 12.34)  # latitude
    gps[3], gps[4] = "E", (13.0, 24.0, 56.78)  # longitude
    gps[6] = 34.5  # altitude
    return exif


def phone_jpeg(noise: float = 80, quality: int = 92, grain_share: float = 0.08) -> Sample:
    """A 12-megapixel camera JPEG with EXIF and GPS; more grain and quality make it bigger."""
    buffer = io.BytesIO()
    scene(PHONE_SIZE, noise, grain_share).save(
        buffer, "JPEG", quality=quality, subsampling="4:2:0", exif=phone_exif()
    )
    return Sample(f"IMG_{len(buffer.getvalue()) % 10000:04d}.JPG", buffer.getvalue(), "image/jpeg")


def screenshot() -> Sample:
    """A phone screenshot PNG of a shop's order page: a product photo, panels, lines of text."""
    rng = random.Random(3)
    width, height = SCREEN_SIZE
    picture = Image.new("RGB", SCREEN_SIZE, (246, 246, 248))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, width, 280), fill=(63, 81, 181))
    y = 1300
    while y < height - 200:
        draw.rounded_rectangle((40, y, width - 40, y + 260), 24, fill=(255, 255, 255))
        for line in range(4):
            words_x = 80
            while words_x < width - 200:
                word = rng.randrange(40, 180)
                top = y + 40 + line * 50
                draw.rectangle((words_x, top, words_x + word, top + 24), fill=(60, 60, 70))
                words_x += word + 24
        y += 300
    product = scene((width - 80, 900), noise=30, seed=11)
    picture.paste(product, (40, 340))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", optimize=False)
    return Sample("Screenshot 2026-11-20 at 14.05.22.png", buffer.getvalue(), "image/png")


def phone_heic() -> Sample:
    """A 12-megapixel HEIC as an iPhone saves it, with the same EXIF and GPS."""
    buffer = io.BytesIO()
    heif = pillow_heif.from_pillow(scene(PHONE_SIZE, 60))
    # x265's fastest preset: a phone's hardware encoder is quick too, and sizes come out alike.
    heif.save(buffer, quality=58, enc_params={"preset": "ultrafast"}, exif=phone_exif().tobytes())
    return Sample("IMG_0001.HEIC", buffer.getvalue(), "image/heic")
