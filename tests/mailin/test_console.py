"""Agents see every email that came in: what was attached to which case, what was not and
why, and each message as received."""

from tests.support import replies
from tests.support.actors import Agent

PAYLOAD = "<script>alert(1)</script>"


def signed_in_agent(helpdesk) -> Agent:
    app = helpdesk.app
    agent = Agent(app.test_client(), app.test_cli_runner()).create()
    assert agent.sign_in().status_code == 303
    return agent


def test_the_console_lists_unmatched_mail_and_shows_each_message_as_received(helpdesk):
    reference, envelope = helpdesk.open_case()
    helpdesk.mailbox.deliver(replies.plain(envelope, "Attached reply."))
    stranger = replies.Envelope(
        f"Eve {PAYLOAD} <eve@example.net>", "help@shop.example", PAYLOAD, "<none@x>"
    )
    helpdesk.mailbox.deliver(replies.plain(stranger, f"Hello {PAYLOAD}"))
    helpdesk.fetch()
    agent = signed_in_agent(helpdesk)

    listing = agent.client.get("/agent/mail").get_data(as_text=True)

    assert "Unmatched</strong>: It was not sent to the reply address of a case." in listing
    assert f'href="/agent/cases/{reference}"' in listing
    assert PAYLOAD not in listing and "&lt;script&gt;" in listing
    [unmatched] = [m for m in helpdesk.inbound() if m.outcome == "unmatched"]
    original = agent.client.get(f"/agent/mail/{unmatched.id}").get_data(as_text=True)
    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt;" in original
    assert "From: Eve" in original  # the headers too, as received


def test_the_case_page_links_to_its_email_and_the_list_filters_by_case(helpdesk):
    reference, envelope = helpdesk.open_case()
    other, other_envelope = helpdesk.open_case("bo@example.com")
    helpdesk.mailbox.deliver(replies.plain(envelope, "About the first case."))
    bo = replies.Envelope("bo@example.com", other_envelope.to, "x", "<y@x>")
    helpdesk.mailbox.deliver(replies.plain(bo, "About the other case."))
    helpdesk.fetch()
    agent = signed_in_agent(helpdesk)

    case_page = agent.client.get(f"/agent/cases/{reference}").get_data(as_text=True)
    assert f'href="/agent/mail?case={reference}"' in case_page
    of_case = agent.client.get(f"/agent/mail?case={reference}").get_data(as_text=True)
    assert reference in of_case and other not in of_case
    assert agent.client.get("/agent/mail?case=HC-0000-0000-0000").status_code == 404


def test_email_pages_are_for_agents_only(helpdesk):
    client = helpdesk.app.test_client()
    assert client.get("/agent/mail").status_code == 302
    assert client.get("/agent/mail/1").status_code == 302


def test_erasing_a_customer_forgets_the_email_they_sent(helpdesk):
    reference, envelope = helpdesk.open_case()
    helpdesk.mailbox.deliver(replies.plain(envelope, "Attached to the case."))
    lost = replies.Envelope(envelope.sender, "help@shop.example", "No token", "<z@x>")
    helpdesk.mailbox.deliver(replies.plain(lost, "Sent to the plain address."))
    helpdesk.fetch()
    assert len(helpdesk.inbound()) == 2

    result = helpdesk.app.test_cli_runner().invoke(
        args=["claims", "customer-erase", "Ana@Example.com"]
    )

    assert result.exit_code == 0, result.output
    assert helpdesk.inbound() == []
