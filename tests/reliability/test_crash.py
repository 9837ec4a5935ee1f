"""A crash between writing photos and committing the case loses nothing acknowledged."""

import json
import os
import signal
import sqlite3
import threading
import time

from tests.support.cases import photo_files
from tests.support.claim_client import ClaimClient
from tests.support.images import photo
from tests.support.service import flask_claims, start_service


def wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def test_kill_between_photo_write_and_commit_leaves_no_case_without_photos(tmp_path):
    data = tmp_path / "data"
    process, base = start_service(data, workers=1)
    try:
        acknowledged = ClaimClient(base).submit([(photo("JPEG"), "first.jpg")])
        kept = photo_files(data)

        # Hold the database's write lock: the next submission stores its photo, then waits.
        blocker = sqlite3.connect(data / "claims.sqlite3", isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        outcome = []

        def submit_second():
            try:
                outcome.append(ClaimClient(base).submit([(photo("PNG"), "second.png")]))
            except Exception as error:  # the server dies under it
                outcome.append(error)

        client = threading.Thread(target=submit_second)
        client.start()
        wait_for(lambda: len(photo_files(data)) > len(kept))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        client.join(timeout=30)
        blocker.execute("ROLLBACK")
        blocker.close()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)

    assert isinstance(outcome[0], Exception)  # the customer never saw a reference
    [orphan] = photo_files(data) - kept

    export = flask_claims(data, "export")
    [case] = [json.loads(line) for line in export.stdout.splitlines()]
    assert case["reference"] == acknowledged
    assert all(p["sha256"] for p in case["photos"])  # every photo of the case is on disk

    removal = flask_claims(data, "remove-orphans", "--older-than-minutes", "0")
    assert removal.returncode == 0, removal.stderr
    assert removal.stdout.split() == [orphan]
    assert photo_files(data) == kept

    check = sqlite3.connect(data / "claims.sqlite3").execute("PRAGMA integrity_check").fetchone()
    assert check == ("ok",)


def test_kill_while_adding_to_a_case_keeps_every_acknowledged_addition(tmp_path):
    data = tmp_path / "data"
    process, base = start_service(data, workers=1)
    try:
        customer = ClaimClient(base)
        reference = customer.submit([(photo("JPEG"), "first.jpg")])
        customer.look_up(reference)
        customer.add_to_case("The base leaks too.", [(photo("PNG"), "base.png")])
        kept = photo_files(data)

        # Hold the write lock: the next addition stores its photo, then waits for the log.
        blocker = sqlite3.connect(data / "claims.sqlite3", isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        outcome = []

        def add_second():
            try:
                outcome.append(customer.add_to_case("And the lid.", [(photo("JPEG"), "lid.jpg")]))
            except Exception as error:  # the server dies under it
                outcome.append(error)

        client = threading.Thread(target=add_second)
        client.start()
        wait_for(lambda: len(photo_files(data)) > len(kept))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        client.join(timeout=30)
        blocker.execute("ROLLBACK")
        blocker.close()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)

    assert isinstance(outcome[0], Exception)  # the customer never saw it acknowledged
    [orphan] = photo_files(data) - kept

    export = flask_claims(data, "export")
    [case] = [json.loads(line) for line in export.stdout.splitlines()]
    added = [event for event in case["events"] if event["kind"] == "customer_added"]
    assert [event["text"] for event in added] == ["The base leaks too."]
    names = {photo["original_name"] for photo in case["photos"]}
    assert names == {"first.jpg", "base.png"}
    stored = {photo["stored_name"] for photo in case["photos"]}
    assert stored == kept and all(photo["sha256"] for photo in case["photos"])

    removal = flask_claims(data, "remove-orphans", "--older-than-minutes", "0")
    assert removal.returncode == 0, removal.stderr
    assert removal.stdout.split() == [orphan]
    check = sqlite3.connect(data / "claims.sqlite3").execute("PRAGMA integrity_check").fetchone()
    assert check == ("ok",)


def test_photos_kept_for_a_form_survive_kill_9_and_are_filed_with_it(tmp_path):
    """A photo the form showed as sent (staged) is in the case filed after a crash."""
    data = tmp_path / "data"
    process, base = start_service(data, workers=1)
    customer = ClaimClient(base)
    try:
        fields = customer.form_fields("/claims/new")
        status, answer = customer.post("/claims/new/photos", fields, [(photo("JPEG"), "kept.jpg")])
        assert status == 201, answer
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    process, base = start_service(data, workers=1)
    try:
        customer.base = base  # the same browser, cookies and form, after the restart
        reference = customer.submit([], submission_id=fields["submission_id"])
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    export = flask_claims(data, "export")
    [case] = [json.loads(line) for line in export.stdout.splitlines()]
    assert case["reference"] == reference
    [kept] = case["photos"]
    assert kept["original_name"] == "kept.jpg" and kept["sha256"]
    removal = flask_claims(data, "remove-orphans", "--older-than-minutes", "0")
    assert removal.stdout == ""  # the filed photo is no orphan
