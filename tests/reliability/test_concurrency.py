"""Many customers and agents at once, on several gunicorn workers: nothing lost or doubled."""

import hashlib
import json
import threading
import urllib.error

from tests.support.claim_client import AgentClient, ClaimClient
from tests.support.images import photo
from tests.support.service import flask_claims, start_service, stop_service

CUSTOMERS = 8
CLAIMS_EACH = 5
AGENTS = ("ada", "ben")
TAKES_EACH = 12  # agents leave some cases waiting, to check the queue's order after
PASSWORD = "correct horse battery"
TYPES = ("defective-item", "return-request", "missing-components", "refund-question")


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def start_servers(data, database_url: str | None) -> list:
    """One app server on SQLite; two sharing the database and photos on PostgreSQL."""
    count, workers = (2, 2) if database_url else (1, 4)
    return [start_service(data, workers=workers, DATABASE_URL=database_url) for _ in range(count)]


def test_concurrent_claims_and_agents_lose_and_double_nothing(tmp_path, database_url):
    data = tmp_path / "data"
    for name in AGENTS:
        added = flask_claims(data, "agent-add", name, input=PASSWORD, database_url=database_url)
        assert added.returncode == 0, added.stderr
    servers = start_servers(data, database_url)
    bases = [base for _, base in servers]
    acknowledged: dict[str, list[str]] = {}  # reference -> sha256 of the photos sent
    taken: list[tuple[str, str]] = []
    failures: list[str] = []
    lock = threading.Lock()
    customers_done = threading.Event()

    def customer(number: int):
        client = ClaimClient(bases[number % len(bases)])
        for index in range(CLAIMS_EACH):
            claim_type = TYPES[(number + index) % len(TYPES)]
            count = 0 if claim_type == "refund-question" else 1 + index % 2
            photos = [
                (photo("JPEG", size=(96, 64), color=(number * 30, index * 40, k * 90)), f"p{k}.jpg")
                for k in range(count)
            ]
            try:
                reference = client.submit(
                    photos, claim_type=claim_type, description=f"Claim {number}-{index}, lid."
                )
            except (AssertionError, urllib.error.URLError) as error:
                with lock:
                    failures.append(f"customer {number}: {error}")
                continue
            with lock:
                acknowledged[reference] = [sha256(content) for content, _ in photos]

    def agent(name: str):
        client = AgentClient(bases[AGENTS.index(name) % len(bases)])
        client.sign_in(name, PASSWORD)
        mine = 0
        while mine < TAKES_EACH:
            try:
                reference = client.take_next()
            except urllib.error.URLError as error:
                with lock:
                    failures.append(f"agent {name}: {error}")
                return
            if reference:
                mine += 1
                with lock:
                    taken.append((reference, name))
            elif customers_done.is_set():
                return

    try:
        agents = [threading.Thread(target=agent, args=(name,)) for name in AGENTS]
        shoppers = [threading.Thread(target=customer, args=(n,)) for n in range(CUSTOMERS)]
        for thread in agents + shoppers:
            thread.start()
        for thread in shoppers:
            thread.join()
        customers_done.set()
        for thread in agents:
            thread.join()
    finally:
        for process, _ in servers:
            stop_service(process)

    assert failures == []
    assert len(acknowledged) == CUSTOMERS * CLAIMS_EACH
    export = flask_claims(data, "export", database_url=database_url)
    exported = [json.loads(line) for line in export.stdout.splitlines()]
    by_reference = {case["reference"]: case for case in exported}
    assert len(by_reference) == len(exported) == len(acknowledged)  # once each, none extra
    for reference, photo_hashes in acknowledged.items():
        stored = [p["sha256"] for p in by_reference[reference]["photos"]]
        assert stored == photo_hashes, reference

    # No case was handed out twice; each is held by the agent who got it.
    taken_references = [reference for reference, _ in taken]
    assert len(taken_references) == len(set(taken_references)) == len(AGENTS) * TAKES_EACH
    for reference, name in taken:
        case = by_reference[reference]
        assert case["assigned_to"] == name
        assert [e["actor"] for e in case["events"] if e["kind"] == "taken"] == [name]
    # The cases still waiting are in queue order: priority lane first, then first received,
    # which is the order of their places (filed at once, two cases may get their places and
    # their ids in different orders).
    waiting = [case for case in exported if case["status"] == "waiting"]
    expected = sorted(waiting, key=lambda case: (case["lane"] != "priority", case["queue_place"]))
    queue = flask_claims(data, "queue", "--limit", "1000", database_url=database_url)
    queue = queue.stdout.splitlines()
    assert [line.split()[1] for line in queue] == [case["reference"] for case in expected]
    assert {case["reference"] for case in waiting} == set(acknowledged) - set(taken_references)
    print(f"\nconcurrency: {len(acknowledged)} claims acknowledged, {len(taken)} taken")
