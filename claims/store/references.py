"""Case references, e.g. HC-7KQ4-M2XD-9PRT: easy to read out, impossible to guess.

Order references are the shop's own and kept as the customer typed them; ``order_key`` is
how they are compared.

Twelve unambiguous letters and digits (no I, L, O, U): 60 random bits. Customers may type
them in any case, with spaces, O for 0 and I or L for 1; ``normalize`` reads them back.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "HC"


def new_reference() -> str:
    """A fresh random reference."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"{PREFIX}-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def normalize(text: str) -> str:
    """Read a reference the way a customer may type it; "" when it cannot be one."""
    chars = "".join(c for c in text.upper() if c.isalnum())
    chars = chars.translate(str.maketrans("OIL", "011"))
    if chars.startswith(PREFIX):
        chars = chars[len(PREFIX) :]
    if len(chars) != 12:
        return ""
    return f"{PREFIX}-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def order_key(order_ref: str) -> str:
    """An order reference as look-ups compare it: "# 1001", "1001" and "#1001" are one order,
    "so/2026/0042" and "SO/2026/0042" too. The same rule as migration 0003's."""
    return "".join(order_ref.split()).lstrip("#").lower()
