"""An agent answers a customer's data request in a real Chromium: finds the cases, downloads
the export, erases them after typing the address again; every state passes axe."""

import json
import secrets
import zipfile

import pytest
from playwright.sync_api import expect

from tests.support.images import photo
from tests.support.service import flask_claims


@pytest.fixture(scope="module")
def agent_login(live_service, live_data) -> tuple[str, str]:
    name, password = "lee", secrets.token_urlsafe(16)
    result = flask_claims(live_data, "agent-add", name, input=password + "\n")
    assert result.returncode == 0, result.stderr
    return name, password


def file_claim(page, base, tmp_path, email: str) -> str:
    picture = tmp_path / "crack.jpg"
    picture.write_bytes(photo("JPEG", size=(320, 240)))
    page.goto(base + "/claims/new?type=defective-item")
    page.get_by_label("Order reference").fill("100777")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("What happened?").fill("The teapot arrived with a cracked spout.")
    page.get_by_label("Photos", exact=True).set_input_files([picture])
    page.get_by_role("button", name="Send claim").click()
    page.wait_for_url("**/claims/submitted")
    return page.locator("#case-reference").inner_text()


def test_agent_exports_and_erases_a_customers_data(
    browser, live_service, agent_login, axe_violations, tmp_path
):
    email = f"teapot.{secrets.token_hex(3)}@example.com"
    reference = file_claim(browser.new_context().new_page(), live_service, tmp_path, email)
    context = browser.new_context(accept_downloads=True)
    agent = context.new_page()
    agent.goto(live_service + "/agent/")
    agent.get_by_label("Name").fill(agent_login[0])
    agent.get_by_label("Password").fill(agent_login[1])
    agent.get_by_role("button", name="Sign in").click()
    agent.get_by_role("link", name="Customer data").click()
    expect(agent.get_by_role("heading", name="Customer data")).to_be_visible()
    assert axe_violations(agent) == []

    agent.get_by_role("button", name="Find their cases").click()  # nothing typed
    expect(agent.locator("[data-error-summary]")).to_be_focused()
    expect(agent.get_by_label("Customer's email address")).to_have_attribute("aria-invalid", "true")
    assert axe_violations(agent) == []

    agent.get_by_label("Customer's email address").fill(email.upper())
    agent.get_by_role("button", name="Find their cases").click()
    expect(agent.get_by_role("link", name=reference)).to_be_visible()
    assert axe_violations(agent) == []

    with agent.expect_download() as download:
        agent.get_by_role("button", name="Download their data").click()
    with zipfile.ZipFile(download.value.path()) as archive:
        [case] = json.loads(archive.read("cases.json"))["cases"]
        assert case["reference"] == reference and case["email"] == email
        assert f"photos/{reference}/1.jpg" in archive.namelist()

    agent.get_by_label("Type the email address again to confirm").fill("someone@else.example")
    agent.get_by_role("button", name="Erase their personal data").click()
    expect(agent.locator("[data-error-summary]")).to_be_focused()
    expect(agent.locator("[data-error-summary]")).to_contain_text("This is not the address")
    assert axe_violations(agent) == []

    agent.get_by_label("Type the email address again to confirm").fill(email)
    agent.get_by_role("button", name="Erase their personal data").click()
    expect(agent.get_by_role("status")).to_have_text(
        f"Erased the personal data of 1 case(s): {reference} (1 closed first)."
    )
    assert axe_violations(agent) == []

    agent.get_by_label("Customer's email address").fill(email)
    agent.get_by_role("button", name="Find their cases").click()
    expect(agent.get_by_text("No cases were filed with this address.")).to_be_visible()
    assert axe_violations(agent) == []
    context.close()
