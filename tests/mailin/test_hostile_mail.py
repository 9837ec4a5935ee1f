"""Whatever arrives in the mailbox, the fetcher keeps going: broken, oversized or many-part
messages are kept and moved, and the replies behind them still reach their cases."""

import pytest

from tests.support import replies
from tests.support.images import photo

BROKEN = [
    b"From: <<<@@@>>>\nTo: =?utf-8?b?!!!?=\nSubject: \x00\nContent-Type: multipart/mixed;"
    b" boundary=x\n\n--x\nContent-Type: text/plain; charset=bogus\nContent-Transfer-Encoding:"
    b" base64\n\n!!!\x00\n--x\nContent-Type: image/png\nContent-Disposition: attachment;"
    b" filename*=utf-8''%ff%00\n\nabc\n",
    b"Content-Type: multipart/mixed\n\nno boundary, no sender, no Message-ID\n",
    b"From: ana@example.com\nContent-Type: text/html\n\n" + b"<div>" * 20000 + b"\x00",
]


def test_broken_messages_are_kept_and_do_not_stop_the_replies_behind_them(helpdesk):
    reference, envelope = helpdesk.open_case()
    for raw in BROKEN:
        helpdesk.mailbox.deliver(raw)
    helpdesk.mailbox.deliver(replies.plain(envelope, "Still here."))

    helpdesk.fetch()

    assert helpdesk.customer_events(reference) == [("customer_added", "Still here.")]
    assert len(helpdesk.inbound()) == len(BROKEN) + 1
    assert helpdesk.mailbox.messages("INBOX") == []


@pytest.mark.config(MAX_MAIL_BYTES=20_000, MAX_MAIL_PARTS=4)
def test_too_large_and_too_many_parts_are_not_attached_and_the_sender_is_told(helpdesk):
    reference, envelope = helpdesk.open_case()
    large = [(photo("PNG", size=(400, 400)) + b"\0" * 30_000, "big.png", "image/png")]
    helpdesk.mailbox.deliver(replies.apple_mail(envelope, "A large photo.", large))
    many = [(photo("PNG"), f"p{n}.png", "image/png") for n in range(4)]
    helpdesk.mailbox.deliver(replies.apple_mail(envelope, "Many photos.", many))

    helpdesk.fetch()

    assert helpdesk.customer_events(reference) == []
    reasons = sorted(mail.reason for mail in helpdesk.inbound())
    assert reasons == [
        "The message has more than 4 parts.",
        "The message is larger than 19 KB.",
    ]
    assert len(helpdesk.answers()) == 1  # one answer a day to a sender
