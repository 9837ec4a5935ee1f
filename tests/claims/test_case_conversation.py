"""The customer's side of a case after filing: adding to it, reopening it, and getting back in
(personal links, look-up by order), with nothing revealed to anyone else."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from claims import links
from claims.store import get_store
from tests.support.actors import Customer
from tests.support.cases import cases
from tests.support.images import photo

JPEG = (photo("JPEG"), "side.jpg")


def page(response) -> str:
    return response.get_data(as_text=True)


def heading(response) -> str:
    """The console case page's heading, where its markers are."""
    html = page(response)
    return html[html.index("<h1") : html.index("</h1>")]


def queue(runner) -> list[str]:
    result = runner.invoke(args=["claims", "queue"])
    return [line.split()[1] for line in result.output.splitlines()]


def kinds(runner, index: int = 0) -> list[str]:
    return [event["kind"] for event in cases(runner)[index]["events"]]


def settle(agent, reference: str) -> None:
    agent.take_next()
    agent.act(reference, "resolve", outcome="replacement", message="A new kettle is on its way.")


# Adding to an open case


def test_photos_alone_are_added_and_the_case_keeps_its_place(customer, agent, runner):
    first, second = customer.file(), customer.file(description="A second cracked kettle.")
    customer.status(first, "ana@example.com")
    response = customer.add_to_case("form-1", photos=[JPEG])
    assert response.status_code == 303
    assert queue(runner) == [first, second]
    assert kinds(runner)[-2:] == ["customer_added", "photo_added"]
    mine = page(customer.client.get("/claims/status/case"))
    assert "Thank you: we added this to your case." in mine
    assert 'alt="Photo side.jpg"' in mine
    assert "Customer added information" in page(agent.client.get("/agent/"))
    assert "Customer added information" in heading(agent.client.get(f"/agent/cases/{first}"))


def test_an_agent_answering_clears_customer_added_information(customer, agent):
    reference = customer.file()
    customer.status(reference, "ana@example.com")
    customer.add_to_case("form-1", message="It also leaks.")
    agent.take_next()
    agent.act(reference, "ask_customer", message="Where does it leak?")
    assert "Customer added information" not in heading(
        agent.client.get(f"/agent/cases/{reference}")
    )


def test_an_empty_addition_is_refused_next_to_the_field_and_adds_nothing(customer, runner):
    reference = customer.file()
    customer.status(reference, "ana@example.com")
    before = kinds(runner)
    response = customer.add_to_case("form-1", message="  ")
    assert response.status_code == 400
    assert "Write a message or add at least one photo." in page(response)
    assert 'id="message-error"' in page(response) and 'aria-invalid="true"' in page(response)
    assert kinds(runner) == before


def test_a_bad_photo_is_named_and_nothing_of_the_addition_is_kept(customer, runner, app):
    reference = customer.file()
    customer.status(reference, "ana@example.com")
    before = kinds(runner)
    response = customer.add_to_case("f", message="Here.", photos=[JPEG, (b"<html>", "x.jpg")])
    assert response.status_code == 400
    assert "x.jpg: This file is not a photo we can read." in page(response)
    assert "Here." in page(response)  # the message is kept in the form
    assert kinds(runner) == before
    assert len(list(app.config["PHOTO_DIR"].rglob("*.jpg"))) == 1  # the claim's own


def test_the_same_form_sent_twice_adds_one_message(customer, runner):
    reference = customer.file()
    customer.status(reference, "ana@example.com")
    for _ in range(2):
        assert customer.add_to_case("form-1", message="It also leaks.").status_code == 303
    assert kinds(runner).count("customer_added") == 1
    customer.add_to_case("form-2", message="It also leaks.")  # a new form: a new message
    assert kinds(runner).count("customer_added") == 2


def test_adding_while_asked_answers_and_goes_back_to_the_original_place(customer, agent, runner):
    first, second = customer.file(), customer.file(description="A second cracked kettle.")
    agent.take_next()
    agent.act(first, "ask_customer", message="Which colour?")
    customer.status(first, "ana@example.com")
    assert "We asked:" in page(customer.client.get("/claims/status/case"))
    customer.add_to_case("form-1", message="Red.")
    assert queue(runner) == [first, second]
    assert "customer_replied" in kinds(runner)


# Reopening


