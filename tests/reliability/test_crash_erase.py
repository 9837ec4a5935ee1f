"""kill -9 between an erasure's commit and the deletion of the photo files: the case log is
erased whole, and what is left on disk is orphan files that `remove-orphans` takes away."""

import signal
import sqlite3
import time

from claims import create_app
from claims.store import Store
from tests.support.actors import Customer
from tests.support.cases import photo_files
from tests.support.images import photo
from tests.support.personal_data import places_holding
from tests.support.service import TEST_SETTINGS, flask_claims, start_flask_claims

ADDRESS = "kill.me@example.com"


def wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def file_claims(data) -> list[str]:
    """Two cases of the customer, with photos, and one of somebody else; returns the
    customer's references."""
    app = create_app({**TEST_SETTINGS, "DATA_DIR": data})
    shopper = Customer(app.test_client())
    pictures = [(photo("JPEG"), "kill-kitchen.jpg"), (photo("PNG"), "kill-receipt.png")]
    mine = [shopper.file(photos=pictures, email=ADDRESS) for _ in range(2)]
    shopper.file(photos=[(photo("WEBP"), "other.webp")], email="other@example.com")
    app.extensions["courier"].stop()
    return mine


def erased(database) -> bool:
    """Whether the erasure has committed, as a new reader sees it."""
    reader = sqlite3.connect(database)
    try:
        return reader.execute("SELECT COUNT(*) FROM cases WHERE email = ''").fetchone()[0] == 2
    finally:
        reader.close()


def test_kill_between_erasure_commit_and_file_deletion_leaves_only_orphans(tmp_path):
    data = tmp_path / "data"
    database = data / "claims.sqlite3"
    references = file_claims(data)
    before = photo_files(data)
    assert len(before) == 5

    # A reader still on the snapshot from before the erasure (a long page, a backup) holds
    # the write-ahead log: after its commit the command waits there, photo files untouched.
    reader = sqlite3.connect(database, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM cases").fetchone()
    command = start_flask_claims(data, "customer-erase", ADDRESS)
    try:
        wait_for(lambda: erased(database))
        assert photo_files(data) == before  # committed, no file deleted yet
        command.send_signal(signal.SIGKILL)
        command.wait(timeout=10)
    finally:
        if command.poll() is None:
            command.kill()
        command.communicate()
        reader.execute("ROLLBACK")
        reader.close()
    assert command.returncode == -signal.SIGKILL

    with Store(f"sqlite:///{database}") as store:
        assert places_holding(store, [ADDRESS, "kill-kitchen", "kill-receipt"]) == []
        assert [store.cases.case_by_reference(r).purged_at is not None for r in references] == [
            True,
            True,
        ]
        kept = store.cases.stored_photo_names()
    orphans = before - kept
    assert len(orphans) == 4  # the customer's photos, and only theirs

    again = flask_claims(data, "customer-erase", ADDRESS)
    assert again.returncode == 0 and "No cases were filed" in again.stdout
    removal = flask_claims(data, "remove-orphans", "--older-than-minutes", "0")
    assert removal.returncode == 0, removal.stderr
    assert set(removal.stdout.split()) == orphans
    assert photo_files(data) == kept

    check = sqlite3.connect(database).execute("PRAGMA integrity_check").fetchone()
    assert check == ("ok",)
