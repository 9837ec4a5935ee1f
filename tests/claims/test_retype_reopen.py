"""Agents change a case's type or lane and reopen finished cases, with a reason; the queue
follows DESIGN.md's rule: the priority lane first, inside a lane first received first."""

import pytest

from claims.store import Store
from claims.store.cases import TransitionRefused
from tests.support.cases import cases


@pytest.fixture
def store(app):
    with Store(app.config["DATABASE_URL"]) as opened:
        yield opened


def queue(store) -> list[str]:
    return [case.reference for case in store.cases.queue(limit=100)]


def test_a_case_moved_to_the_priority_lane_waits_there_in_the_order_received(customer, store):
    first_priority = customer.file()
    first_standard = customer.file(claim_type="return-request")
    moved = customer.file(claim_type="product-concern")
    later_priority = customer.file()
    assert queue(store) == [first_priority, later_priority, first_standard, moved]
    store.cases.retype(
        moved, "sam", "defective-item", "priority", "The photo shows a cracked base."
    )
    assert queue(store) == [first_priority, moved, later_priority, first_standard]
    case = store.cases.case_by_reference(moved)
    assert (case.claim_type, case.lane) == ("defective-item", "priority")
    event = store.history.latest(case.id, "retyped")
    assert event.actor == "sam" and event.text == "The photo shows a cracked base."
    assert event.detail == "product-concern (standard) → defective-item (priority)"


def test_only_the_holder_changes_a_case_in_review_and_a_change_must_change(customer, store):
    reference = customer.file()
    store.cases.act(reference, "take", "kim")
    with pytest.raises(TransitionRefused, match="kim holds this case"):
        store.cases.retype(reference, "sam", "return-request", "standard", "Why not.")
    with pytest.raises(TransitionRefused, match="type and lane already"):
        store.cases.retype(reference, "kim", "defective-item", "priority", "Same.")
    assert store.cases.case_by_reference(reference).lane == "priority"


def test_a_reopened_case_waits_behind_the_cases_queued_now(customer, store):
    settled = customer.file()
    store.cases.act(settled, "take", "sam")
    store.cases.act(settled, "resolve", "sam", detail="replacement")
    waiting = [customer.file(), customer.file()]
    store.cases.act(settled, "reopen_case", "kim", text="The replacement broke too.")
    assert queue(store) == [*waiting, settled]
    case = store.cases.case_by_reference(settled)
    assert case.status == "waiting" and case.assigned_to is None
    event = store.history.latest(case.id, "reopened_by_agent")
    assert (event.actor, event.text) == ("kim", "The replacement broke too.")
    assert store.cases.queue_position(case) == 3


def test_the_console_changes_type_and_lane_with_a_reason(agent, customer, runner):
    reference = customer.file(claim_type="product-concern")
    html = agent.client.get(f"/agent/cases/{reference}").get_data(as_text=True)
    assert '<option selected value="product-concern">' in html
    no_reason = agent.act(reference, "retype", claim_type="missing-components", lane="priority")
    assert "Say why the type or lane changes" in no_reason.get_data(as_text=True)
    bad = agent.act(reference, "retype", claim_type="nope", lane="fast", message="x")
    assert "Not a valid choice" in bad.get_data(as_text=True)
    done = agent.act(
        reference, "retype", claim_type="missing-components", lane="priority", message="Parts."
    )
    assert f"{reference} is now Missing components, priority lane." in done.get_data(True)
    [case] = cases(runner)
    assert (case["claim_type"], case["lane"]) == ("missing-components", "priority")


def test_the_console_reopens_a_finished_case(agent, customer, runner):
    reference = customer.file()
    agent.take_next()
    agent.act(reference, "close")
    refused = agent.act(reference, "reopen_case")
    assert "Say why the case is reopened" in refused.get_data(as_text=True)
    done = agent.act(reference, "reopen_case", message="Customer called back.")
    assert f"{reference} reopened." in done.get_data(as_text=True)
    assert cases(runner)[0]["status"] == "waiting"
