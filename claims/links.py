"""Personal links: a signed, expiring token in every email that opens one case without typing.

The token names the case's reference and its link version; resetting the version from the
case page revokes every link sent before. A guessed, expired, tampered or revoked token reads
as no token at all, so the page it leads to says nothing about the case.
"""

from itsdangerous import BadData, URLSafeTimedSerializer

SALT = "claims.personal-link"  # these tokens open nothing else signed with the same key


def serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_token(secret_key: str, reference: str, link_version: int) -> str:
    """The token of a case's personal link, as of its current link version."""
    return serializer(secret_key).dumps([reference, link_version])


def read_token(secret_key: str, token: str, max_age_days: int) -> tuple[str, int] | None:
    """(reference, link version) from a valid token younger than `max_age_days`; None for
    anything else. The caller still checks the version against the case's."""
    try:
        reference, version = serializer(secret_key).loads(token, max_age=max_age_days * 86400)
    except (BadData, TypeError, ValueError):
        return None
    if not isinstance(reference, str) or type(version) is not int:
        return None
    return reference, version
