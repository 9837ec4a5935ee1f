"""Fuzzing the public forms: arbitrary, odd, huge and empty input never gets a 5xx, and only a
valid claim is ever stored. Then malformed multipart bodies, raw over a socket, against the
real service under gunicorn."""

import io
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from claims import create_app
from claims.store import Store, get_store
from tests.reliability.fuzz_inputs import (
    FILING_TYPES,
    GOOD_PHOTOS,
    PHOTO_RULE,
    any_field,
    any_photo_list,
    any_value,
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
from tests.support.cases import cases, file_directly, photo_files
from tests.support.mail import MailCatcher, mail_server
from tests.support.service import start_service, stop_service

FUZZ = settings(
    deadline=None,
    database=None,  # no saved examples: every run explores afresh
    print_blob=True,
    # One bug at a time, shrunk but not "explained": that phase multiplies a failing run's time.
    report_multiple_bugs=False,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
)


def examples(count: int) -> int:
    """`count` examples in `make test`; the "fuzz" profile (`make fuzz`) runs ten times as many."""
    return count * settings().max_examples // 100


CLAIM_FIELDS = ["order_ref", "email", "claim_type", "description", "submission_id", "website"]


# ---------------------------------------------------------------------------------------------
# Helpers


def fuzz_app(data_dir: Path, propagate_exceptions: bool = True):
    """The app with its real settings (CSRF on), but no rate limits and no background mail.

    Exceptions reach the test (with their traceback) unless `propagate_exceptions` is off;
    then they become the 500 page a server would send.
    """
    return create_app(
        {
            "TESTING": True,
            "PROPAGATE_EXCEPTIONS": propagate_exceptions,
            "SECRET_KEY": "fuzz-secret",
            "DATA_DIR": data_dir,
            "RATELIMIT_ENABLED": False,
            "MAIL_BACKGROUND": False,
        }
    )


def csrf_token(client, path: str = "/claims/new") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]*)"', page).group(1)


def exported(app) -> list[dict]:
    """Every case as `flask claims export` writes it."""
    return cases(app.test_cli_runner())


def case_count(app) -> int:
    with app.app_context():
        return len(list(get_store().cases.cases()))


def case_record(app, reference: str) -> dict:
    """One case with its photos, as the case log holds it."""
    with app.app_context():
        cases = get_store().cases
        case = cases.case_by_reference(reference)
        return vars(case) | {"photos": [vars(photo) for photo in cases.photos(case.id)]}


def stored_cases(data_dir: Path) -> list:
    """The cases in the case log, read straight from its database file."""
    with Store(f"sqlite:///{data_dir / 'claims.sqlite3'}") as store:
        cases = store.cases
        return [vars(case) | {"photos": cases.photos(case.id)} for case in cases.cases()]


def post_form(client, path: str, fields: dict, photos) -> object:
    """POST a multipart form; a bytes value goes as a file part, a None value is left out."""
    data = {
        name: (io.BytesIO(value), f"{name}.txt") if isinstance(value, bytes) else value
        for name, value in fields.items()
        if value is not None
    }
    data["photos"] = [(io.BytesIO(content), name) for content, name in photos]
    return client.post(path, data=data, content_type="multipart/form-data")


def file_a_claim(app, client, email: str) -> tuple[dict, str]:
    """File one valid claim through the form; returns (the case as exported, CSRF token)."""
    token = csrf_token(client)
    fields = {
        "order_ref": "100234",
        "email": email,
        "claim_type": "defective-item",
        "description": "The kettle arrived with a cracked lid.",
        "csrf_token": token,
    }
    response = post_form(client, "/claims/new", fields, [(GOOD_PHOTOS[0], "lid.jpg")])
    assert response.status_code == 303
    [case] = exported(app)
    return case, token


def mostly(common: st.SearchStrategy, rare: st.SearchStrategy, odds: int = 3):
    """Draw from `common` about `odds` times as often as from `rare`."""
    return st.sampled_from([common] * odds + [rare]).flatmap(lambda strategy: strategy)


