"""Photos kept for a claim form that is not filed yet: sent back with errors, or sent one by one
as they are chosen; filed with the case, removable, private to the browser that sent them, and
gone a day later."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.cases import cases, stored_files
from tests.support.images import photo

JPEG = (photo("JPEG"), "kettle.jpg")
PNG = (photo("PNG"), "box.png")
NOT_A_PHOTO = (b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF", "receipt.pdf")
FORM = "form-1234567890"  # the form's submission id


def thumbnails(page: str) -> list[str]:
    return re.findall(r'<img src="(/claims/new/photos/[^"]+)"', page)


def shown(client, url: str) -> tuple[int, str | None]:
    """Fetch a photo as the page's <img> does; its status and content type."""
    with client.get(url) as response:
        return response.status_code, response.headers.get("Content-Type")


def stage(client, *files, submission_id=FORM):
    """Send photos as the form's script does, one pick at a time."""
    return client.post(
        "/claims/new/photos",
        data={
            "submission_id": submission_id,
            "photos": [(io.BytesIO(content), name) for content, name in files],
        },
        content_type="multipart/form-data",
    )


def staged_names(app) -> set[str]:
    from claims.store import get_store

    with app.app_context():
        return get_store().staging.live_names()


def test_form_with_errors_keeps_good_photos_names_bad_ones_and_files_them(customer, runner, app):
    sent = customer.claim(
        photos=[JPEG, NOT_A_PHOTO, PNG], email="not-an-address", submission_id=FORM
    )
    page = sent.get_data(as_text=True)
    assert sent.status_code == 400
    # Every problem in one round trip: the field and the bad photo by name.
    assert "Enter an email address like name@example.com." in page
    assert "receipt.pdf: This file is not a photo we can read." in page
    assert "We kept the photos you sent" in page
    assert [name in page for name in ("kettle.jpg", "box.png")] == [True, True]
    assert len(thumbnails(page)) == 2
    assert shown(customer.client, thumbnails(page)[0]) == (200, "image/jpeg")
    assert cases(runner) == []

    filed = customer.claim(submission_id=FORM)  # corrected, without choosing photos again
    assert filed.status_code == 303
    [case] = cases(runner)
    assert [p["original_name"] for p in case["photos"]] == ["kettle.jpg", "box.png"]
    assert all(p["sha256"] for p in case["photos"])
    assert staged_names(app) == set()
    assert len(stored_files(app)) == 2


def test_kept_photos_count_for_the_photo_rule_and_new_ones_join_them(customer, runner):
    customer.claim(photos=[JPEG], description="short", submission_id=FORM)
    filed = customer.claim(photos=[PNG], submission_id=FORM)
    assert filed.status_code == 303
    [case] = cases(runner)
    assert [p["original_name"] for p in case["photos"]] == ["kettle.jpg", "box.png"]


def test_kept_photos_and_new_ones_together_stay_within_the_limit(customer, runner, app):
    customer.claim(photos=[JPEG] * 6, description="short", submission_id=FORM)
    sent = customer.claim(photos=[PNG] * 3, submission_id=FORM)
    assert sent.status_code == 400
    assert "You can send up to 8 photos; you chose 3 and 6 are kept from before." in (
        sent.get_data(as_text=True)
    )
    assert cases(runner) == []
    assert len(staged_names(app)) == 6


def test_remove_button_removes_a_kept_photo_and_keeps_the_text(customer, runner, app):
    page = customer.claim(photos=[JPEG, PNG], email="x", submission_id=FORM).get_data(as_text=True)
    first_id = re.search(r'name="remove_photo" value="(\d+)"', page).group(1)

    removed = customer.claim(remove_photo=first_id, email="x", submission_id=FORM)
    page = removed.get_data(as_text=True)
    assert removed.status_code == 200  # not a send: no error messages yet
    assert "error-summary" not in page
    assert 'value="x"' in page
    assert "kettle.jpg" not in page and "box.png" in page
    assert len(stored_files(app)) == 1  # the removed photo's file is gone
    assert customer.claim(submission_id=FORM).status_code == 303
    assert [p["original_name"] for p in cases(runner)[0]["photos"]] == ["box.png"]


