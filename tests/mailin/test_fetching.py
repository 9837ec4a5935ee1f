"""The fetcher against a mailbox that goes away and comes back, one fetcher at a time, and
in the background of the real service."""

import time

from tests.support import replies
from tests.support.cases import file_into
from tests.support.service import start_service, stop_service

NEW_WORDS = "Here is the serial number: 4711."


def test_a_mailbox_that_is_down_loses_nothing_and_is_read_when_it_is_back(helpdesk):
    reference, envelope = helpdesk.open_case()
    helpdesk.mailbox.deliver(replies.plain(envelope, NEW_WORDS))
    helpdesk.mailbox.server.stop()
    try:
        result = helpdesk.app.test_cli_runner().invoke(args=["claims", "fetch-mail"])
        assert result.exit_code == 1
        assert "The mailbox could not be read" in result.output
        assert helpdesk.customer_events(reference) == []
    finally:
        helpdesk.mailbox.server.start()

    helpdesk.fetch()

    assert helpdesk.customer_events(reference) == [("customer_added", NEW_WORDS)]
    assert helpdesk.mailbox.messages("INBOX") == []


def test_one_fetcher_at_a_time_holds_the_mailbox_until_its_lease_ends(app):
    from datetime import UTC, datetime, timedelta

    from claims.store import Store

    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    with Store(app.config["DATABASE_URL"], now=lambda: now) as store:
        assert store.inbound.take_lease("worker-1", 300)
        assert not store.inbound.take_lease("worker-2", 300)
        assert store.inbound.take_lease("worker-1", 300)  # renewing
        now += timedelta(seconds=301)  # worker-1 died mid-round
        assert store.inbound.take_lease("worker-2", 300)
        store.inbound.release_lease("worker-2")
        assert store.inbound.take_lease("worker-3", 300)


def test_the_running_service_fetches_replies_in_the_background_without_any_request(
    tmp_path, mailbox, smtp_server
):
    from claims.mailin.addresses import reply_address
    from claims.store import Store

    catcher, port = smtp_server
    data = tmp_path / "data"
    settings = {"SECRET_KEY": "live-test-secret", "MAIL_FROM": "help@shop.example"}
    with Store(f"sqlite:///{data / 'claims.sqlite3'}") as store:
        store.upgrade_schema()
        reference = file_into(store, "ana@example.com")
        to = reply_address(settings, store.cases.case_by_reference(reference))
    envelope = replies.Envelope("ana@example.com", to, f"Your case {reference}", "<x@shop>")
    mailbox.deliver(replies.plain(envelope, NEW_WORDS))

    process, _ = start_service(
        data,
        workers=2,
        untouched=True,  # gunicorn.conf.py starts the fetcher in each worker
        IMAP_URL=mailbox.url(),
        IMAP_CA_FILE=str(mailbox.server.ca_file),
        IMAP_POLL_SECONDS="1",
        MAIL_FROM=settings["MAIL_FROM"],
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(port),
    )
    try:
        deadline = time.monotonic() + 60
        while not mailbox.messages("Processed"):
            assert time.monotonic() < deadline, "the reply was not fetched"
            time.sleep(0.1)
    finally:
        stop_service(process)

    with Store(f"sqlite:///{data / 'claims.sqlite3'}") as store:
        case = store.cases.case_by_reference(reference)
        added = [e.text for e in store.history.events(case.id) if e.kind == "customer_added"]
    assert added == [NEW_WORDS]
    assert mailbox.messages("INBOX") == []


def test_a_reply_committed_before_a_crash_but_not_recorded_is_not_added_again(helpdesk):
    from claims.mailin.fetcher import submission_key
    from tests.support.helpdesk import parse

    reference, envelope = helpdesk.open_case()
    message = replies.plain(envelope, NEW_WORDS)
    helpdesk.mailbox.deliver(message)
    with helpdesk.store() as store:  # what the fetcher committed before it died
        case = store.cases.case_by_reference(reference)
        key = submission_key(str(parse(message)["Message-ID"]))
        store.cases.customer_adds(case, None, NEW_WORDS, [], submission_key=key)

    helpdesk.fetch()

    assert helpdesk.customer_events(reference) == [("customer_added", NEW_WORDS)]
    assert [mail.outcome for mail in helpdesk.inbound()] == ["attached"]
    assert helpdesk.mailbox.messages("INBOX") == []


def test_a_wrong_mailbox_setting_is_named_and_nothing_is_lost(helpdesk):
    reference, envelope = helpdesk.open_case()
    helpdesk.mailbox.deliver(replies.plain(envelope, NEW_WORDS))
    runner = helpdesk.app.test_cli_runner()

    for setting, value, said in [
        ("IMAP_URL", "https://mail.example.com/INBOX", "CLAIMS_IMAP_URL must look like"),
        ("IMAP_CA_FILE", "/nonexistent/ca.pem", "CLAIMS_IMAP_CA_FILE cannot be read"),
    ]:
        right = helpdesk.app.config[setting]
        helpdesk.app.config[setting] = value
        result = runner.invoke(args=["claims", "fetch-mail"])
        helpdesk.app.config[setting] = right
        assert result.exit_code == 1 and said in result.output, result.output

    assert len(helpdesk.mailbox.messages("INBOX")) == 1
    helpdesk.fetch()
    assert helpdesk.customer_events(reference) == [("customer_added", NEW_WORDS)]
