"""Customers answer by email: a reply fetched from a real mailbox (Dovecot) lands on its case
with only the new words, through the lifecycle's customer actions, exactly once."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from tests.support import replies
from tests.support.images import heic, jpeg_with_gps, photo

NEW_WORDS = "The label says KX-200, batch 7. The lid cracked on the first use."


def test_a_plain_reply_to_a_question_puts_the_case_back_in_its_place(helpdesk):
    reference, _ = helpdesk.open_case()
    place = helpdesk.case(reference).queue_place
    envelope = helpdesk.ask_customer(reference)
    helpdesk.mailbox.deliver(replies.plain(envelope, NEW_WORDS))

    output = helpdesk.fetch()

    assert "attached       1" in output
    case = helpdesk.case(reference)
    assert (case.status, case.queue_place) == ("waiting", place)
    assert helpdesk.customer_events(reference) == [("customer_replied", NEW_WORDS)]
    assert helpdesk.mailbox.messages("INBOX") == []
    assert len(helpdesk.mailbox.messages("Processed")) == 1
    assert helpdesk.answers() == []  # nothing to complain about, nothing answered


@pytest.mark.parametrize(
    "client", [replies.gmail, replies.apple_mail, replies.outlook, replies.thunderbird]
)
def test_quoted_text_reply_headers_and_signatures_are_stripped(helpdesk, client):
    reference, _ = helpdesk.open_case()
    envelope = helpdesk.ask_customer(reference, replies.QUESTION)
    helpdesk.mailbox.deliver(client(envelope, NEW_WORDS))

    helpdesk.fetch()

    assert helpdesk.customer_events(reference) == [("customer_replied", NEW_WORDS)]


def test_an_html_only_reply_becomes_plain_text_without_markup_or_quote(helpdesk):
    reference, envelope = helpdesk.open_case()
    html = (
        "<html><head><style>p {color: red}</style><script>alert(1)</script></head><body>"
        "<p>The lid is <b>cracked</b> &amp; the handle is loose.</p><p>Second point.</p>"
        "<blockquote>Your case HC-... was received</blockquote></body></html>"
    )
    helpdesk.mailbox.deliver(replies.html_only(envelope, html))

    helpdesk.fetch()

    [(kind, text)] = helpdesk.customer_events(reference)
    assert kind == "customer_added"  # a waiting case: the customer adds information
    assert text == "The lid is cracked & the handle is loose.\n\nSecond point."


def test_photos_attached_by_email_go_through_the_claim_forms_photo_checks(helpdesk):
    reference, envelope = helpdesk.open_case()
    attachments = [
        (heic(), "IMG_0042.HEIC", "image/heic"),
        (jpeg_with_gps(), "IMG_0043.JPG", "image/jpeg"),
    ]
    helpdesk.mailbox.deliver(replies.apple_mail(envelope, NEW_WORDS, attachments))

    helpdesk.fetch()

    photos = helpdesk.photos(reference)
    assert [(p.original_name, p.content_type) for p in photos] == [
        ("IMG_0042.HEIC", "image/jpeg"),  # converted, as the form converts it
        ("IMG_0043.JPG", "image/jpeg"),
    ]
    stored = (helpdesk.app.config["PHOTO_DIR"] / photos[1].stored_name).read_bytes()
    assert b"GPS" not in stored  # metadata stripped as on the form
    assert helpdesk.answers() == []


def test_a_refused_attachment_is_listed_and_mentioned_in_the_answer(helpdesk):
    reference, envelope = helpdesk.open_case()
    attachments = [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "invoice.pdf", "application/pdf"),
        (photo("PNG"), "label.png", "image/png"),
    ]
    helpdesk.mailbox.deliver(replies.apple_mail(envelope, NEW_WORDS, attachments))

    helpdesk.fetch()

    assert [p.original_name for p in helpdesk.photos(reference)] == ["label.png"]
    assert helpdesk.customer_events(reference)[0] == ("customer_added", NEW_WORDS)
    [mail] = helpdesk.inbound()
    assert mail.outcome == "attached"
    assert mail.refused_attachments.startswith("invoice.pdf: ")
    [answer] = helpdesk.answers()
    assert answer["To"] == "ana@example.com"
    assert "invoice.pdf" in answer.get_content()
    assert reference in answer.get_content()


def tampered_token(address: str) -> str:
    """The reply address with one letter of its signature changed."""
    at = address.index("@")
    return address[: at - 1] + ("a" if address[at - 1] != "a" else "b") + address[at:]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param({"sender": "Eve <eve@example.net>"}, id="forged-sender"),
        pytest.param({"to": "tampered"}, id="tampered-token"),
        pytest.param({"to": "help@shop.example"}, id="no-token"),
    ],
)
def test_mail_that_cannot_be_tied_to_its_case_is_kept_and_answered_once(helpdesk, tamper):
    reference, envelope = helpdesk.open_case()
    if tamper.get("to") == "tampered":
        tamper = {"to": tampered_token(envelope.to)}
    envelope = dataclasses.replace(envelope, **tamper)
    helpdesk.mailbox.deliver(replies.plain(envelope, "Please refund me now."))
    helpdesk.mailbox.deliver(replies.plain(envelope, "And again."))

    helpdesk.fetch()

    assert helpdesk.customer_events(reference) == []
    assert [mail.outcome for mail in helpdesk.inbound()] == ["unmatched", "unmatched"]
    [answer] = helpdesk.answers()  # one answer a day to a sender, not one per message
    sender = envelope.sender.rpartition("<")[2].rstrip(">")
    assert answer["To"] == sender
    assert "https://help.example/claims/status" in answer.get_content()
    assert helpdesk.mailbox.messages("INBOX") == []


def test_auto_replies_and_bounces_are_kept_but_never_answered_nor_attached(helpdesk):
    reference, envelope = helpdesk.open_case()
    helpdesk.mailbox.deliver(replies.auto_reply(envelope))
    helpdesk.mailbox.deliver(replies.bounce("help@shop.example", replies.plain(envelope, "x")))

    helpdesk.fetch()

    assert helpdesk.customer_events(reference) == []
    assert [mail.outcome for mail in helpdesk.inbound()] == ["ignored", "ignored"]
    assert helpdesk.answers() == []


def test_the_same_message_fetched_twice_is_added_once(helpdesk):
    reference, envelope = helpdesk.open_case()
    message = replies.plain(envelope, NEW_WORDS)
    helpdesk.mailbox.deliver(message)
    helpdesk.fetch()
    helpdesk.mailbox.deliver(message)  # a copy turns up again (restored, re-sent by a rule)

    output = helpdesk.fetch()

    assert "handled before" in output
    assert helpdesk.customer_events(reference) == [("customer_added", NEW_WORDS)]
    assert len(helpdesk.mailbox.messages("Processed")) == 2


def test_a_reply_to_a_resolved_case_reopens_it(helpdesk):
    reference, envelope = helpdesk.open_case()
    helpdesk.act(reference, "take", "resolve")
    helpdesk.mailbox.deliver(replies.plain(envelope, "The replacement is cracked too."))

    helpdesk.fetch()

    assert helpdesk.case(reference).status == "waiting"
    assert helpdesk.customer_events(reference) == [("reopened", "The replacement is cracked too.")]


def test_a_reply_to_a_case_settled_too_long_ago_is_not_attached_and_answered(helpdesk):
    reference, envelope = helpdesk.open_case()
    helpdesk.act(reference, "take", "resolve")
    later = datetime.now(UTC) + timedelta(days=31)
    helpdesk.app.config["CLOCK"] = lambda: later
    helpdesk.mailbox.deliver(replies.plain(envelope, "It broke again."))

    helpdesk.fetch()

    assert helpdesk.case(reference).status == "resolved"
    assert helpdesk.customer_events(reference) == []
    [mail] = helpdesk.inbound()
    assert mail.outcome == "unmatched" and "more than 30 days ago" in mail.reason
    [answer] = helpdesk.answers()
    assert "more than 30 days ago" in answer.get_content()


@pytest.mark.config(MAIL_PER_CASE_HOUR=2)
def test_a_flood_to_one_case_is_held_after_the_hourly_limit_and_not_answered(helpdesk):
    reference, envelope = helpdesk.open_case()
    for number in range(3):
        helpdesk.mailbox.deliver(replies.plain(envelope, f"Message {number}"))

    helpdesk.fetch()

    assert len(helpdesk.customer_events(reference)) == 2
    assert sorted(mail.outcome for mail in helpdesk.inbound()) == ["attached", "attached", "held"]
    assert helpdesk.answers() == []


@pytest.mark.config(MAIL_PER_SENDER_HOUR=2)
def test_a_flood_from_one_sender_is_held_after_the_hourly_limit(helpdesk):
    helpdesk.open_case()
    robot = replies.Envelope("robot@example.net", "help@shop.example", "Offer", "<o@x>")
    for number in range(4):
        helpdesk.mailbox.deliver(replies.plain(robot, f"Offer {number}"))

    helpdesk.fetch()

    assert sorted(m.outcome for m in helpdesk.inbound()) == [
        "held",
        "held",
        "unmatched",
        "unmatched",
    ]
    assert len(helpdesk.answers()) == 1
    assert helpdesk.mailbox.messages("INBOX") == []


def test_outgoing_mail_carries_a_signed_reply_address_and_one_thread(helpdesk):
    reference, envelope = helpdesk.open_case()
    helpdesk.ask_customer(reference)
    sent = helpdesk.mail_about(reference)
    confirmation, question = sent[0], sent[-1]

    token = reference.replace("-", "").lower()
    assert envelope.to.startswith(f"help+{token}-") and envelope.to.endswith("@shop.example")
    assert question["Reply-To"] == confirmation["Reply-To"]
    assert question["In-Reply-To"] == question["References"] == confirmation["Message-ID"]
    assert question["Message-ID"] != confirmation["Message-ID"]


def test_imap_with_starttls_works_as_imaps_does(helpdesk):
    helpdesk.app.config["IMAP_URL"] = helpdesk.mailbox.url("imap")
    reference, envelope = helpdesk.open_case()
    helpdesk.mailbox.deliver(replies.plain(envelope, NEW_WORDS))

    helpdesk.fetch()

    assert helpdesk.customer_events(reference) == [("customer_added", NEW_WORDS)]


def test_without_an_imap_url_nothing_is_fetched(runner):
    result = runner.invoke(args=["claims", "fetch-mail"])
    assert result.exit_code == 1
    assert "CLAIMS_IMAP_URL is not set" in result.output