def test_another_browser_cannot_see_remove_or_file_someone_elses_photos(app, customer, runner):
    page = customer.claim(photos=[JPEG], email="x", submission_id=FORM).get_data(as_text=True)
    [thumbnail] = thumbnails(page)
    photo_id = thumbnail.rsplit("/", 1)[1]
    stranger = app.test_client()

    assert shown(stranger, thumbnail)[0] == 404
    assert stage(stranger, PNG).status_code == 201  # its own photo, under the same form id
    assert shown(stranger, thumbnail)[0] == 404
    refused = stranger.post(f"/claims/new/photos/{photo_id}/remove", data={"submission_id": FORM})
    assert refused.status_code == 404
    form_again = stranger.post(
        "/claims/new", data={"submission_id": FORM, "remove_photo": photo_id}
    ).get_data(as_text=True)
    assert len(thumbnails(form_again)) == 1 and "kettle.jpg" not in form_again
    # Filing the same form id from the other browser files its own photo only.
    other = stranger.post(
        "/claims/new",
        data={
            "submission_id": FORM,
            "order_ref": "100234",
            "email": "eve@example.com",
            "claim_type": "product-concern",
            "description": "Filed with someone else's form id.",
        },
    )
    assert other.status_code == 303
    assert [p["original_name"] for p in cases(runner)[0]["photos"]] == ["box.png"]
    assert shown(customer.client, thumbnail)[0] == 200  # still the owner's


def test_a_form_from_the_same_browser_does_not_see_another_forms_photos(customer):
    page = customer.claim(photos=[JPEG], email="x", submission_id=FORM).get_data(as_text=True)
    [thumbnail] = thumbnails(page)
    other_form = thumbnail.replace(FORM, "another-form-1234")
    assert customer.client.get(other_form).status_code == 404
    again = customer.claim(email="x", submission_id="another-form-1234").get_data(as_text=True)
    assert thumbnails(again) == []


def test_photos_sent_one_by_one_are_staged_and_filed_with_the_form(client, customer, runner):
    first = stage(client, JPEG)
    assert first.status_code == 201
    [staged] = first.get_json()["photos"]
    assert staged["name"] == "kettle.jpg"
    assert shown(client, staged["thumbnail"]) == (200, "image/jpeg")
    assert stage(client, PNG).status_code == 201

    assert customer.claim(submission_id=FORM).status_code == 303  # no photos chosen again
    [case] = cases(runner)
    assert [p["original_name"] for p in case["photos"]] == ["kettle.jpg", "box.png"]


def test_staging_names_each_bad_photo_and_keeps_the_good_ones(client, app):
    answer = stage(client, JPEG, NOT_A_PHOTO, (b"", "empty.jpg"))
    assert answer.status_code == 201
    body = answer.get_json()
    assert [p["name"] for p in body["photos"]] == ["kettle.jpg"]
    assert [problem.split(":")[0] for problem in body["problems"]] == ["receipt.pdf", "empty.jpg"]

    refused = stage(client, NOT_A_PHOTO)
    assert refused.status_code == 400
    assert refused.get_json()["photos"] == []
    assert len(stored_files(app)) == 1


def test_staging_refuses_past_the_photo_limit_and_odd_forms(client, app):
    assert stage(client, *[JPEG] * 8).status_code == 201
    over = stage(client, PNG)
    assert over.status_code == 400
    assert over.get_json()["problems"] == [
        "You can send up to 8 photos; remove one to add another."
    ]
    assert len(stored_files(app)) == 8
    assert stage(client, JPEG, submission_id="../../etc").status_code == 400
    assert stage(client, submission_id=FORM + "x").status_code == 400  # no photo


def test_removing_a_staged_photo_deletes_its_file(client, app):
    [staged] = stage(client, JPEG).get_json()["photos"]
    assert client.post(staged["remove"], data={"submission_id": FORM}).status_code == 204
    assert client.post(staged["remove"], data={"submission_id": FORM}).status_code == 404
    assert client.get(staged["thumbnail"]).status_code == 404
    assert stored_files(app) == []


