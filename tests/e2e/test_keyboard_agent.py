"""An agent who cannot use a mouse, in a real Chromium on a phone and a desktop: from sign-in
to a resolved case with key presses only, each refusal and each success announced and
focused, the focus visible at every step (tests/support/focus.py), axe clean throughout."""

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.support.claim_client import ClaimClient
from tests.support.focus import focus, press, tab_to
from tests.support.images import photo
from tests.support.service import flask_claims

VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}
PASSWORD = secrets.token_urlsafe(16)


@pytest.fixture(params=list(VIEWPORTS))
def tab(browser, request):
    context = browser.new_context(viewport=VIEWPORTS[request.param])
    yield context.new_page()
    context.close()


@pytest.fixture
def agent_name(live_data) -> str:
    name = f"kb{secrets.token_hex(3)}"
    result = flask_claims(live_data, "agent-add", name, input=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    return name


def named(text: str) -> str:
    """A focus name pattern for an element showing `text` first."""
    return f'"{re.escape(text)}'


def assert_focused_and_seen(page, locator) -> None:
    expect(locator).to_be_focused()
    assert focus(page).problems() == []


def test_an_agent_signs_in_and_resolves_a_case_with_the_keyboard_alone(
    tab, live_service, agent_name, axe_violations
):
    reference = ClaimClient(live_service).submit([(photo("JPEG", size=(64, 48)), "lid.jpg")])

    # Sign-in, sent empty: the summary is read first; its link leads to the field.
    tab.goto(live_service + "/agent/")
    tab_to(tab, named("Sign in"))
    tab.keyboard.press("Enter")
    assert_focused_and_seen(tab, tab.locator("[data-error-summary]"))
    expect(tab).to_have_title(re.compile("^Error: Agent sign-in"))
    assert axe_violations(tab) == []
    press(tab, "Tab")
    tab.keyboard.press("Enter")
    assert_focused_and_seen(tab, tab.get_by_role("textbox", name="Name"))
    tab.keyboard.type(agent_name)
    tab_to(tab, r"input#password")
    tab.keyboard.type(PASSWORD)
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/agent/")

    # The case, found from the search box, and taken: the success is announced and focused.
    tab_to(tab, r"input#q")
    tab.keyboard.type(reference)
    tab.keyboard.press("Enter")
    expect(tab.get_by_role("heading", level=1)).to_contain_text(f"Case {reference}")
    tab_to(tab, named("Take this case"), limit=120)
    tab.keyboard.press("Enter")
    notification = tab.locator("[data-notification]")
    assert_focused_and_seen(tab, notification)
    expect(notification).to_have_role("status")
    assert axe_violations(tab) == []

    # Resolved without an outcome: refused next to the field, which is marked invalid.
    tab_to(tab, named("Resolve case"), limit=120)
    tab.keyboard.press("Enter")
    summary = tab.locator("[data-error-summary]")
    assert_focused_and_seen(tab, summary)
    expect(summary.get_by_role("link", name="Choose an outcome.")).to_be_visible()
    expect(tab).to_have_title(re.compile(f"^Error: Case {reference}"))
    assert axe_violations(tab) == []
    press(tab, "Tab")
    tab.keyboard.press("Enter")
    outcome = tab.get_by_role("combobox", name="Outcome")
    assert_focused_and_seen(tab, outcome)
    expect(outcome).to_match_aria_snapshot('- combobox "Outcome" [invalid]')
    expect(outcome).to_have_accessible_description("Error: Choose an outcome.")

    # An outcome chosen with the arrow keys, and the case resolved.
    tab.keyboard.press("ArrowDown")
    expect(outcome).not_to_have_value("")
    tab_to(tab, named("Resolve case"))
    tab.keyboard.press("Enter")
    assert_focused_and_seen(tab, tab.locator("[data-notification]"))
    expect(tab.locator("#case-status")).to_contain_text("Resolved")
    assert axe_violations(tab) == []
