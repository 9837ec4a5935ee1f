"""What the fuzz tests type into the public forms, and the form rules a stored case must obey.

The rules are restated here from what the forms promise customers (lengths, shapes, control
characters dropped), so the fuzz tests check the service against the promise, not against itself.
"""

import io
import re
import unicodedata

from hypothesis import strategies as st
from PIL import Image

from claims.catalog import CLAIM_TYPES
from tests.reliability.hostile_files import (
    ACCEPTED_BUILDERS,
    damaged_exif_payload,
    encode,
    heic,
    heic_declaring,
    jpeg_declaring,
    jpeg_with_fill_before_restarts,
    picture,
    webp_with_chunk,
)
from tests.support.images import bilevel_png, flat_webp, jpeg_with_fill

FILING_TYPES = [name for name, claim_type in CLAIM_TYPES.items() if claim_type.files_case]
PHOTO_RULE = {name: claim_type.photos for name, claim_type in CLAIM_TYPES.items()}
MAX_PHOTOS = 8
ORDER_REF_SHAPE = re.compile(r"#? ?[A-Za-z0-9][A-Za-z0-9 ._/#-]*")  # as shops print them: #1001
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")  # a necessary shape, not a full check
READABLE_FORMATS = ["JPEG", "PNG", "WEBP", "HEIF"]

# ---------------------------------------------------------------------------------------------
# Text


ODD_PIECES = [
    "\x00",
    "\r\n",
    "\r",
    "\n\n\n",
    "\t",
    "\x1b[31m",
    "\x07",
    "\x7f",
    "\x85",
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\u061c",  # Arabic letter mark
    "\u2028",
    "\ufeff",
    "\ufffd",
    "\uffff",
    "\U0010ffff",
    "e\u0301\u0301\u0301",
    "\U0001f44d\U0001f3fd",
    "\ufdfa",
    "\u00a0",
    "مرحبا",
    "שלום",
    "%00",
    "../../",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{{ 7*7 }}",
    "\\",
    '"',
]

unicode_text = st.text(st.characters(codec="utf-8"), max_size=80)  # any code point but surrogates
odd_text = st.lists(st.one_of(st.sampled_from(ODD_PIECES), unicode_text), max_size=10).map("".join)


