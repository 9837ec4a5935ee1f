"""Two agents work the console in real Chromium: searching, handing a case over, taking it
over, one case at a time; every console page passes axe."""

import secrets

import pytest
from playwright.sync_api import expect

from tests.support.claim_client import ClaimClient
from tests.support.images import photo
from tests.support.service import flask_claims

PASSWORD = secrets.token_urlsafe(16)


@pytest.fixture(scope="module")
def agents(live_service, live_data) -> tuple[str, str]:
    for name in ("casey", "drew"):
        result = flask_claims(live_data, "agent-add", name, input=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    return "casey", "drew"


def signed_in(browser, base: str, name: str):
    """A fresh browser context with `name` signed in at the queue."""
    page = browser.new_context().new_page()
    page.goto(base + "/agent/")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/agent/")
    return page


def file_claim(base: str, **fields) -> tuple[str, str]:
    """A claim filed over HTTP with a unique order reference; (case reference, order ref)."""
    order_ref = fields.pop("order_ref", f"ORD-{secrets.token_hex(4)}")
    reference = ClaimClient(base).submit(
        [(photo("JPEG", size=(64, 48)), "lid.jpg")], order_ref=order_ref, **fields
    )
    return reference, order_ref


def search(page, text: str) -> None:
    page.get_by_role("searchbox", name="Search cases").fill(text)
    page.get_by_role("button", name="Search", exact=True).click()


def test_an_order_reference_in_the_search_box_opens_its_case(browser, live_service, agents):
    reference, order_ref = file_claim(live_service)
    casey = signed_in(browser, live_service, agents[0])
    search(casey, order_ref)
    expect(casey.get_by_role("heading", level=1)).to_contain_text(f"Case {reference}")


def test_words_find_the_case_and_filters_narrow_them(browser, live_service, agents):
    word = "zq" + secrets.token_hex(3)  # a word only these claims have
    priority, _ = file_claim(live_service, description=f"The {word} kettle lid is cracked.")
    standard, _ = file_claim(
        live_service, description=f"Return the {word} kettle.", claim_type="return-request"
    )
    casey = signed_in(browser, live_service, agents[0])
    search(casey, f"{word} kettle")
    results = casey.get_by_role("region", name="Search results")
    expect(results.get_by_role("link", name=priority)).to_be_visible()
    expect(results.get_by_role("link", name=standard)).to_be_visible()
    casey.get_by_label("Lane").select_option("standard")
    casey.get_by_role("button", name="Search", exact=True).click()
    expect(results.get_by_role("link", name=standard)).to_be_visible()
    expect(results.get_by_role("link", name=priority)).to_have_count(0)


def test_hand_over_then_take_over_between_two_agents(browser, live_service, agents):
    reference, order_ref = file_claim(live_service)
    casey = signed_in(browser, live_service, agents[0])
    drew = signed_in(browser, live_service, agents[1])

    search(casey, order_ref)
    casey.get_by_role("button", name="Take this case").click()
    expect(casey.locator("#case-status")).to_contain_text("held by casey")
    casey.get_by_label("Agent", exact=True).select_option("drew")
    casey.get_by_label("Note for them (optional)").fill("You know this supplier.")
    casey.get_by_role("button", name="Hand over").click()
    expect(casey.get_by_role("status")).to_contain_text(f"{reference} handed over. drew holds it")
    expect(casey.locator("#case-status")).to_contain_text("held by drew")

    drew.goto(live_service + "/agent/?status=in_review")
    expect(drew.locator("#holders")).to_contain_text("drew holds")
    drew.get_by_role("link", name=reference).click()
    expect(drew.get_by_text("You know this supplier.")).to_be_visible()
    expect(drew.get_by_role("button", name="Resolve case", exact=True)).to_be_visible()

    casey.get_by_label("Why are you taking it over?").fill("Drew is off this afternoon.")
    casey.get_by_role("button", name="Take over").click()
    expect(casey.locator("#case-status")).to_contain_text("held by casey")

    # Drew's page still shows the case as his: his resolve changes nothing.
    drew.get_by_label("Outcome").select_option("replacement")
    drew.get_by_role("button", name="Resolve case", exact=True).click()
    expect(drew.get_by_role("alert")).to_contain_text("changed while you had it open")
    expect(drew.locator("#case-status")).to_contain_text("held by casey")
    expect(drew.get_by_text("Drew is off this afternoon.")).to_be_visible()


def test_take_next_keeps_one_case_and_resolve_takes_the_next(browser, live_service, agents):
    drew = signed_in(browser, live_service, agents[1])  # holding nothing: casey took his over
    file_claim(live_service)
    file_claim(live_service)
    drew.goto(live_service + "/agent/")
    drew.get_by_role("button", name="Take next case").click()
    first = drew.locator("h1").inner_text().removeprefix("Case ").split()[0]
    drew.goto(live_service + "/agent/")
    drew.get_by_role("button", name="Take next case").click()
    expect(drew.get_by_role("alert")).to_contain_text(f"You are still working on {first}")
    drew.get_by_label("Outcome").select_option("no_fault_found")
    drew.get_by_role("button", name="Resolve case and take next").click()
    expect(drew.get_by_role("status")).to_contain_text(f"{first} resolved")
    expect(drew.locator("h1")).not_to_contain_text(first)
    expect(drew.locator("#case-status")).to_contain_text("held by drew")


@pytest.mark.parametrize("path", ["/agent/?q=kettle", "/agent/?q=", "/agent/replies", "case"])
def test_console_search_and_case_pages_have_no_axe_violations(
    browser, live_service, agents, axe_violations, path
):
    reference, _ = file_claim(live_service)
    file_claim(live_service, order_ref=f"dup-{reference}")
    casey = signed_in(browser, live_service, agents[0])
    casey.goto(live_service + (f"/agent/cases/{reference}" if path == "case" else path))
    if path == "case":
        expect(casey.get_by_role("region", name="The customer's other cases")).to_be_visible()
    assert axe_violations(casey) == []


def test_keyboard_shortcuts_work_outside_text_fields_only(browser, live_service, agents):
    file_claim(live_service)  # a case to take
    drew = signed_in(browser, live_service, agents[1])
    drew.keyboard.press("?")
    overlay = drew.get_by_role("dialog", name="Keyboard shortcuts")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("Take the next case")
    drew.keyboard.press("Escape")
    expect(overlay).to_be_hidden()

    drew.keyboard.press("j")
    expect(drew.locator("[data-shortcut-item]").first).to_be_focused()
    drew.keyboard.press("/")
    box = drew.get_by_role("searchbox", name="Search cases")
    expect(box).to_be_focused()
    drew.keyboard.type("n?j")  # typed into the box: no shortcut fires
    expect(box).to_have_value("n?j")
    expect(overlay).to_be_hidden()
    assert drew.url.endswith("/agent/")

    box.blur()
    drew.keyboard.press("n")
    expect(drew.get_by_role("heading", level=1)).to_contain_text("Case HC-")
    expect(drew.locator("#case-status")).to_contain_text("held by drew")
    drew.keyboard.press("r")
    expect(drew.get_by_label("What do you need from the customer?")).to_be_focused()
    drew.keyboard.type("r")
    expect(drew.get_by_label("What do you need from the customer?")).to_have_value("r")
    drew.get_by_role("button", name="Release to the queue").click()
    expect(drew.get_by_role("status")).to_contain_text("released")


def test_a_duplicate_is_merged_into_the_customers_original(browser, live_service, agents):
    order_ref = f"ORD-{secrets.token_hex(4)}"
    original, _ = file_claim(live_service, order_ref=order_ref, description="The lid cracked.")
    duplicate, _ = file_claim(live_service, order_ref=order_ref, description="Lid again, sorry.")
    casey = signed_in(browser, live_service, agents[0])
    search(casey, order_ref)
    results = casey.get_by_role("region", name="Search results")
    expect(results.get_by_text("Possible duplicate")).to_have_count(2)
    results.get_by_role("link", name=duplicate).click()
    casey.get_by_label("Merge into", exact=True).select_option(original)
    casey.get_by_role("button", name="Merge", exact=True).click()
    expect(casey.get_by_role("status")).to_contain_text(f"{duplicate} merged into {original}")
    expect(casey.get_by_role("heading", level=1)).to_contain_text(original)
    expect(casey.get_by_text("Lid again, sorry.")).to_be_visible()
    expect(casey.locator(".photos img")).to_have_count(2)


def test_a_saved_reply_is_inserted_edited_and_sent(browser, live_service, agents):
    reference, order_ref = file_claim(live_service)
    title = f"Photo of the label {secrets.token_hex(2)}"
    casey = signed_in(browser, live_service, agents[0])
    casey.get_by_role("link", name="Saved replies").click()
    casey.get_by_label("Title").fill(title)
    casey.get_by_label("Text").fill("Hello, for {reference} (order {order_ref}), a photo. {agent}")
    casey.get_by_role("button", name="Add reply").click()
    expect(casey.get_by_role("status")).to_contain_text(f"Saved reply “{title}” added.")

    casey.get_by_role("link", name="Queue").click()
    search(casey, reference)
    casey.get_by_role("button", name="Take this case").click()
    casey.get_by_label("Saved reply").first.select_option(label=title)
    casey.get_by_role("button", name="Insert into “Ask the customer”").click()
    box = casey.get_by_label("What do you need from the customer?")
    expect(box).to_have_value(f"Hello, for {reference} (order {order_ref}), a photo. casey")
    box.press("Control+End")
    box.type(" Thanks!")
    casey.get_by_role("button", name="Send to the customer").click()
    expect(casey.locator("#case-status")).to_contain_text("Waiting customer")
    expect(casey.get_by_text(f"(order {order_ref}), a photo. casey Thanks!")).to_be_visible()


def turned_portrait() -> bytes:
    """A 320 × 240 JPEG whose EXIF orientation (6) says: shown turned, 240 × 320."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6
    return photo("JPEG", size=(320, 240), exif=exif.tobytes())


def test_a_turned_photo_is_shown_upright_with_its_size_and_zooms(
    browser, live_service, agents, axe_violations
):
    reference = ClaimClient(live_service).submit(
        [(turned_portrait(), "portrait.jpg")], order_ref=f"ORD-{secrets.token_hex(4)}"
    )
    casey = signed_in(browser, live_service, agents[0])
    casey.goto(live_service + f"/agent/cases/{reference}")
    casey.get_by_role("link", name="Photo 1: portrait.jpg").first.click()
    expect(casey.locator("#photo-size")).to_contain_text("Shown 240 × 320 pixels, turned upright")
    image = casey.get_by_role("img", name="Photo 1: portrait.jpg")
    expect(image).to_have_js_property("naturalWidth", 240)  # upright: taller than wide
    expect(image).to_have_js_property("naturalHeight", 320)
    assert axe_violations(casey) == []

    casey.get_by_role("link", name="Actual size").click()
    expect(casey.get_by_role("link", name="Actual size")).to_have_attribute("aria-current", "true")
    assert image.bounding_box()["height"] == 320
    casey.get_by_role("link", name="Twice the size").click()
    expect(casey.get_by_role("link", name="Twice the size")).to_have_attribute(
        "aria-current", "true"
    )
    assert image.bounding_box()["height"] == 640
