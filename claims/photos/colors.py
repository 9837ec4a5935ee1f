"""Which colours a stored photo may use: ordinary 8-bit modes and a profile browsers can apply.

Both checks look at what Pillow read from a header; nothing here touches the filesystem.
"""

import io

from PIL import ImageCms

from claims.photos.problems import PhotoRejected

ALLOWED_MODES = {"1", "L", "LA", "P", "PA", "RGB", "RGBA"}


def check_icc_profile(profile: bytes | None) -> None:
    """A colour profile must be one Little CMS can read: browsers apply it when showing."""
    try:
        ImageCms.ImageCmsProfile(io.BytesIO(profile or b""))
    except (OSError, ValueError, TypeError) as error:
        raise PhotoRejected("This photo's color profile is damaged.") from error
