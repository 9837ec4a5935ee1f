"""Fuzzing the public forms (the claim form, the status look-up, the customer's reply):
arbitrary, odd, huge and empty input never gets a 5xx, and only valid input is ever stored
(or, for good photos on a claim form sent back, kept for that form)."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from claims.staged_photos import OWNER
from tests.reliability.fuzz_inputs import (
    FILING_TYPES,
    PHOTO_RULE,
    any_field,
    any_photo_list,
    as_text,
    chosen,
    claim_problems,
    clean_line,
    clean_text,
    good_photos,
    photo_lists,
    readable,
    stored_case_problems,
    unmailable_emails,
    valid_descriptions,
    valid_emails,
    valid_messages,
    valid_order_refs,
)
from tests.reliability.fuzzing import (
    CLAIM_FIELDS,
    FUZZ,
    arbitrary,
    ask_customer,
    case_count,
    case_record,
    csrf_token,
    customer_with_a_question,
    examples,
    exported,
    file_a_claim,
    fuzz_app,
    mostly,
    post_form,
    report,
    staged_photo_names,
    valid,
)
from tests.support.cases import photo_files

# ---------------------------------------------------------------------------------------------
# The claim form


@st.composite
def claims(draw, token: str) -> tuple[dict, list, list[str]]:
    """A valid claim, then some of its fields replaced by arbitrary values.

    Returns (fields, photos, names of the fields replaced); a None field is left out. The CSRF
    token is replaced less often: a request without it stops before the form is read.
    """
    claim_type = draw(st.sampled_from(FILING_TYPES))
    fields = {
        "order_ref": draw(valid_order_refs),
        "email": draw(valid_emails),
        "claim_type": claim_type,
        "description": draw(valid_descriptions),
        "submission_id": draw(st.from_regex(r"[A-Za-z0-9_-]{22}", fullmatch=True)),
        "website": draw(st.sampled_from(["", None])),
        "csrf_token": token,
    }
    photos = draw(photo_lists(PHOTO_RULE[claim_type]))
    fuzzed = draw(st.lists(st.sampled_from([*CLAIM_FIELDS, "photos"]), unique=True))
    if draw(mostly(st.just(False), st.just(True), odds=9)):
        fuzzed.append("csrf_token")
    for name in fuzzed:
        if name == "photos":
            photos = draw(any_photo_list)
        elif name == "email":
            fields[name] = draw(st.one_of(st.none(), any_field, unmailable_emails))
        elif name == "claim_type":
            fields[name] = draw(
                st.one_of(any_field, st.sampled_from(["change-order", *PHOTO_RULE]))
            )
        else:
            fields[name] = draw(st.one_of(st.none(), any_field))
    return fields, photos, fuzzed


def test_claim_form_never_fails_and_stores_a_case_only_from_a_valid_claim(tmp_path, capsys):
    data_dir = tmp_path / "data"
    app = fuzz_app(data_dir)
    client = app.test_client()
    token = csrf_token(client)
    answers = Counter()

    @settings(FUZZ, max_examples=examples(150))
    @given(st.data())
    def check(data):
        fields, photos, fuzzed = data.draw(claims(token))
        cases_before, files_before = case_count(app), photo_files(data_dir)
        with client.session_transaction() as session:  # photos kept by an earlier example's
            session.pop(OWNER, None)  # form (Hypothesis replays ids) stay with it

        response = post_form(client, "/claims/new", fields, photos)
        answers[response.status_code] += 1

        assert response.status_code < 500
        cases_after, files_after = case_count(app), photo_files(data_dir)
        if response.status_code != 303:
            assert cases_after == cases_before
            # Only good photos are kept, for this form to be sent again; none is lost.
            kept = files_after - files_before
            assert files_before <= files_after and kept <= staged_photo_names(app)
            assert len(kept) <= len(chosen(photos))
            assert fuzzed, f"a valid claim was refused ({response.status_code})"
            return
        assert response.location.endswith("/claims/submitted")
        assert claim_problems(fields, photos, token) == []
        with client.session_transaction() as session:
            case = case_record(app, session["submitted"])
        assert stored_case_problems(case) == []
        assert case["order_ref"] == clean_line(fields["order_ref"])
        assert case["email"].casefold() == clean_line(fields["email"]).casefold()
        assert case["claim_type"] == fields["claim_type"]
        assert case["description"] == clean_text(fields["description"])
        assert len(case["photos"]) == len(chosen(photos))
        if cases_after > cases_before:
            assert cases_after == cases_before + 1
            assert files_after - files_before == {p["stored_name"] for p in case["photos"]}
        else:  # the same claim sent again: the earlier case answers, nothing new is kept
            assert files_after == files_before

    try:
        check()
    finally:
        report(capsys, "claim form", answers)


# ---------------------------------------------------------------------------------------------
# The status look-up


def reference_variants(reference: str) -> st.SearchStrategy[str]:
    """The reference as customers may type it: any case, spaces, O for 0, I or L for 1."""
    bare = reference.replace("-", "")
    return st.sampled_from(
        [
            reference,
            reference.lower(),
            bare,
            " ".join(reference.split("-")),
            bare.replace("0", "O").replace("1", "l"),
            f"  {reference}\x00\t",
            reference.replace("-", " - "),
        ]
    )


def test_status_look_up_never_fails_and_opens_a_case_only_for_its_reference_and_email(
    tmp_path, capsys
):
    data_dir = tmp_path / "data"
    app = fuzz_app(data_dir)
    client = app.test_client()
    email = "Ana.Lopez@example.com"
    case, token = file_a_claim(app, client, email)
    files = photo_files(data_dir)
    emails_as_typed = [email, email.lower(), email.upper(), f" {email}\x00"]
    answers = Counter()

    @settings(FUZZ, max_examples=examples(80))
    @given(
        reference=mostly(valid(reference_variants(case["reference"])), arbitrary(any_field)),
        address=mostly(
            valid(st.sampled_from(emails_as_typed)), arbitrary(st.one_of(st.none(), any_field))
        ),
        token_sent=mostly(st.just(token), any_field),
    )
    def check(reference, address, token_sent):
        (reference_sent, reference_matches), (email_sent, email_matches) = reference, address
        with client.session_transaction() as session:
            session.pop("customer_case", None)
        fields = {"reference": reference_sent, "email": email_sent, "csrf_token": token_sent}

        response = post_form(client, "/claims/status", fields, [])
        answers[response.status_code] += 1

        assert response.status_code < 500
        opens = reference_matches and email_matches and token_sent == token
        if opens:
            assert response.status_code == 303
            assert response.location.endswith("/claims/status/case")
        else:
            assert response.status_code in (400, 413)
        with client.session_transaction() as session:
            opened = session.get("customer_case")  # [reference, link version]
            assert (opened[0] if opened else None) == (case["reference"] if opens else None)
        assert exported(app) == [case]
        assert photo_files(data_dir) == files

    try:
        check()
    finally:
        report(capsys, "status look-up", answers)


# ---------------------------------------------------------------------------------------------
# The customer's reply


def test_customer_reply_never_fails_and_is_stored_only_when_valid(tmp_path, capsys):
    data_dir = tmp_path / "data"
    app = fuzz_app(data_dir)
    client = app.test_client()
    case, token = customer_with_a_question(app, client, "ana@example.com")
    answers = Counter()

    @settings(FUZZ, max_examples=examples(80))
    @given(
        message=mostly(valid(valid_messages), arbitrary(st.one_of(st.none(), any_field)), 1),
        photos=mostly(valid(st.lists(good_photos, max_size=3)), arbitrary(any_photo_list), 1),
        token_sent=mostly(st.just(token), any_field),
    )
    def check(message, photos, token_sent):
        (message_sent, message_valid), (photos_sent, photos_valid) = message, photos
        [before] = exported(app)
        if before["status"] != "waiting_customer":  # the last example's reply was taken
            ask_customer(app, case["reference"])
            [before] = exported(app)
        files_before = photo_files(data_dir)
        fields = {"message": message_sent, "csrf_token": token_sent}

        response = post_form(client, "/claims/status/add", fields, photos_sent)
        answers[response.status_code] += 1

        assert response.status_code < 500
        [after] = exported(app)
        files_after = photo_files(data_dir)
        sent = chosen(photos_sent)
        if response.status_code != 303:
            assert after == before
            assert files_after == files_before
            assert not (message_valid and photos_valid and token_sent == token)
            return
        assert response.location.endswith("/claims/status/case")
        assert token_sent == token
        assert len(clean_text(as_text(message_sent))) <= 5000
        assert clean_text(as_text(message_sent)) or sent  # a message, photos, or both
        assert len(sent) <= 8 and all(readable(content) for content, _ in sent)
        assert after["status"] == "waiting"
        reply = after["events"][len(before["events"])]
        sent_text = clean_text(as_text(message_sent))
        assert (reply["kind"], reply["text"]) == ("customer_replied", sent_text)
        new_photos = after["photos"][len(before["photos"]) :]
        assert len(new_photos) == len(sent)
        assert files_after - files_before == {p["stored_name"] for p in new_photos}

    try:
        check()
    finally:
        report(capsys, "customer reply", answers)
