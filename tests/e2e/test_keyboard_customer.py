"""A customer who cannot use a mouse, in a real Chromium on a phone and a desktop: from the
help site's home page to a filed claim to a message on their case, with key presses only.
At every step the focus is where it should be and can be seen (tests/support/focus.py), and
axe finds nothing, transitional states included (typing in search, uploading, just sent)."""

import re

import pytest
from playwright.sync_api import expect

from claims.catalog import CLAIM_TYPES
from tests.site.content import read_content
from tests.support.focus import focus, press, tab_stop_problems, tab_to
from tests.support.images import photo

CONTENT = read_content()
# A claim link of a question page that asks for photos, and a question on that page.
CLAIM_LINK = next(
    link
    for page in CONTENT.faq_pages
    for link in page.claim_links
    if link.claim_type and CLAIM_TYPES[link.claim_type].photos != "none"
)
QUESTION = CONTENT.page(CLAIM_LINK.page).questions[0]

VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}


@pytest.fixture(params=list(VIEWPORTS))
def tab(browser, request):
    context = browser.new_context(viewport=VIEWPORTS[request.param])
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("page_name", ["", CLAIM_LINK.page], ids=["home", "questions"])
def test_every_tab_stop_of_a_help_page_can_be_seen(tab, site_server, page_name):
    """No invisible stop (a closed menu, a hidden button), none under the sticky header."""
    tab.goto(site_server + CONTENT.page(page_name).url)
    assert tab_stop_problems(tab) == []


def names(pattern: str) -> str:
    """A focus name pattern for an element showing `pattern` as its text."""
    return f'"{re.escape(pattern)}'


def assert_in_view_below_header(page, locator) -> None:
    """`locator` is on screen and not under the service's header."""
    box = locator.bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"], box


def test_a_customer_files_a_claim_and_adds_to_it_with_the_keyboard_alone(
    tab, live_service, axe_violations, tmp_path
):
    lid = tmp_path / "lid.jpg"
    lid.write_bytes(photo("JPEG", size=(640, 480)))

    # The home page: search, hear how many results, Tab through them, open one.
    tab.goto(live_service + "/")
    tab_to(tab, r"input#hc-hero-query")
    tab.keyboard.type(QUESTION.text)
    tab.keyboard.press("Enter")
    status = tab.locator("[data-search-status]")
    expect(status).to_have_text(re.compile(r"\d+ matching documents?"))
    assert axe_violations(tab) == []
    tab_to(tab, names(QUESTION.text))
    tab.keyboard.press("Escape")  # back where the customer was, not lost on the page
    expect(tab.locator(".hc-hero__input")).to_be_focused()
    assert focus(tab).problems() == []
    tab.keyboard.press("Control+a")  # search again, and this time open the question
    tab.keyboard.type(QUESTION.text)
    tab.keyboard.press("Enter")
    expect(status).to_have_text(re.compile(r"\d+ matching documents?"))
    tab_to(tab, names(QUESTION.text))
    tab.keyboard.press("Enter")
    tab.wait_for_url(re.compile(re.escape(CONTENT.page(CLAIM_LINK.page).url)))

    # The question's page: on to its claim link, visible below the sticky header.
    tab_to(tab, names(CLAIM_LINK.text), limit=120)
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/claims/new?type=*")
    claim_type = CLAIM_TYPES[CLAIM_LINK.claim_type]
    expect(tab.get_by_label(claim_type.label, exact=True)).to_be_checked()

    # Sent empty: the error summary has the focus, even after the skip link (#main).
    tab_to(tab, names("Skip to content"))
    tab.keyboard.press("Enter")
    tab_to(tab, names("Send claim"))
    tab.keyboard.press("Enter")
    summary = tab.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    assert focus(tab).problems() == []
    assert axe_violations(tab) == []
    expect(tab).to_have_title(re.compile(r"^Error: Submit a claim"))

    # Its first link: the field takes the focus, with its label in view.
    press(tab, "Tab")
    tab.keyboard.press("Enter")
    expect(tab.get_by_label("Order reference")).to_be_focused()
    assert_in_view_below_header(tab, tab.locator("label[for=order_ref]"))
    tab.keyboard.type("100234")
    tab_to(tab, r"input#email")
    tab.keyboard.type("ana@example.com")
    tab_to(tab, r"textarea#description")
    tab.keyboard.type("The kettle arrived with a cracked lid.")

    # The photo, chosen from the keyboard; held on its way, to see the page while it uploads.
    held = []
    tab.route("**/claims/new/photos", lambda route: held.append(route))
    tab_to(tab, r"input#photos")
    with tab.expect_file_chooser() as chooser:
        tab.keyboard.press("Space")
    chooser.value.set_files(lid)
    expect(tab.get_by_role("progressbar", name="Sending lid.jpg")).to_be_visible()
    assert axe_violations(tab) == []

    # Sent while the photo is still uploading: the focus stays on the button, told once.
    send = tab.get_by_role("button", name="Send claim")
    tab_to(tab, names("Send claim"))
    tab.keyboard.press("Enter")
    expect(tab.locator("[data-progress-text]")).to_have_text("Sending your photos first…")
    expect(send).to_be_focused()
    assert focus(tab).problems() == []
    assert axe_violations(tab) == []
    held[0].continue_()
    tab.wait_for_url("**/claims/submitted")
    reference = tab.locator("#case-reference").inner_text()
    assert axe_violations(tab) == []

    # The status look-up, and a message added on the case page.
    tab_to(tab, names("Check the status of your case"))
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/claims/status*")
    tab_to(tab, r"input#reference")
    if not tab.locator("#reference").input_value():
        tab.keyboard.type(reference)
    tab_to(tab, r"input#email")
    tab.keyboard.type("ana@example.com")
    tab.keyboard.press("Enter")
    tab.wait_for_url("**/claims/status/case")
    tab_to(tab, r"textarea#message")
    tab.keyboard.type("It also leaks at the base.")
    tab_to(tab, names("Send"))
    tab.keyboard.press("Enter")
    expect(tab.locator("#conversation")).to_contain_text("It also leaks at the base.")
    assert axe_violations(tab) == []
