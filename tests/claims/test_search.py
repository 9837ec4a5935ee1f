"""Agents find cases: by reference, order reference or email, by the words of a claim and its
messages, narrowed by filters, in one order; on SQLite and PostgreSQL alike."""

import os
from datetime import UTC, datetime, timedelta

import pytest

from claims.catalog import CLAIM_TYPES
from claims.store import Store
from claims.store.records import NewCase
from claims.store.search import Filters
from tests.support.cases import file_into_first_schema


@pytest.fixture
def store(app):
    with Store(app.config["DATABASE_URL"]) as opened:
        yield opened


def file(store, description="The kettle lid is cracked.", **fields) -> str:
    """A case filed straight into the store; returns its reference."""
    claim_type = fields.pop("claim_type", "defective-item")
    claim = NewCase(
        submission_key=os.urandom(8).hex(),
        order_ref=fields.pop("order_ref", "100234"),
        email=fields.pop("email", "ana@example.com"),
        claim_type=claim_type,
        lane=CLAIM_TYPES[claim_type].lane,
        description=description,
    )
    case, _ = store.cases.file_case(claim, [])
    return case.reference


def found(store, text, **filters) -> list[str]:
    return [case.reference for case in store.search.find(text, Filters(**filters))]


def test_exact_matches_first_then_open_cases_in_queue_order_then_finished_newest_first(store):
    finished_old = file(store, "Order 555 lid cracked.", order_ref="900001")
    finished_new = file(store, "Order 555, lid cracked again.", order_ref="900002")
    for reference in (finished_old, finished_new):
        store.cases.act(reference, "take", "sam")
        store.cases.act(reference, "resolve", "sam", detail="replacement")
    standard = file(store, "Lid cracked, see order 555.", claim_type="return-request")
    priority = file(store, "Lid cracked (order 555).", order_ref="900003")
    by_order = file(store, "Something else entirely.", order_ref="555")

    assert found(store, "555") == [by_order, priority, standard, finished_new, finished_old]
    assert found(store, "lid cracked") == [priority, standard, finished_new, finished_old]


def test_reference_order_reference_and_email_are_matched_as_typed(store):
    ana = file(store, email="Ana.Lopez@Example.com", order_ref="A-77/1")
    file(store, email="bo@example.com", order_ref="B-1")
    assert found(store, ana.lower().replace("-", " ")) == [ana]
    assert found(store, "ana.lopez@example.COM") == [ana]
    assert found(store, "A-77/1") == [ana]
    assert found(store, "nobody@example.com") == []


def test_messages_are_searched_and_a_purge_forgets_the_words(store):
    reference = file(store, "The handle came off.")
    store.cases.act(reference, "take", "sam")
    store.cases.act(reference, "ask_customer", "sam", text="Which colour is the teapot?")
    case = store.cases.case_by_reference(reference)
    store.cases.customer_adds(case, None, "It is a turquoise teapot.", [])
    store.cases.act(reference, "take", "sam")
    store.cases.act(reference, "note", "sam", text="Supplier batch Q7 recalled.")
    assert found(store, "turquoise") == [reference]  # the customer's words
    assert found(store, "colour teapot") == [reference]  # the agent's, stemmed too
    assert found(store, "recalled") == [reference]  # a note
    store.cases.act(reference, "resolve", "sam", detail="replacement")
    store.cases.purge(store.cases.case_by_reference(reference))
    assert found(store, "turquoise") == []
    assert found(store, "handle") == []


@pytest.mark.parametrize(
    "query", ['"lid', "lid*", "lid OR x", "NEAR(lid cracked)", "lid -kettle", "a:b", "'; --", "()"]
)
def test_search_syntax_in_the_box_is_read_as_plain_words(store, query):
    reference = file(store, "Lid OR x cracked; near the kettle (a b).")
    result = found(store, query)
    assert result in ([reference], [])  # never an error, whatever the engine's own syntax


def test_all_words_must_match(store):
    both = file(store, "The glass lid is cracked.")
    file(store, "The glass is fine.")
    assert found(store, "glass cracked") == [both]


def test_filters_narrow_the_results(app, store):
    standard = file(store, "Lid cracked.", claim_type="return-request")
    kept = file(store, "Lid cracked.", claim_type="incorrect-item")
    held = file(store, "Lid cracked.")
    store.cases.act(held, "take", "kim")
    replied = file(store, "Lid cracked.", claim_type="missing-components")
    store.cases.act(replied, "take", "sam")
    store.cases.act(replied, "ask_customer", "sam", text="Which part?")
    store.cases.customer_adds(store.cases.case_by_reference(replied), None, "The screw.", [])

    assert found(store, "lid", lane="standard") == [standard]
    assert found(store, "lid", claim_type="incorrect-item") == [kept]
    assert found(store, "lid", status="in_review") == [held]
    assert found(store, "lid", holder="kim") == [held]
    assert found(store, "lid", customer_added=True) == [replied]
    assert found(store, "", customer_added=True) == [replied]  # filters alone
    assert found(store, "lid", older_than_hours=24) == []
    tomorrow = datetime.now(UTC) + timedelta(hours=25)
    with Store(app.config["DATABASE_URL"], now=lambda: tomorrow) as later:
        assert set(found(later, "lid", older_than_hours=24)) == {standard, kept, held, replied}


def test_a_unique_reference_or_order_reference_names_one_case(store):
    first = file(store, order_ref="100234")
    file(store, order_ref="100234")
    only = file(store, order_ref="200300")
    assert store.search.unique_case(first.lower()).reference == first
    assert store.search.unique_case(" 200300 ").reference == only
    assert store.search.unique_case("100234") is None  # two cases: a list, not one
    assert store.search.unique_case("lid") is None


def test_other_cases_of_the_customer_and_possible_duplicates(store):
    original = file(store, order_ref="100234", email="ana@example.com")
    same_order = file(store, order_ref="100234", email="other@example.com")
    same_email_type = file(store, order_ref="777", email="ANA@example.com")
    same_email_other_type = file(
        store, order_ref="888", email="ana@example.com", claim_type="refund-question"
    )
    stranger = file(store, order_ref="999", email="eve@example.com")
    case = store.cases.case_by_reference
    related = [c.reference for c in store.cases.related(case(original))]
    assert related == [same_email_other_type, same_email_type, same_order]
    ids = {reference: case(reference).id for reference in (original, same_order, stranger)}
    ids |= {r: case(r).id for r in (same_email_type, same_email_other_type)}
    flagged = store.cases.possible_duplicates(list(ids.values()))
    assert flagged == {ids[original], ids[same_order], ids[same_email_type]}
    for reference in (same_order, same_email_type):  # once the others are finished: no flag
        store.cases.act(reference, "take", "sam")
        store.cases.act(reference, "close", "sam")
    assert store.cases.possible_duplicates([ids[original]]) == set()


def test_cases_from_before_search_are_found_after_the_upgrade(app_config):
    url = app_config["DATABASE_URL"] or f"sqlite:///{app_config['DATA_DIR'] / 'claims.sqlite3'}"
    with Store(url) as previous_version:
        previous_version.upgrade_schema(version=2)
        reference = file_into_first_schema(previous_version, "ana@example.com", "Teapot spout.")
        previous_version.upgrade_schema()
        assert found(previous_version, "spout") == [reference]
        assert found(previous_version, "ANA@example.com") == [reference]
