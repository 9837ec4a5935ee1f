"""Confirmation mail goes through a real SMTP server; a slow or dead one loses nothing, and
no one bad address or refused message holds up the rest."""

import pytest

from claims import create_app
from claims.store import Store, get_store
from tests.support.cases import file_directly, file_into_first_schema
from tests.support.images import photo
from tests.support.mail import MailCatcher, mail_server
from tests.support.service import free_port

JPEG = (photo("JPEG"), "lid.jpg")
ENCODED_WORD = "=?utf-8?q?p0=0A?=@example.com"  # decodes to a line break in the To header


@pytest.fixture
def mail_config(app_config, smtp_server):
    catcher, port = smtp_server
    app_config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, MAIL_FROM="help@shop.example")
    app_config["PUBLIC_URL"] = "https://help.shop.example"
    return catcher


def unsent(app) -> list:
    with app.app_context():
        return get_store().outbox.unsent_mail()


class PickyServer(MailCatcher):
    """Answers for some mailboxes as real servers do: 550 for nobody@, 450 for busy@."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 No such mailbox here"
        if address.startswith("busy@"):
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def picky_server(app_config):
    catcher = PickyServer()
    with mail_server(catcher) as port:
        app_config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        yield catcher


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
    assert "Open your case: https://help.shop.example/claims/case/" in body
    assert "https://help.shop.example/claims/status" in body
    assert unsent(app) == []
    history = customer.status(reference, "ana@example.com").get_data(as_text=True)
    assert "Confirmation email sent." in history


@pytest.mark.config(MAIL_BACKGROUND=True)
def test_background_courier_sends_without_being_asked(mail_config, customer):
    customer.claim(photos=[JPEG])
    assert len(mail_config.wait_for(1)) == 1


@pytest.mark.config(MAIL_BACKGROUND=True)
def test_a_stopped_courier_ends_its_thread_and_starts_no_other(mail_config, app, customer):
    customer.claim(photos=[JPEG])
    assert len(mail_config.wait_for(1)) == 1
    courier = app.extensions["courier"]
    courier.stop()
    assert not courier.thread.is_alive()
    customer.claim(photos=[JPEG])
    assert not courier.thread.is_alive()


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
    assert waiting.attempts == 1 and "Connection refused" in waiting.last_error
    assert waiting.failed_at is None  # a server that is down is waited for, never given up
    assert "The mail server could not be used" in failed.output

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


def test_a_bad_address_in_the_log_is_given_up_and_the_rest_is_still_sent(
    mail_config, customer, runner, app, agent
):
    bad = file_directly(app, ENCODED_WORD)
    good = customer.file()
    result = runner.invoke(args=["claims", "send-mail"])
    assert result.exit_code == 0, result.output
    [message] = mail_config.messages
    assert good in message["Subject"]
    assert f"Given up: {bad} confirmation email: This address contains “=?”" in result.output
    assert "Sent 1, given up 1, still waiting 0." in result.output

    again = runner.invoke(args=["claims", "send-mail"])  # given up: neither retried nor in the way
    assert again.exit_code == 0 and "Sent 0, given up 0, still waiting 0." in again.output
    [failed] = unsent(app)
    assert failed.reference == bad and failed.failed_at and failed.attempts == 1

    case_page = agent.client.get(f"/agent/cases/{bad}").get_data(as_text=True)
    assert 'id="mail-trouble"' in case_page
    assert "Confirmation email:" in case_page and "given up after 1 try" in case_page
    assert "Confirmation email not sent" in case_page  # in the history too
    outbox = runner.invoke(args=["claims", "outbox"])
    assert outbox.exit_code == 0
    assert (
        f"{bad}  Confirmation email" in outbox.output and "This address contains" in outbox.output
    )


@pytest.mark.config(MAIL_BACKGROUND=True)
def test_background_courier_sends_the_mail_queued_behind_a_bad_address(mail_config, app):
    file_directly(app, ENCODED_WORD)
    good = file_directly(app, "ana@example.com")
    app.test_client().get("/healthz")  # a worker's first request starts its courier
    [message] = mail_config.wait_for(1)
    assert good in message["Subject"]


def test_mail_refused_for_good_is_given_up_and_mail_refused_for_now_waits(
    picky_server, customer, runner, app
):
    nobody = customer.file(email="nobody@example.com")
    busy = customer.file(email="busy@example.com")
    ana = customer.file()
    result = runner.invoke(args=["claims", "send-mail"])
    assert result.exit_code == 0, result.output
    [message] = picky_server.messages  # sent, although the two before it were refused
    assert ana in message["Subject"]
    assert (
        f"Given up: {nobody} confirmation email: The mail server refused the address:"
        " 550 5.1.1 No such mailbox here"
    ) in result.output
    assert f"Not sent, will retry: {busy} confirmation email:" in result.output
    [waiting] = [mail for mail in unsent(app) if not mail.failed_at]
    assert waiting.reference == busy and waiting.last_error.startswith("The mail server refused")
    assert "450 4.2.1" in waiting.last_error

    retried = runner.invoke(args=["claims", "send-mail", "--retry-failed"])
    assert "Trying 1 given-up mail again." in retried.output
    assert f"Given up: {nobody}" in retried.output  # the server still says no


@pytest.mark.parametrize("smtputf8", [True, False], ids=["smtputf8", "no-smtputf8"])
def test_a_non_ascii_address_in_the_log_is_sent_only_where_the_server_can(app_config, smtputf8):
    catcher = MailCatcher()
    with mail_server(catcher, enable_SMTPUTF8=smtputf8) as port:
        app = create_app({**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port})
        reference = file_directly(app, "josé@example.com")
        result = app.test_cli_runner().invoke(args=["claims", "send-mail"])
    assert result.exit_code == 0, result.output
    if smtputf8:
        [message] = catcher.messages
        assert message["To"] == "josé@example.com"
    else:
        assert catcher.messages == []
        assert f"Given up: {reference} confirmation email:" in result.output
        assert "SMTPUTF8" in result.output


def test_an_international_domain_is_written_in_ascii(mail_config, customer, runner):
    customer.file(email="ana@bücher.example")
    assert runner.invoke(args=["claims", "send-mail"]).exit_code == 0
    [message] = mail_config.messages
    assert message["To"] == "ana@xn--bcher-kva.example"


def test_a_case_log_from_the_previous_version_is_upgraded_and_its_mail_sent_or_given_up(
    app_config, smtp_server
):
    url = app_config["DATABASE_URL"] or f"sqlite:///{app_config['DATA_DIR'] / 'claims.sqlite3'}"
    with Store(url) as previous_version:
        previous_version.upgrade_schema(version=1)
        bad = file_into_first_schema(previous_version, ENCODED_WORD)
        good = file_into_first_schema(previous_version, "ana@example.com")
    catcher, port = smtp_server
    upgraded = create_app({**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port})
    result = upgraded.test_cli_runner().invoke(args=["claims", "send-mail"])
    assert result.exit_code == 0, result.output
    [message] = catcher.messages
    assert good in message["Subject"]
    assert f"Given up: {bad} confirmation email" in result.output


@pytest.mark.config(AGENT_ALERT_EMAIL="support-team@shop.example")
def test_agents_are_emailed_about_new_priority_cases_only(mail_config, customer, runner):
    priority = customer.file()
    customer.file(claim_type="return-request")
    result = runner.invoke(args=["claims", "send-mail"])
    assert result.exit_code == 0, result.output
    alerts = [m for m in mail_config.messages if m["To"] == "support-team@shop.example"]
    [alert] = alerts
    assert alert["Subject"] == f"New priority case {priority}: Defective item"
    assert f"https://help.shop.example/agent/cases/{priority}" in alert.get_content()
    assert "ana@example.com" not in alert.as_string()  # no customer data leaves the console
    history = customer.status(priority, "ana@example.com").get_data(as_text=True)
    assert "Email to agents" not in history


def test_without_an_agent_address_no_alert_is_queued(mail_config, customer, runner):
    customer.file()
    runner.invoke(args=["claims", "send-mail"])
    assert [m["To"] for m in mail_config.messages] == ["ana@example.com"]
