"""Malformed multipart bodies, raw over a socket, against the real service under gunicorn;
then what the fuzzing found, pinned down as plain examples."""

from collections import Counter
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.reliability.fuzz_inputs import (
    GOOD_PHOTOS,
    stored_case_problems,
)
from tests.reliability.fuzzing import (
    FUZZ,
    case_record,
    csrf_token,
    customer_with_a_question,
    examples,
    exported,
    fuzz_app,
    post_form,
    report,
    staged_in,
    stored_cases,
)
from tests.reliability.raw_multipart import (
    Draft,
    Part,
    encode_parts,
    exchange,
    field_part,
    file_part,
    get_form,
    longer_content_length,
    mutations,
)
from tests.support.cases import photo_files
from tests.support.service import start_service, stop_service

# ---------------------------------------------------------------------------------------------
# Malformed multipart bodies, raw over a socket, against gunicorn


def claim_parts(token: str, submission_id: str) -> list:
    """A valid defective-item claim with one photo, as multipart parts."""
    return [
        field_part("csrf_token", token),
        field_part("submission_id", submission_id),
        field_part("order_ref", "100234"),
        field_part("email", "ana@example.com"),
        field_part("claim_type", "defective-item"),
        field_part("description", "The kettle arrived with a cracked lid."),
        field_part("website", ""),
        file_part("photos", "lid.jpg", GOOD_PHOTOS[0]),
    ]


def test_malformed_multipart_bodies_never_get_a_5xx_nor_file_an_invalid_case(tmp_path, capsys):
    data_dir = tmp_path / "data"
    answers = Counter()
    process, base = start_service(data_dir, workers=1)
    try:
        address = urlsplit(base)
        host, port = address.hostname, address.port
        cookie, token = get_form(host, port)
        # The unbroken request files a case: the raw requests below really reach the form.
        control = Draft(address.netloc, cookie, claim_parts(token, "control"))
        assert exchange(host, port, control.encode()) == 303
        assert len(stored_cases(data_dir)) == 1

        @settings(FUZZ, max_examples=examples(150))
        @given(
            changes=st.lists(mutations, min_size=1, max_size=3, unique_by=lambda m: m.group),
            submission=st.uuids(),
        )
        def check(changes, submission):
            draft = Draft(address.netloc, cookie, claim_parts(token, submission.hex))
            for change in changes:
                change.apply(draft)
            cases_before, files_before = stored_cases(data_dir), photo_files(data_dir)

            status = exchange(host, port, draft.encode())
            answers[status] += 1

            assert status is None or status < 500, (status, draft.applied)
            new_cases = stored_cases(data_dir)[len(cases_before) :]
            if draft.breaking or status != 303:
                assert new_cases == [], draft.applied
            if status != 303:  # nothing stored but good photos kept for the form sent back
                kept = photo_files(data_dir) - files_before
                assert files_before <= photo_files(data_dir), draft.applied
                assert kept <= staged_in(data_dir), draft.applied
            for case in new_cases:  # an odd but legal request may file a case: a valid one
                assert stored_case_problems(case) == [], draft.applied

        check()
    finally:
        stop_service(process)
        report(capsys, "raw multipart", answers)


# ---------------------------------------------------------------------------------------------
# What the fuzzing found, pinned down as plain examples


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/claims/new", "order_ref"),
        ("/claims/new", "email"),
        ("/claims/new", "description"),
        ("/claims/status", "reference"),
        ("/claims/status", "email"),
        ("/claims/status/add", "message"),
        ("/claims/status/order", "order_ref"),
        ("/claims/status/order", "email"),
    ],
)
def test_text_field_sent_as_a_file_part_is_refused_without_a_500(tmp_path, path, field):
    app = fuzz_app(tmp_path / "data", propagate_exceptions=False)
    client = app.test_client()
    case, token = customer_with_a_question(app, client, "ana@example.com")
    fields = {
        "/claims/new": {
            "order_ref": "100234",
            "email": "ana@example.com",
            "claim_type": "product-concern",
            "description": "The kettle arrived with a cracked lid.",
        },
        "/claims/status": {"reference": case["reference"], "email": "ana@example.com"},
        "/claims/status/add": {"message": "Here is the label."},
        "/claims/status/order": {"order_ref": "100234", "email": "ana@example.com"},
    }[path]
    before = exported(app)

    response = post_form(client, path, {**fields, field: b"not text", "csrf_token": token}, [])

    assert response.status_code == 400
    assert exported(app) == before


def test_submission_id_sent_as_a_file_part_gets_no_500(tmp_path):
    app = fuzz_app(tmp_path / "data", propagate_exceptions=False)
    client = app.test_client()
    fields = {
        "order_ref": "100234",
        "email": "ana@example.com",
        "claim_type": "product-concern",
        "description": "The kettle arrived with a cracked lid.",
        "submission_id": b"not text",
        "csrf_token": csrf_token(client),
    }

    response = post_form(client, "/claims/new", fields, [])

    assert response.status_code in (303, 400)
    assert len(exported(app)) == (1 if response.status_code == 303 else 0)


def test_nameless_part_in_a_form_without_csrf_token_is_refused_without_a_500(tmp_path):
    app = fuzz_app(tmp_path / "data", propagate_exceptions=False)
    client = app.test_client()
    csrf_token(client)  # a session, as a browser has
    parts = [Part([b"Content-Disposition: form-data"], b"no name"), field_part("order_ref", "1")]

    response = client.post(
        "/claims/new",
        data=encode_parts(parts, b"BOUNDARY"),
        content_type="multipart/form-data; boundary=BOUNDARY",
    )

    assert response.status_code == 400
    assert exported(app) == []


def test_request_cut_short_of_its_content_length_files_no_case(tmp_path):
    """The client promises more bytes than it sends, then closes: the request is incomplete
    (RFC 9112, section 6.3) and must not be acted on, even when the multipart body looks whole."""
    data_dir = tmp_path / "data"
    process, base = start_service(data_dir, workers=1)
    try:
        address = urlsplit(base)
        cookie, token = get_form(address.hostname, address.port)
        draft = Draft(address.netloc, cookie, claim_parts(token, "cut-short"))
        longer_content_length(1).apply(draft)

        status = exchange(address.hostname, address.port, draft.encode())

        assert status is None or 400 <= status < 500
    finally:
        stop_service(process)
    assert stored_cases(data_dir) == []


def test_same_form_sent_again_with_other_photos_keeps_the_photos_sent(tmp_path):
    """Going back and choosing other photos keeps the form's submission id: the photos sent
    the second time must not be dropped in favour of the first case."""
    app = fuzz_app(tmp_path / "data")
    client = app.test_client()
    fields = {
        "order_ref": "100234",
        "email": "ana@example.com",
        "claim_type": "defective-item",
        "description": "The kettle arrived with a cracked lid.",
        "submission_id": "one-form",
        "csrf_token": csrf_token(client),
    }
    first = post_form(client, "/claims/new", fields, [(GOOD_PHOTOS[0], "blurry.jpg")])
    assert first.status_code == 303

    again = post_form(client, "/claims/new", fields, [(GOOD_PHOTOS[1], "sharp.png")])

    assert again.status_code == 303
    with client.session_transaction() as session:
        case = case_record(app, session["submitted"])
    assert "sharp.png" in [photo["original_name"] for photo in case["photos"]]
