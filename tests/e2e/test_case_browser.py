"""A customer follows their case after filing, in a real Chromium on a phone and a desktop:
adding information, photos alone, reopening, the personal link from an email and the look-up
by order number, each page and state axe clean."""

import re
import secrets

import pytest
from playwright.sync_api import expect

from claims.store import Store
from tests.support.images import photo
from tests.support.mail import MailCatcher, mail_server
from tests.support.service import start_service, stop_service

VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}


@pytest.fixture(params=list(VIEWPORTS))
def tab(browser, request):
    """A fresh tab on a phone (390 × 844) or a desktop, in Berlin's time zone."""
    context = browser.new_context(timezone_id="Europe/Berlin", **VIEWPORTS[request.param])
    yield context.new_page()
    context.close()


@pytest.fixture
def picture(tmp_path):
    path = tmp_path / "other-side.jpg"
    path.write_bytes(photo("JPEG", size=(320, 240), color=(30, 160, 30)))
    return path


@pytest.fixture(scope="module")
def mailing_service(built_site, tmp_path_factory):
    """The service with mail and no reopening window at all, for links and settled cases.
    Yields (base URL, data directory, mail catcher)."""
    catcher, data = MailCatcher(), tmp_path_factory.mktemp("mailing-data")
    with mail_server(catcher) as port:
        process, base = start_service(
            data,
            workers=1,
            HELP_SITE_DIR=str(built_site),
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(port),
            PUBLIC_URL="https://help.example",
            REOPEN_DAYS="0",
        )
        yield base, data, catcher
        stop_service(process)


def file_claim(tab, base: str, order_ref: str = "#1001", email: str = "ana@example.com") -> str:
    """File a defective-item claim with one photo through the form; its reference."""
    lid = photo("JPEG", size=(320, 240))
    tab.goto(base + "/claims/new?type=defective-item")
    tab.get_by_label("Order reference").fill(order_ref)
    tab.get_by_label("Email address").fill(email)
    tab.get_by_label("What happened?").fill("The kettle arrived with a cracked lid.")
    tab.get_by_label("Photos", exact=True).set_input_files(
        [{"name": "lid.jpg", "mimeType": "image/jpeg", "buffer": lid}]
    )
    tab.get_by_role("button", name="Send claim").click()
    tab.wait_for_url("**/claims/submitted")
    return tab.locator("#case-reference").inner_text()


def look_up(tab, base: str, reference: str, email: str = "ana@example.com") -> None:
    tab.goto(base + "/claims/status")
    tab.get_by_label("Case reference").fill(reference)
    tab.get_by_label("Email address").fill(email)
    tab.get_by_role("button", name="Check status").click()
    tab.wait_for_url("**/claims/status/case")


def resolve(data_dir, reference: str) -> None:
    """An agent takes the case and resolves it (straight in the case log the service uses)."""
    with Store(f"sqlite:///{data_dir / 'claims.sqlite3'}") as store:
        store.cases.act(reference, "take", "robin")
        store.cases.act(
            reference, "resolve", "robin", text="A new kettle is on its way.", detail="replacement"
        )


def test_adding_a_message_while_waiting_keeps_the_place_and_a_double_click_adds_once(
    tab, live_service, axe_violations
):
    reference = file_claim(tab, live_service)
    look_up(tab, live_service, reference)
    expect(tab.locator("#case-status")).to_have_text("Your case is waiting for review.")
    expect(tab.locator("[data-time-note]")).to_have_text(
        "Times are in your time zone (Europe/Berlin)."
    )
    expect(tab.locator("#conversation time").first).to_contain_text("GMT+1")
    assert axe_violations(tab) == []
    position = tab.locator("#case-position").inner_text()

    form = tab.locator("#add-to-case")
    form.get_by_role("button", name="Send").click()  # nothing written, no photo
    summary = tab.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(tab.get_by_label("Your message")).to_have_attribute("aria-invalid", "true")
    assert axe_violations(tab) == []

    tab.get_by_label("Your message").fill("It also leaks at the base.")
    tab.locator("#add-to-case").get_by_role("button", name="Send").dblclick()
    expect(tab.get_by_text("Thank you: we added this to your case.")).to_be_visible()
    expect(tab.locator("#conversation")).to_contain_text("You added:")
    expect(tab.locator("#conversation")).to_contain_text("It also leaks at the base.")
    expect(tab.locator("#case-position")).to_have_text(position)
    assert axe_violations(tab) == []
    tab.reload()  # the browser does not send the form again, and nothing is added twice
    expect(tab.locator("#conversation .message", has_text="It also leaks")).to_have_count(1)


def test_photos_alone_are_enough_and_show_as_thumbnails(tab, live_service, picture):
    reference = file_claim(tab, live_service)
    look_up(tab, live_service, reference)
    tab.get_by_label("Photos (optional)").set_input_files([picture])
    tab.locator("#add-to-case").get_by_role("button", name="Send").click()
    thumbnail = tab.get_by_role("img", name="Photo other-side.jpg")
    expect(thumbnail).to_be_visible()
    expect(thumbnail).to_have_js_property("naturalWidth", 320)  # it loaded, for this customer
    source = thumbnail.get_attribute("src")
    stranger = tab.context.browser.new_context()
    answer = stranger.request.get(live_service + source)
    assert answer.status == 404  # and for nobody else
    stranger.close()


