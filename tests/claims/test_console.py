"""The console's daily work over HTTP: searching, one case at a time, passing cases between
agents, refusing actions on a case that moved, the customer's other cases."""

import re

import pytest

from tests.support.actors import Agent
from tests.support.cases import cases


def page(response) -> str:
    return response.get_data(as_text=True)


def seen(agent, reference: str) -> str:
    """When the case last changed, as the agent's case page shows it."""
    html = page(agent.client.get(f"/agent/cases/{reference}"))
    return re.search(r'name="seen" type="hidden" value="([^"]+)"', html).group(1)


@pytest.fixture
def kim(app, runner) -> Agent:
    other = Agent(app.test_client(), runner, "kim").create()
    assert other.sign_in().status_code == 303
    return other


def test_a_unique_reference_or_order_reference_opens_the_case(agent, customer):
    reference = customer.file(order_ref="777001")
    response = agent.client.get("/agent/?q=" + reference.lower().replace("-", " "))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/agent/cases/{reference}"
    assert agent.client.get("/agent/?q=777001").headers["Location"].endswith(reference)


def test_a_shared_order_reference_lists_its_cases(agent, customer):
    both = [customer.file(order_ref="555"), customer.file(order_ref="555")]
    html = page(agent.client.get("/agent/?q=555"))
    assert all(reference in html for reference in both)
    assert html.count("Possible duplicate") == 2


def test_search_words_and_filters_from_the_page(agent, customer):
    lid = customer.file(description="The glass lid is cracked.")
    returned = customer.file(description="Glass lid, wrong size.", claim_type="return-request")
    html = page(agent.client.get("/agent/?q=glass+lid&lane=standard"))
    assert returned in html and lid not in html
    html = page(agent.client.get("/agent/?q=glass+lid&lane=nonsense&status=%3Cx%3E&older=5"))
    assert returned in html and lid in html  # filters not offered are left out


def test_search_terms_are_shown_as_text(agent, customer):
    customer.file()
    html = page(agent.client.get("/agent/?q=%3Cscript%3Ealert(1)%3C/script%3E"))
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_over_long_search_is_refused_with_a_message(agent):
    response = agent.client.get("/agent/?q=" + "x" * 201)
    assert response.status_code == 400
    assert "Search for at most 200 characters." in page(response)


def test_take_next_gives_one_case_at_a_time_unless_asked(agent, customer):
    first, second = customer.file(), customer.file()
    assert agent.take_next(another=False).headers["Location"] == f"/agent/cases/{first}"
    refused = agent.take_next(another=False)
    assert refused.headers["Location"] == f"/agent/cases/{first}"
    assert f"You are still working on {first}" in page(agent.client.get(refused.location))
    assert agent.take_next(another=True).headers["Location"] == f"/agent/cases/{second}"


def test_hand_over_and_take_over_keep_the_reason_in_the_history(agent, kim, customer, runner):
    reference = customer.file()
    agent.take_next()
    handed = agent.act(reference, "hand_over", agent="kim", message="You know this supplier.")
    assert f"{reference} handed over. kim holds it now." in page(handed)
    assert "sam holds this case" not in page(handed)
    assert cases(runner)[0]["assigned_to"] == "kim"

    refused = agent.act(reference, "resolve", outcome="replacement")
    assert "kim holds this case; only they can do that." in page(refused)
    missing_reason = agent.act(reference, "take_over")
    assert "Say why you take the case over" in page(missing_reason)
    taken = agent.act(reference, "take_over", message="Kim is off sick today.")
    assert "sam holds it now" in page(taken)
    [exported] = cases(runner)
    assert exported["assigned_to"] == "sam"
    events = [(e["kind"], e["actor"], e["detail"], e["text"]) for e in exported["events"]]
    assert ("handed_over", "sam", "kim", "You know this supplier.") in events
    assert ("taken_over", "sam", "kim", "Kim is off sick today.") in events


def test_passing_a_case_to_nobody_or_to_yourself_is_refused(agent, kim, customer, runner):
    reference = customer.file()
    agent.take_next()
    assert "Not a valid choice" in page(agent.act(reference, "hand_over", agent="sam"))
    assert "Not a valid choice" in page(agent.act(reference, "hand_over", agent="ghost"))
    assert "Choose an agent." in page(agent.act(reference, "hand_over", agent=""))
    assert cases(runner)[0]["assigned_to"] == "sam"


def test_assigning_a_waiting_case_gives_it_to_that_agent(agent, kim, customer, runner):
    reference = customer.file()
    assert "kim holds it now" in page(agent.act(reference, "assign", agent="kim"))
    assert "kim holds 1" in page(agent.client.get("/agent/"))


def test_an_action_on_a_case_that_moved_meanwhile_is_refused(agent, kim, customer, runner):
    reference = customer.file()
    seen_by_sam = seen(agent, reference)
    kim.act(reference, "take")
    kim.act(reference, "release")  # back where it was, but kim may have noted or changed it
    response = agent.act(reference, "take", seen=seen_by_sam)
    assert "This case changed while you had it open; nothing was done." in page(response)
    assert cases(runner)[0]["status"] == "waiting"
    assert "kim holds it now" in page(agent.act(reference, "assign", agent="kim"))


def test_resolve_and_take_next_opens_the_next_case(agent, customer, runner):
    first, second = customer.file(), customer.file()
    agent.take_next(another=False)
    response = agent.client.post(
        f"/agent/cases/{first}/resolve", data={"outcome": "replacement", "then": "next"}
    )
    assert response.headers["Location"] == f"/agent/cases/{second}"
    html = page(agent.client.get(response.location))
    assert f"{first} resolved. The customer gets an email." in html
    assert [case["status"] for case in cases(runner)] == ["resolved", "in_review"]


def test_the_case_page_lists_the_customers_other_cases(agent, customer):
    earlier = customer.file(order_ref="100001", claim_type="return-request")
    other_email = customer.file(order_ref="100002", email="bo@example.com")
    reference = customer.file(order_ref="100003")
    html = page(agent.client.get(f"/agent/cases/{reference}"))
    other_cases = html[html.index('id="other-cases"') : html.index('id="actions-title"')]
    assert earlier in other_cases and other_email not in other_cases


def row_of(html: str, reference: str) -> str:
    """The queue table's row for a case."""
    start = html.rindex("<tr", 0, html.index(f">{reference}</a>"))
    return html[start : html.index("</tr>", start)]


@pytest.mark.config(TARGET_HOURS_PRIORITY=0)
def test_waiting_cases_past_their_lanes_target_are_marked_overdue(agent, customer):
    priority = customer.file()
    standard = customer.file(claim_type="return-request")
    html = page(agent.client.get("/agent/"))
    assert "Overdue" in row_of(html, priority) and "case--overdue" in row_of(html, priority)
    assert "Overdue" not in row_of(html, standard)  # 48 hours to go


def test_the_queue_marks_a_customers_reply_until_an_agent_answers(agent, customer, app):
    reference = customer.file()
    other = customer.file()
    agent.take_next()
    agent.act(reference, "ask_customer", message="Which colour?")
    customer.status(reference, "ana@example.com")
    customer.add_to_case(message="Green.")
    assert "Customer added information" in row_of(page(agent.client.get("/agent/")), reference)
    assert "Customer added information" not in row_of(page(agent.client.get("/agent/")), other)
    found = page(agent.client.get("/agent/?q=&added=y"))
    assert reference in found and other not in found
    agent.take_next()
    agent.act(reference, "resolve", outcome="replacement")
    assert "Customer added information" not in page(agent.client.get(f"/agent/cases/{reference}"))
