"""What one help-site report costs the service: POST /claims/events against GET /healthz
(the cheapest request that reaches the database), on the same gunicorn, in turn.

Reports are searches for a rotating set of terms, as a busy help site sends them: most raise
an existing counter, some start a new one. Each request is sent over one kept-alive HTTP
connection, one at a time, so the figures are the service's own time per request.

    .venv/bin/python -m bench.events [--requests 2000] [--database-server postgresql://…]
"""

import argparse
import http.client
import json
import time
from urllib.parse import urlsplit

from bench.servers import claim_service
from bench.stats import Timing, in_turn, number, ratio, table

TERMS = [f"refund {word}" for word in ("late", "twice", "card", "shipping", "label")] + [
    f"term {n}" for n in range(200)
]


def timed(connection: http.client.HTTPConnection, method: str, path: str, **request) -> float:
    began = time.perf_counter()
    connection.request(method, path, **request)
    response = connection.getresponse()
    response.read()
    took = time.perf_counter() - began
    if response.status not in (200, 204):
        raise RuntimeError(f"{method} {path}: {response.status}")
    return took


def measure(database_server: str | None, requests: int) -> dict[str, Timing]:
    with claim_service(database_server) as server:
        address = urlsplit(server.base)
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        headers = {"Origin": server.base, "Content-Type": "text/plain;charset=UTF-8"}
        samples: dict[str, list[float]] = {"report": [], "health": []}
        try:
            for turn in range(requests):
                term = TERMS[turn % len(TERMS)]
                body = json.dumps({"event": "search", "term": term, "results": turn % 4})
                for name in in_turn(["report", "health"], turn):
                    if name == "report":
                        took = timed(
                            connection, "POST", "/claims/events", body=body, headers=headers
                        )
                    else:
                        took = timed(connection, "GET", "/healthz")
                    samples[name].append(took)
        finally:
            connection.close()
    return {name: Timing(tuple(values)) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database-server", help="also on this PostgreSQL server")
    options = parser.parse_args()
    rows = []
    databases = {"SQLite": None} | (
        {"PostgreSQL": options.database_server} if options.database_server else {}
    )
    for database, server in databases.items():
        figures = measure(server, options.requests)
        report, health = figures["report"], figures["health"]
        rows.append(
            [
                database,
                number(report.p50, 2),
                number(report.p99, 2),
                number(health.p50, 2),
                number(health.p99, 2),
                ratio(report.p50, health.p50),
            ]
        )
    header = ("Database", "Report p50 ms", "p99", "/healthz p50 ms", "p99", "Report / healthz")
    print(table("Cost of one help-site report", header, rows))


if __name__ == "__main__":
    main()
