"""A customer with every kind of personal data the case log holds, and searches for what of it
is left: in every table and column the schema has (found from the database itself, so tables
added later are searched too) and in every file under DATA_DIR."""

import io
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.actors import Agent, Customer
from tests.support.images import photo
from tests.support.mail import MailCatcher

ADDRESS = "Erase.Me+qx7@Example.ORG"
ORDER_REF = "ORD-QX7-55120"


@dataclass
class PersonalData:
    """What one customer gave and what was written about them, to search for after erasure."""

    address: str = ADDRESS
    references: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)  # every value that must go

    def add(self, *values: str) -> None:
        self.values.extend(values)


class RefusingOnce(MailCatcher):
    """A mail server that refuses the customer's first mail for good, quoting the address (as
    many do), and takes every later one."""

    def __init__(self):
        super().__init__()
        self.refused = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() == ADDRESS.lower() and not self.refused:
            self.refused = True
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def reply(client, message: str, photos=()):
    """The customer answers an agent's question on their case page, with photos."""
    return client.post(
        "/claims/status/add",
        data={"message": message, "photos": [(io.BytesIO(data), name) for data, name in photos]},
        content_type="multipart/form-data",
    )


def file_everything(app, agent: Agent, data: PersonalData) -> PersonalData:
    """Two cases of one customer (typed with different capitals) holding every kind of data:
    photos at filing and in a reply, the description, a question and an answer, an internal
    note about them, a resolution message, mail sent, mail given up with the server's answer
    quoting the address, and mail still queued. The second case stays open."""
    shopper = Customer(app.test_client())
    runner = app.test_cli_runner()
    first = shopper.file(
        photos=[(photo("JPEG"), "qx7-kitchen.jpg"), (photo("PNG"), "qx7-receipt.png")],
        email=data.address,
        order_ref=ORDER_REF,
        description="The qx7 kettle from Rotterdam arrived with a cracked lid.",
    )
    runner.invoke(args=["claims", "send-mail"])  # refused for good, quoting the address
    second = shopper.file(
        photos=[(photo("WEBP"), "qx7-box.webp")],
        email=data.address.lower(),
        order_ref=ORDER_REF + "-B",
        description="The qx7 spare box is dented on the side.",
    )
    agent.client.post(f"/agent/cases/{first}/take")
    agent.act(first, "note", message="Customer qx7 phoned from +31 20 555 0199.")
    agent.act(first, "ask_customer", message="Please send qx7 label photo, Mr Qx7.")
    runner.invoke(args=["claims", "send-mail"])
    assert shopper.status(first, data.address).status_code == 200
    answer = reply(
        shopper.client, "Here is the qx7 label, from Keizersgracht 7.", [(photo(), "qx7-label.jpg")]
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)
    agent.client.post(f"/agent/cases/{first}/take")
    agent.act(first, "resolve", outcome="replacement", message="A new qx7 lid is on its way.")
    data.references += [first, second]
    data.add(
        data.address,
        ORDER_REF,
        "qx7 kettle from Rotterdam",
        "qx7 spare box",
        "qx7-kitchen",
        "qx7-receipt",
        "qx7-box",
        "qx7-label",
        "+31 20 555 0199",
        "send qx7 label photo",
        "Keizersgracht 7",
        "new qx7 lid",
        "mailbox unavailable",
    )
    return data


def photo_hashes(app, references: list[str]) -> list[str]:
    """The sha256 of every photo of these cases, as recorded."""
    from claims.store import get_store

    with app.app_context():
        store = get_store()
        return [
            stored.sha256
            for reference in references
            for stored in store.cases.photos(store.cases.case_by_reference(reference).id)
        ]


def every_column(store) -> list[tuple[str, str]]:
    """(table, column) for every column of every table of the case log, read from the
    database's own catalogue."""
    db = store.connection
    if db.is_postgresql:
        rows = db.execute(
            "SELECT table_name AS name, column_name AS col FROM information_schema.columns"
            " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
        )
        return [(row["name"], row["col"]) for row in rows]
    tables = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return [
        (table["name"], column["name"])
        for table in tables
        for column in db.execute(f"PRAGMA table_info({table['name']})")
    ]


def places_holding(store, values: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, value) wherever a value appears, case-insensitively, in any column."""
    found = []
    for table, column in every_column(store):
        for value in values:
            hits = store.connection.scalar(
                f'SELECT COUNT(*) AS hits FROM "{table}"'
                f' WHERE LOWER(CAST("{column}" AS TEXT)) LIKE ?',
                (f"%{value.lower()}%",),
            )
            if hits:
                found.append((table, column, value))
    return found


def files_holding(directory: Path, values: list[str]) -> list[tuple[str, str]]:
    """(file, value) for each file under `directory` whose bytes contain a value, in any case
    (UTF-8, as the databases store text)."""
    found = []
    for path in directory.rglob("*"):
        if path.is_file():
            content = path.read_bytes().lower()
            found += [(str(path), value) for value in values if value.lower().encode() in content]
    return found
