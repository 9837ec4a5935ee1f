"""The per-case reply address and the thread headers of the mail we send.

A reply address names one case and carries a signature over its reference and link version
(``help+hc7kq4m2xd9prt-<signature>@shop.example``): nobody can make up one for another case,
and raising a case's link version revokes it with the personal links. Mail servers may change
the case of a local part, so the token is lower case and read back case-insensitively.
"""

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from typing import Any

from claims.store.records import Case

TOKEN = re.compile(r"\+(hc[0-9a-z]{12})-([a-z2-7]{16})@", re.IGNORECASE)


def _signature(secret: str, reference_token: str, link_version: int) -> str:
    signed = f"reply-address\0{reference_token}\0{link_version}".encode()
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode().lower()


def _reference_token(reference: str) -> str:
    return reference.replace("-", "").lower()


def reference_of(token: str) -> str:
    """The case reference a token names (HC-7KQ4-M2XD-9PRT from hc7kq4m2xd9prt)."""
    chars = token.upper()
    return f"{chars[:2]}-{chars[2:6]}-{chars[6:10]}-{chars[10:14]}"


def reply_address(config: Mapping[str, Any], case: Case) -> str:
    """Where the customer's reply about `case` goes: ``MAIL_REPLY_ADDRESS`` with ``{token}``,
    or MAIL_FROM's address with ``+token`` added before the @."""
    reference_token = _reference_token(case.reference)
    token = (
        f"{reference_token}-{_signature(config['SECRET_KEY'], reference_token, case.link_version)}"
    )
    pattern = config.get("MAIL_REPLY_ADDRESS") or _plus_pattern(config["MAIL_FROM"])
    return pattern.format(token=token)


def _plus_pattern(mail_from: str) -> str:
    from email.utils import parseaddr

    local, _, domain = parseaddr(mail_from)[1].rpartition("@")
    return f"{local}+{{token}}@{domain}"


def claimed_token(addresses: Iterable[str]) -> tuple[str, str] | None:
    """The (reference, signature) a message's recipient addresses carry, if any."""
    for address in addresses:
        found = TOKEN.search(address)
        if found:
            return reference_of(found[1].lower()), found[2].lower()
    return None


def signature_holds(config: Mapping[str, Any], case: Case, signature: str) -> bool:
    """Whether `signature` is the one this case's reply address carries today."""
    expected = _signature(config["SECRET_KEY"], _reference_token(case.reference), case.link_version)
    return hmac.compare_digest(expected, signature.lower())


def thread_domain(config: Mapping[str, Any]) -> str:
    from email.utils import parseaddr

    return parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"


def thread_root(config: Mapping[str, Any], case: Case) -> str:
    """The Message-ID of a case's first mail (its confirmation), which later mail refers to."""
    return f"<{case.reference.lower()}@{thread_domain(config)}>"


def message_id(config: Mapping[str, Any], case: Case, mail_id: int, kind: str) -> str:
    """A Message-ID for one outbox mail: the thread's root for the confirmation."""
    if kind == "confirmation":
        return thread_root(config, case)
    return f"<{case.reference.lower()}.{mail_id}@{thread_domain(config)}>"
