"""kill -9 workers and the master while customers submit, again and again: every reference a
customer saw is in the log with all its photos, and only true orphans are cleaned up."""

import hashlib
import http.client
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

ROUNDS = 3
CLIENTS = 4


def workers_of(master_pid: int) -> list[int]:
    """The gunicorn workers: the master's child processes."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if parent == master_pid:
                children.append(int(entry))
    return children


def test_kill_9_while_submitting_loses_nothing_acknowledged(tmp_path, database_url):
    """On PostgreSQL, two app servers share the database and the photo directory."""
    data = tmp_path / "data"
    acknowledged: dict[str, str] = {}  # reference -> sha256 of the photo sent
    lock = threading.Lock()
    kills = attempts = 0

    def submit_until(stop: threading.Event, base: str, client_number: int):
        nonlocal attempts
        client = ClaimClient(base)
        serial = 0
        while not stop.is_set():
            serial += 1
            content = photo("JPEG", size=(80, 60), color=(client_number * 50, serial % 256, 7))
            with lock:
                attempts += 1
            try:
                reference = client.submit([(content, "lid.jpg")], timeout=10)
            except (AssertionError, OSError, http.client.HTTPException):
                continue  # the server died under this request: nothing was promised
            with lock:
                acknowledged[reference] = hashlib.sha256(content).hexdigest()

    servers = 2 if database_url else 1
    for _ in range(ROUNDS):
        started = [
            start_service(data, workers=2, DATABASE_URL=database_url) for _ in range(servers)
        ]
        stop = threading.Event()
        clients = [
            threading.Thread(target=submit_until, args=(stop, started[n % servers][1], n))
            for n in range(CLIENTS)
        ]
        for thread in clients:
            thread.start()
        time.sleep(0.8)
        for process, _ in started:
            os.kill(workers_of(process.pid)[0], signal.SIGKILL)  # a worker dies mid-request
            kills += 1
        time.sleep(0.8)  # the masters start new workers; clients go on
        for process, _ in started:
            os.killpg(process.pid, signal.SIGKILL)  # then each whole server, master included
            kills += 1
            process.wait(timeout=10)
        stop.set()
        for thread in clients:
            thread.join(timeout=30)

    export = flask_claims(data, "export", database_url=database_url)
    exported = [json.loads(line) for line in export.stdout.splitlines()]
    by_reference = {case["reference"]: case for case in exported}
    for reference, photo_hash in acknowledged.items():
        assert [p["sha256"] for p in by_reference[reference]["photos"]] == [photo_hash]
    assert all(p["sha256"] for case in exported for p in case["photos"])  # no missing file

    on_disk = photo_files(data)
    referenced = {p["stored_name"] for case in exported for p in case["photos"]}
    removal = flask_claims(
        data, "remove-orphans", "--older-than-minutes", "0", database_url=database_url
    )
    assert set(removal.stdout.split()) == on_disk - referenced
    assert photo_files(data) == referenced

    if not database_url:
        sqlite = sqlite3.connect(data / "claims.sqlite3")
        assert sqlite.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert len(acknowledged) > ROUNDS  # the clients really got through between the kills
    print(
        f"\ncrashes ({'postgresql' if database_url else 'sqlite'}): {attempts} submissions "
        f"attempted, {len(acknowledged)} acknowledged, "
        f"{sum(r in by_reference for r in acknowledged)} found, {kills} kills survived, "
        f"{len(on_disk - referenced)} orphan files removed"
    )
