"""Filing and replying are plain functions: no HTTP request, no form."""

import io
from dataclasses import dataclass

import pytest

from claims.catalog import CLAIM_TYPES
from claims.intake import Addition, Claim, PhotoProblem, PhotoShelf, add_to_case, file_claim
from claims.store import get_store
from claims.store.cases import TransitionRefused
from tests.support.images import photo


@dataclass
class Upload:
    stream: io.BytesIO
    filename: str


def kettle_claim(submission_id: str = "form-1") -> Claim:
    return Claim(
        submission_id=submission_id,
        order_ref="100234",
        email="ana@example.com",
        claim_type=CLAIM_TYPES["defective-item"],
        description="The kettle arrived with a cracked lid.",
    )


def test_the_same_submission_filed_twice_is_one_case_with_its_photos(app):
    shelf = PhotoShelf.from_config(app.config)
    with app.app_context():
        store = get_store()
        first, created = file_claim(store, shelf, kettle_claim(), [jpeg("lid.jpg")])
        again, created_again = file_claim(store, shelf, kettle_claim(), [jpeg("lid.jpg")])
        assert created and not created_again and again.id == first.id
        assert [p.original_name for p in store.cases.photos(first.id)] == ["lid.jpg"]
    assert len(list(shelf.directory.rglob("*.jpg"))) == 1  # the second copy was removed


def test_a_bad_photo_is_named_in_the_problem_and_nothing_is_kept(app):
    shelf = PhotoShelf.from_config(app.config)
    not_a_photo = Upload(io.BytesIO(b"<html>hello</html>"), "scan.jpg")
    with app.app_context():
        with pytest.raises(PhotoProblem) as problem:
            file_claim(get_store(), shelf, kettle_claim(), [jpeg("lid.jpg"), not_a_photo])
        assert problem.value.photo == "scan.jpg" and "not a photo" in problem.value.message
        assert list(get_store().cases.cases()) == []
    assert list(shelf.directory.rglob("*.jpg")) == []


def test_the_same_addition_sent_twice_adds_once_with_one_copy_of_its_photos(app):
    shelf = PhotoShelf.from_config(app.config)
    addition = Addition(submission_id="add-1", message="Here is the other side.")
    with app.app_context():
        store = get_store()
        case, _ = file_claim(store, shelf, kettle_claim(), [])
        for _ in range(2):
            add_to_case(store, shelf, case, addition, [jpeg("side.jpg")], reopen_days=30)
        kinds = [event.kind for event in store.history.events(case.id)]
        assert kinds.count("customer_added") == 1 and kinds.count("photo_added") == 1
    assert len(list(shelf.directory.rglob("*.jpg"))) == 1


def test_adding_to_a_settled_case_without_reopening_it_keeps_nothing(app):
    shelf = PhotoShelf.from_config(app.config)
    with app.app_context():
        store = get_store()
        case, _ = file_claim(store, shelf, kettle_claim(), [])
        store.cases.take_next("sam")
        store.cases.act(case.reference, "resolve", "sam", detail="replacement")
        settled = store.cases.case_by_reference(case.reference)
        with pytest.raises(TransitionRefused):
            add_to_case(store, shelf, settled, Addition("add-2", "More."), [jpeg("x.jpg")], 30)
        assert store.cases.case_by_reference(case.reference) == settled
    assert list(shelf.directory.rglob("*.jpg")) == []


def jpeg(name: str) -> Upload:
    return Upload(io.BytesIO(photo("JPEG")), name)
