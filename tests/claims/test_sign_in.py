"""Agents sign in and out: strong password hashes, sessions that end when they should, limits
that slow guessing but not an office, and a return only to console pages."""

import pytest

from tests.support.actors import Agent, Customer
from tests.support.images import photo

JPEG = (photo("JPEG"), "lid.jpg")


def page(response) -> str:
    return response.get_data(as_text=True)


# Signing in and out


def test_agent_add_reads_the_password_from_stdin_and_stores_a_strong_hash(app, runner):
    Agent(app.test_client(), runner, "kim").create()
    with app.app_context():
        from claims.store import get_store

        stored = get_store().agents.agent_password_hash("kim")
    assert stored.startswith("scrypt:") and "correct horse" not in stored


def test_sign_in_leads_to_the_queue(agent):
    assert "Take next case" in page(agent.client.get("/agent/"))


def test_failed_sign_in_never_says_whether_the_name_exists(app, runner):
    Agent(app.test_client(), runner, "kim").create()
    wrong_password = Agent(app.test_client(), runner, "kim").sign_in("not the password")
    unknown_name = Agent(app.test_client(), runner, "nobody").sign_in("not the password")
    assert wrong_password.status_code == unknown_name.status_code == 400
    assert page(wrong_password).replace("kim", "X") == page(unknown_name).replace("nobody", "X")
    assert "That name and password do not match." in page(unknown_name)


def test_signing_out_ends_the_session_even_for_a_copied_cookie(app, agent):
    stolen = agent.client.get_cookie("session").value
    agent.client.post("/agent/logout")
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/agent/").headers["Location"].startswith("/agent/login")


def test_a_cookie_from_before_sign_in_is_not_signed_in_afterwards(app, runner):
    browser = app.test_client()
    Customer(browser).claim(photos=[JPEG])  # a session cookie from before signing in
    planted = browser.get_cookie("session")
    assert planted is not None
    kim = Agent(browser, runner, "kim").create()
    kim.sign_in()
    assert browser.get_cookie("session").value != planted.value
    with browser.session_transaction() as session:
        assert "submitted" not in session  # sign-in starts a new session
    attacker = app.test_client()
    attacker.set_cookie("session", planted.value)
    assert attacker.get("/agent/").status_code == 302


def test_disabling_an_agent_ends_their_sessions_and_sign_ins(agent, runner):
    result = runner.invoke(args=["claims", "agent-disable", "sam"])
    assert result.exit_code == 0, result.output
    assert agent.client.get("/agent/").status_code == 302
    assert agent.sign_in().status_code == 400


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(app, agent, runner):
    agent.password = "a brand new passphrase"
    agent.create()  # agent-add for an existing agent sets the new password
    assert agent.client.get("/agent/").headers["Location"].startswith("/agent/login")
    assert agent.sign_in("correct horse sam").status_code == 400
    assert agent.sign_in().status_code == 303


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute")
def test_sign_in_attempts_are_rate_limited(app, runner):
    kim = Agent(app.test_client(), runner, "kim").create()
    statuses = [kim.sign_in("guess").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    assert kim.sign_in().status_code == 429  # even the right password waits


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_a_whole_office_signs_in_from_one_address(app, runner):
    office = [Agent(app.test_client(), runner, f"agent{number}").create() for number in range(8)]
    assert [agent.sign_in().status_code for agent in office] == [303] * 8


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute")
def test_wrong_passwords_for_one_agent_do_not_lock_out_others_on_the_same_address(app, runner):
    kim = Agent(app.test_client(), runner, "kim").create()
    assert [kim.sign_in("guess").status_code for _ in range(4)] == [400, 400, 400, 429]
    sam = Agent(app.test_client(), runner, "sam").create()
    assert sam.sign_in("typo").status_code == 400
    assert sam.sign_in().status_code == 303


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute")
def test_guessing_one_agents_password_is_slowed_from_any_address(app, runner):
    kim = Agent(app.test_client(), runner, "kim").create()
    statuses = [
        kim.client.post(
            "/agent/login",
            data={"name": "kim", "password": "guess"},
            environ_base={"REMOTE_ADDR": f"203.0.113.{number}"},
        ).status_code
        for number in range(4)
    ]
    assert statuses == [400, 400, 400, 429]


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_ADDRESS="4 per minute")
def test_guessing_many_names_from_one_address_is_slowed(app, runner):
    Agent(app.test_client(), runner, "kim").create()
    guesser = app.test_client()
    statuses = [
        guesser.post("/agent/login", data={"name": name, "password": "guess"}).status_code
        for name in ("ana", "bob", "kim", "lee", "max")
    ]
    assert statuses == [400, 400, 400, 400, 429]


