"""A real IMAP server for tests: Debian's Dovecot (`make dovecot` installs it), started once
per test run on free loopback ports with its own throw-away configuration, certificate and
maildirs, and stopped at the end. Each test gets a mailbox (a user) of its own.

It runs as root (as CI does): Dovecot needs it to start its login and mail processes under
their own users. Mail is delivered the way a customer's client leaves it on a server: IMAP
APPEND, over TLS.
"""

import contextlib
import imaplib
import os
import pwd
import secrets
import shutil
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import IN_CI
from tests.support.service import free_port

DOVECOT = Path("/usr/sbin/dovecot")
MAIL_OWNER = "nobody"  # maildirs belong to an unprivileged user

CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = yes
auth_mechanisms = plain
first_valid_uid = {uid}
mail_location = maildir:~/Maildir
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
"""


@dataclass
class MailboxUser:
    """One test's mailbox on the server."""

    server: "Dovecot"
    name: str
    password: str

    def url(self, scheme: str = "imaps", folder: str = "INBOX") -> str:
        port = self.server.imaps_port if scheme == "imaps" else self.server.imap_port
        return f"{scheme}://{self.name}:{self.password}@127.0.0.1:{port}/{folder}"

    @contextlib.contextmanager
    def session(self):
        imap = imaplib.IMAP4_SSL(
            "127.0.0.1", self.server.imaps_port, ssl_context=self.server.tls(), timeout=10
        )
        imap.login(self.name, self.password)
        try:
            yield imap
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                imap.logout()

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        """Leave a message in a folder, as a mail client does (IMAP APPEND)."""
        with self.session() as imap:
            status, data = imap.append(folder, "", None, raw.replace(b"\n", b"\r\n"))
            assert status == "OK", data

    def messages(self, folder: str) -> list[bytes]:
        """Every message in a folder (not marked deleted), oldest first."""
        with self.session() as imap:
            status, _ = imap.select(f'"{folder}"', readonly=True)
            if status != "OK":
                return []
            _, data = imap.uid("SEARCH", "UNDELETED")
            found = []
            for uid in (data[0] or b"").split():
                _, fetched = imap.uid("FETCH", uid, "(BODY.PEEK[])")
                found += [bytes(item[1]) for item in fetched if isinstance(item, tuple)]
            return found


class Dovecot:
    """One Dovecot, configured in `root`."""

    def __init__(self, root: Path):
        self.root = root
        self.imap_port, self.imaps_port = free_port(), free_port()
        self.ca_file = root / "cert.pem"
        owner = pwd.getpwnam(MAIL_OWNER)
        self.uid, self.gid = owner.pw_uid, owner.pw_gid
        self.password = secrets.token_hex(8)  # every user's: any name is a new mailbox
        (root / "home").mkdir()
        os.chown(root / "home", self.uid, self.gid)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
             "-keyout", str(root / "key.pem"), "-out", str(self.ca_file)],
            check=True, capture_output=True,
        )  # fmt: skip
        self.config = root / "dovecot.conf"
        self.config.write_text(
            CONFIG.format(
                root=root,
                password=self.password,
                uid=self.uid,
                gid=self.gid,
                imap_port=self.imap_port,
                imaps_port=self.imaps_port,
            )
        )

    @classmethod
    @contextlib.contextmanager
    def in_new_directory(cls):
        """A Dovecot configured in a new directory that its own users can reach (pytest's
        temporary directories are private to root), removed afterwards."""
        root = Path(tempfile.mkdtemp(prefix="claims-dovecot-"))
        try:
            root.chmod(0o755)
            yield cls(root)
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))

    def start(self) -> None:
        # The daemon keeps whatever output it was given: not a pipe this process would wait on.
        subprocess.run(
            [str(DOVECOT), "-c", str(self.config)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.wait_until(lambda: self.answers())

    def stop(self) -> None:
        subprocess.run(
            [str(DOVECOT), "-c", str(self.config), "stop"], check=True, capture_output=True
        )
        self.wait_until(lambda: not self.answers())

    def answers(self) -> bool:
        try:
            with imaplib.IMAP4_SSL(
                "127.0.0.1", self.imaps_port, ssl_context=self.tls(), timeout=2
            ) as imap:
                imap.noop()
        except OSError:
            return False
        return True

    @staticmethod
    def wait_until(condition, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("Dovecot did not change state in time")
            time.sleep(0.05)

    def new_user(self) -> MailboxUser:
        """A fresh, empty mailbox: a name not used before (Dovecot makes its maildir)."""
        return MailboxUser(self, f"shop{secrets.token_hex(6)}", self.password)


def dovecot_or_skip() -> None:
    """Skip (or fail under CI) when Dovecot cannot run here."""
    problem = None
    if not DOVECOT.exists():
        problem = "Dovecot is not installed: `make dovecot` installs it (as root)."
    elif os.geteuid() != 0:
        problem = "The IMAP tests start Dovecot, which needs root."
    elif not shutil.which("openssl"):
        problem = "The IMAP tests need openssl for Dovecot's certificate."
    if problem:
        if IN_CI:
            pytest.fail(problem)
        pytest.skip(problem)