def test_reopening_a_resolved_case_within_the_window(tab, live_service, live_data, axe_violations):
    reference = file_claim(tab, live_service)
    resolve(live_data, reference)
    look_up(tab, live_service, reference)
    expect(tab.locator("#case-outcome")).to_contain_text("Outcome: Replacement sent")
    expect(tab.locator("#case-outcome")).to_contain_text("A new kettle is on its way.")
    expect(tab.locator("#reopen-window")).to_contain_text("you can reopen your case below until")
    assert axe_violations(tab) == []
    tab.get_by_label("Your message").fill("The new kettle leaks too.")
    tab.get_by_role("button", name="Reopen my case").click()
    expect(tab.locator("#case-status")).to_have_text("Your case is waiting for review.")
    expect(tab.locator("#conversation")).to_contain_text("You reopened the case:")
    expect(tab.locator("#case-outcome")).to_have_count(0)
    assert axe_violations(tab) == []


def test_after_the_window_the_page_explains_a_new_claim_naming_the_case(
    tab, mailing_service, axe_violations
):
    base, data, _ = mailing_service
    reference = file_claim(tab, base)
    resolve(data, reference)
    look_up(tab, base, reference)
    expect(tab.locator("#reopen-window")).to_contain_text("can no longer be reopened")
    expect(tab.locator("#add-to-case")).to_have_count(0)
    assert axe_violations(tab) == []
    tab.get_by_role("link", name="file a new claim").click()
    expect(tab.get_by_label("What happened?")).to_have_value(
        f"This follows my earlier case {reference}. "
    )


def test_the_personal_link_in_the_email_opens_the_case_and_can_be_stopped(
    tab, mailing_service, axe_violations
):
    base, _, catcher = mailing_service
    email = f"link-{secrets.token_hex(4)}@example.com"
    reference = file_claim(tab, base, email=email)
    mail = next(
        message for message in catcher.wait_for(len(catcher.messages) + 1) if message["To"] == email
    )
    path = re.search(r"https://help\.example(/claims/case/\S+)", mail.get_content()).group(1)

    phone = tab.context.browser.new_context(**VIEWPORTS["phone"])
    other = phone.new_page()
    other.goto(base + path)
    expect(other.locator("h1")).to_have_text(f"Case {reference}")
    assert axe_violations(other) == []

    look_up(tab, base, reference, email)
    tab.get_by_role("button", name="Stop the old links").click()
    expect(tab.get_by_text("no longer open your case")).to_be_visible()
    other.goto(base + path)
    expect(other.locator("h1")).to_have_text("Check a claim")  # the plain look-up page
    other.goto(base + "/claims/status/case")
    expect(other.locator("h1")).to_have_text("Check a claim")  # what it opened is closed too
    phone.close()


def test_order_number_look_up_lists_the_customers_cases(tab, live_service, axe_violations):
    order = f"SO/2026/{secrets.randbelow(10_000):04d}"
    first = file_claim(tab, live_service, order_ref=order)
    second = file_claim(tab, live_service, order_ref=order.lower())
    tab.goto(live_service + "/claims/status")
    tab.get_by_role("link", name="Find your cases with your order reference").click()
    assert axe_violations(tab) == []
    tab.get_by_label("Order reference").fill(order.replace("/", " / ").replace("SO", "#so"))
    tab.get_by_label("Email address").fill("ANA@example.com")
    tab.get_by_role("button", name="Find my cases").click()
    cases = tab.locator("#order-cases a")
    expect(cases).to_have_text([first, second])
    assert axe_violations(tab) == []
    cases.first.click()
    expect(tab.locator("h1")).to_have_text(f"Case {first}")

    tab.goto(live_service + "/claims/status/order")
    tab.get_by_label("Order reference").fill(order)
    tab.get_by_label("Email address").fill("eve@example.com")
    tab.get_by_role("button", name="Find my cases").click()
    expect(tab.locator("[data-error-summary]")).to_contain_text("We could not find a case")
    assert axe_violations(tab) == []


def test_confirmation_copies_and_emails_the_reference(browser, live_service, axe_violations):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    tab = context.new_page()
    reference = file_claim(tab, live_service)
    tab.get_by_role("button", name="Copy the reference").click()
    expect(tab.get_by_text("Copied.")).to_be_visible()
    assert tab.evaluate("navigator.clipboard.readText()") == reference
    tab.get_by_role("button", name="Email me this reference").click()
    expect(tab.locator("#reference-emailed")).to_contain_text("ana@example.com")
    assert axe_violations(tab) == []
    context.close()


def test_without_javascript_times_are_in_utc_and_say_so(browser, live_service):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    reference = file_claim(tab, live_service)
    look_up(tab, live_service, reference)
    expect(tab.locator("[data-time-note]")).to_have_text("Times are in UTC.")
    expect(tab.locator("#conversation time").first).to_have_text(re.compile(r" UTC$"))
    tab.get_by_label("Your message").fill("Sent without script.")
    tab.locator("#add-to-case").get_by_role("button", name="Send").click()
    expect(tab.locator("#conversation")).to_contain_text("Sent without script.")
    context.close()
