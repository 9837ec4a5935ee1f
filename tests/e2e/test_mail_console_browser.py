"""The console's email pages in a real Chromium: accessible, and hostile mail stays text."""

import secrets

from playwright.sync_api import expect

from tests.support.service import flask_claims

PAYLOAD = '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>'


def test_email_in_pages_pass_axe_and_never_run_what_a_message_carries(
    page, live_service, live_data, axe_violations
):
    from claims.store import Store
    from claims.store.inbound import InboundMail

    name, password = "kim", secrets.token_urlsafe(16)
    assert flask_claims(live_data, "agent-add", name, input=password + "\n").returncode == 0
    with Store(f"sqlite:///{live_data / 'claims.sqlite3'}") as store:
        store.inbound.record(
            InboundMail(
                message_id=f"<{secrets.token_hex(8)}@example.net>",
                sender="eve@example.net",
                subject=f"Refund {PAYLOAD}",
                case_id=None,
                outcome="unmatched",
                reason="It was not sent to the reply address of a case.",
                refused_attachments=f"{PAYLOAD}.pdf: not a photo",
                original=f"From: eve@example.net\nSubject: x\n\n{PAYLOAD}\n",
                answer_due=False,
            )
        )
    page.goto(live_service + "/agent/")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/agent/")

    page.get_by_role("link", name="Email in").click()
    expect(page.get_by_role("heading", name="Email in")).to_be_visible()
    expect(page.locator("tr.inbound--unmatched").first).to_contain_text(f"Refund {PAYLOAD}")
    assert axe_violations(page) == []

    page.locator("tr.inbound--unmatched").first.get_by_role("link", name="View message").click()
    expect(page.locator("#mail-original")).to_contain_text(PAYLOAD)
    assert axe_violations(page) == []
    assert page.evaluate("window.pwned") is None
