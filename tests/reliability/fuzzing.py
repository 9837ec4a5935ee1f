"""What the fuzz tests share: Hypothesis settings and example budgets, the app they run against,
and helpers that post forms and read back what the case log keeps."""

import io
import re
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from claims import create_app
from claims.store import Store, get_store
from tests.reliability.fuzz_inputs import (
    GOOD_PHOTOS,
)
from tests.support.cases import cases

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


def staged_photo_names(app) -> set[str]:
    """The photo files kept for claim forms not filed yet."""
    with app.app_context():
        return get_store().staging.live_names()


def staged_in(data_dir: Path) -> set[str]:
    """The photo files kept for claim forms not filed yet, read from the database file."""
    with Store(f"sqlite:///{data_dir / 'claims.sqlite3'}") as store:
        return store.staging.live_names()


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
