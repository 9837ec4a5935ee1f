"""An agent works a customer's claim in a real Chromium, start to finish."""

import secrets

import pytest
from playwright.sync_api import expect

from tests.support.images import photo
from tests.support.service import flask_claims

PAYLOAD = '<script>window.pwned=1</script><img src=x onerror="window.pwned=1">'


@pytest.fixture(scope="session")
def agent_login(live_service, live_data) -> tuple[str, str]:
    name, password = "robin", secrets.token_urlsafe(16)
    result = flask_claims(live_data, "agent-add", name, input=password + "\n")
    assert result.returncode == 0, result.stderr
    return name, password


def sign_in(page, base, agent_login):
    name, password = agent_login
    page.goto(base + "/agent/")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/agent/")


def file_claim(page, base, tmp_path, **text) -> str:
    picture = tmp_path / text.get("photo_name", "lid.jpg")
    picture.write_bytes(photo("JPEG", size=(320, 240)))
    page.goto(base + "/claims/new?type=defective-item")
    page.get_by_label("Order reference").fill(text.get("order_ref", "100234"))
    page.get_by_label("Email address").fill("ana@example.com")
    page.get_by_label("What happened?").fill(text.get("description", "The lid arrived cracked."))
    page.get_by_label("Photos", exact=True).set_input_files([picture])
    page.get_by_role("button", name="Send claim").click()
    page.wait_for_url("**/claims/submitted")
    return page.locator("#case-reference").inner_text()


def test_agent_asks_for_a_clearer_photo_and_resolves_the_claim(
    browser, live_service, agent_login, tmp_path
):
    customer = browser.new_context().new_page()
    agent = browser.new_context().new_page()
    reference = file_claim(customer, live_service, tmp_path)

    sign_in(agent, live_service, agent_login)
    agent.get_by_role("link", name=reference).click()
    agent.get_by_role("button", name="Take this case").click()
    expect(agent.locator("#case-status")).to_contain_text("In review")
    expect(agent.locator(".photos img")).to_have_js_property("naturalWidth", 320)
    agent.get_by_label("What do you need from the customer?").fill("A clearer photo, please.")
    agent.get_by_role("button", name="Send to the customer").click()
    expect(agent.locator("#case-status")).to_contain_text("Waiting customer")

    customer.get_by_role("link", name="Check the status of your case").click()
    customer.get_by_label("Email address").fill("ana@example.com")
    customer.get_by_role("button", name="Check status").click()
    expect(customer.get_by_text("A clearer photo, please.").first).to_be_visible()
    clearer = tmp_path / "clearer.jpg"
    clearer.write_bytes(photo("JPEG", size=(640, 480)))
    customer.get_by_label("Your message").fill("Here it is.")
    customer.get_by_label("Photos (optional)").set_input_files([clearer])
    customer.locator("#add-to-case").get_by_role("button", name="Send").click()
    customer.get_by_text("You answered:").wait_for()
    expect(customer.locator("#case-status")).to_have_text("Your case is waiting for review.")

    agent.goto(live_service + f"/agent/cases/{reference}")
    expect(agent.get_by_text("Here it is.")).to_be_visible()
    expect(agent.locator(".photos img")).to_have_count(2)
    agent.get_by_role("button", name="Take this case").click()
    agent.get_by_label("Outcome").select_option("replacement")
    agent.get_by_role("button", name="Resolve case", exact=True).click()
    expect(agent.locator("#case-status")).to_contain_text("Resolved")

    customer.reload()
    expect(customer.locator("#case-status")).to_have_text("Your case is resolved.")
    expect(customer.get_by_text("Resolved: Replacement sent.")).to_be_visible()


def test_customer_text_with_markup_is_shown_as_text_in_the_console(
    browser, live_service, agent_login, tmp_path
):
    customer = browser.new_context().new_page()
    reference = file_claim(
        customer,
        live_service,
        tmp_path,
        description="Broken. " + PAYLOAD,
        photo_name="x<img src=y onerror=alert(1)>.jpg",
    )
    agent = browser.new_context().new_page()
    dialogs = []
    agent.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(agent, live_service, agent_login)
    agent.goto(live_service + f"/agent/cases/{reference}")
    agent.get_by_label("Internal note").fill(PAYLOAD)
    agent.get_by_role("button", name="Add note").click()
    expect(agent.locator("#case-description")).to_contain_text(PAYLOAD)
    assert agent.get_by_text(PAYLOAD).count() >= 2  # description and note, as text
    agent.goto(live_service + "/agent/")
    assert agent.evaluate("window.pwned") is None
    assert dialogs == []


@pytest.mark.parametrize("path", ["/agent/login", "/agent/", "/agent/?status=in_review", "case"])
def test_console_pages_have_no_axe_violations(
    page, live_service, agent_login, axe_violations, tmp_path, path
):
    if path == "/agent/login":
        page.goto(live_service + path)
    else:
        reference = file_claim(page, live_service, tmp_path)
        sign_in(page, live_service, agent_login)
        page.goto(live_service + (f"/agent/cases/{reference}" if path == "case" else path))
        if path == "case":
            page.get_by_role("button", name="Take this case").click()
            expect(page.locator("#case-status")).to_contain_text("In review")
    assert axe_violations(page) == []
