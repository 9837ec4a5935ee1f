"""The lifecycle table drives the store: every (status, action, who) either moves the case as
the table says or is refused, with the case left as it was."""

import pytest

from claims.lifecycle import ACTIONS, Status
from claims.store import get_store
from claims.store.cases import TransitionRefused
from tests.support.cases import file_into

HOLDER, OTHER = "sam", "kim"  # the agent who took the case, and another one

# Today's rules, written out: (status, action, who may take it). Everything else is refused.
ALLOWED = {
    (Status.WAITING, "take", "holder"),
    (Status.WAITING, "take", "other"),
    (Status.WAITING, "assign", "holder"),
    (Status.WAITING, "assign", "other"),
    (Status.IN_REVIEW, "hand_over", "holder"),
    (Status.IN_REVIEW, "take_over", "other"),
    (Status.IN_REVIEW, "release", "holder"),
    (Status.IN_REVIEW, "ask_customer", "holder"),
    (Status.IN_REVIEW, "resolve", "holder"),
    (Status.IN_REVIEW, "close", "holder"),
    (Status.WAITING_CUSTOMER, "close", "holder"),
    (Status.WAITING_CUSTOMER, "close", "other"),
    (Status.WAITING_CUSTOMER, "customer_reply", "customer"),
    *(
        (status, "retype", who)
        for status in (Status.WAITING, Status.WAITING_CUSTOMER)
        for who in ("holder", "other")
    ),
    (Status.IN_REVIEW, "retype", "holder"),
    *(
        (status, "reopen_case", who)
        for status in (Status.RESOLVED, Status.CLOSED)
        for who in ("holder", "other")
    ),
    (Status.WAITING, "merge", "holder"),
    (Status.WAITING, "merge", "other"),
    (Status.IN_REVIEW, "merge", "holder"),
    (Status.WAITING_CUSTOMER, "merge", "holder"),
    (Status.WAITING_CUSTOMER, "merge", "other"),
    (Status.WAITING, "add_information", "customer"),
    (Status.IN_REVIEW, "add_information", "customer"),
    (Status.RESOLVED, "reopen", "customer"),
    (Status.CLOSED, "reopen", "customer"),
    *((status, "note", who) for status in Status for who in ("holder", "other")),
    # A customer's erasure request closes whatever is open, whoever holds it.
    *(
        (status, "close_for_erasure", who)
        for status in (Status.WAITING, Status.IN_REVIEW, Status.WAITING_CUSTOMER)
        for who in ("holder", "other")
    ),
}
# How a case gets to each status: the actions the holder takes from waiting.
ROUTE = {
    Status.WAITING: [],
    Status.IN_REVIEW: ["take"],
    Status.WAITING_CUSTOMER: ["take", "ask_customer"],
    Status.RESOLVED: ["take", "resolve"],
    Status.CLOSED: ["take", "close"],
}


def case_in(store, status: Status) -> str:
    reference = file_into(store, "ana@example.com")
    for action in ROUTE[status]:
        store.cases.act(reference, action, HOLDER, text="Step.", detail="replacement")
    assert store.cases.case_by_reference(reference).status == status
    return reference


def attempt(store, reference: str, action: str, who: str):
    """Take `action` on the case as `who`; the case afterwards."""
    if who == "customer":
        case = store.cases.case_by_reference(reference)
        return store.cases.customer_adds(case, action, "Here it is.", [])[0]
    agent = HOLDER if who == "holder" else OTHER
    return store.cases.act(reference, action, agent, text="Done.", detail="replacement")


def test_the_written_rules_are_the_table():
    for status in Status:
        for name, action in ACTIONS.items():
            for who, agent in (("holder", HOLDER), ("other", OTHER), ("customer", None)):
                holder = HOLDER if status == Status.IN_REVIEW else None
                expected = (status, name, who) in ALLOWED
                assert action.allows(status, agent, holder) == expected, (status, name, who)


@pytest.mark.parametrize("status", list(Status))
def test_every_action_moves_the_case_as_the_table_says_or_is_refused(app, status):
    with app.app_context():
        store = get_store()
        for name, action in ACTIONS.items():
            for who in ("holder", "other", "customer"):
                reference = case_in(store, status)
                before = store.cases.case_by_reference(reference)
                history = store.history.events(before.id)
                allowed = (status, name, who) in ALLOWED
                if not allowed:
                    if who == "customer" and not action.by_customer:
                        continue  # no way in for the customer: nothing to refuse
                    with pytest.raises(TransitionRefused):
                        attempt(store, reference, name, who)
                    assert store.cases.case_by_reference(reference) == before, (name, who)
                    assert store.history.events(before.id) == history, (name, who)
                    continue
                after = attempt(store, reference, name, who)
                assert after.status == (action.target or status), (name, who)
                held_by = {"holder": HOLDER, "other": OTHER}.get(who)
                expected_holder = held_by if after.status == Status.IN_REVIEW else None
                if action.target is None:  # a note: the case stays as it was
                    expected_holder = before.assigned_to
                assert after.assigned_to == expected_holder, (name, who)
                [event] = store.history.events(before.id)[len(history) :]
                assert (event.kind, event.actor) == (action.event, held_by or "customer")
