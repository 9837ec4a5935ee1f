"""Nobody sees what is not theirs: every route, forged tokens, other customers' cases."""

import io
import os
import re

import pytest

from claims import create_app
from tests.support.actors import Agent, Customer
from tests.support.images import photo

JPEG = (photo("JPEG"), "lid.jpg")


@pytest.fixture
def protected_app(app_config):
    """The service with CSRF protection on, as in production."""
    return create_app({**app_config, "WTF_CSRF_ENABLED": True})


def csrf_token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def url_of(rule, reference: str = "x") -> str:
    """A rule's URL with a value for each of its arguments."""
    values = {"reference": reference, "action": "take"}
    # 1 fits every other argument: numbers (a staged photo, a saved reply, a mail) and text.
    return rule.build({name: values.get(name, 1) for name in rule.arguments})[1]


def every_post_route(app, reference: str):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            yield url_of(rule, reference)


def test_every_post_route_refuses_a_missing_or_forged_csrf_token(protected_app, app_config):
    trusting = create_app(app_config)  # files a case and an agent to aim at
    shopper = Customer(trusting.test_client())
    shopper.claim(photos=[JPEG])
    reference = shopper.reference(shopper.client.get("/claims/submitted"))
    Agent(trusting.test_client(), trusting.test_cli_runner()).create()

    sam = Agent(protected_app.test_client(), protected_app.test_cli_runner())
    token = csrf_token(sam.client, "/agent/login")
    signed_in = sam.client.post(
        "/agent/login", data={"name": "sam", "password": sam.password, "csrf_token": token}
    )
    assert signed_in.status_code == 303
    routes = list(every_post_route(protected_app, reference))
    assert len(routes) >= 7
    for url in routes:
        for forged in (None, "forged-token", token):  # token: from before sign-in, now stale
            data = {"csrf_token": forged} if forged else {}
            response = sam.client.post(url, data=data)
            assert response.status_code == 400, (url, forged)
            assert "This form has expired" in response.get_data(as_text=True)


def test_a_customer_sees_only_the_case_they_proved(app_config):
    app = create_app(app_config)
    ana, eve = Customer(app.test_client()), Customer(app.test_client())
    ana.claim(photos=[JPEG], description="Ana's kettle lid is cracked.")
    anas = ana.reference(ana.client.get("/claims/submitted"))
    eve.claim(photos=[JPEG], email="eve@example.com", description="Eve's own claim text.")
    eves = eve.reference(eve.client.get("/claims/submitted"))
    eve.status(eves, "eve@example.com")

    assert "Ana's kettle" not in eve.client.get("/claims/status/case").get_data(as_text=True)
    assert anas not in eve.client.get(f"/claims/status/case?reference={anas}").get_data(True)
    assert eve.status(anas, "eve@example.com").status_code == 400
    fresh = app.test_client()
    assert fresh.get("/claims/status/case").headers["Location"] == "/claims/status"
    assert fresh.get("/claims/submitted").headers["Location"] == "/claims/new"


def test_a_customer_cannot_reply_to_someone_elses_case(app_config):
    app = create_app(app_config)
    ana, eve = Customer(app.test_client()), Customer(app.test_client())
    ana.claim(photos=[JPEG])
    anas = ana.reference(ana.client.get("/claims/submitted"))
    sam = Agent(app.test_client(), app.test_cli_runner()).create()
    sam.sign_in()
    sam.take_next()
    sam.act(anas, "ask_customer", message="Which colour?")
    eve.claim(photos=[JPEG], email="eve@example.com", description="Eve's claim here.")
    eve.status(eve.reference(eve.client.get("/claims/submitted")), "eve@example.com")
    eve.client.post(
        "/claims/status/add",
        data={"message": "Green", "reference": anas, "photos": [(io.BytesIO(JPEG[0]), "a.jpg")]},
        content_type="multipart/form-data",
    )
    assert "Green" not in sam.client.get(f"/agent/cases/{anas}").get_data(as_text=True)


def test_customers_cannot_reach_photos_even_with_the_address(app_config):
    app = create_app(app_config)
    ana = Customer(app.test_client())
    ana.claim(photos=[JPEG])
    with app.app_context():
        from claims.store import get_store

        name = get_store().cases.stored_photo_names().pop()
    assert ana.client.get(f"/agent/photos/{name}").status_code == 403
    outside_static = os.path.relpath(app.config["PHOTO_DIR"] / name, app.static_folder)
    assert ana.client.get(f"/claims/static/{outside_static}").status_code == 404


def test_every_route_sends_the_security_headers(app_config):
    app = create_app(app_config)
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        url = url_of(rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            headers = client.open(url, method=method).headers
            assert headers["X-Content-Type-Options"] == "nosniff", url
            assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], url
            assert headers["Referrer-Policy"] == "same-origin", url
            assert headers["X-Frame-Options"] == "DENY", url


def post_status_look_up(app, **headers):
    """A status look-up over HTTPS with a valid token and the given request headers; like
    the test client, it sends no Referer unless told."""
    client = app.test_client()
    page = client.get("/claims/status", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    return client.post(
        "/claims/status",
        base_url="https://localhost",
        data={"reference": "HC-0000-0000-0000", "email": "a@example.com", "csrf_token": token},
        headers=headers,
    )


@pytest.mark.parametrize("origin", [None, "null", "https://localhost"])
def test_over_https_a_form_without_referer_is_accepted(protected_app, origin):
    response = post_status_look_up(protected_app, **({"Origin": origin} if origin else {}))
    assert response.status_code == 400  # the look-up's own answer: no such case
    assert "We could not find a case" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "http://localhost", "https://localhost:8443"]
)
def test_a_form_posted_from_another_origin_is_refused(protected_app, origin):
    response = post_status_look_up(protected_app, Origin=origin)
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