def repeated(seed: str, length: int) -> str:
    return (seed * (length // len(seed) + 1))[:length]


huge_text = st.builds(
    repeated,
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=6),
    st.integers(5_001, 300_000),
)
any_value = st.one_of(st.just(""), st.just(" \t\r\n "), unicode_text, odd_text, huge_text)
# Bytes stand for a file part sent where the form expects text (any client can send one).
any_field = st.one_of(any_value, st.binary(max_size=200))


def as_text(value: str | bytes | None) -> str:
    """What a field holds as text: a file part or a missing field holds none."""
    return value if isinstance(value, str) else ""


def clean_line(value: str) -> str:
    """A one-line field as the form keeps it: control characters dropped, outer spaces trimmed."""
    return "".join(c for c in value if unicodedata.category(c) != "Cc").strip()


def clean_text(value: str) -> str:
    """A multi-line field as the form keeps it: one kind of line break, tabs and breaks kept."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in value if c in "\n\t" or unicodedata.category(c) != "Cc").strip()


# ---------------------------------------------------------------------------------------------
# Valid values (a customer's ordinary input, wrapped in what the form silently drops)

edge_junk = st.sampled_from(["", " ", "\x00", "\t ", "\u00a0", " \x1b"])


def padded(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda before, value, after: before + value + after, edge_junk, values, edge_junk
    )


valid_order_refs = padded(
    st.from_regex(r"#? ?[A-Za-z0-9][A-Za-z0-9 ._/#-]{1,30}[A-Za-z0-9]", fullmatch=True)
)
valid_emails = padded(
    st.from_regex(
        r"[a-z0-9]{1,12}([._+-][a-z0-9]{1,8}){0,2}"
        r"@[a-z0-9]{1,12}(-[a-z0-9]{1,6})?\.(com|org|net|de)",
        fullmatch=True,
    )
)
# Addresses that look like addresses but that no mail server can take as they are: RFC 2047
# encoded words (mail programs decode them into another address or a line break) and
# non-ASCII before the @ (many servers have no SMTPUTF8).
encoded_words = st.builds(
    "=?{}?{}?{}?=".format,
    st.sampled_from(["utf-8", "UTF-8", "iso-8859-1"]),
    st.sampled_from(["q", "Q", "b", "B"]),
    st.one_of(
        st.sampled_from(["p0=0A", "=0D=0Aevil", "ana", "YW5h", "x=40y"]),
        st.from_regex(r"[A-Za-z0-9=_]{0,12}", fullmatch=True),
    ),
)
non_latin_mailboxes = st.text(
    st.characters(codec="utf-8", categories=["L"]).filter(lambda c: not c.isascii()),
    min_size=1,
    max_size=8,
)
unmailable_emails = padded(
    st.builds(
        "{}{}@{}".format,
        st.sampled_from(["", "ana.", "ana+"]),
        st.one_of(encoded_words, non_latin_mailboxes),
        st.sampled_from(["example.com", "bücher.example"]),
    )
)
valid_descriptions = st.builds(
    lambda start, rest: start + rest,
    st.from_regex(r"[A-Za-z][A-Za-z ,.!?']{8,60}[a-z.!]", fullmatch=True),
    st.one_of(st.just(""), odd_text),
)
valid_messages = st.one_of(valid_descriptions, st.from_regex(r"[A-Za-z0-9]{1,5}", fullmatch=True))
# A name ending in a backslash cannot reach any server as a file: browsers send it unescaped,
# so the closing quote of `filename="…\"` reads as escaped and the part has no file name.
display_names = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cc"]), max_size=40
).filter(lambda name: not name.endswith("\\"))


def _good_photos() -> list[bytes]:
    """Photos to accept, odd ones included: fill bytes, damaged EXIF or EXIF thumbnails (those
    Pillow still opens, as the rules below decode every accepted photo with it)."""
    image = picture((48, 32))
    jpeg = encode(image, "JPEG")
    return [
        jpeg,
        encode(image, "PNG"),
        encode(image, "WEBP", quality=70),
        encode(image.convert("L"), "PNG"),
        heic(),
        jpeg_with_fill(jpeg, b"\xff\xda", 4096),
        jpeg_with_fill_before_restarts(100),
        ACCEPTED_BUILDERS["jpeg whose exif thumbnail is garbage of absurd length"][1](),
        webp_with_chunk(b"EXIF", damaged_exif_payload()),
    ]


GOOD_PHOTOS = _good_photos()
good_photos = st.tuples(st.sampled_from(GOOD_PHOTOS), display_names)


def photo_lists(rule: str) -> st.SearchStrategy[list[tuple[bytes, str]]]:
    """Photos a valid claim of a type with this photo rule may carry."""
    if rule == "none":
        return st.just([])
    return st.lists(good_photos, min_size=1 if rule == "required" else 0, max_size=3)


# ---------------------------------------------------------------------------------------------
# Bad values for files

# Tiny files of huge bitmaps, one for each format we take (refused before decoding)
BOMBS = [
    flat_webp(7745, 7745),
    flat_webp(4000, 4000),
    flat_webp(7745, 7745, frames=2),
    bilevel_png(7745, 7745),
    jpeg_declaring(7745, 7745),
    heic_declaring(5000, 4000),
]
bad_photo_content = st.one_of(
    st.just(b""),
    st.binary(max_size=3000),
    st.sampled_from(BOMBS),
    st.sampled_from(GOOD_PHOTOS).flatmap(
        lambda data: st.integers(1, len(data) - 1).map(lambda cut: data[:cut])
    ),
)
# Browsers escape line breaks in file names (the raw multipart tests send them unescaped).
any_file_name = st.one_of(display_names, any_value).map(
    lambda name: name.replace("\r", "").replace("\n", "")
)
any_photo = st.tuples(st.one_of(st.sampled_from(GOOD_PHOTOS), bad_photo_content), any_file_name)
any_photo_list = st.lists(any_photo, max_size=10)


def mailable(email: str) -> bool:
    """Whether the form may keep this address: the shape of one, and what every mail server
    takes (ASCII before the @, no encoded word)."""
    mailbox = email.rpartition("@")[0]
    shaped = len(email) <= 254 and EMAIL_SHAPE.fullmatch(email) is not None
    return shaped and mailbox.isascii() and "=?" not in mailbox


def readable(content: bytes) -> bool:
    """Whether Pillow fully decodes the file as one of the photo formats we take."""
    try:
        with Image.open(io.BytesIO(content), formats=READABLE_FORMATS) as image:
            image.load()
    except Exception:  # whatever the decoder trips on, the file is not a readable photo
        return False
    return True


def chosen(photos: list[tuple[bytes, str]]) -> list[tuple[bytes, str]]:
    """The files a browser would send as chosen (it sends one empty, nameless part for none)."""
    return [(content, name) for content, name in photos if content or name]


# ---------------------------------------------------------------------------------------------
# The rules


def claim_problems(fields: dict, photos: list[tuple[bytes, str]], csrf_token: str) -> list[str]:
    """Why the form must refuse this claim; empty when nothing is wrong that we can tell.

    Only necessary conditions are checked (an email can be refused for reasons not listed).
    """
    problems = []
    order_ref = clean_line(as_text(fields.get("order_ref")))
    if not (3 <= len(order_ref) <= 40 and ORDER_REF_SHAPE.fullmatch(order_ref)):
        problems.append("order reference")
    if not mailable(clean_line(as_text(fields.get("email")))):
        problems.append("email")
    claim_type = fields.get("claim_type")
    if claim_type not in FILING_TYPES:
        problems.append("claim type")
    if not 10 <= len(clean_text(as_text(fields.get("description")))) <= 5000:
        problems.append("description")
    if fields.get("website") not in ("", None):
        problems.append("honeypot filled in")
    if fields.get("csrf_token") != csrf_token:
        problems.append("CSRF token")
    sent = chosen(photos)
    rule = PHOTO_RULE.get(claim_type)
    if (rule == "required" and not sent) or (rule == "none" and sent) or len(sent) > MAX_PHOTOS:
        problems.append("photo count")
    if not all(readable(content) for content, _ in sent):
        problems.append("unreadable photo")
    return problems


def stored_case_problems(case: dict) -> list[str]:
    """Which form rules a case as exported breaks; empty for a case a valid claim could file."""
    problems = []
    if not (3 <= len(case["order_ref"]) <= 40 and ORDER_REF_SHAPE.fullmatch(case["order_ref"])):
        problems.append(f"order reference {case['order_ref']!r}")
    if not mailable(case["email"]):
        problems.append(f"email {case['email']!r}")
    if case["claim_type"] not in FILING_TYPES:
        problems.append(f"claim type {case['claim_type']!r}")
    description = case["description"]
    if not 10 <= len(description) <= 5000 or clean_text(description) != description:
        problems.append(f"description {description[:80]!r}")
    rule = PHOTO_RULE.get(case["claim_type"])
    count = len(case["photos"])
    if (rule == "required" and not count) or (rule == "none" and count) or count > MAX_PHOTOS:
        problems.append(f"{count} photos for a {case['claim_type']} claim")
    return problems
