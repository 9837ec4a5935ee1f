"""Agents pressing "Take next case" at once, on SQLite and on PostgreSQL.

Each database gets a queue of waiting cases and signed-in agents; every agent presses the
button over and over (POST /agent/take-next, real HTTP, one session each). The baseline is
the cheapest request that reaches the database on the same server: GET /healthz. After the
runs, every take must have handed out a different case.
"""

import contextlib
import http.client
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from werkzeug.security import generate_password_hash

from bench import caseload
from bench.load import Cell, Request, run_round
from bench.servers import Server, claim_service
from bench.stats import in_turn
from claims.store import Store

WAITING = 20_000
PASSWORD = "bench password"


@dataclass
class Figures:
    """Takes and health checks seen at one number of agents on one database."""

    take: Cell = field(default_factory=Cell)
    health: Cell = field(default_factory=Cell)


def prepare(agents: int) -> Callable[[str], None]:
    """Fill a fresh case log with a waiting queue and `agents` agents."""
    password_hash = generate_password_hash(PASSWORD)

    def fill(database_url: str) -> None:
        with Store(database_url) as store:
            caseload.fill(store, WAITING + WAITING // 4, WAITING)
            for number in range(agents):
                store.agents.add_agent(f"agent{number}", password_hash)

    return fill


def sign_in(base: str, name: str) -> str:
    """Sign an agent in over HTTP; returns the session cookie."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        body = urlencode({"name": name, "password": PASSWORD})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        connection.request("POST", "/agent/login", body, headers)
        response = connection.getresponse()
        response.read()
        cookie = response.getheader("Set-Cookie", "")
        if response.status != 303 or not cookie:
            raise RuntimeError(f"sign-in failed: {response.status}")
        return cookie.split(";", 1)[0]
    finally:
        connection.close()


def distinct_takes(database_url: str) -> tuple[int, int]:
    """(takes recorded, different cases taken): equal when no case went to two agents."""
    with Store(database_url) as store:
        return store.history.count("taken")


def measure(
    database_server: str | None, agent_counts: tuple[int, ...], rounds: int, seconds: float
) -> dict[str, dict[int, Figures]]:
    """Take-next figures per database ("SQLite", "PostgreSQL") and number of agents."""
    most = max(agent_counts)
    databases = {"SQLite": None}
    if database_server:
        databases["PostgreSQL"] = database_server
    with contextlib.ExitStack() as stack:
        servers: dict[str, Server] = {
            name: stack.enter_context(claim_service(server, prepare(most)))
            for name, server in databases.items()
        }
        cookies = {
            name: [sign_in(server.base, f"agent{n}") for n in range(most)]
            for name, server in servers.items()
        }
        figures = {name: {} for name in servers}
        health = Request("GET", "/healthz")
        for agents in agent_counts:
            for name in servers:
                figures[name][agents] = Figures()
            for turn in range(rounds):
                for name, server in in_turn(list(servers.items()), turn):
                    found = figures[name][agents]
                    found.health.add(run_round(server.base, lambda n: health, agents, seconds / 2))
                    takes = take_request(cookies[name])
                    found.take.add(run_round(server.base, takes, agents, seconds))
        for name, server in servers.items():
            takes, cases = distinct_takes(server.database_url)
            if takes != cases:
                raise RuntimeError(f"{name}: {takes} takes handed out only {cases} cases")
    return figures


def take_request(cookies: list[str]) -> Callable[[int], Request]:
    """What agent n sends: a press of "Take next case" in their own session, taking another
    alongside the cases already held (agents here never finish one)."""
    requests = [
        Request(
            "POST",
            "/agent/take-next",
            pieces=(b"another=y",),
            headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
            expect=303,
        )
        for cookie in cookies
    ]
    return lambda number: requests[number]
