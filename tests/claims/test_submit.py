"""Customers file claims: each path, each claim type's photo rule, duplicates, queue order."""

import pytest
from PIL import Image

from claims.catalog import CLAIM_TYPES
from tests.support.cases import cases, checked_claim_type, stored_files
from tests.support.images import heic, jpeg_with_gps, photo

JPEG = (photo("JPEG"), "kettle.jpg")


def test_form_has_every_field_with_a_visible_label(client):
    page = client.get("/claims/new").get_data(as_text=True)
    for name in ("order_ref", "email", "description", "photos"):
        assert f'<label class="label" for="{name}">' in page
    assert '<legend class="label">What went wrong?</legend>' in page
    for claim_type in CLAIM_TYPES.values():
        assert f">{claim_type.label}</label>" in page


def test_type_in_the_address_preselects_the_claim_type(client):
    page = client.get("/claims/new?type=return-request").get_data(as_text=True)
    assert checked_claim_type(page) == "return-request"
    assert checked_claim_type(client.get("/claims/new?type=bogus").get_data(as_text=True)) is None


def test_claim_with_a_photo_files_a_case_and_shows_its_reference(customer, runner, app):
    response = customer.claim(photos=[JPEG])
    assert response.status_code == 303
    assert response.headers["Location"] == "/claims/submitted"
    confirmation = customer.client.get("/claims/submitted")
    reference = customer.reference(confirmation)
    page = confirmation.get_data(as_text=True)
    assert "What happens next" in page
    assert f"/claims/status?reference={reference}" in page
    [case] = cases(runner)
    assert case["reference"] == reference
    assert case["lane"] == "priority" and case["status"] == "waiting"
    assert [event["kind"] for event in case["events"]] == ["submitted", "photo_added"]
    [stored] = case["photos"]
    assert stored["original_name"] == "kettle.jpg"
    assert stored["sha256"] and stored["width"] == 64 and stored["height"] == 48
    assert len(stored_files(app)) == 1


def test_reload_after_submit_files_no_second_case(customer, runner):
    customer.claim(photos=[JPEG])
    first = customer.reference(customer.client.get("/claims/submitted"))
    again = customer.reference(customer.client.get("/claims/submitted"))
    assert first == again
    assert len(cases(runner)) == 1


def test_double_click_sends_the_same_form_twice_and_files_one_case(customer, runner, app):
    first = customer.claim(photos=[JPEG], submission_id="same-form")
    second = customer.claim(photos=[JPEG], submission_id="same-form")
    assert first.status_code == second.status_code == 303
    assert len(cases(runner)) == 1
    assert len(stored_files(app)) == 1  # the second copy of the photo is not kept


def test_same_form_changed_and_sent_again_is_a_new_case(customer, runner):
    customer.claim(photos=[JPEG], submission_id="same-form")
    customer.claim(photos=[JPEG], submission_id="same-form", description="A different story.")
    assert len(cases(runner)) == 2


@pytest.mark.parametrize("name", [name for name, t in CLAIM_TYPES.items() if t.files_case])
def test_each_claim_type_applies_its_photo_rule(customer, runner, name):
    rule = CLAIM_TYPES[name].photos
    without = customer.claim(claim_type=name)
    with_photo = customer.claim(claim_type=name, photos=[JPEG])
    if rule == "required":
        assert without.status_code == 400
        assert "Add at least one clear photo" in without.get_data(as_text=True)
        assert with_photo.status_code == 303
    elif rule == "optional":
        assert without.status_code == with_photo.status_code == 303
    else:
        assert without.status_code == 303
        assert with_photo.status_code == 400
        assert "does not need photos" in with_photo.get_data(as_text=True)
    filed = cases(runner)
    assert len(filed) == (2 if rule == "optional" else 1)
    assert {case["lane"] for case in filed} == {CLAIM_TYPES[name].lane}


