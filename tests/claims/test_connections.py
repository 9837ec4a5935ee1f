"""PostgreSQL connections are kept between requests, and replaced when the server ends them
or cannot be reached for a while."""

import contextlib
import secrets
import socket
import threading
from urllib.parse import urlsplit

import psycopg
import pytest

from claims import create_app
from claims.store import connection as store_connection
from claims.store.connection import POOL_SIZE, Connection, Unavailable
from tests.support.actors import Customer
from tests.support.cases import photo_files
from tests.support.images import photo
from tests.support.service import TEST_SETTINGS, free_port, fresh_schema, postgresql_url

TRY_LATER = "We cannot take your claim right now"


def app_on(database_url: str, data_dir, **settings):
    settings = {**TEST_SETTINGS, "DATA_DIR": data_dir, "DATABASE_URL": database_url, **settings}
    return create_app(settings)


@pytest.fixture
def named_app(request, tmp_path):
    """An app on a fresh PostgreSQL schema whose connections carry a name of their own."""
    name = f"claims_test_{secrets.token_hex(4)}"
    with fresh_schema(postgresql_url(request)) as url:
        yield app_on(f"{url}&application_name={name}", tmp_path), name, postgresql_url(request)


class Relay:
    """A TCP relay to the PostgreSQL server that a test can cut, as a network fault or a
    server restart would, and then restore on the same port."""

    def __init__(self, server_url: str) -> None:
        address = urlsplit(server_url)
        self.target = (address.hostname or "127.0.0.1", address.port or 5432)
        self.port = free_port()
        self._sockets: list[socket.socket] = []

    def address_for(self, url: str) -> str:
        """The same database URL, reached through the relay."""
        parts = urlsplit(url)
        credentials = parts.netloc.rpartition("@")[0]
        login = f"{credentials}@" if credentials else ""
        return parts._replace(netloc=f"{login}127.0.0.1:{self.port}").geturl()

    def start(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def cut(self) -> None:
        """Refuse new connections and break every open one."""
        for sock in [self._listener, *self._sockets]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            server = socket.create_connection(self.target)
            self._sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def backends(server: str, name: str) -> list[int]:
    """The server processes serving connections with this application name."""
    with psycopg.connect(server, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (name,)
        ).fetchall()
    return sorted(pid for (pid,) in rows)


def claim(app) -> None:
    response = Customer(app.test_client()).claim(photos=[(photo("JPEG"), "lid.jpg")])
    assert response.status_code == 303, response.get_data(as_text=True)[:500]


def test_requests_one_after_another_keep_using_the_same_connections(named_app):
    app, name, server = named_app
    claim(app)
    first = backends(server, name)

    for _ in range(4):
        claim(app)

    assert 1 <= len(first) <= POOL_SIZE  # kept open after the request, not closed
    assert backends(server, name) == first  # and used again by every later request


def test_connections_the_server_ended_are_replaced_without_an_error(named_app):
    app, name, server = named_app
    claim(app)
    ended = backends(server, name)
    with psycopg.connect(server, autocommit=True) as admin:
        for pid in ended:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

    claim(app)  # would be a 503 if a dead connection were handed out

    assert backends(server, name) and not set(ended) & set(backends(server, name))
    assert app.test_cli_runner().invoke(args=["claims", "export"]).output.count('"id"') == 2


@pytest.fixture
def relayed(request):
    """(relay, URL of a fresh schema reached through the relay); the relay is started."""
    server = postgresql_url(request)
    relay = Relay(server)
    relay.start()
    try:
        with fresh_schema(server) as url:
            yield relay, relay.address_for(url)
    finally:
        relay.cut()


def test_database_out_of_reach_gets_try_again_later_and_recovers(relayed, tmp_path):
    relay, url = relayed
    app = app_on(url, tmp_path)
    claim(app)
    files_before = photo_files(tmp_path)

    relay.cut()
    response = Customer(app.test_client()).claim(photos=[(photo("JPEG"), "lid.jpg")])
    assert response.status_code == 503 and TRY_LATER in response.get_data(as_text=True)
    assert photo_files(tmp_path) == files_before  # the refused claim's photo is gone

    relay.start()
    claim(app)  # back by itself, without a restart
    assert app.test_cli_runner().invoke(args=["claims", "export"]).output.count('"id"') == 2


def test_mail_courier_carries_on_after_the_database_comes_back(relayed, tmp_path, smtp_server):
    relay, url = relayed
    catcher, port = smtp_server
    settings = {"MAIL_BACKGROUND": True, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port}
    app = app_on(url, tmp_path, **settings)
    try:
        claim(app)
        assert len(catcher.wait_for(1)) == 1  # the courier is running, with a connection

        relay.cut()  # a server restart: every connection ends
        relay.start()
        claim(app)

        assert len(catcher.wait_for(2)) == 2  # sent by the same courier, on a new connection
    finally:
        app.extensions["courier"].stop()


def test_a_process_opens_at_most_pool_size_connections_then_waits(request, monkeypatch):
    monkeypatch.setattr(store_connection, "POOL_TIMEOUT", 0.5)  # read when the pool is made
    with fresh_schema(postgresql_url(request)) as url:
        held = [Connection(url) for _ in range(POOL_SIZE)]
        with pytest.raises(Unavailable):
            Connection(url)  # the pool is full: after the wait, a 503 rather than a new one
        held.pop().close()
        Connection(url).close()  # a returned connection is handed out again
        for connection in held:
            connection.close()
