"""A duplicate case is merged into the customer's original: everything they sent moves, the
duplicate closes naming the original, the customer hears of it once; all or nothing."""

import pytest

from claims.store import Store
from claims.store.cases import TransitionRefused
from claims.store.search import Filters
from tests.support.cases import cases
from tests.support.images import photo

JPEG = (photo("JPEG"), "lid.jpg")


def test_merge_moves_messages_photos_and_events_and_closes_the_duplicate(app, customer, agent):
    original = customer.file(description="The lid is cracked.")
    duplicate = customer.file(description="Also the handle wobbles.")
    agent.take_next()
    agent.take_next()
    agent.act(duplicate, "ask_customer", message="Which handle?")
    customer.status(duplicate, "ana@example.com")
    customer.add_to_case(message="The left one.")
    agent.take_next()

    response = agent.act(duplicate, "merge", into=original)
    assert f"{duplicate} merged into {original}. The customer gets an email." in (
        response.get_data(as_text=True)
    )
    assert response.request.path == f"/agent/cases/{original}"
    by_reference = {case["reference"]: case for case in cases(app.test_cli_runner())}
    merged, closed = by_reference[original], by_reference[duplicate]
    assert len(merged["photos"]) == 2 and closed["photos"] == []
    texts = [event["text"] for event in merged["events"]]
    assert "Which handle?" in texts and "The left one." in texts
    assert "Also the handle wobbles." in texts  # the duplicate's description, as a message
    assert closed["status"] == "closed" and closed["assigned_to"] is None
    assert closed["events"][-1]["kind"] == "merged"
    assert closed["events"][-1]["detail"] == original
    with Store(app.config["DATABASE_URL"]) as store:  # the moved words find the original
        assert [c.reference for c in store.search.find("left one", Filters())] == [original]


def test_the_customer_is_told_once_with_the_original_named(app, customer, agent):
    original = customer.file()
    duplicate = customer.file()
    agent.take_next()
    agent.take_next()
    agent.act(duplicate, "merge", into=original)
    with Store(app.config["DATABASE_URL"]) as store:
        dup = store.cases.case_by_reference(duplicate)
        outbox = store.connection.execute(
            "SELECT kind, status FROM outbox WHERE case_id = ? ORDER BY id", (dup.id,)
        ).fetchall()
    assert [(row["kind"], row["status"]) for row in outbox] == [
        ("confirmation", None),
        ("status", "in_review"),
        ("status", "closed"),
    ]
    page = customer.status(duplicate, "ana@example.com").get_data(as_text=True)
    assert "Joined with your other case:" in page
    assert f"We continue with your case {original}" in page


@pytest.mark.parametrize(
    ("into", "message"),
    [
        ("self", "Choose another case of this customer's to merge into."),
        ("HC-0000-0000-0000", "Choose another case of this customer's to merge into."),
        ("finished", "is finished: merge into an open case."),
    ],
)
def test_a_merge_that_does_not_fit_changes_nothing(app, customer, into, message):
    duplicate = customer.file()
    finished = customer.file()
    with Store(app.config["DATABASE_URL"]) as store:
        store.cases.act(finished, "take", "sam")
        store.cases.act(finished, "close", "sam")
        target = {"self": duplicate, "finished": finished}.get(into, into)
        with pytest.raises(TransitionRefused, match=message):
            store.cases.merge(duplicate, target, "sam")
        assert store.cases.case_by_reference(duplicate).status == "waiting"


def test_only_the_holder_merges_a_case_in_review(app, customer):
    original, duplicate = customer.file(), customer.file()
    with Store(app.config["DATABASE_URL"]) as store:
        store.cases.act(duplicate, "take", "kim")
        with pytest.raises(TransitionRefused, match="kim holds this case"):
            store.cases.merge(duplicate, original, "sam")
        assert store.cases.photos(store.cases.case_by_reference(duplicate).id)


def test_the_console_offers_only_the_customers_open_cases_to_merge_into(customer, agent):
    original = customer.file()
    stranger = customer.file(email="eve@example.com", order_ref="999")
    duplicate = customer.file()
    html = agent.client.get(f"/agent/cases/{duplicate}").get_data(as_text=True)
    offered = html[
        html.index('id="merge-into"') : html.index("</select>", html.index('id="merge-into"'))
    ]
    assert original in offered and stranger not in offered
    refused = agent.act(duplicate, "merge", into=stranger).get_data(as_text=True)
    assert "Not a valid choice" in refused