@pytest.mark.parametrize("name", ["refund-question", "checkout-correction"])
def test_refund_and_checkout_claims_take_an_optional_screenshot(customer, runner, name):
    screenshot = (photo("PNG", size=(390, 844)), "bank-statement.png")
    assert customer.claim(claim_type=name, photos=[screenshot]).status_code == 303
    assert customer.claim(claim_type=name).status_code == 303
    with_screenshot, without = cases(runner)
    assert [p["original_name"] for p in with_screenshot["photos"]] == ["bank-statement.png"]
    assert without["photos"] == []
    form = customer.client.get(f"/claims/new?type={name}").get_data(as_text=True)
    assert f"You can attach {CLAIM_TYPES[name].attachment}." in form


def test_something_else_files_a_standard_case_with_or_without_photos(customer, runner):
    assert (
        customer.claim(claim_type="something-else", description="My parcel never came.").status_code
        == 303
    )
    assert customer.claim(claim_type="something-else", photos=[JPEG]).status_code == 303
    assert [(c["lane"], len(c["photos"])) for c in cases(runner)] == [
        ("standard", 0),
        ("standard", 1),
    ]


def test_changing_a_confirmed_order_answers_with_the_policy_and_files_nothing(customer, runner):
    response = customer.claim(claim_type="change-order")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert CLAIM_TYPES["change-order"].answer in page
    assert "/claims/new?type=checkout-correction" in page
    assert cases(runner) == []
    preselected = customer.client.get("/claims/new?type=change-order").get_data(as_text=True)
    assert 'id="policy-answer"' in preselected


def test_priority_lane_is_served_first_then_first_received(customer, runner):
    order = ["return-request", "defective-item", "refund-question", "checkout-correction"]
    references = {}
    for index, name in enumerate(order):
        photos = [JPEG] if CLAIM_TYPES[name].photos == "required" else []
        customer.claim(claim_type=name, photos=photos, description=f"Claim number {index}.")
        references[name] = customer.reference(customer.client.get("/claims/submitted"))
    result = runner.invoke(args=["claims", "queue"])
    listed = [line.split()[1] for line in result.output.splitlines()]
    expected = ["defective-item", "checkout-correction", "return-request", "refund-question"]
    assert listed == [references[name] for name in expected]


def test_gps_and_camera_data_are_not_in_the_stored_photo(customer, app):
    assert customer.claim(photos=[(jpeg_with_gps(), "IMG_0001.JPG")]).status_code == 303
    [stored] = stored_files(app)
    with Image.open(stored) as image:
        exif = image.getexif()
        assert 0x8825 not in exif  # GPS
        assert 0x010F not in exif and 0x0110 not in exif  # make, model
        assert image.size == (320, 240)


def test_heic_from_an_iphone_is_accepted_and_stored_for_browsers(customer, runner, app):
    assert customer.claim(photos=[(heic(), "IMG_0002.HEIC")]).status_code == 303
    [stored] = stored_files(app)
    with Image.open(stored) as image:
        assert image.format == "JPEG" and image.size == (320, 240)
    assert cases(runner)[0]["photos"][0]["content_type"] == "image/jpeg"


def test_several_photos_at_once_are_all_kept(customer, runner):
    photos = [(photo("JPEG"), "a.jpg"), (photo("PNG"), "b.png"), (photo("WEBP"), "c.webp")]
    assert customer.claim(photos=photos).status_code == 303
    [case] = cases(runner)
    assert [p["original_name"] for p in case["photos"]] == ["a.jpg", "b.png", "c.webp"]
    assert [p["content_type"] for p in case["photos"]] == ["image/jpeg", "image/png", "image/webp"]


def test_export_gives_each_photo_sha256_of_the_file_as_stored(customer, runner, app):
    import hashlib

    customer.claim(photos=[JPEG, (photo("PNG"), "b.png")])
    [case] = cases(runner)
    for exported in case["photos"]:
        path = app.config["PHOTO_DIR"] / exported["stored_name"]
        assert exported["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