def valid(values: st.SearchStrategy) -> st.SearchStrategy[tuple]:
    """Values paired with True: valid by construction."""
    return values.map(lambda value: (value, True))


def arbitrary(values: st.SearchStrategy) -> st.SearchStrategy[tuple]:
    """Values paired with False: not known to be valid."""
    return values.map(lambda value: (value, False))


def report(capsys, form: str, answers: Counter) -> None:
    """Print how many examples ran and what the service answered (None: connection closed)."""
    summary = ", ".join(f"{status}: {count}" for status, count in sorted(answers.items(), key=str))
    with capsys.disabled():
        print(f"\nfuzz: {form}: {answers.total()} examples run ({summary})")


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

        response = post_form(client, "/claims/new", fields, photos)
        answers[response.status_code] += 1

        assert response.status_code < 500
        cases_after, files_after = case_count(app), photo_files(data_dir)
        if response.status_code != 303:
            assert cases_after == cases_before
            assert files_after == files_before
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
            assert session.get("customer_case") == (case["reference"] if opens else None)
        assert exported(app) == [case]
        assert photo_files(data_dir) == files

    try:
        check()
    finally:
        report(capsys, "status look-up", answers)


# ---------------------------------------------------------------------------------------------
# The customer's reply


def ask_customer(app, reference: str) -> None:
    """An agent takes the case and asks the customer for something (via the case log)."""
    with app.app_context():
        cases = get_store().cases
        if cases.case_by_reference(reference).status == "waiting":
            cases.take_next("sam")
        cases.act(reference, "ask_customer", "sam", text="Please send a photo of the label.")


def customer_with_a_question(app, client, email: str) -> tuple[dict, str]:
    """File a claim, have an agent ask about it, and prove the case on the status page.

    Returns (the case as exported before the question, CSRF token)."""
    case, token = file_a_claim(app, client, email)
    ask_customer(app, case["reference"])
    look_up = {"reference": case["reference"], "email": email, "csrf_token": token}
    assert post_form(client, "/claims/status", look_up, []).status_code == 303
    return case, token


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

        response = post_form(client, "/claims/status/reply", fields, photos_sent)
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
        assert 1 <= len(clean_text(as_text(message_sent))) <= 5000
        assert len(sent) <= 8 and all(readable(content) for content, _ in sent)
        assert after["status"] == "waiting"
        reply = after["events"][len(before["events"])]
        assert (reply["kind"], reply["text"]) == ("customer_replied", clean_text(message_sent))
        new_photos = after["photos"][len(before["photos"]) :]
        assert len(new_photos) == len(sent)
        assert files_after - files_before == {p["stored_name"] for p in new_photos}

    try:
        check()
    finally:
        report(capsys, "customer reply", answers)


# ---------------------------------------------------------------------------------------------
# Mail to whatever address the log holds


def test_any_address_in_the_log_is_sent_or_given_up_and_never_stops_the_mail(tmp_path, capsys):
    """Cases filed past the form (an older version, by hand) may hold any text as their email:
    each round sends it or gives it up, and the mail queued behind it still goes out."""
    catcher = MailCatcher()
    answers = Counter()
    with mail_server(catcher, enable_SMTPUTF8=False) as port:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "fuzz-secret",
                "DATA_DIR": tmp_path / "data",
                "MAIL_BACKGROUND": False,
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": port,
            }
        )
        runner = app.test_cli_runner()

        @settings(FUZZ, max_examples=60)
        @given(st.one_of(any_value, unmailable_emails, valid_emails.map(clean_line)))
        def check(email):
            file_directly(app, email)
            behind = file_directly(app, "ana@example.com")
            result = runner.invoke(args=["claims", "send-mail"])
            assert result.exit_code == 0, result.output
            assert "still waiting 0." in result.output
            assert behind in catcher.messages[-1]["Subject"]
            answers["given up" if "Given up:" in result.output else "sent"] += 1

        try:
            check()
        finally:
            report(capsys, "mail to any address", answers)


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
            if status != 303:
                assert photo_files(data_dir) == files_before, draft.applied
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
        ("/claims/status/reply", "message"),
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
        "/claims/status/reply": {"message": "Here is the label."},
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
