"""Agents answer a customer's data request from the console: find, export, erase."""

import io
import json
import zipfile

import pytest

from claims.store import get_store
from tests.support.cases import cases


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def ana_and_bob(customer) -> tuple[list[str], str]:
    """Two cases of Ana (typed with different capitals) and one of Bob."""
    ana = [customer.file(), customer.file(email="ANA@Example.com")]
    return ana, customer.file(email="bob@example.com")


def test_agent_finds_exports_and_erases_a_customers_cases(app, agent, ana_and_bob):
    ana, bob = ana_and_bob
    found = agent.client.post("/agent/customers/", data={"email": " Ana@EXAMPLE.com "})
    assert found.status_code == 200
    assert all(reference in page(found) for reference in ana) and bob not in page(found)

    download = agent.client.post("/agent/customers/export", data={"email": "ana@example.com"})
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert download.headers["Content-Disposition"].startswith("attachment; filename=customer-data")
    with zipfile.ZipFile(io.BytesIO(download.get_data())) as archive:
        exported = json.loads(archive.read("cases.json"))["cases"]
        assert [case["reference"] for case in exported] == ana
        assert len(archive.namelist()) == 4  # README.txt, cases.json and one photo per case
    download.close()

    refused = agent.client.post(
        "/agent/customers/erase", data={"email": "ana@example.com", "confirmation": "ana@"}
    )
    assert refused.status_code == 400
    assert "This is not the address whose data would be erased" in page(refused)
    assert all(case["email"] for case in cases(agent.runner))  # nothing erased

    erased = agent.client.post(
        "/agent/customers/erase",
        data={"email": "ana@example.com", "confirmation": "ANA@example.COM"},
        follow_redirects=True,
    )
    assert f"Erased the personal data of 2 case(s): {ana[0]}, {ana[1]} (2 closed first)." in page(
        erased
    )
    log = {case["reference"]: case for case in cases(agent.runner)}
    for reference in ana:
        assert log[reference]["email"] == "" and log[reference]["photos"] == []
        actors = {event["kind"]: event["actor"] for event in log[reference]["events"]}
        assert actors["exported"] == actors["erased"] == actors["closed"] == "sam"
    assert log[bob]["email"] == "bob@example.com"


def test_an_address_without_cases_gets_a_plain_answer(agent):
    found = agent.client.post("/agent/customers/", data={"email": "nobody@example.com"})
    assert "No cases were filed with this address." in page(found)
    export = agent.client.post("/agent/customers/export", data={"email": "nobody@example.com"})
    assert export.mimetype == "text/html" and "No cases were filed" in page(export)
    erase = agent.client.post(
        "/agent/customers/erase",
        data={"email": "nobody@example.com", "confirmation": "nobody@example.com"},
        follow_redirects=True,
    )
    assert "No cases were filed with that address; nothing was erased." in page(erase)


def test_a_blank_or_hostile_address_is_refused_or_shown_escaped(agent, ana_and_bob):
    blank = agent.client.post("/agent/customers/erase", data={"email": "\x00 ", "confirmation": ""})
    assert blank.status_code == 400
    assert "Enter the customer&#39;s email address." in page(blank)
    hostile = agent.client.post("/agent/customers/", data={"email": "<b>x</b>@example.com"})
    assert "&lt;b&gt;x&lt;/b&gt;@example.com" in page(hostile) and "<b>x" not in page(hostile)
    assert all(case["email"] for case in cases(agent.runner))


def test_customer_data_pages_need_a_signed_in_agent(app, ana_and_bob):
    stranger = app.test_client()
    for path in ("/agent/customers/", "/agent/customers/export", "/agent/customers/erase"):
        response = stranger.post(
            path, data={"email": "ana@example.com", "confirmation": "ana@example.com"}
        )
        assert response.status_code == 302 and "/agent/login" in response.headers["Location"]
    assert stranger.get("/agent/customers/").status_code == 302
    assert all(case["email"] for case in cases(app.test_cli_runner()))


def test_erasure_without_the_forms_token_is_refused(app, agent, ana_and_bob, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    forged = agent.client.post(
        "/agent/customers/erase",
        data={"email": "ana@example.com", "confirmation": "ana@example.com"},
    )
    assert forged.status_code == 400 and "This form has expired" in page(forged)
    assert all(case["email"] for case in cases(agent.runner))


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_CUSTOMER_DATA="2 per minute")
def test_look_ups_are_rate_limited(agent):
    for _ in range(2):
        assert (
            agent.client.post("/agent/customers/", data={"email": "a@example.com"}).status_code
            == 200
        )
    assert (
        agent.client.post("/agent/customers/", data={"email": "a@example.com"}).status_code == 429
    )


def test_erased_customer_can_no_longer_see_the_case(app, agent, customer):
    reference = customer.file()
    agent.client.post(
        "/agent/customers/erase",
        data={"email": "ana@example.com", "confirmation": "ana@example.com"},
    )
    assert "We could not find a case" in page(customer.status(reference, "ana@example.com"))
    with app.app_context():
        assert get_store().cases.case_by_reference(reference).purged_at
