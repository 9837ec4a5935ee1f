"""What a screen reader is given, read from Chromium's accessibility tree: each form's fields
with their names, descriptions and invalid state, its error summary (an alert read whole), and
live regions that speak once per change: search results, photo uploads."""

import re

from playwright.sync_api import expect

from claims.store import Store
from tests.site.content import read_content
from tests.support.claim_client import ClaimClient
from tests.support.images import photo

CONTENT = read_content()

# Counts the changes of the text of the live region `selector` in `window.spoken`.
COUNT_SPOKEN = """selector => {
  const region = document.querySelector(selector)
  window.spoken = []
  new MutationObserver(() => window.spoken.push(region.textContent.trim()))
    .observe(region, { childList: true, characterData: true, subtree: true })
}"""


def summary_snapshot(*errors: tuple[str, str]) -> str:
    """The error summary as GOV.UK's reads: one alert with its heading and every link."""
    links = "".join(
        f'\n      - listitem:\n        - link "{text}":\n          - /url: "#{target}"'
        for text, target in errors
    )
    return f'- alert:\n  - heading "There is a problem" [level=2]\n  - list:{links}'


def test_claim_form_errors_are_read_with_their_fields(page, live_service):
    page.goto(live_service + "/claims/new")
    page.get_by_role("button", name="Send claim").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_match_aria_snapshot(
        summary_snapshot(
            ("Enter your order reference.", "order_ref"),
            ("Enter your email address.", "email"),
            ("Choose what went wrong.", "claim_type-0"),
            ("Describe what happened.", "description"),
        )
    )
    expect(page).to_have_title("Error: Submit a claim · Help center")
    order_ref = page.get_by_role("textbox", name="Order reference")
    expect(order_ref).to_match_aria_snapshot('- textbox "Order reference" [invalid]')
    expect(order_ref).to_have_accessible_description(
        re.compile(r"^As it appears in your order confirmation.*Error: Enter your order reference")
    )
    group = page.get_by_role("group", name="What went wrong?")
    expect(group).to_have_accessible_description("Error: Choose what went wrong.")
    expect(page.get_by_role("textbox", name="What happened?")).to_have_accessible_description(
        "Describe the problem in your own words. Error: Describe what happened."
    )


def test_status_look_up_errors_are_read_with_their_fields(page, live_service):
    page.goto(live_service + "/claims/status")
    page.get_by_role("button", name="Check status").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()  # it used to have no script to focus it
    expect(summary).to_match_aria_snapshot(
        summary_snapshot(
            ("Enter your case reference.", "reference"), ("Enter your email address.", "email")
        )
    )
    expect(page.get_by_role("textbox", name="Email address")).to_match_aria_snapshot(
        '- textbox "Email address" [invalid]'
    )
    expect(page.get_by_role("textbox", name="Email address")).to_have_accessible_description(
        "The one you gave when you submitted the claim. Error: Enter your email address."
    )


def test_agent_sign_in_errors_are_read_with_their_fields(page, live_service):
    page.goto(live_service + "/agent/login")
    name = page.get_by_role("textbox", name="Name")
    expect(name).not_to_have_attribute("aria-describedby", re.compile("."))  # nothing to point to
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_match_aria_snapshot(
        summary_snapshot(("Enter your name.", "name"), ("Enter your password.", "password"))
    )
    expect(name).to_match_aria_snapshot('- textbox "Name" [invalid]')
    expect(name).to_have_accessible_description("Error: Enter your name.")


def test_search_results_are_announced_once_typing_pauses(page, live_service, axe_violations):
    page.goto(live_service + "/")
    page.keyboard.press("/")
    status = page.locator("[data-search-status]")
    page.evaluate(COUNT_SPOKEN, "[data-search-status]")
    page.keyboard.type("refund")
    assert axe_violations(page) == []  # right after typing, before the count is said
    expect(status).to_have_text(re.compile(r"^\d+ matching documents?$"))
    expect(status).to_have_role("status")
    assert page.evaluate("window.spoken") == [status.inner_text()]
    first = page.locator(".md-search-result__link").first
    expect(first).to_have_accessible_name(re.compile(r"\w"))


def test_a_photo_upload_is_announced_once(page, live_service, axe_violations):
    page.goto(live_service + "/claims/new?type=defective-item")
    page.evaluate(COUNT_SPOKEN, "[data-photo-status]")
    held = []
    page.route("**/claims/new/photos", lambda route: held.append(route))
    page.get_by_label("Photos", exact=True).set_input_files(
        [{"name": "lid.jpg", "mimeType": "image/jpeg", "buffer": photo("JPEG", size=(640, 480))}]
    )
    expect(page.get_by_role("progressbar", name="Sending lid.jpg")).to_be_visible()
    assert axe_violations(page) == []  # during the upload
    held[0].continue_()
    expect(page.locator("[data-kept] img")).to_have_count(1)
    expect(page.locator("[data-photo-status]")).to_have_text(re.compile(r"^lid\.jpg added\."))
    assert len(page.evaluate("window.spoken")) == 1


def test_help_page_icons_are_silent_and_permalinks_named(page, live_service):
    page.goto(live_service + "/" + CONTENT.faq_pages[0].url)
    tree = page.locator("body").aria_snapshot()
    assert re.search(r"- img\s*$", tree, re.MULTILINE) is None  # no unnamed images
    heading = page.locator("article").get_by_role("heading", level=2).first
    expect(heading).not_to_have_accessible_name(re.compile("¶"))
    permalink = heading.get_by_role("link")
    expect(permalink).to_have_accessible_name("Link to this section")


def test_the_reply_box_is_described_by_the_agents_question(page, live_service, live_data):
    reference = ClaimClient(live_service).submit([(photo("JPEG", size=(64, 48)), "lid.jpg")])
    with Store(f"sqlite:///{live_data / 'claims.sqlite3'}") as store:
        store.cases.act(reference, "take", "robin")
        store.cases.act(reference, "ask_customer", "robin", text="Which side is cracked?")
    page.goto(live_service + "/claims/status")
    page.get_by_label("Case reference").fill(reference)
    page.get_by_label("Email address").fill("ana@example.com")
    page.get_by_role("button", name="Check status").click()
    expect(page.get_by_role("textbox", name="Your message")).to_have_accessible_description(
        re.compile(r"^Which side is cracked\?")
    )