def test_session_cookie_is_httponly_samesite_and_secure_over_https(app, runner):
    browser = app.test_client()
    kim = Agent(browser, runner, "kim").create()
    over_https = browser.post(
        "/agent/login",
        data={"name": "kim", "password": kim.password},
        base_url="https://help.example.com",
    )
    cookie = over_https.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    plain = Agent(app.test_client(), runner, "kim").sign_in()
    assert "Secure" not in plain.headers["Set-Cookie"]


def test_every_console_route_refuses_anyone_not_signed_in(app, customer):
    customer.claim(photos=[JPEG])
    reference = customer.reference(customer.client.get("/claims/submitted"))
    with app.app_context():
        from claims.store import get_store

        stored_name = get_store().cases.stored_photo_names().pop()
    values = {
        "reference": reference,
        "action": "take",
        "stored_name": stored_name,
        "reply_id": 1,
        "mail_id": 1,
        "number": 1,
    }
    console = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint[:6] == "agent."}
    checked = set()
    anonymous = app.test_client()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/agent/") or rule.endpoint == "agent.login":
            continue
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = anonymous.open(url, method=method, data={"message": "x", "agent": "sam"})
            if rule.endpoint == "agent.photo":
                assert response.status_code == 403, url
            else:
                assert response.status_code == 302, (method, url)
                assert response.headers["Location"].startswith("/agent/login"), url
            checked.add(rule.endpoint)
    assert checked == console - {"agent.login"}


def test_after_sign_in_the_agent_returns_to_the_page_asked_for_but_never_offsite(app, runner):
    kim = Agent(app.test_client(), runner, "kim").create()
    back = kim.client.post(
        "/agent/login?next=/agent/?status=resolved",
        data={"name": "kim", "password": kim.password},
    )
    assert back.headers["Location"] == "/agent/?status=resolved"
    away = Agent(app.test_client(), runner, "kim").client.post(
        "/agent/login?next=https://evil.example/agent/",
        data={"name": "kim", "password": kim.password},
    )
    assert away.headers["Location"] == "/agent/"


@pytest.mark.config(AGENT_SESSION_HOURS=0)
def test_sessions_expire(app, runner):
    kim = Agent(app.test_client(), runner, "kim").create()
    assert kim.sign_in().status_code == 303
    assert kim.client.get("/agent/").headers["Location"].startswith("/agent/login")


@pytest.mark.config(PROXY_COUNT=1)
def test_behind_a_proxy_https_and_client_address_come_from_its_headers(app, runner):
    kim = Agent(app.test_client(), runner, "kim").create()
    signed_in = kim.client.post(
        "/agent/login",
        data={"name": "kim", "password": kim.password},
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
    )
    assert "Secure" in signed_in.headers["Set-Cookie"]


@pytest.mark.parametrize(
    "next_page", ["/agent/%0D%0ASet-Cookie:%20x=1", "/agent/%0A", "/agent/%7F", "//evil.example/"]
)
def test_sign_in_with_a_broken_or_foreign_next_page_lands_on_the_queue(app, runner, next_page):
    sam = Agent(app.test_client(), runner).create()
    response = sam.client.post(
        f"/agent/login?next={next_page}", data={"name": sam.name, "password": sam.password}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/agent/"
