"""Support agents work the queue: taking, releasing, asking, resolving, closing, exporting."""

import io
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest

from claims.store import Store
from tests.support.actors import Agent, Customer
from tests.support.cases import cases
from tests.support.images import photo

JPEG = (photo("JPEG"), "lid.jpg")


def file_claims(customer, count: int, **fields) -> list[str]:
    return [
        customer.file([JPEG], description=f"Claim number {index} about a lid.", **fields)
        for index in range(count)
    ]


def page(response) -> str:
    return response.get_data(as_text=True)


# The queue


def test_queue_lists_cases_in_queue_order_with_counts_and_details(agent, customer):
    standard = file_claims(customer, 1, claim_type="return-request")
    priority = file_claims(customer, 2)
    html = page(agent.client.get("/agent/"))
    positions = [html.index(reference) for reference in priority + standard]
    assert positions == sorted(positions)
    assert "<strong>2</strong> priority" in html and "<strong>1</strong> standard" in html
    assert "Oldest waiting for <strong>just now</strong>" in html
    assert "100234" in html and "Defective item" in html


def test_queue_filters_by_status_and_type(agent, customer):
    [returned] = file_claims(customer, 1, claim_type="return-request")
    [defective] = file_claims(customer, 1)
    only_returns = page(agent.client.get("/agent/?type=return-request"))
    assert returned in only_returns and defective not in only_returns
    agent.take_next()
    in_review = page(agent.client.get("/agent/?status=in_review"))
    assert defective in in_review and returned not in in_review
    assert ">sam</td>" in in_review


def test_queue_is_paginated(agent, customer):
    references = file_claims(customer, 52)
    first = page(agent.client.get("/agent/"))
    second = page(agent.client.get("/agent/?page=2"))
    assert references[49] in first and references[50] not in first
    assert references[50] in second and references[51] in second
    assert "Next page" in first and "Next page" not in second
    assert agent.client.get("/agent/?page=-3").status_code == 200


# Taking cases


def test_take_next_gives_the_priority_case_first(agent, customer):
    [standard] = file_claims(customer, 1, claim_type="return-request")
    [priority] = file_claims(customer, 1)
    assert agent.take_next().headers["Location"] == f"/agent/cases/{priority}"
    assert agent.take_next().headers["Location"] == f"/agent/cases/{standard}"
    assert agent.take_next().headers["Location"] == "/agent/"


def test_racing_agents_never_get_the_same_case(app, customer):
    references = file_claims(customer, 40)
    taken: list[str] = []
    lock = threading.Lock()

    def work(name: str):
        with Store(app.config["DATABASE_URL"]) as store:  # each agent its own connection
            while case := store.cases.take_next(name):
                with lock:
                    taken.append(case.reference)

    agents = [threading.Thread(target=work, args=(f"agent{i}",)) for i in range(8)]
    for thread in agents:
        thread.start()
    for thread in agents:
        thread.join()
    assert sorted(taken) == sorted(references)  # every case once, none twice


def test_released_case_goes_back_to_its_original_place(agent, customer, runner):
    first, second, third = file_claims(customer, 3)
    agent.take_next()
    agent.take_next()
    assert agent.act(second, "release").status_code == 200
    result = runner.invoke(args=["claims", "queue"])
    assert [line.split()[1] for line in result.output.splitlines()] == [second, third]


def test_taking_a_case_another_agent_holds_is_refused(app, runner, agent, customer):
    [reference] = file_claims(customer, 1)
    agent.take_next()
    kim = Agent(app.test_client(), runner, "kim").create()
    kim.sign_in()
    response = kim.act(reference, "take")
    assert "This case is in review: it cannot be taken now." in page(response)
    assert kim.act(reference, "release").status_code == 200
    assert "sam holds this case; only they can do that." in page(kim.act(reference, "release"))
    assert cases(runner)[0]["assigned_to"] == "sam"


# A case's life


