"""The shop's mailbox over IMAP: what waits in it, each message's bytes, and moving a message
to the processed folder once its case has it.

``CLAIMS_IMAP_URL`` names the mailbox: ``imaps://user:password@host[:port]/FOLDER`` (TLS from
the start) or ``imap://…`` (STARTTLS, always: a password never crosses the network in clear).
Certificates are checked against the system's authorities, or ``CLAIMS_IMAP_CA_FILE``.
"""

import contextlib
import imaplib
import re
import ssl
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import unquote, urlsplit

SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class MailboxTrouble(Exception):
    """The mailbox cannot be used now (server down, sign-in refused, folder missing)."""


@dataclass(frozen=True)
class MailboxAddress:
    host: str
    port: int
    implicit_tls: bool
    user: str
    password: str
    folder: str

    @classmethod
    def from_url(cls, url: str) -> "MailboxAddress":
        parts = urlsplit(url)
        if parts.scheme not in ("imaps", "imap") or not parts.hostname:
            raise ValueError(
                "CLAIMS_IMAP_URL must look like imaps://user:password@host/INBOX"
                " (or imap://… for STARTTLS)."
            )
        implicit_tls = parts.scheme == "imaps"
        return cls(
            host=parts.hostname,
            port=parts.port or (993 if implicit_tls else 143),
            implicit_tls=implicit_tls,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            folder=unquote(parts.path.lstrip("/")) or "INBOX",
        )


def quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Mailbox:
    """One signed-in session with the mailbox's folder selected."""

    def __init__(
        self, url: str, processed_folder: str, ca_file: str | None = None, timeout: float = 30
    ):
        try:
            self.address = MailboxAddress.from_url(url)
        except ValueError as error:
            raise MailboxTrouble(str(error)) from error
        try:
            self.tls = ssl.create_default_context(cafile=ca_file)
        except OSError as error:
            raise MailboxTrouble(f"CLAIMS_IMAP_CA_FILE cannot be read: {error}") from error
        self.processed = quoted(processed_folder)
        self.timeout = timeout
        self.imap: imaplib.IMAP4 | None = None
        self.moves = False

    def __enter__(self) -> "Mailbox":
        address = self.address
        try:
            if address.implicit_tls:
                self.imap = imaplib.IMAP4_SSL(
                    address.host, address.port, ssl_context=self.tls, timeout=self.timeout
                )
            else:
                self.imap = imaplib.IMAP4(address.host, address.port, timeout=self.timeout)
                self.imap.starttls(ssl_context=self.tls)
            self.imap.login(address.user, address.password)
            # What the server offers once signed in (MOVE is often not announced before).
            capabilities = self._ok(self.imap.capability(), "list its capabilities")
            self.moves = b"MOVE" in (capabilities[0] or b"").upper().split()
            self._ok(self.imap.select(quoted(address.folder)), f"select {address.folder}")
            self.imap.create(self.processed)  # "already exists" is fine
        except (imaplib.IMAP4.error, OSError) as error:
            self._close()
            raise MailboxTrouble(f"{type(error).__name__}: {error}") from error
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._close()

    def _close(self) -> None:
        if self.imap is not None:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                self.imap.logout()  # the session is over either way
            self.imap = None

    @staticmethod
    def _ok(answer: tuple[str, list], what: str) -> list:
        status, data = answer
        if status != "OK":
            raise MailboxTrouble(f"The mailbox refused to {what}: {data!r}")
        return data

    def _command(self, what: str, *args: str) -> list:
        assert self.imap is not None
        try:
            return self._ok(self.imap.uid(*args), what)
        except (imaplib.IMAP4.error, OSError) as error:
            raise MailboxTrouble(f"{type(error).__name__}: {error}") from error

    def waiting(self) -> list[str]:
        """The UIDs of the messages in the folder, oldest first."""
        data = self._command("search", "SEARCH", "UNDELETED")
        return [uid.decode() for uid in (data[0] or b"").split()]

    def size(self, uid: str) -> int:
        data = self._command("fetch a size", "FETCH", uid, "(RFC822.SIZE)")
        found = SIZE.search(data[0] if isinstance(data[0], bytes) else b"")
        return int(found[1]) if found else 0

    def fetch(self, uid: str, headers_only: bool = False) -> bytes:
        """The message's bytes (only its header, for one too large to read), unchanged and
        without marking it read."""
        section = "BODY.PEEK[HEADER]" if headers_only else "BODY.PEEK[]"
        data = self._command("fetch a message", "FETCH", uid, f"({section})")
        for item in data:
            if isinstance(item, tuple):
                return bytes(item[1])
        raise MailboxTrouble(f"Message {uid} came back empty.")

    def done(self, uid: str) -> None:
        """Move the message to the processed folder (copy and expunge where MOVE is missing)."""
        assert self.imap is not None
        if self.moves:
            self._command("move a message", "MOVE", uid, self.processed)
            return
        self._command("copy a message", "COPY", uid, self.processed)
        self._command("flag a message", "STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
        try:
            self._ok(self.imap.expunge(), "expunge")
        except (imaplib.IMAP4.error, OSError) as error:
            raise MailboxTrouble(f"{type(error).__name__}: {error}") from error