def test_staged_photos_expire_after_a_day_and_remove_orphans_removes_them(
    app, client, customer, runner, monkeypatch
):
    [staged] = stage(client, JPEG).get_json()["photos"]
    fresh = runner.invoke(args=["claims", "remove-orphans", "--older-than-minutes", "0"])
    assert fresh.exit_code == 0 and fresh.output.strip() == "Removed 0 orphan file(s)."
    assert len(stored_files(app)) == 1

    later = datetime.now(UTC) + timedelta(hours=25)
    monkeypatch.setitem(app.config, "CLOCK", lambda: later)
    assert client.get(staged["thumbnail"]).status_code == 404  # expired: no longer shown
    dry = runner.invoke(args=["claims", "remove-orphans", "--older-than-minutes", "0", "--dry-run"])
    assert "Would remove 1 orphan file(s)." in dry.output
    assert len(stored_files(app)) == 1
    removed = runner.invoke(args=["claims", "remove-orphans", "--older-than-minutes", "0"])
    assert "Removed 1 orphan file(s)." in removed.output
    assert stored_files(app) == []
    # The form filed now files without the expired photo (an optional-photo type).
    assert customer.claim(claim_type="return-request", submission_id=FORM).status_code == 303
    assert cases(runner)[0]["photos"] == []


def test_double_click_with_kept_photos_files_one_case(customer, runner, app):
    customer.claim(photos=[JPEG], email="x", submission_id=FORM)
    first = customer.claim(submission_id=FORM, claim_type="return-request")
    second = customer.claim(submission_id=FORM, claim_type="return-request")
    assert first.status_code == second.status_code == 303
    [case] = cases(runner)
    assert [p["original_name"] for p in case["photos"]] == ["kettle.jpg"]


def test_a_second_send_after_the_first_filed_the_kept_photos_files_nothing_more(customer, runner):
    """Without JavaScript a double click sends the form twice; the second send can arrive
    after the first has filed the case and taken its photos: it gets the same confirmation."""
    customer.claim(photos=[JPEG], email="x", submission_id=FORM)
    first = customer.claim(submission_id=FORM)
    reference = customer.reference(customer.client.get("/claims/submitted"))
    second = customer.claim(submission_id=FORM)  # photos required: none are kept any more
    assert first.status_code == second.status_code == 303
    assert customer.reference(customer.client.get("/claims/submitted")) == reference
    [case] = cases(runner)
    assert [p["original_name"] for p in case["photos"]] == ["kettle.jpg"]


def test_a_bots_photos_are_not_kept(customer, app):
    sent = customer.claim(photos=[JPEG], website="http://spam.example", submission_id=FORM)
    assert sent.status_code == 400
    assert stored_files(app) == []


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_staging_and_removing_need_the_forms_csrf_token(client, app):
    refused = stage(client, JPEG)
    assert refused.status_code == 400
    assert stored_files(app) == []
    assert client.post("/claims/new/photos/1/remove", data={}).status_code == 400


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_PHOTOS="2 per minute")
def test_staging_is_rate_limited_on_its_own(client, customer):
    assert [stage(client, JPEG).status_code for _ in range(3)] == [201, 201, 429]
    assert customer.claim(submission_id=FORM).status_code == 303  # the form's own limit


@pytest.mark.parametrize("odd", ["²", "9" * 40, "-1", "1 OR 1=1", ""])
def test_an_odd_remove_value_removes_nothing_and_answers_plainly(customer, app, odd):
    customer.claim(photos=[JPEG], email="x", submission_id=FORM)
    response = customer.claim(remove_photo=odd, email="x", submission_id=FORM)
    assert response.status_code in (200, 400)
    assert len(thumbnails(response.get_data(as_text=True))) == 1
    assert len(stored_files(app)) == 1


def test_an_odd_photo_address_is_not_found(client):
    stage(client, JPEG)
    for path in ("/claims/new/photos/" + FORM + "/" + "9" * 40, "/claims/new/photos/x/1"):
        assert shown(client, path)[0] == 404
    assert client.post("/claims/new/photos/" + "9" * 40 + "/remove").status_code == 404
