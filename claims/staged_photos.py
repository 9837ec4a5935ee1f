"""The claim form's staged photos over HTTP: the browser they belong to, and the endpoints
the form's script uses to send each photo as it is chosen, remove one, and show thumbnails.

A staged photo is bound to its form's submission id and to a random token kept in this
browser's session (stored as a hash), so no other browser can see, remove or file it.
Sending and removing are POSTs with the form's CSRF token, under their own rate limit
(a customer sends up to MAX_PHOTOS photos one by one), and with the claim form's body limits.
"""

import hashlib
import re
import secrets

from flask import Blueprint, abort, current_app, jsonify, send_from_directory, session, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import HiddenField, MultipleFileField

from claims import intake
from claims.forms import text_only
from claims.store import get_store
from claims.store.records import StagedPhoto
from claims.store.staging import Form
from claims.uploads import chosen_files, shelf, storage_or_503
from claims.web import limiter, takes_photos

bp = Blueprint("staged", __name__, url_prefix="/claims/new/photos")
limiter.limit(lambda: current_app.config["RATELIMIT_PHOTOS"], methods=["POST"])(bp)

SUBMISSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
STAGED_ID = re.compile(r"[0-9]{1,18}")  # a staged photo's id, within any database's integers
OWNER = "photo_owner"  # the session key of this browser's token


def new_submission_id() -> str:
    """A claim form's one-time id: its photos are staged under it."""
    return secrets.token_urlsafe(16)


def staged_id(text: str) -> int | None:
    """A staged photo's id as a form sends it; None for anything else."""
    return int(text) if STAGED_ID.fullmatch(text) else None


def staged_form(submission_id: object, create: bool = True) -> Form | None:
    """Where this browser's photos for this form are staged; None for an id no form of ours
    carries (or, when not `create`, for a browser that never staged a photo)."""
    if not isinstance(submission_id, str) or not SUBMISSION_ID.fullmatch(submission_id):
        return None
    if OWNER not in session:
        if not create:
            return None
        session[OWNER] = secrets.token_urlsafe(24)
    owner_hash = hashlib.sha256(session[OWNER].encode()).hexdigest()
    return Form(submission_id, owner_hash)


def described(form: Form, staged: StagedPhoto) -> dict[str, object]:
    """A staged photo as the form's script shows it."""
    return {
        "id": staged.id,
        "name": staged.photo.original_name,
        "thumbnail": url_for(
            "staged.thumbnail", submission_id=form.submission_id, staged_id=staged.id
        ),
        "remove": url_for("staged.remove", staged_id=staged.id),
    }


class StagePhotoForm(FlaskForm):
    submission_id = HiddenField(filters=[text_only])
    photos = MultipleFileField()


def refused(message: str, status: int = 400) -> ResponseReturnValue:
    return jsonify(problems=[message]), status


@bp.post("")
@takes_photos
def stage() -> ResponseReturnValue:
    """Check and stage the photos of one pick; answers with what was kept and every problem,
    each naming its photo."""
    request_form = StagePhotoForm()
    form = staged_form(request_form.submission_id.data)
    if not request_form.validate_on_submit() or form is None:
        return refused("This form has expired. Reload the page, then choose your photos again.")
    uploads = chosen_files(request_form.photos.data)
    if not uploads:
        return refused("Choose a photo to send.")
    limit = current_app.config["MAX_PHOTOS"]
    with storage_or_503("staged photos"):
        store = get_store()
        if len(store.staging.photos(form)) + len(uploads) > limit:
            return refused(f"You can send up to {limit} photos; remove one to add another.")
        stored, problems = intake.store_good_photos(shelf(), uploads)
        staged = intake.stage_photos(store, shelf(), form, stored)
    return jsonify(
        photos=[described(form, photo) for photo in staged],
        problems=[str(problem) for problem in problems],
    ), (201 if staged else 400)


@bp.post("/<int(max=999999999999999999):staged_id>/remove")
def remove(staged_id: int) -> ResponseReturnValue:
    """Remove one of this browser's staged photos of this form."""
    request_form = StagePhotoForm()
    form = staged_form(request_form.submission_id.data, create=False)
    if not request_form.validate_on_submit() or form is None:
        return refused("This form has expired. Reload the page.")
    with storage_or_503("a removed photo"):
        if not intake.unstage_photo(get_store(), shelf(), form, staged_id):
            return refused("This photo was already removed.", 404)
    return "", 204


@bp.get("/<submission_id>/<int(max=999999999999999999):staged_id>")
def thumbnail(submission_id: str, staged_id: int) -> ResponseReturnValue:
    """A staged photo, for the browser that sent it only."""
    form = staged_form(submission_id, create=False)
    staged = get_store().staging.photo(form, staged_id) if form else None
    if staged is None:
        abort(404)
    response = send_from_directory(
        current_app.config["PHOTO_DIR"],
        staged.photo.stored_name,
        mimetype=staged.photo.content_type,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
