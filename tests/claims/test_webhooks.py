"""The shop's other systems hear of cases through signed webhooks (Standard Webhooks), sent
to a real local HTTP server, retried until accepted."""

import base64
import contextlib
import http.server
import json
import threading

import pytest
from standardwebhooks import Webhook

from claims import create_app
from claims.config import MissingSecretKey
from claims.store import get_store
from claims.webhooks import deliver_webhooks
from tests.support.actors import Agent, Customer

SECRET = "whsec_" + base64.b64encode(b"a secret of the shop's own").decode()


class Receiver(http.server.BaseHTTPRequestHandler):
    """Answers each POST with the next status of `answers` (then 204), keeping what came."""

    received: list[tuple[dict, bytes]] = []
    answers: list[int] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(self.answers.pop(0) if self.answers else 204)
        self.end_headers()

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def receiver(answers: list[int]):
    Receiver.received, Receiver.answers = [], list(answers)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks", Receiver.received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def hooked(app_config):
    """The service with webhooks to a local receiver whose first answer is a 503."""
    with receiver([503]) as (url, received):
        app = create_app({**app_config, "WEBHOOK_URL": url, "WEBHOOK_SECRET": SECRET})
        yield app, received
        app.extensions["courier"].stop()


def deliver(app, due_only=False) -> int:
    with app.app_context():
        return deliver_webhooks(get_store(), app.config, due_only=due_only)


def test_filed_replied_and_status_changes_are_signed_and_retried_until_accepted(hooked):
    app, received = hooked
    customer = Customer(app.test_client())
    reference = customer.file()
    assert deliver(app) == 0  # the receiver answered 503: kept for a retry
    assert deliver(app, due_only=True) == 0  # not due yet
    assert deliver(app) == 1
    sam = Agent(app.test_client(), app.test_cli_runner()).create()
    sam.sign_in()
    sam.take_next()
    sam.act(reference, "ask_customer", message="Which colour?")
    customer.status(reference, "ana@example.com")
    customer.add_to_case(message="Green.")
    assert deliver(app) == 4

    verifier = Webhook(SECRET)
    messages = [(headers, verifier.verify(body, headers)) for headers, body in received]
    ids = [headers["webhook-id"] for headers, _ in messages]
    assert ids[0] == ids[1]  # the retry is the same message: receivers drop repeats
    kinds = [(m["type"], m["data"]["status"]) for _, m in messages[1:]]
    assert [kind for kind, _ in kinds] == [
        "case.filed",
        "case.status_changed",
        "case.status_changed",
        "case.customer_replied",
        "case.status_changed",
    ]
    assert all(m["data"]["reference"] == reference for _, m in messages)
    assert all("email" not in m["data"] for _, m in messages)  # nothing personal
    assert deliver(app) == 0  # all delivered, once


def test_a_forged_or_altered_webhook_fails_verification(hooked):
    app, received = hooked
    Customer(app.test_client()).file()
    deliver(app)
    deliver(app)
    headers, body = received[-1]
    with pytest.raises(Exception, match="signature"):
        Webhook(SECRET).verify(body.replace(b"case.filed", b"case.closed"), headers)
    other = "whsec_" + base64.b64encode(b"someone else's").decode()
    with pytest.raises(Exception, match="signature"):
        Webhook(other).verify(body, headers)
    assert json.loads(body)["type"] == "case.filed"


def test_nothing_is_queued_without_a_webhook_url(app, customer):
    customer.file()
    with app.app_context():
        rows = get_store().connection.execute("SELECT kind FROM outbox").fetchall()
    assert [row["kind"] for row in rows] == ["confirmation"]


def test_a_webhook_url_without_a_secret_is_refused_at_start(app_config):
    with pytest.raises(MissingSecretKey, match="CLAIMS_WEBHOOK_SECRET"):
        create_app({**app_config, "WEBHOOK_URL": "http://127.0.0.1:9/hooks"})
