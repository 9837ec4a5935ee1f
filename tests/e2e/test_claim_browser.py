"""A customer files a claim in a real Chromium, from the help site to the reference."""

import re

import pytest
from playwright.sync_api import expect

from claims.catalog import CLAIM_TYPES
from tests.site.content import read_content
from tests.support.images import photo

CONTENT = read_content()
# The first claim button on a page of questions that asks for photos.
PHOTO_LINK = next(
    link
    for page in CONTENT.faq_pages
    for link in page.claim_links
    if link.claim_type and CLAIM_TYPES[link.claim_type].photos != "none"
)


@pytest.fixture
def two_photos(tmp_path):
    paths = []
    for index, color in enumerate([(200, 30, 30), (30, 30, 200)]):
        path = tmp_path / f"kettle-{index}.jpg"
        path.write_bytes(photo("JPEG", size=(640, 480), color=color))
        paths.append(path)
    return paths


def fill_claim(page, photos):
    page.get_by_label("Order reference").fill("100234")
    page.get_by_label("Email address").fill("ana@example.com")
    page.get_by_label("What happened?").fill("The kettle arrived with a cracked lid.")
    page.get_by_label("Photos", exact=True).set_input_files(photos)


def test_claim_link_on_the_help_site_leads_to_a_filed_case(page, live_service, two_photos):
    page.goto(live_service + "/" + CONTENT.page(PHOTO_LINK.page).url)
    page.locator("article").get_by_role("link", name=PHOTO_LINK.text, exact=True).first.click()
    assert page.url.endswith(PHOTO_LINK.href())
    expect(page.get_by_label(CLAIM_TYPES[PHOTO_LINK.claim_type].label, exact=True)).to_be_checked()
    fill_claim(page, two_photos)
    expect(page.locator("[data-kept] img")).to_have_count(2)  # sent as chosen, by our script
    page.get_by_role("button", name="Send claim").click()
    page.wait_for_url("**/claims/submitted")
    reference = page.locator("#case-reference").inner_text()
    assert re.fullmatch(r"HC-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)

    page.get_by_role("link", name="Check the status of your case").click()
    page.get_by_label("Email address").fill("ana@example.com")
    page.get_by_role("button", name="Check status").click()
    expect(page.locator("#case-status")).to_have_text("Your case is waiting for review.")
    expect(page.get_by_role("img", name="Photo kettle-1.jpg")).to_be_visible()


def test_claim_form_works_without_javascript(browser, live_service, two_photos):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_service + "/claims/new?type=missing-components")
    fill_claim(page, two_photos)
    page.get_by_role("button", name="Send claim").click()
    expect(page.locator("#case-reference")).to_have_text(re.compile(r"^HC-"))
    context.close()


def test_errors_are_shown_next_to_fields_and_focused(page, live_service):
    page.goto(live_service + "/claims/new?type=defective-item")
    page.get_by_label("Email address").fill("not-an-address")
    page.get_by_role("button", name="Send claim").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.get_by_label("Email address").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Email address").input_value() == "not-an-address"


def test_client_side_check_stops_an_oversized_photo_before_upload(page, live_service, tmp_path):
    big = tmp_path / "huge.jpg"
    big.write_bytes(b"\xff" * (16 * 1024 * 1024))
    page.goto(live_service + "/claims/new?type=defective-item")
    requests = []
    page.on("request", lambda request: requests.append(request.method))
    fill_claim(page, [big])
    problem = page.locator("[data-photo-problem]")
    expect(problem).to_contain_text("huge.jpg is 16.0 MB; each photo can be up to 15.0 MB")
    expect(page.locator("[data-kept] li")).to_have_count(0)
    assert "POST" not in requests  # the photo was never sent


@pytest.mark.parametrize(
    "path",
    [
        "/claims/new",
        "/claims/new?type=change-order",
        "/claims/status",
        "/claims/status/order",
        "/claims/case/not-a-link",
        "/claims/nowhere",
    ],
)
def test_service_pages_have_no_axe_violations(page, live_service, axe_violations, path):
    page.goto(live_service + path)
    assert axe_violations(page) == []


def test_form_with_errors_and_confirmation_have_no_axe_violations(
    page, live_service, axe_violations, two_photos
):
    page.goto(live_service + "/claims/new")
    page.get_by_role("button", name="Send claim").click()
    page.locator("[data-error-summary]").wait_for()
    assert axe_violations(page) == []
    page.goto(live_service + "/claims/new?type=defective-item")
    fill_claim(page, two_photos)
    page.get_by_role("button", name="Send claim").click()
    page.wait_for_url("**/claims/submitted")
    assert axe_violations(page) == []