def test_a_resolved_case_reopens_with_a_message_behind_cases_already_waiting(
    customer, agent, runner
):
    reference = customer.file()
    settle(agent, reference)
    waiting = customer.file(description="A second cracked kettle.")
    customer.status(reference, "ana@example.com")
    settled = page(customer.client.get("/claims/status/case"))
    assert settled.index("Outcome: Replacement sent") < settled.index("Where your case stands")
    assert 'name="action" value="reopen"' in settled
    refused = customer.add_to_case("form-1", action="reopen", photos=[JPEG])
    assert refused.status_code == 400
    assert "Tell us what is still not settled." in page(refused)
    assert (
        customer.add_to_case("form-2", action="reopen", message="Still leaks.").status_code == 303
    )
    assert queue(runner) == [waiting, reference]
    reopened = page(customer.client.get("/claims/status/case"))
    assert "You reopened the case:" in reopened and "Still leaks." in reopened
    assert "Your case is waiting for review." in reopened


def test_after_the_window_the_page_leads_to_a_new_claim_naming_the_case(
    customer, agent, runner, app, monkeypatch
):
    reference = customer.file()
    settle(agent, reference)
    customer.status(reference, "ana@example.com")
    later = datetime.now(UTC) + timedelta(days=31)
    monkeypatch.setitem(app.config, "CLOCK", lambda: later)
    settled = page(customer.client.get("/claims/status/case"))
    assert "more than 30 days ago" in settled and 'id="add-to-case"' not in settled
    follow_up = re.search(r'href="(/claims/new\?follows=[^"]+)"', settled).group(1)
    form = page(customer.client.get(follow_up))
    assert f"This follows my earlier case {reference}." in form
    refused = customer.add_to_case("form-1", action="reopen", message="Still leaks.")
    assert refused.status_code == 303  # the case changed meanwhile: nothing added
    assert cases(runner)[0]["status"] == "resolved" and "reopened" not in kinds(runner)


# Getting back in


def personal_link(app, reference: str) -> str:
    with app.app_context():
        case = get_store().cases.case_by_reference(reference)
    return "/claims/case/" + links.make_token(
        app.config["SECRET_KEY"], reference, case.link_version
    )


def look_up_page(response) -> str:
    """The look-up page without what changes from one load to the next (CSRF token)."""
    return re.sub(r'name="csrf_token"[^>]*>', "", page(response))


def test_the_personal_link_in_the_email_opens_the_case_without_typing(
    app_config, smtp_server, runner
):
    from claims import create_app

    catcher, port = smtp_server
    app = create_app(
        {
            **app_config,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": port,
            "PUBLIC_URL": "https://x.example",
        }
    )
    try:
        customer = Customer(app.test_client())
        reference = customer.file()
        assert app.test_cli_runner().invoke(args=["claims", "send-mail"]).exit_code == 0
        [message] = catcher.messages
        link = re.search(r"https://x\.example(/claims/case/\S+)", message.get_content()).group(1)
        stranger = app.test_client()
        opened = stranger.get(link, follow_redirects=True)
        assert f"Case {reference}" in page(opened)
    finally:
        app.extensions["courier"].stop()


def test_guessed_tampered_expired_and_revoked_links_show_the_plain_look_up_page(
    customer, app, monkeypatch
):
    reference = customer.file()
    link = personal_link(app, reference)
    plain = look_up_page(app.test_client().get("/claims/status"))
    tampered = link[:-2] + ("AA" if not link.endswith("AA") else "BB")
    other_key = "/claims/case/" + links.make_token("another-key", reference, 1)
    for bad in ("/claims/case/guess", tampered, other_key):
        assert look_up_page(app.test_client().get(bad)) == plain, bad
    assert app.test_client().get(link).status_code == 303

    customer.status(reference, "ana@example.com")
    assert customer.client.post("/claims/status/links").status_code == 303
    assert look_up_page(app.test_client().get(link)) == plain  # revoked
    assert f"Case {reference}" in page(customer.client.get("/claims/status/case"))
    fresh = personal_link(app, reference)
    assert app.test_client().get(fresh).status_code == 303

    later = datetime.now() + timedelta(days=91)
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later.timestamp())
    assert look_up_page(app.test_client().get(fresh)) == plain  # expired


def test_resetting_the_links_ends_what_an_old_link_opened(customer, app):
    reference = customer.file()
    someone_else = app.test_client()
    someone_else.get(personal_link(app, reference))
    assert f"Case {reference}" in page(someone_else.get("/claims/status/case"))
    customer.status(reference, "ana@example.com")
    customer.client.post("/claims/status/links")
    assert someone_else.get("/claims/status/case").status_code == 302


