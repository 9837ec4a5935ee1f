"""The case log's storage: the only package with SQL, for SQLite and PostgreSQL alike.

``Store`` is one connection and the classes that work on it, one per concern: ``cases`` (and
the queue), ``history``, ``outbox``, ``staging`` (photos of forms not filed yet), ``agents``,
``customers`` (one customer's cases, to export or erase them), ``inbound`` (mail from
customers), ``search`` and saved ``replies``; ``schema`` upgrades the tables, ``personal``
says where a case keeps personal data and ``copier`` moves a log to another database. A
request (or CLI command) gets its store from ``get_store()``, which closes it when the
request ends.
"""

from collections.abc import Mapping
from types import TracebackType
from typing import Any

from flask import Flask, current_app, g

from claims.store import schema
from claims.store.agents import Agents
from claims.store.cases import Cases
from claims.store.clock import Clock, Now, utc_now
from claims.store.connection import Connection
from claims.store.customers import Customers
from claims.store.history import History
from claims.store.inbound import Inbound
from claims.store.outbox import Outbox
from claims.store.replies import SavedReplies
from claims.store.search import Search
from claims.store.staging import Staging


class Store:
    """One connection to the case log, and what works on it. Not shared between threads.

    Every time the store writes comes from `now` (the real time unless a test sets one);
    `webhooks`: changes to cases are also queued as webhooks; `agent_alerts`: new priority
    cases as an email to the agents.
    """

    def __init__(
        self, url: str, now: Now = utc_now, webhooks: bool = False, agent_alerts: bool = False
    ):
        self.connection = Connection(url)
        clock = Clock(now)
        self.search = Search(self.connection, clock)
        self.history = History(self.connection, clock, self.search)
        self.outbox = Outbox(self.connection, clock, self.history, webhooks, agent_alerts)
        self.staging = Staging(self.connection, clock)
        self.cases = Cases(
            self.connection, clock, self.history, self.outbox, self.staging, self.search
        )
        self.agents = Agents(self.connection, clock)
        self.replies = SavedReplies(self.connection, clock)
        self.inbound = Inbound(self.connection, clock)
        self.customers = Customers(self.connection, self.history, self.cases)

    def upgrade_schema(self, version: int | None = None) -> int:
        """Bring the tables to this version's schema (or to an older `version`, for tests of
        upgrades); returns the version reached."""
        return schema.upgrade(self.connection, version)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_store(config: Mapping[str, Any]) -> Store:
    """A store for the application with these settings (``CLOCK`` is set by tests only)."""
    return Store(
        config["DATABASE_URL"],
        now=config.get("CLOCK") or utc_now,
        webhooks=bool(config.get("WEBHOOK_URL")),
        agent_alerts=bool(config.get("AGENT_ALERT_EMAIL")),
    )


def get_store() -> Store:
    """The store for this application context, opened on first use."""
    if "store" not in g:
        g.store = open_store(current_app.config)
    return g.store


def close_store(error: BaseException | None = None) -> None:
    store = g.pop("store", None)
    if store is not None:
        store.close()


def init_app(app: Flask) -> None:
    """Close the store after each request and bring the tables to the current schema."""
    app.teardown_appcontext(close_store)
    with open_store(app.config) as store:
        store.upgrade_schema()
