"""A fetcher killed (kill -9) between fetching a reply and committing it to the case loses
nothing and, fetched again, adds nothing twice.

The case's row is locked from another connection, so the fetcher is held exactly there: it
has read the message from the mailbox and stored its photo, and waits to commit. That needs
PostgreSQL's row locks (SQLite would hold the fetcher earlier, at its lease).
"""

import os
import signal
import subprocess
import sys
import time

import psycopg

from tests.support import ROOT, replies
from tests.support.cases import file_into, photo_files
from tests.support.images import photo
from tests.support.service import fresh_schema, postgresql_url

SECRET = "crash-test-secret"
NEW_WORDS = "The photo of the label is attached."


def fetcher(data, database_url, mailbox) -> subprocess.Popen:
    """`flask claims fetch-mail` in its own process group, as cron would start it."""
    env = {
        **os.environ,
        "CLAIMS_SECRET_KEY": SECRET,
        "CLAIMS_DATA_DIR": str(data),
        "CLAIMS_DATABASE_URL": database_url,
        "CLAIMS_IMAP_URL": mailbox.url(),
        "CLAIMS_IMAP_CA_FILE": str(mailbox.server.ca_file),
        "CLAIMS_IMAP_LEASE_SECONDS": "1",  # the killed fetcher's lease ends soon
        "CLAIMS_MAIL_FROM": "help@shop.example",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "claims", "fetch-mail"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_kill_between_fetch_and_commit_neither_loses_nor_doubles_a_reply(
    request, tmp_path, mailbox
):
    from claims.mailin.addresses import reply_address
    from claims.store import Store

    data = tmp_path / "data"
    with fresh_schema(postgresql_url(request)) as url, Store(url) as store:
        store.upgrade_schema()
        reference = file_into(store, "ana@example.com")
        case = store.cases.case_by_reference(reference)
        to = reply_address({"SECRET_KEY": SECRET, "MAIL_FROM": "help@shop.example"}, case)
        envelope = replies.Envelope("ana@example.com", to, f"Your case {reference}", "<x@shop>")
        attachment = [(photo("JPEG"), "label.jpg", "image/jpeg")]
        mailbox.deliver(replies.apple_mail(envelope, NEW_WORDS, attachment))

        with psycopg.connect(url) as blocker:
            blocker.execute("SELECT id FROM cases WHERE id = %s FOR UPDATE", (case.id,))
            process = fetcher(data, url, mailbox)
            try:
                wait_for(lambda: photo_files(data))  # fetched, photo stored, commit waits
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            finally:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGKILL)
                process.stdout.close()
            blocker.rollback()

        assert len(mailbox.messages("INBOX")) == 1  # not moved: nothing was committed
        assert [e.kind for e in store.history.events(case.id)] == ["submitted"]

        def fetched_again() -> bool:
            second = fetcher(data, url, mailbox)
            output, _ = second.communicate(timeout=60)
            assert second.returncode == 0, output
            return "Another fetcher" not in output  # until the killed one's lease ends

        wait_for(fetched_again)
        # Fetching once more finds nothing left to do.
        wait_for(fetched_again)

        events = store.history.events(case.id)
        assert [(e.kind, e.text) for e in events if e.actor == "customer"][1:] == [
            ("customer_added", NEW_WORDS),
            ("photo_added", "label.jpg"),
        ]
        assert len(store.cases.photos(case.id)) == 1
        assert [m.outcome for m in store.inbound.listing()] == ["attached"]
        assert mailbox.messages("INBOX") == []
        assert len(mailbox.messages("Processed")) == 1
        # The photo stored before the kill is an orphan the maintenance command removes.
        assert len(photo_files(data)) == 2
