"""Photos on the claim form in a real Chromium, on a phone and a desktop: picked in several
goes, removed, refused at once when they are not photos, sent one by one with their own
progress, and kept when the form comes back with errors, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from claims.catalog import CLAIM_TYPES
from tests.support.images import photo

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> dict:
    return VIEWPORTS[request.param]


@pytest.fixture
def tab(browser, viewport):
    context = browser.new_context(viewport=viewport)
    yield context.new_page()
    context.close()


@pytest.fixture
def tab_without_javascript(browser, viewport):
    context = browser.new_context(viewport=viewport, java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def photos(tmp_path):
    """Two phone photos and a file that only pretends to be one."""
    paths = {}
    for name, color in [("kettle-0.jpg", (200, 30, 30)), ("kettle-1.jpg", (30, 30, 200))]:
        paths[name] = tmp_path / name
        paths[name].write_bytes(photo("JPEG", size=(640, 480), color=color))
    paths["notes.jpg"] = tmp_path / "notes.jpg"
    paths["notes.jpg"].write_text("Not a photo at all, just some notes.")
    return paths


def fill_text(page, email="ana@example.com"):
    page.get_by_label("Order reference").fill("100234")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("What happened?").fill("The kettle arrived with a cracked lid.")


def kept_photos(page):
    return page.locator("[data-kept] li")


def expect_thumbnails_drawn(page, count: int):
    """Each kept photo is shown as a picture the browser could draw."""
    expect(kept_photos(page)).to_have_count(count)
    images = page.locator("[data-kept] img")
    for index in range(count):
        expect(images.nth(index)).to_have_js_property("complete", True)
        assert images.nth(index).evaluate("image => image.naturalWidth") > 0


def photos_on_the_confirmation(page) -> str:
    return page.locator(".summary dt:has-text('Photos') + dd").inner_text()


def test_photos_are_kept_across_a_form_error_without_javascript(
    tab_without_javascript, live_service, photos
):
    """(axe needs JavaScript: the same pages are checked in the test with it.)"""
    page = tab_without_javascript
    page.goto(live_service + "/claims/new?type=defective-item")
    fill_text(page, email="not-an-address")
    page.get_by_label("Photos", exact=True).set_input_files(list(photos.values()))
    page.get_by_role("button", name="Send claim").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Enter an email address like name@example.com.")
    expect(summary).to_contain_text("notes.jpg: This file is not a photo we can read.")
    expect_thumbnails_drawn(page, 2)
    expect(kept_photos(page)).to_have_text([re.compile("kettle-0.jpg"), re.compile("kettle-1.jpg")])

    page.get_by_role("button", name="Remove kettle-0.jpg").click()
    expect(kept_photos(page)).to_have_count(1)
    expect(page.get_by_label("Email address")).to_have_value("not-an-address")

    page.get_by_label("Email address").fill("ana@example.com")
    page.get_by_label("Email address").press("Enter")  # sends the form, removes no photo
    expect(page.locator("#case-reference")).to_have_text(re.compile(r"^HC-"))
    assert photos_on_the_confirmation(page) == "1"


def test_photos_are_kept_across_a_form_error_with_javascript(
    tab, live_service, photos, axe_violations
):
    tab.goto(live_service + "/claims/new?type=missing-components")
    fill_text(tab, email="not-an-address")
    picker = tab.get_by_label("Photos", exact=True)
    picker.set_input_files([photos["kettle-0.jpg"], photos["kettle-1.jpg"]])
    expect(tab.locator("[data-kept] progress")).to_have_count(0)  # both sent
    expect_thumbnails_drawn(tab, 2)
    tab.get_by_role("button", name="Send claim").click()

    expect(tab.locator("[data-error-summary]")).to_be_focused()
    expect_thumbnails_drawn(tab, 2)
    assert axe_violations(tab) == []
    tab.get_by_label("Email address").fill("ana@example.com")
    tab.get_by_role("button", name="Send claim").click()
    expect(tab.locator("#case-reference")).to_have_text(re.compile(r"^HC-"))
    assert photos_on_the_confirmation(tab) == "2"


def test_picking_again_adds_photos_and_each_can_be_removed(
    tab, live_service, photos, axe_violations
):
    tab.goto(live_service + "/claims/new?type=defective-item")
    fill_text(tab)
    picker = tab.get_by_label("Photos", exact=True)
    picker.set_input_files(photos["kettle-0.jpg"])
    expect(kept_photos(tab)).to_have_count(1)
    picker.set_input_files(photos["kettle-1.jpg"])  # a second pick adds, it does not replace
    expect_thumbnails_drawn(tab, 2)
    expect(tab.locator("[data-photo-status]")).to_have_text("kettle-1.jpg added. 2 of 8 photos.")

    tab.get_by_role("button", name="Remove kettle-0.jpg").click()
    expect(kept_photos(tab)).to_have_text([re.compile("kettle-1.jpg")])
    expect(tab.get_by_role("button", name="Remove kettle-1.jpg")).to_be_focused()
    expect(tab.locator("[data-photo-status]")).to_have_text("kettle-0.jpg removed.")
    assert axe_violations(tab) == []

    tab.get_by_role("button", name="Send claim").click()
    expect(tab.locator("#case-reference")).to_have_text(re.compile(r"^HC-"))
    assert photos_on_the_confirmation(tab) == "1"


def test_a_file_that_is_not_a_photo_is_named_at_once_and_not_sent(
    tab, live_service, photos, axe_violations
):
    tab.goto(live_service + "/claims/new?type=defective-item")
    sent = []
    tab.on("request", lambda request: sent.append(request.url) if request.method == "POST" else 0)
    tab.get_by_label("Photos", exact=True).set_input_files(photos["notes.jpg"])
    problem = tab.locator("[data-photo-problem]")
    expect(problem).to_have_text(
        "notes.jpg is not a photo. Choose a JPEG, PNG, WebP or HEIC image."
    )
    expect(problem).to_have_attribute("role", "alert")
    expect(kept_photos(tab)).to_have_count(0)
    assert sent == []
    assert axe_violations(tab) == []


def test_each_photo_shows_its_own_progress_and_send_claim_waits_for_it(
    tab, live_service, photos, axe_violations
):
    held, released = [], []

    def hold(route):  # photos wait here until released
        if released:
            route.continue_()
        else:
            held.append(route)

    tab.route("**/claims/new/photos", hold)
    tab.goto(live_service + "/claims/new?type=defective-item")
    fill_text(tab)
    tab.get_by_label("Photos", exact=True).set_input_files(
        [photos["kettle-0.jpg"], photos["kettle-1.jpg"]]
    )
    for name in ("kettle-0.jpg", "kettle-1.jpg"):
        expect(tab.get_by_role("progressbar", name=f"Sending {name}")).to_be_visible()
    assert axe_violations(tab) == []

    tab.get_by_role("button", name="Send claim").click()
    expect(tab.locator("[data-progress-text]")).to_have_text("Sending your photos first…")
    assert tab.url.endswith("/claims/new?type=defective-item")
    released.append(True)
    for route in held:
        route.continue_()
    tab.wait_for_url("**/claims/submitted")
    assert photos_on_the_confirmation(tab) == "2"


def test_changing_a_confirmed_order_is_answered_when_chosen(tab, live_service, axe_violations):
    change = CLAIM_TYPES["change-order"]
    tab.goto(live_service + "/claims/new")
    tab.get_by_label("Order reference").fill("100234")
    tab.get_by_label(change.label, exact=True).check()
    answer = tab.locator("#policy-answer")
    expect(answer).to_be_visible()
    expect(answer).to_contain_text(change.answer)
    assert axe_violations(tab) == []

    instead = CLAIM_TYPES[change.instead].label
    answer.get_by_role("link", name=instead).click()
    expect(tab.get_by_label(instead, exact=True)).to_be_checked()
    expect(tab.get_by_label(instead, exact=True)).to_be_focused()
    expect(tab.locator("#policy-answer")).to_have_count(0)
    expect(tab.get_by_label("Order reference")).to_have_value("100234")  # nothing typed lost


def test_something_else_files_a_case_without_photos(tab, live_service):
    tab.goto(live_service + "/claims/new?type=something-else")
    expect(tab.get_by_label("Something else", exact=True)).to_be_checked()
    fill_text(tab)
    tab.get_by_role("button", name="Send claim").click()
    expect(tab.locator("#case-reference")).to_have_text(re.compile(r"^HC-"))
    expect(tab.locator(".summary")).to_contain_text("Something else")
