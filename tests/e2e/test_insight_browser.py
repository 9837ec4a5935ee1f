"""Insight in a real Chromium: the built help site reports searches, opened results and
helpful answers to the service as beacons (no cookie, nothing to another origin), the plain
form works without JavaScript, and a lead reads it all on the insight page."""

import json
import secrets
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from claims.store import open_store
from tests.search.search_box import SearchBox
from tests.support.service import flask_claims

FAQ_PAGE = "/problems-with-an-item/"
QUESTION = "what-if-i-receive-an-item-with-missing-components"


def counted(live_data, kind: str, subject: str) -> dict[str, int]:
    """What the live service counted for this key today, by detail."""
    with open_store({"DATABASE_URL": f"sqlite:///{live_data / 'claims.sqlite3'}"}) as store:
        rows = store.connection.execute(
            "SELECT detail, SUM(count) AS total FROM help_events"
            " WHERE kind = ? AND subject = ? GROUP BY detail",
            (kind, subject),
        ).fetchall()
    return {row["detail"]: row["total"] for row in rows}


def is_report(request) -> bool:
    return request.method == "POST" and urlsplit(request.url).path == "/claims/events"


def test_a_search_and_the_result_opened_arrive_as_beacons(page, live_service, live_data):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    box = SearchBox(page, live_service + "/")
    with page.expect_request(is_report) as search_report:
        assert box.search("Refund")
    sent = json.loads(search_report.value.post_data)
    assert sent["event"] == "search" and sent["term"] == "refund" and sent["results"] > 0
    first = page.locator("a.md-search-result__link").first
    opened_page = urlsplit(first.get_attribute("href")).path
    with page.expect_request(is_report) as open_report:
        first.click()
    assert json.loads(open_report.value.post_data) == {
        "event": "open",
        "term": "refund",
        "page": opened_page,
    }
    page.wait_for_url(f"**{opened_page}**")
    assert counted(live_data, "search", "refund").get("found", 0) >= 1
    assert counted(live_data, "open", "refund").get(opened_page, 0) >= 1
    assert page.context.cookies() == []
    origin = urlsplit(live_service).netloc
    assert [url for url in requested if urlsplit(url).netloc not in (origin, "")] == []


def test_a_helpful_answer_is_sent_and_thanked_in_place(
    page, live_service, live_data, axe_violations
):
    page.goto(live_service + FAQ_PAGE)
    form = page.locator(f"form.hc-helpful:has(input[value='{QUESTION}'])")
    form.get_by_label("What was missing?").fill("How long the parts take to arrive")
    with page.expect_request(is_report) as answer:
        form.get_by_role("button", name="No").click()
    assert json.loads(answer.value.post_data)["answer"] == "no"
    thanks = page.get_by_role("status")
    expect(thanks).to_have_text("Thank you, your answer helps us improve this page.")
    expect(thanks).to_be_focused()
    assert page.url == live_service + FAQ_PAGE
    notes = counted(live_data, "missing", f"{FAQ_PAGE}#{QUESTION}")
    assert notes.get("how long the parts take to arrive", 0) >= 1
    assert page.context.cookies() == []
    assert axe_violations(page) == []


def test_without_javascript_the_helpful_form_posts_and_returns(browser, live_service, live_data):
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(live_service + FAQ_PAGE)
        before = counted(live_data, "helpful", f"{FAQ_PAGE}#{QUESTION}").get("yes", 0)
        form = tab.locator(f"form.hc-helpful:has(input[value='{QUESTION}'])")
        form.get_by_role("button", name="Yes").click()
        tab.wait_for_url(f"**{FAQ_PAGE}?helpful=thanks#{QUESTION}")
        after = counted(live_data, "helpful", f"{FAQ_PAGE}#{QUESTION}").get("yes", 0)
        assert after == before + 1
        assert context.cookies() == []
    finally:
        context.close()


@pytest.fixture(scope="session")
def lead_login(live_service, live_data) -> tuple[str, str]:
    name, password = "lena", secrets.token_urlsafe(16)
    result = flask_claims(live_data, "agent-add", name, "--role", "lead", input=password + "\n")
    assert result.returncode == 0, result.stderr
    return name, password


def test_a_lead_reads_the_insight_page_with_accessible_charts(
    page, live_service, live_data, lead_login, axe_violations
):
    box = SearchBox(page, live_service + "/")
    with page.expect_request(is_report) as search_report:
        box.search("zebra umbrella")
    assert json.loads(search_report.value.post_data)["results"] == 0
    name, password = lead_login
    page.goto(live_service + "/agent/")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Insight").click()
    expect(page.get_by_role("heading", name="Searches with no results")).to_be_visible()
    no_results = page.locator("section.figure:has(h2#no-results)")
    expect(no_results.get_by_role("cell", name="zebra umbrella")).to_be_visible()
    expect(no_results.get_by_role("img", name="Chart: Searches with no results")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("From", exact=True).fill("2026-12-31")
    page.get_by_label("To", exact=True).fill("2026-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("alert")).to_contain_text("The last day must be on or after")
    assert axe_violations(page) == []
