"""Agents share saved replies and insert them, filled in for the case, into a message."""

import re

from markupsafe import escape

from tests.support.actors import Agent

PAYLOAD = '<script>alert("x")</script>'


def page(response) -> str:
    return response.get_data(as_text=True)


def add(agent, title: str, body: str):
    return agent.client.post(
        "/agent/replies", data={"title": title, "body": body}, follow_redirects=True
    )


def test_a_saved_reply_is_filled_in_for_the_case_and_sent_after_editing(agent, customer, runner):
    reference = customer.file(order_ref="100777")
    added = add(agent, "Clearer photo", "Hello, for {reference} (order {order_ref}) - {agent}")
    assert "Saved reply “Clearer photo” added." in page(added)
    reply_id = re.search(r"/agent/replies/(\d+)", page(added)).group(1)
    agent.take_next()
    case_page = page(
        agent.client.get(f"/agent/cases/{reference}?reply={reply_id}&into=ask_customer")
    )
    textarea = re.search(r'id="ask-customer-message"[^>]*>([^<]*)</textarea>', case_page)
    assert textarea.group(1) == f"Hello, for {reference} (order 100777) - sam"
    resolve_box = re.search(r'id="resolve-message"[^>]*>([^<]*)</textarea>', case_page)
    assert resolve_box.group(1) == ""  # only the box it was asked for


def test_replies_are_shared_changed_and_deleted(app, runner, agent):
    add(agent, "Refund timing", "Refunds take 5 days.")
    kim = Agent(app.test_client(), runner, "kim").create()
    kim.sign_in()
    listing = page(kim.client.get("/agent/replies"))
    assert "Refunds take 5 days." in listing
    reply_id = re.search(r"/agent/replies/(\d+)", listing).group(1)
    changed = kim.client.post(
        f"/agent/replies/{reply_id}",
        data={"title": "Refund timing", "body": "Refunds take 3 days."},
        follow_redirects=True,
    )
    assert "Saved reply “Refund timing” changed." in page(changed)
    assert "Refunds take 3 days." in page(agent.client.get("/agent/replies"))
    assert "Last changed by kim" in page(agent.client.get("/agent/replies"))
    deleted = agent.client.post(f"/agent/replies/{reply_id}/delete", follow_redirects=True)
    assert "Saved reply “Refund timing” deleted." in page(deleted)
    assert "No saved replies yet." in page(deleted)
    assert agent.client.post(f"/agent/replies/{reply_id}/delete").status_code == 404
    assert agent.client.get(f"/agent/replies/{reply_id}").status_code == 404


def test_a_reply_needs_a_title_of_its_own_and_text(agent):
    add(agent, "Greeting", "Hello.")
    taken = add(agent, "Greeting", "Hi again.")
    assert taken.status_code == 400
    assert "Another saved reply has this title: choose another." in page(taken)
    assert "Hi again." in page(taken)  # what was typed is kept
    empty = add(agent, "", "")
    assert "Give the reply a title." in page(empty) and "Write the reply&#39;s text." in page(empty)
    too_long = add(agent, "Long", "x" * 5001)
    assert "Write at most 5,000 characters." in page(too_long)


def test_reply_text_and_braces_are_shown_as_text(agent, customer):
    reference = customer.file()
    add(agent, PAYLOAD, PAYLOAD + " {reference.__class__} {0} {")
    listing = page(agent.client.get("/agent/replies"))
    assert PAYLOAD not in listing and str(escape(PAYLOAD)) in listing
    reply_id = re.search(r"/agent/replies/(\d+)", listing).group(1)
    agent.take_next()
    case_page = page(
        agent.client.get(f"/agent/cases/{reference}?reply={reply_id}&into=ask_customer")
    )
    assert PAYLOAD not in case_page
    assert str(escape(PAYLOAD)) + " {reference.__class__} {0} {" in case_page


def test_an_unknown_reply_or_box_leaves_the_case_page_as_it_is(agent, customer):
    reference = customer.file()
    for query in ("reply=999&into=ask_customer", "reply=x&into=ask_customer", "reply=1&into=zz"):
        assert agent.client.get(f"/agent/cases/{reference}?{query}").status_code == 200