def test_ask_reply_resolve_round_trip(agent, customer, runner):
    [reference] = file_claims(customer, 1)
    agent.take_next()
    asked = agent.act(reference, "ask_customer", message="Please send a photo of the lid's edge.")
    assert "Waiting customer" in page(asked)

    mine = page(customer.status(reference, "ana@example.com"))
    assert "Waiting for your reply" in mine
    assert "Please send a photo of the lid&#39;s edge." in mine
    reply = customer.client.post(
        "/claims/status/add",
        data={
            "message": "Here is the edge.",
            "photos": [(io.BytesIO(JPEG[0]), "edge.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert reply.status_code == 303
    back = page(customer.client.get("/claims/status/case"))
    assert "Your case is waiting for review." in back and "number <strong>1</strong>" in back
    assert "You answered:" in back and '<p class="message">Here is the edge.</p>' in back

    agent.take_next()
    log = page(agent.client.get(f"/agent/cases/{reference}"))
    assert "Here is the edge." in log and "edge.jpg" in log
    resolved = agent.act(
        reference, "resolve", outcome="replacement", message="A new lid is on its way."
    )
    assert "Resolved" in page(resolved)
    final = page(customer.client.get("/claims/status/case"))
    assert "Resolved: Replacement sent." in final and "A new lid is on its way." in final
    [case] = cases(runner)
    assert [event["kind"] for event in case["events"]] == [
        "submitted",
        "photo_added",
        "taken",
        "asked_customer",
        "customer_replied",
        "photo_added",
        "taken",
        "resolved",
    ]
    assert len(case["photos"]) == 2


def test_reply_goes_back_to_its_original_place_in_the_queue(agent, customer, runner):
    first, second = file_claims(customer, 2)
    agent.take_next()
    agent.act(first, "ask_customer", message="Which colour was it?")
    customer.status(first, "ana@example.com")
    customer.client.post("/claims/status/add", data={"message": "Red."})
    result = runner.invoke(args=["claims", "queue"])
    assert [line.split()[1] for line in result.output.splitlines()] == [first, second]


def test_adding_needs_the_case_proven_and_unasked_it_is_information_not_an_answer(
    agent, customer, runner
):
    [reference] = file_claims(customer, 1)
    stranger = customer.client.application.test_client()
    assert stranger.post("/claims/status/add", data={"message": "Hi"}).status_code == 302
    assert "customer_added" not in [event["kind"] for event in cases(runner)[0]["events"]]
    customer.status(reference, "ana@example.com")
    customer.client.post("/claims/status/add", data={"message": "Unasked."})
    kinds = [event["kind"] for event in cases(runner)[0]["events"]]
    assert "customer_added" in kinds and "customer_replied" not in kinds


def test_reply_photos_get_the_same_checks_as_the_claim_form(agent, customer, runner, app):
    [reference] = file_claims(customer, 1)
    agent.take_next()
    agent.act(reference, "ask_customer", message="A clearer photo, please.")
    customer.status(reference, "ana@example.com")
    response = customer.client.post(
        "/claims/status/add",
        data={"message": "Here.", "photos": [(io.BytesIO(b"<html>"), "x.jpg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "x.jpg: This file is not a photo we can read." in page(response)
    assert cases(runner)[0]["status"] == "waiting_customer"


def test_close_a_case_waiting_for_the_customer(agent, customer):
    [reference] = file_claims(customer, 1)
    agent.take_next()
    agent.act(reference, "ask_customer", message="Your order number, please.")
    closed = agent.act(reference, "close", message="No answer after two weeks.")
    assert "Closed" in page(closed)
    assert "Closed." in page(customer.status(reference, "ana@example.com"))


@pytest.mark.parametrize(
    ("action", "fields", "message"),
    [
        ("resolve", {"outcome": "replacement"}, "This case is closed: it cannot be resolved now."),
        ("take", {}, "This case is closed: it cannot be taken now."),
        ("close", {}, "This case is closed: it cannot be closed now."),
        ("ask_customer", {"message": "More?"}, "it cannot be sent back to the customer now."),
    ],
)
def test_actions_that_do_not_fit_are_refused_and_change_nothing(
    agent, customer, runner, action, fields, message
):
    [reference] = file_claims(customer, 1)
    agent.take_next()
    agent.act(reference, "close")
    before = cases(runner)
    assert message in page(agent.act(reference, action, **fields))
    assert cases(runner) == before


@pytest.mark.parametrize(
    ("action", "fields", "message"),
    [
        ("resolve", {}, "Choose an outcome."),
        ("resolve", {"outcome": "free-money"}, "Choose an outcome."),
        ("ask_customer", {"message": "  "}, "Say what the customer should send or answer."),
        ("note", {}, "Write the note."),
    ],
)
def test_actions_missing_what_they_need_are_refused(
    agent, customer, runner, action, fields, message
):
    [reference] = file_claims(customer, 1)
    agent.take_next()
    before = cases(runner)
    assert message in page(agent.act(reference, action, **fields))
    assert cases(runner) == before


def test_unknown_action_or_case_is_not_found(agent, customer):
    [reference] = file_claims(customer, 1)
    assert agent.client.post(f"/agent/cases/{reference}/delete").status_code == 404
    assert agent.client.get("/agent/cases/HC-0000-0000-0000").status_code == 404


def test_notes_are_never_shown_to_the_customer(agent, customer, runner):
    [reference] = file_claims(customer, 1)
    agent.act(reference, "note", message="Customer sounded upset; check order history.")
    assert "Customer sounded upset" in page(agent.client.get(f"/agent/cases/{reference}"))
    assert "Customer sounded upset" not in page(customer.status(reference, "ana@example.com"))


# Photos


def test_photos_are_served_to_agents_only_as_images(app, agent, customer):
    [reference] = file_claims(customer, 1)
    html = page(agent.client.get(f"/agent/cases/{reference}"))
    url = re.search(r'class="photos">.*?<img src="([^"]+)"', html, re.S).group(1)
    with agent.client.get(url) as shown:
        assert shown.status_code == 200
        assert shown.headers["Content-Type"] == "image/jpeg"
        assert shown.headers["X-Content-Type-Options"] == "nosniff"
        assert shown.data[:2] == b"\xff\xd8"
    assert app.test_client().get(url).status_code == 403
    assert agent.client.get("/agent/photos/ab/" + "0" * 32 + ".jpg").status_code == 404
    agent.client.post("/agent/logout")
    assert agent.client.get(url).status_code == 403


# Mail to the customer


def test_customer_gets_an_email_when_asked_for_something(app_config, smtp_server, runner):
    catcher, port = smtp_server
    from claims import create_app

    app = create_app({**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port})
    shopper = Customer(app.test_client())
    [reference] = file_claims(shopper, 1)
    sam = Agent(app.test_client(), app.test_cli_runner()).create()
    sam.sign_in()
    sam.take_next()
    sam.act(reference, "ask_customer", message="A photo of the label, please.")
    assert app.test_cli_runner().invoke(args=["claims", "send-mail"]).exit_code == 0
    subjects = [message["Subject"] for message in catcher.messages]
    assert subjects == [
        f"We received your claim {reference}",
        f"Your case {reference}: In review",
        f"Your case {reference}: Waiting for your reply",
    ]
    assert "A photo of the label, please." in catcher.messages[-1].get_content()


# Export and retention


def test_export_filters_by_status_and_date(agent, customer, runner):
    first, second = file_claims(customer, 2)
    agent.take_next()
    in_review = runner.invoke(args=["claims", "export", "--status", "in_review"])
    assert [line for line in in_review.output.splitlines() if first in line]
    assert second not in in_review.output
    future = runner.invoke(args=["claims", "export", "--since", "2999-01-01"])
    assert future.exit_code == 0 and future.output == ""
    past = runner.invoke(args=["claims", "export", "--since", "2000-01-01"])
    assert len(past.output.splitlines()) == 2
    bad = runner.invoke(args=["claims", "export", "--status", "lost"])
    assert bad.exit_code != 0


def test_purge_removes_personal_data_and_photos_of_old_finished_cases(
    app, agent, customer, runner, monkeypatch
):
    finished, open_case = file_claims(customer, 2)
    agent.take_next()
    agent.act(finished, "resolve", outcome="refund_approved", message="Refund on its way, Ana.")
    # A year and a half later, the finished case is past the retention period.
    later = datetime.now(UTC) + timedelta(days=550)
    monkeypatch.setitem(app.config, "CLOCK", lambda: later)
    photo_dir = app.config["PHOTO_DIR"]
    assert len(list(photo_dir.rglob("*.jpg"))) == 2

    dry = runner.invoke(args=["claims", "purge", "--older-than", "30", "--dry-run"])
    assert finished in dry.output and open_case not in dry.output
    assert len(list(photo_dir.rglob("*.jpg"))) == 2

    runner.invoke(args=["claims", "purge", "--older-than", "30"])
    purged, kept = cases(runner)
    assert purged["email"] == purged["order_ref"] == purged["description"] == ""
    assert purged["photos"] == []
    assert "Refund on its way" not in str(purged)
    assert [e["kind"] for e in purged["events"]][-2:] == ["resolved", "purged"]
    assert kept["email"] == "ana@example.com" and len(kept["photos"]) == 1
    assert len(list(photo_dir.rglob("*.jpg"))) == 1
    assert "We could not find a case" in page(customer.status(finished, "ana@example.com"))


def test_a_page_number_past_any_queue_is_not_found(agent):
    response = agent.client.get("/agent/?page=999999999999999999999")
    assert response.status_code == 404
    assert "Page not found" in page(response)
