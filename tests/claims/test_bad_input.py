"""Bad input gets a clear message next to the field, keeps what was typed, stores nothing."""

import io

import pytest
from PIL import Image

from tests.support.cases import cases, checked_claim_type, stored_files
from tests.support.images import noisy_png, photo

JPEG = (photo("JPEG"), "kettle.jpg")


def assert_nothing_stored(runner, app):
    assert cases(runner) == []
    assert stored_files(app) == []


def assert_nothing_filed_and_good_photo_kept(runner, app):
    """No case; the one good photo sent is stored, staged for the form to send again."""
    assert cases(runner) == []
    assert len(stored_files(app)) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"order_ref": None}, "Enter your order reference."),
        ({"order_ref": "   "}, "Enter your order reference."),
        ({"order_ref": "1"}, "between 3 and 40 characters"),
        ({"order_ref": "9" * 5000}, "between 3 and 40 characters"),
        ({"order_ref": "<script>x</script>"}, "as it appears in your order confirmation"),
        ({"email": None}, "Enter your email address."),
        ({"email": "ana.example.com"}, "Enter an email address like name@example.com."),
        ({"email": "ana@"}, "Enter an email address like name@example.com."),
        ({"email": "a" * 300 + "@example.com"}, "This email address is too long."),
        ({"email": "=?utf-8?q?p0=0A?=@example.com"}, "which mail programs read as encoded text"),
        ({"email": "=?utf-8?q?ana?=@example.com"}, "which mail programs read as encoded text"),
        ({"email": "josé@example.com"}, "with Latin letters (a to z), digits"),
        ({"email": "ana@localhost"}, "Enter an email address like name@example.com."),
        ({"claim_type": None}, "Choose what went wrong."),
        ({"claim_type": "free-money"}, "Choose one of the options below."),
        ({"description": None}, "Describe what happened."),
        ({"description": "Broken"}, "Write between 10 and 5,000 characters."),
        ({"description": "x" * 100_000}, "Write between 10 and 5,000 characters."),
        ({"website": "http://spam.example"}, "Leave this field empty"),
    ],
)
def test_bad_field_gets_its_message_and_nothing_is_stored(customer, runner, app, fields, message):
    response = customer.claim(photos=[JPEG], **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert "<title>Error: Submit a claim" in page
    if "website" in fields:  # a bot's photos are not kept
        assert_nothing_stored(runner, app)
    else:
        assert_nothing_filed_and_good_photo_kept(runner, app)


def test_entered_text_is_kept_when_the_form_comes_back(customer):
    page = customer.claim(
        photos=[JPEG], email="not-an-address", description="Lid <b>cracked</b> & handle loose."
    ).get_data(as_text=True)
    assert 'value="not-an-address"' in page
    assert 'value="100234"' in page
    assert "Lid &lt;b&gt;cracked&lt;/b&gt; &amp; handle loose.</textarea>" in page
    assert checked_claim_type(page) == "defective-item"


def test_invisible_control_characters_are_dropped_from_what_is_stored(customer, runner):
    response = customer.claim(
        photos=[JPEG], order_ref="100\x00234", description="Cracked\x1b[31m lid\x07 on arrival."
    )
    assert response.status_code == 303
    [case] = cases(runner)
    assert case["order_ref"] == "100234"
    assert case["description"] == "Cracked[31m lid on arrival."


def png_declaring(width: int, height: int) -> bytes:
    """A small PNG file whose header claims a huge image: a decompression bomb."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


BAD_FILES = {
    "html": (b"<!doctype html><script>alert(1)</script>", "photo.jpg"),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "photo.svg"),
    "pdf": (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "photo.jpg"),
    "script": (b"#!/bin/sh\nrm -rf /\n", "photo.jpg"),
    "empty": (b"", "photo.jpg"),
    "truncated jpeg": (photo("JPEG", size=(400, 300))[:900], "photo.jpg"),
    "gif": (photo("GIF"), "photo.gif"),
    "bomb": (png_declaring(12_000, 12_000), "photo.png"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_file_that_is_not_an_acceptable_photo_is_refused(customer, runner, app, kind):
    response = customer.claim(photos=[JPEG, BAD_FILES[kind]])
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"{BAD_FILES[kind][1]}:" in page  # the message names the file
    assert "We kept the photos you sent" in page
    assert_nothing_filed_and_good_photo_kept(runner, app)


def test_too_many_photos_are_refused(customer, runner, app):
    response = customer.claim(photos=[JPEG] * 9)
    assert response.status_code == 400
    assert "You can send up to 8 photos; you chose 9." in response.get_data(as_text=True)
    assert_nothing_stored(runner, app)


@pytest.mark.config(MAX_PHOTO_BYTES=2000)
def test_one_photo_over_the_size_limit_is_refused(runner, customer):
    response = customer.claim(photos=[(noisy_png(), "big.png")])
    assert response.status_code == 400
    assert "big.png:" in response.get_data(as_text=True)


@pytest.mark.config(MAX_PHOTO_MEMORY=32 * 1024 * 1024)
def test_memory_per_photo_sets_the_pixel_limit_of_formats_decoded_in_full(runner, customer):
    """WebP takes 16 bytes a pixel to check: 32 MB allow 2 megapixels; a JPEG keeps 60."""
    webp, jpeg = photo("WEBP", size=(1800, 1200)), photo("JPEG", size=(1800, 1200))

    refused = customer.claim(photos=[(webp, "wide.webp")])
    accepted = customer.claim(photos=[(jpeg, "wide.jpg")])

    assert refused.status_code == 400
    assert "wide.webp: This image is too large (1800 × 1200 pixels)" in refused.get_data(
        as_text=True
    )
    assert "at most 2 megapixels" in refused.get_data(as_text=True)
    assert accepted.status_code == 303


@pytest.mark.config(MAX_CONTENT_LENGTH=50_000)
def test_request_over_the_size_limit_gets_a_friendly_413_page(customer, runner, app):
    response = customer.claim(photos=[(b"\xff" * 60_000, "huge.jpg")])
    assert response.status_code == 413
    assert "What you sent is too large" in response.get_data(as_text=True)
    assert_nothing_stored(runner, app)


@pytest.mark.parametrize(
    ("sent_name", "shown_name"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("ket\x00tle.jpg", "kettle.jpg"),
    ],
)
def test_file_names_are_only_for_display(customer, runner, app, sent_name, shown_name):
    assert customer.claim(photos=[(JPEG[0], sent_name)]).status_code == 303
    [case] = cases(runner)
    assert case["photos"][0]["original_name"] == shown_name
    [stored] = stored_files(app)
    assert stored.is_relative_to(app.config["PHOTO_DIR"])
    assert shown_name not in stored.name


def test_very_long_file_name_is_shortened_for_display(customer, runner):
    assert customer.claim(photos=[(JPEG[0], "k" * 500 + ".jpg")]).status_code == 303
    name = cases(runner)[0]["photos"][0]["original_name"]
    assert len(name) <= 100 and name.endswith(".jpg")


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_post_without_csrf_token_is_refused(runner, customer):
    response = customer.claim(photos=[JPEG])
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert cases(runner) == []


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_form_carries_a_csrf_token_when_protection_is_on(client):
    assert 'name="csrf_token" type="hidden"' in client.get("/claims/new").get_data(as_text=True)


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_SUBMIT="2 per minute")
def test_submissions_are_rate_limited_with_a_friendly_page(customer, runner):
    statuses = [customer.claim(photos=[JPEG]).status_code for _ in range(3)]
    assert statuses == [303, 303, 429]
    page = customer.claim(photos=[JPEG]).get_data(as_text=True)
    assert "Too many attempts" in page
    assert len(cases(runner)) == 2


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_STATUS="3 per minute")
def test_status_look_ups_are_rate_limited(customer):
    statuses = [customer.status("HC-0000-0000-0000", "a@example.com").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]


@pytest.mark.parametrize(
    "path", ["/claims/new", "/claims/status", "/claims/submitted", "/healthz", "/nowhere"]
)
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_service_refuses_to_start_without_a_secret_key(tmp_path):
    from claims import create_app
    from claims.config import MissingSecretKey

    with pytest.raises(MissingSecretKey, match="CLAIMS_SECRET_KEY is not set"):
        create_app({"DATA_DIR": tmp_path})


def test_every_problem_is_reported_at_once(customer):
    page = customer.claim(email="nope", description=None).get_data(as_text=True)
    assert "Enter an email address like name@example.com." in page
    assert "Describe what happened." in page
    assert "Add at least one clear photo" in page


@pytest.mark.config(PROXY_COUNT=1, RATELIMIT_ENABLED=True, RATELIMIT_STATUS="1 per minute")
def test_behind_a_proxy_each_client_address_has_its_own_limit(client):
    def look_up(address: str) -> int:
        return client.post(
            "/claims/status",
            data={"reference": "HC-0000-0000-0000", "email": "a@example.com"},
            headers={"X-Forwarded-For": address},
        ).status_code

    assert [look_up("203.0.113.1"), look_up("203.0.113.2"), look_up("203.0.113.1")] == [
        400,
        400,
        429,
    ]


def test_text_over_every_fields_limit_is_refused_whatever_it_hides(customer, runner, app):
    hidden = "The lid" + "\x00" * 20_000 + " arrived cracked."
    response = customer.claim(photos=[JPEG], description=hidden)
    assert response.status_code == 400
    assert "Write between 10 and 5,000 characters." in response.get_data(as_text=True)
    assert_nothing_filed_and_good_photo_kept(runner, app)


@pytest.mark.parametrize("path", ["/claims/new", "/claims/status", "/agent/login", "/nowhere"])
def test_url_encoded_body_over_the_form_limit_gets_the_friendly_413_page(client, path):
    body = "description=" + "x" * (300 * 1024)
    response = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "What you sent is too large" in response.get_data(as_text=True)


@pytest.mark.config(PROXY_COUNT=1)
def test_behind_a_proxy_a_forwarded_host_is_not_trusted(client):
    response = client.get("/agent", headers={"X-Forwarded-Host": "evil.example"})
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/agent/"
