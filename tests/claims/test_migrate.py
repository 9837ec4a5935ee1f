"""An existing shop moves its SQLite case log to PostgreSQL with everything intact."""

import pytest

from claims import create_app
from tests.support.actors import Agent, Customer
from tests.support.images import photo
from tests.support.service import flask_claims, fresh_schema, postgresql_url


@pytest.fixture
def sqlite_shop(app, database_url):
    """A shop's SQLite log with cases in several states, photos, events and an agent."""
    if database_url:
        pytest.skip("the source of a migration is SQLite")
    shopper = Customer(app.test_client())
    for index in range(3):
        shopper.claim(
            photos=[(photo("JPEG", color=(index * 80, 9, 9)), f"p{index}.jpg")],
            description=f"Claim {index}: the lid is cracked.",
        )
    sam = Agent(app.test_client(), app.test_cli_runner()).create()
    sam.sign_in()
    first = sam.take_next().headers["Location"].rsplit("/", 1)[1]
    sam.act(first, "ask_customer", message="Which colour?")
    sam.act(first, "note", message="Checked stock.")
    return app


def test_migration_keeps_every_case_event_and_photo(sqlite_shop, request, app_config):
    data = sqlite_shop.config["DATA_DIR"]
    before = flask_claims(data, "export")
    assert before.returncode == 0 and len(before.stdout.splitlines()) == 3
    sqlite_file = str(data / "claims.sqlite3")

    with fresh_schema(postgresql_url(request)) as target:
        moved = flask_claims(data, "migrate-sqlite-to-postgres", sqlite_file, database_url=target)
        assert moved.returncode == 0, moved.stderr
        assert "cases                    3 rows" in moved.stdout
        assert ":claims@" not in moved.stdout  # the password is never printed
        after = flask_claims(data, "export", database_url=target)
        assert after.stdout == before.stdout  # every field, event and photo sha256 the same

        again = flask_claims(data, "migrate-sqlite-to-postgres", sqlite_file, database_url=target)
        assert again.returncode != 0 and "not empty" in again.stderr

        # The moved log goes on: a new case continues the numbering after the copied ones.
        moved_app = create_app({**app_config, "DATABASE_URL": target})
        Customer(moved_app.test_client()).claim(photos=[(photo("JPEG"), "new.jpg")])
        ids = [
            line.split(",")[0]
            for line in flask_claims(data, "export", database_url=target).stdout.splitlines()
        ]
        assert ids == ['{"id": 1', '{"id": 2', '{"id": 3', '{"id": 4']