def test_order_reference_and_email_list_that_customers_cases_for_the_order(customer, app):
    first = customer.file(order_ref="#1001")
    second = customer.file(order_ref="1001", description="The handle is loose too.")
    customer.file(order_ref="1001", email="eve@example.com", description="Eve's own case.")
    customer.file(order_ref="A-55012", description="Another order's case.")
    found = app.test_client().post(
        "/claims/status/order", data={"order_ref": " # 1001", "email": "ANA@example.com"}
    )
    listed = re.findall(r'href="/claims/case/[^"]+">(HC-[^<]+)</a>', page(found))
    assert found.status_code == 200 and listed == [first, second]
    assert "Your cases for order # 1001" in page(found)
    opened = app.test_client().get(
        re.search(r'href="(/claims/case/[^"]+)"', page(found)).group(1), follow_redirects=True
    )
    assert f"Case {first}" in page(opened)


def test_a_wrong_order_and_email_pair_learns_nothing(customer, app):
    customer.file(order_ref="#1001")

    def answer(order_ref: str, email: str) -> tuple[int, str]:
        response = app.test_client().post(
            "/claims/status/order", data={"order_ref": order_ref, "email": email}
        )
        text = look_up_page(response)
        for typed in (order_ref, email):
            text = text.replace(f'value="{typed}"', 'value="TYPED"')
        return response.status_code, text

    wrong_email = answer("1001", "eve@example.com")
    unknown_order = answer("9999", "ana@example.com")
    assert wrong_email == unknown_order and wrong_email[0] == 400
    assert "We could not find a case for this order reference" in wrong_email[1]


def test_only_its_customer_loads_a_photo_of_the_case(customer, app, runner):
    reference = customer.file()
    stored_name = cases(runner)[0]["photos"][0]["stored_name"]
    assert app.test_client().get(f"/claims/status/photos/{stored_name}").status_code == 404
    other = Customer(app.test_client())
    other_reference = other.file(email="eve@example.com")
    other.status(other_reference, "eve@example.com")
    assert other.client.get(f"/claims/status/photos/{stored_name}").status_code == 404
    customer.status(reference, "ana@example.com")
    with customer.client.get(f"/claims/status/photos/{stored_name}") as photo_response:
        assert photo_response.status_code == 200 and photo_response.mimetype == "image/jpeg"
        assert photo_response.headers["X-Content-Type-Options"] == "nosniff"
        assert photo_response.headers["Cache-Control"] == "private, no-store"


def test_the_confirmation_emails_the_reference_once_more_when_asked(customer, app):
    customer.file()
    for _ in range(2):
        assert customer.client.post("/claims/submitted/email").status_code == 303
    assert "We are sending your case reference to" in page(customer.client.get("/claims/submitted"))
    with app.app_context():
        kinds_queued = [mail.kind for mail in get_store().outbox.unsent_mail()]
    assert kinds_queued == ["confirmation", "confirmation"]


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_STATUS="2 per minute")
def test_order_look_ups_and_personal_links_are_rate_limited(client):
    data = {"order_ref": "1001", "email": "a@example.com"}
    statuses = [client.post("/claims/status/order", data=data).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
    links_tried = [client.get(f"/claims/case/guess{n}").status_code for n in range(3)]
    assert links_tried == [200, 200, 429]


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_SUBMIT="2 per minute")
def test_additions_are_rate_limited(customer, runner):
    reference = customer.file()
    customer.status(reference, "ana@example.com")
    statuses = [customer.add_to_case(f"form-{n}", message="More.").status_code for n in range(3)]
    assert statuses == [303, 303, 429]  # each form counts on its own: the claim apart
    assert kinds(runner).count("customer_added") == 2


@pytest.mark.parametrize("typed", ["#1001", "1001", "# 1001", "A-55012", "SO/2026/0042"])
def test_order_references_are_taken_as_shops_print_them_and_kept_as_typed(customer, runner, typed):
    assert customer.claim(photos=[JPEG], order_ref=typed).status_code == 303
    [case] = cases(runner)
    assert case["order_ref"] == typed
    assert case["order_key"] == typed.replace(" ", "").lstrip("#").lower()


@pytest.mark.config(REVIEW_DAYS={"priority": [1, 2]})
def test_the_usual_time_to_a_first_answer_is_the_shops_range_and_only_while_waiting(
    customer, agent
):
    priority = customer.file()
    standard = customer.file(claim_type="return-request", description="Please take it back.")
    customer.status(priority, "ana@example.com")
    waiting = page(customer.client.get("/claims/status/case"))
    assert "usually get a first answer within 1 to 2 working days: usual, not promised." in waiting
    customer.status(standard, "ana@example.com")
    assert 'id="review-time"' not in page(customer.client.get("/claims/status/case"))  # unset
    agent.take_next()
    customer.status(priority, "ana@example.com")
    assert 'id="review-time"' not in page(customer.client.get("/claims/status/case"))
