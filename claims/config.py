"""Settings: defaults here, overridden by ``CLAIMS_*`` environment variables."""

import secrets
from pathlib import Path

from flask import Flask

from claims.lifecycle import REOPEN_DAYS

MB = 1024 * 1024


class Defaults:
    """What the service uses when the environment says nothing."""

    DATA_DIR = None  # database and photos; None means the app's instance/ folder
    DATABASE_URL = None  # None means DATA_DIR/claims.sqlite3
    PHOTO_DIR = None  # None means DATA_DIR/photos
    CLOCK = None  # tests only: a callable giving the store's current time (claims.store.clock)

    HELP_SITE_URL = "/"  # the "back to the help center" link
    PUBLIC_URL = None  # this service's public address, for links in emails
    HELP_SITE_DIR = None  # a built help site to serve at "/" (what `make run` does)

    MAX_PHOTOS = 8
    MAX_PHOTO_BYTES = 15 * MB
    MAX_PHOTO_PIXELS = 60_000_000
    MAX_PHOTO_MEMORY = 256 * MB  # checking one photo; lowers the pixel limit of WebP and HEIC
    # A form with photos: every photo at its largest, plus the text.
    MAX_CONTENT_LENGTH = MAX_PHOTOS * MAX_PHOTO_BYTES + MB
    # One text part of a form with photos: a description is far smaller, but text pasted
    # past its field's limit should get the field's message, not this page.
    MAX_FORM_MEMORY_SIZE = 200 * 1024
    # Any other request (no photos, or not multipart): the same room for its text.
    MAX_FORM_BYTES = 256 * 1024
    WTF_CSRF_SSL_STRICT = False  # no Referer needed: see claims.web.CSRFProtection

    SMTP_HOST = None  # no host: confirmations wait in the outbox
    SMTP_PORT = 25
    SMTP_SECURITY = "none"  # "none", "starttls" or "ssl"
    SMTP_USERNAME = None
    SMTP_PASSWORD = None
    SMTP_TIMEOUT = 10
    MAIL_FROM = "help@localhost"
    AGENT_ALERT_EMAIL = None  # an address told of each new priority case; none: no alerts
    MAIL_RETRY_SECONDS = 60  # how often unsent mail is retried in the background
    MAIL_BACKGROUND = True  # deliver (and fetch) from a background thread in each worker

    # Customers' replies by email (claims.mailin); no URL: nothing is fetched.
    IMAP_URL = None  # imaps://user:password@host/INBOX, or imap://… with STARTTLS
    IMAP_CA_FILE = None  # certificates to trust besides the system's (a private server)
    IMAP_PROCESSED_FOLDER = "Processed"  # where handled messages are moved
    IMAP_POLL_SECONDS = 60
    IMAP_TIMEOUT = 30
    IMAP_LEASE_SECONDS = 300  # one fetcher at a time; one that died frees the mailbox after this
    MAIL_REPLY_ADDRESS = None  # with {token}, e.g. help+{token}@shop.example; None: MAIL_FROM's
    MAX_MAIL_BYTES = 50 * MB  # larger messages are not read: the sender is told
    MAX_MAIL_PARTS = 50
    MAIL_PER_SENDER_HOUR = 20  # more from one sender in an hour is held, unanswered
    MAIL_PER_CASE_HOUR = 10  # more to one case in an hour is held, unanswered

    # Signed webhooks (Standard Webhooks) to the shop's other systems: none without a URL.
    WEBHOOK_URL = None
    WEBHOOK_SECRET = None  # "whsec_" and base64, as Standard Webhooks libraries make them
    WEBHOOK_TIMEOUT = 10  # seconds for the other system to answer

    RATELIMIT_SUBMIT = "5 per minute; 30 per hour"
    RATELIMIT_STATUS = "20 per minute; 200 per hour"
    # Photos sent one by one as the customer chooses them, and removed again, on the claim form.
    RATELIMIT_PHOTOS = "30 per minute; 300 per hour"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True  # a broken counter store must not turn customers away
    RATELIMIT_STORAGE_URI = (
        None  # None means a file shared by all workers: DATA_DIR/ratelimits.sqlite3
    )

    # Failed agent sign-ins (successes are not counted): per agent name, from any address,
    # and per client address, for any names (an office shares one address).
    RATELIMIT_LOGIN = "5 per minute; 30 per hour"
    RATELIMIT_LOGIN_ADDRESS = "20 per minute; 100 per hour"

    # The customer's side of a case.
    REOPEN_DAYS = REOPEN_DAYS  # a settled case may be reopened this many days after
    CASE_LINK_DAYS = 90  # the personal link in an email opens the case for this long
    # How long a first answer usually takes, per lane, as [fewest, most] working days, e.g.
    # CLAIMS_REVIEW_DAYS='{"priority": [1, 2], "standard": [2, 5]}'. Unset lanes say nothing.
    REVIEW_DAYS: dict[str, list[int]] = {}

    # Agents' look-ups, exports and erasures of a customer's data, per client address.
    RATELIMIT_CUSTOMER_DATA = "10 per minute; 100 per hour"
    CUSTOMER_EXPORT_AGENT_NAMES = False  # a customer's export names the agents who helped

    AGENT_SESSION_HOURS = 10  # an agent signs in again after this long
    # The shop's first-response target per lane: older waiting cases are shown as overdue.
    TARGET_HOURS_PRIORITY = 24
    TARGET_HOURS_STANDARD = 48
    RETENTION_DAYS = 365  # `flask claims purge` removes finished cases older than this

    PROXY_COUNT = 0  # reverse proxies in front of the service, for client addresses

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = 12 * 3600  # a customer may leave the form open for a while


class MissingSecretKey(RuntimeError):
    pass


def finish(app: Flask) -> None:
    """Fill in derived settings and refuse to run with an unsafe configuration."""
    config = app.config
    if not config.get("SECRET_KEY"):
        if not (app.testing or app.debug):
            raise MissingSecretKey(
                "CLAIMS_SECRET_KEY is not set. Set it to a long random value kept secret and "
                "the same on every server, for example:\n"
                "  export CLAIMS_SECRET_KEY="
                "$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
            )
        config["SECRET_KEY"] = secrets.token_hex(32)
    data_dir = Path(config["DATA_DIR"] or app.instance_path)
    config["DATA_DIR"] = data_dir
    config["DATABASE_URL"] = config["DATABASE_URL"] or f"sqlite:///{data_dir / 'claims.sqlite3'}"
    config["PHOTO_DIR"] = Path(config["PHOTO_DIR"] or data_dir / "photos")
    if not config["RATELIMIT_STORAGE_URI"]:
        data_dir.mkdir(parents=True, exist_ok=True)
        config["RATELIMIT_STORAGE_URI"] = f"sqlite:///{data_dir / 'ratelimits.sqlite3'}"
    if config["WEBHOOK_URL"] and not config["WEBHOOK_SECRET"]:
        raise MissingSecretKey(
            "CLAIMS_WEBHOOK_URL is set but CLAIMS_WEBHOOK_SECRET is not. Set it to the secret"
            " the receiving system verifies with, for example:\n"
            "  export CLAIMS_WEBHOOK_SECRET=whsec_$(python3 -c"
            " 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(24)).decode())')"
        )
    if config["HELP_SITE_DIR"]:  # relative to where the service was started
        config["HELP_SITE_DIR"] = Path(config["HELP_SITE_DIR"]).resolve()
