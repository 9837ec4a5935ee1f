"""A case's place in the queue: kept when it goes back to the queue, new when it is reopened
(behind every case queued before, ahead of later ones), on both databases."""

from datetime import UTC, datetime, timedelta

import pytest

from claims.catalog import CLAIM_TYPES
from claims.store import Store, get_store
from claims.store.cases import TransitionRefused
from claims.store.records import NewCase
from tests.support.cases import file_into


def queue(store) -> list[str]:
    return [case.reference for case in store.cases.queue()]


def settle(store, reference: str, action: str = "resolve") -> None:
    """An agent takes the case and resolves (or closes) it."""
    store.cases.act(reference, "take", "sam")
    store.cases.act(reference, action, "sam", detail="replacement")


def reopen(store, reference: str, days: int = 30):
    case = store.cases.case_by_reference(reference)
    return store.cases.customer_adds(case, "reopen", "Still broken.", [], reopen_days=days)[0]


@pytest.mark.parametrize("settled_by", ["resolve", "close"])
def test_a_reopened_case_waits_behind_cases_queued_before_and_ahead_of_later_ones(app, settled_by):
    with app.app_context():
        store = get_store()
        first, second, third = (file_into(store, "ana@example.com") for _ in range(3))
        settle(store, first, settled_by)
        assert queue(store) == [second, third]
        reopened = reopen(store, first)
        later = file_into(store, "ana@example.com")
        assert reopened.status == "waiting"
        assert queue(store) == [second, third, first, later]
        assert store.cases.queue_position(reopened) == 3
        assert store.cases.next_case().reference == second
        kinds = [event.kind for event in store.history.events(reopened.id, customer_view=True)]
        assert kinds[-1] == "reopened"


def test_a_case_going_back_to_the_queue_keeps_its_place(app):
    with app.app_context():
        store = get_store()
        first, second = (file_into(store, "ana@example.com") for _ in range(2))
        store.cases.act(first, "take", "sam")
        store.cases.act(first, "release", "sam")
        assert queue(store) == [first, second]
        store.cases.act(first, "take", "sam")
        store.cases.act(first, "ask_customer", "sam", text="Which colour?")
        store.cases.customer_reply(store.cases.case_by_reference(first), "Red.", [])
        assert queue(store) == [first, second]
        assert store.cases.take_next("kim").reference == first


def test_a_reopened_standard_case_stays_behind_the_priority_lane(app):
    with app.app_context():
        store = get_store()
        standard = file_case(store, "return-request")
        settle(store, standard)
        priority = file_into(store, "ana@example.com")
        reopen(store, standard)
        assert queue(store) == [priority, standard]


def test_a_case_settled_longer_ago_than_the_window_is_not_reopened(app):
    with app.app_context():
        store = get_store()
        reference = file_into(store, "ana@example.com")
        settle(store, reference)
        settled = store.cases.case_by_reference(reference)
        later = datetime.now(UTC) + timedelta(days=31)
        with Store(app.config["DATABASE_URL"], now=lambda: later) as month_later:
            assert not month_later.cases.may_reopen(settled, 30)
            with pytest.raises(TransitionRefused, match="more than 30 days ago"):
                reopen(month_later, reference)
            assert month_later.cases.case_by_reference(reference) == settled
            assert reopen(month_later, reference, days=40).status == "waiting"


def test_cases_filed_before_the_upgrade_keep_their_order_and_new_ones_come_after(app_config):
    url = app_config["DATABASE_URL"] or f"sqlite:///{app_config['DATA_DIR'] / 'claims.sqlite3'}"
    with Store(url) as store:
        store.upgrade_schema(version=2)
        for order_ref in ("#1001", "A-55012"):
            store.connection.execute(
                "INSERT INTO cases (reference, submission_key, order_ref, email, claim_type,"
                " lane, lane_rank, description, received_at, status, updated_at)"
                " VALUES (?, ?, ?, 'ana@example.com', 'defective-item', 'priority', 0, 'x',"
                " '2026-01-01', 'waiting', '2026-01-01')",
                (f"HC-OLD{order_ref}", order_ref, order_ref),
            )
        store.upgrade_schema()
        old = [store.cases.case_by_reference(f"HC-OLD{ref}") for ref in ("#1001", "A-55012")]
        assert [case.queue_place for case in old] == [case.id for case in old]
        assert [case.order_key for case in old] == ["1001", "a-55012"]
        new = file_into(store, "ana@example.com")
        assert queue(store) == [old[0].reference, old[1].reference, new]


def file_case(store, claim_type: str) -> str:
    new = NewCase(
        submission_key=claim_type,
        order_ref="#1001",
        email="ana@example.com",
        claim_type=claim_type,
        lane=CLAIM_TYPES[claim_type].lane,
        description="The item is not what I expected.",
    )
    return store.cases.file_case(new, [])[0].reference
