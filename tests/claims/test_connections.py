"""PostgreSQL connections are kept between requests, and replaced when the server ends them."""

import secrets

import psycopg
import pytest

from claims import create_app
from claims.database import POOL_SIZE, close_pools
from tests.claims.images import photo
from tests.conftest import Customer, fresh_schema, postgresql_url


@pytest.fixture
def named_app(request, tmp_path):
    """An app on a fresh PostgreSQL schema whose connections carry a name of their own."""
    name = f"claims_test_{secrets.token_hex(4)}"
    with fresh_schema(postgresql_url(request)) as url:
        config = {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATA_DIR": tmp_path,
            "DATABASE_URL": f"{url}&application_name={name}",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "MAIL_BACKGROUND": False,
        }
        yield create_app(config), name, postgresql_url(request)
        close_pools()


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
