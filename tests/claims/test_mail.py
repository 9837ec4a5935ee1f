"""Confirmation mail goes through a real SMTP server; a slow or dead one loses nothing."""

import pytest

from claims.db import get_caselog
from tests.claims.images import photo
from tests.conftest import free_port

JPEG = (photo("JPEG"), "lid.jpg")


@pytest.fixture
def mail_config(app_config, smtp_server):
    catcher, port = smtp_server
    app_config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, MAIL_FROM="help@shop.example")
    app_config["PUBLIC_URL"] = "https://help.shop.example"
    return catcher


def unsent(app) -> list[dict]:
    with app.app_context():
        return get_caselog().unsent_mail()


def test_confirmation_is_sent_with_the_reference(mail_config, customer, runner, app):
    customer.claim(photos=[JPEG])
    reference = customer.reference(customer.client.get("/claims/submitted"))
    result = runner.invoke(args=["claims", "send-mail"])
    assert result.exit_code == 0, result.output
    [message] = mail_config.messages
    assert message["To"] == "ana@example.com"
    assert message["From"] == "help@shop.example"
    assert reference in message["Subject"]
    body = message.get_content()
    assert reference in body
    assert f"https://help.shop.example/claims/status?reference={reference}" in body
    assert unsent(app) == []
    history = customer.status(reference, "ana@example.com").get_data(as_text=True)
    assert "Confirmation email sent." in history


@pytest.mark.config(MAIL_BACKGROUND=True)
def test_background_courier_sends_without_being_asked(mail_config, customer):
    customer.claim(photos=[JPEG])
    assert len(mail_config.wait_for(1)) == 1


@pytest.mark.config(MAIL_BACKGROUND=True)
def test_slow_mail_server_does_not_hold_up_the_submission(mail_config, customer):
    mail_config.release.clear()  # the server accepts the connection, then stalls
    response = customer.claim(photos=[JPEG])
    assert response.status_code == 303  # answered while the server is still stalled
    assert mail_config.messages == []
    mail_config.release.set()
    assert len(mail_config.wait_for(1)) == 1


def test_mail_server_down_keeps_the_mail_and_a_retry_sends_it(app_config, smtp_server, customer):
    catcher, _ = smtp_server
    dead_port = free_port()
    app_config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=dead_port, SMTP_TIMEOUT=2)
    from claims import create_app

    down = create_app(app_config)
    down_customer = type(customer)(down.test_client())
    assert down_customer.claim(photos=[JPEG]).status_code == 303
    failed = down.test_cli_runner().invoke(args=["claims", "send-mail"])
    assert failed.exit_code == 1
    [waiting] = unsent(down)
    assert waiting["attempts"] == 1 and "Connection refused" in waiting["last_error"]

    # The server is back (here: the same log, pointed at a running server).
    app_config["SMTP_PORT"] = smtp_server[1]
    back = create_app(app_config)
    result = back.test_cli_runner().invoke(args=["claims", "send-mail"])
    assert result.exit_code == 0, result.output
    assert len(catcher.messages) == 1
    assert unsent(back) == []


def test_without_a_mail_server_confirmations_wait_in_the_outbox(customer, runner, app):
    customer.claim(photos=[JPEG])
    assert len(unsent(app)) == 1
    result = runner.invoke(args=["claims", "send-mail"])
    assert result.exit_code != 0
    assert "CLAIMS_SMTP_HOST is not set" in result.output
