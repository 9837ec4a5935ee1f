"""The customer's pages: file a claim, see it was received, find the case again (reference or
order number with the email, or the personal link in an email), follow it and add to it.

The views validate forms and turn outcomes into pages; filing and adding themselves are
``claims.intake``'s, and what the case page says is ``claims.customer_view``'s.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from claims import customer_view, intake, links, photos
from claims.catalog import CLAIM_TYPES, ClaimType
from claims.forms import (
    AddToCaseForm,
    ClaimForm,
    OrderLookupForm,
    StatusForm,
    add_error,
    entered,
)
from claims.intake import Addition, Claim, PhotoProblem
from claims.lifecycle import FINISHED, Status
from claims.mail import nudge_courier
from claims.staged_photos import described, new_submission_id, staged_form, staged_id
from claims.store import get_store, references
from claims.store.cases import TransitionRefused
from claims.store.records import Case, StagedPhoto
from claims.store.staging import Form
from claims.uploads import chosen_files, shelf, storage_or_503
from claims.web import limiter, send_photo, takes_photos

bp = Blueprint("public", __name__, url_prefix="/claims")
LOOK_UPS = ("public.status", "public.status_by_order")


def post_limit() -> str:
    """Per client address: status look-ups have their own limit, every other form the
    submission limit; each form counts on its own."""
    name = "RATELIMIT_STATUS" if request.endpoint in LOOK_UPS else "RATELIMIT_SUBMIT"
    return current_app.config[name]


def look_up_limit() -> str:
    return current_app.config["RATELIMIT_STATUS"]


# Set on the blueprint, not on each view, so it is checked before anything reads the body.
limiter.limit(post_limit, methods=["POST"])(bp)


@bp.route("/new", methods=["GET", "POST"])
@takes_photos
def new_claim() -> ResponseReturnValue:
    """The claim form; a valid claim becomes a case and the customer sees its reference.

    A form sent back with errors keeps its good photos, staged for it (shown as thumbnails
    with a remove button); its bad ones are named with every other problem.
    """
    form = ClaimForm()
    if request.method == "GET":
        form.submission_id.data = new_submission_id()
        if request.args.get("type") in CLAIM_TYPES:
            form.claim_type.data = request.args["type"]
        follows = references.normalize(request.args.get("follows", "")[:40])
        if follows:  # a new claim about a case settled too long ago to reopen
            form.description.data = f"This follows my earlier case {follows}. "
        return render_claim_form(form, [])
    staged_for = staged_form(form.submission_id.data)
    if staged_for is None:  # no id of ours: this send starts its own
        form.submission_id.data = new_submission_id()
        staged_for = staged_form(form.submission_id.data)
        assert staged_for is not None
    removing = request.form.get("remove_photo", "")
    with storage_or_503("staged photos"):
        store = get_store()
        remove_id = staged_id(removing)
        if remove_id is not None:  # a remove button: the form comes back as it was, less a photo
            intake.unstage_photo(store, shelf(), staged_for, remove_id)
        kept = store.staging.photos(staged_for)
        fields_valid = form.validate_on_submit()
        claim_type = CLAIM_TYPES.get(form.claim_type.data)
        stored = add_chosen_photos(form, claim_type, len(kept))
    if removing:  # not a send: only the photos' problems are shown yet
        for field in form:
            if field is not form.photos:
                field.errors = []
    elif form.website.data:
        add_error(form.website, "Leave this field empty, then send the form again.")
        intake.discard(shelf(), stored)
        stored = []
    elif claim_type is not None:
        claim = valid_claim(form, claim_type) if fields_valid and claim_type.files_case else None
        with storage_or_503("a case"):
            earlier = intake.filed_before(store, claim, stored) if claim else None
        if earlier is not None:  # the second of a double click, after the first filed it
            intake.discard(shelf(), stored)
            return confirm(earlier)
        # The photo rule is checked even when other fields are wrong, so the customer sees
        # every problem at once; a type that files no case (changing a confirmed order) is
        # answered on the page.
        if photo_rule_holds(form, claim_type, len(kept) + len(stored)) and claim:
            return file(claim, stored, staged_for)
    with storage_or_503("staged photos"):
        intake.stage_photos(store, shelf(), staged_for, stored)
        kept = store.staging.photos(staged_for)
    return render_claim_form(form, kept, status=400 if form.errors else 200)


def add_chosen_photos(
    form: ClaimForm, claim_type: ClaimType | None, kept: int
) -> list[photos.StoredPhoto]:
    """Store the good photos just chosen, naming each bad one on the form; none when the
    claim type takes no photos or there would be too many."""
    uploads = chosen_files(form.photos.data)
    limit = current_app.config["MAX_PHOTOS"]
    if not uploads or (claim_type is not None and claim_type.photos == "none"):
        return []  # a type without photos says so in photo_rule_holds
    if kept + len(uploads) > limit:
        already = f" and {kept} are kept from before" if kept else ""
        add_error(
            form.photos,
            f"You can send up to {limit} photos; you chose {len(uploads)}{already}.",
        )
        return []
    stored, problems = intake.store_good_photos(shelf(), uploads)
    for problem in problems:
        add_error(form.photos, str(problem))
    return stored


def photo_rule_holds(form: ClaimForm, claim_type: ClaimType, count: int) -> bool:
    """Each claim type's rule: photos required, optional or not needed."""
    chosen = count or chosen_files(form.photos.data)
    if claim_type.photos == "required" and not chosen and not form.photos.errors:
        add_error(
            form.photos,
            f"Add at least one clear photo of the item: a {claim_type.label.lower()} "
            "claim needs one to be verified.",
        )
    elif claim_type.photos == "none" and chosen:
        add_error(
            form.photos,
            f"A {claim_type.label.lower()} claim does not need photos. "
            "Remove them, or choose another kind of claim.",
        )
    return not form.photos.errors


def valid_claim(form: ClaimForm, claim_type: ClaimType) -> Claim:
    """What the customer filled in, once the form validated."""
    return Claim(
        submission_id=form.submission_id.data or "",
        order_ref=entered(form.order_ref),
        email=entered(form.email),
        claim_type=claim_type,
        description=entered(form.description),
    )


def file(claim: Claim, stored: list[photos.StoredPhoto], staged_for: Form) -> ResponseReturnValue:
    """File the claim with its photos (those staged for it first) and confirm it."""
    with storage_or_503("a case"):
        case, created = intake.record_claim(get_store(), shelf(), claim, stored, staged_for)
    if created:
        nudge_courier(current_app)
    return confirm(case)


def confirm(case: Case) -> ResponseReturnValue:
    """The confirmation page of a filed case; it reads the reference from the session."""
    session["submitted"] = case.reference
    return redirect(url_for(".submitted"), code=303)


def render_claim_form(
    form: ClaimForm, kept: list[StagedPhoto], status: int = 200
) -> ResponseReturnValue:
    """The claim form, with the photos kept for it. The browser gets its photo token now,
    before its script sends photos in parallel (each would otherwise make its own)."""
    staged_for = staged_form(form.submission_id.data)
    assert staged_for is not None  # the view gave the form an id of ours
    return render_template(
        "new.html",
        form=form,
        claim_types=CLAIM_TYPES,
        kept=[described(staged_for, photo) for photo in kept],
    ), status


@bp.get("/submitted")
def submitted() -> ResponseReturnValue:
    """The confirmation; it reads the reference from the session, so reloading is harmless."""
    cases = get_store().cases
    case = cases.case_by_reference(session.get("submitted", ""))
    if case is None:
        return redirect(url_for(".new_claim"))
    return render_template(
        "submitted.html",
        case=case,
        claim_type=CLAIM_TYPES[case.claim_type],
        position=cases.queue_position(case),
        photo_count=cases.photo_counts([case.id])[case.id],
        emailed=session.get("reference_emailed") == case.reference,
        form=FlaskForm(),
    )


@bp.post("/submitted/email")
def email_reference() -> ResponseReturnValue:
    """ "Email me this reference": the confirmation once more, once per confirmation page."""
    store = get_store()
    case = store.cases.case_by_reference(session.get("submitted", ""))
    if case is None:
        return redirect(url_for(".new_claim"))
    if FlaskForm().validate_on_submit() and session.get("reference_emailed") != case.reference:
        store.cases.send_reference(case)
        session["reference_emailed"] = case.reference
        nudge_courier(current_app)
    return redirect(url_for(".submitted"), code=303)


@bp.route("/status", methods=["GET", "POST"])
def status() -> ResponseReturnValue:
    """Reference and email in, the customer's own case out; a wrong pair learns nothing."""
    form = StatusForm()
    if request.method == "GET":
        form.reference.data = request.args.get("reference", "")[:40]
    elif form.validate_on_submit():
        case = get_store().cases.case_for_customer(entered(form.reference), entered(form.email))
        if case is not None:
            open_case(case)
            return redirect(url_for(".my_case"), code=303)
        add_error(
            form.reference,
            "We could not find a case with this reference and email address. "
            "Check both against your confirmation email.",
        )
    return render_template("status.html", form=form), 400 if form.errors else 200


@bp.route("/status/order", methods=["GET", "POST"])
def status_by_order() -> ResponseReturnValue:
    """Order reference and email in, that customer's cases for the order out; a wrong pair
    gets the same answer whether the order exists or not."""
    form = OrderLookupForm()
    if request.method == "POST" and form.validate_on_submit():
        found = get_store().cases.cases_for_customer_order(
            entered(form.order_ref), entered(form.email)
        )
        if found:
            secret = current_app.config["SECRET_KEY"]
            return render_template(
                "order_cases.html",
                order_ref=entered(form.order_ref),
                cases=[
                    (
                        case,
                        CLAIM_TYPES[case.claim_type].label,
                        Status(case.status).label,
                        links.make_token(secret, case.reference, case.link_version),
                    )
                    for case in found
                ],
            )
        add_error(
            form.order_ref,
            "We could not find a case for this order reference and email address. "
            "Check both against your order confirmation.",
        )
    return render_template("order_status.html", form=form), 400 if form.errors else 200


@bp.get("/case/<token>")
@limiter.limit(look_up_limit)  # guessing links counts as looking cases up
def personal_link(token: str) -> ResponseReturnValue:
    """The personal link in an email opens its case; any other token gets the plain look-up
    page, which says nothing about whether a case exists."""
    config = current_app.config
    signed = links.read_token(config["SECRET_KEY"], token, config["CASE_LINK_DAYS"])
    case = get_store().cases.case_by_reference(signed[0]) if signed else None
    if case is None or case.purged_at or signed is None or signed[1] != case.link_version:
        return render_template("status.html", form=StatusForm(formdata=None))
    open_case(case)
    return redirect(url_for(".my_case"), code=303)


def open_case(case: Case) -> None:
    """This browser proved it may see the case (look-up or personal link)."""
    session["customer_case"] = [case.reference, case.link_version]


def customer_case() -> Case | None:
    """The case this browser proved it may see; None otherwise, once its links were reset
    elsewhere, or once the case is purged (nothing of it is left to show)."""
    proof = session.get("customer_case")
    if not (isinstance(proof, list) and len(proof) == 2 and isinstance(proof[0], str)):
        return None
    case = get_store().cases.case_by_reference(proof[0])
    if case is None or case.purged_at or case.link_version != proof[1]:
        return None
    return case


@bp.get("/status/case")
def my_case() -> ResponseReturnValue:
    """The customer's case: where it stands, what happens next, the conversation, and the
    form to add to it or reopen it."""
    case = customer_case()
    if case is None:
        return redirect(url_for(".status"))
    return render_case(case, new_addition_form())


def new_addition_form() -> AddToCaseForm:
    form = AddToCaseForm(formdata=None)
    form.submission_id.data = new_submission_id()
    return form


def render_case(case: Case, form: AddToCaseForm, status: int = 200) -> tuple[str, int]:
    store = get_store()
    config = current_app.config
    events = store.history.events(case.id, customer_view=True)
    return (
        render_template(
            "case.html",
            case=case,
            claim_type=CLAIM_TYPES[case.claim_type],
            status_label=Status(case.status).label,
            headline=customer_view.headline(case),
            next_step=customer_view.next_step(case),
            review_time=customer_view.review_time(case.lane, config["REVIEW_DAYS"])
            if case.status == Status.WAITING
            else "",
            position=store.cases.queue_position(case),
            outcome=customer_view.outcome(case, events),
            conversation=customer_view.conversation(events),
            request=store.history.latest(case.id, "asked_customer")
            if case.status == Status.WAITING_CUSTOMER
            else None,
            open=case.status not in FINISHED,
            may_reopen=store.cases.may_reopen(case, config["REOPEN_DAYS"]),
            reopen_until=customer_view.reopen_deadline(case, config["REOPEN_DAYS"]),
            form=form,
            links_form=FlaskForm(),
        ),
        status,
    )


@bp.post("/status/add")
@takes_photos
def add_to_case() -> ResponseReturnValue:
    """The customer adds a message and/or photos to their case, or reopens it with them."""
    case = customer_case()
    if case is None:
        return redirect(url_for(".status"))
    form = AddToCaseForm()
    uploads = chosen_files(form.photos.data)
    form.has_photos = bool(uploads)
    fields_valid = form.validate_on_submit()
    limit = current_app.config["MAX_PHOTOS"]
    if len(uploads) > limit:
        add_error(form.photos, f"You can send up to {limit} photos at once.")
    if fields_valid and not form.photos.errors:
        addition = Addition(
            submission_id=form.submission_id.data or "",
            message=form.message.data or "",
            reopen=form.reopening,
        )
        try:
            with storage_or_503("an addition"):
                intake.add_to_case(
                    get_store(),
                    shelf(),
                    case,
                    addition,
                    uploads,
                    current_app.config["REOPEN_DAYS"],
                )
        except PhotoProblem as problem:
            add_error(form.photos, str(problem))
        except TransitionRefused:
            flash("Your case changed meanwhile: nothing was added. Here is where it stands.")
            return redirect(url_for(".my_case"), code=303)
        else:
            flash("Thank you: we added this to your case.", "success")
            return redirect(url_for(".my_case"), code=303)
    return render_case(case, form, status=400)


@bp.post("/status/links")
def reset_links() -> ResponseReturnValue:
    """Stop the personal links sent so far (a forwarded email, a shared computer)."""
    case = customer_case()
    if case is None:
        return redirect(url_for(".status"))
    if FlaskForm().validate_on_submit():
        open_case(get_store().cases.reset_links(case))
        flash(
            "Done: the links in emails we sent before no longer open your case. "
            "Our next email will have a new one.",
            "success",
        )
    return redirect(url_for(".my_case"), code=303)


@bp.get("/status/photos/<path:stored_name>")
def case_photo(stored_name: str) -> ResponseReturnValue:
    """A photo of the customer's own case, for that customer only."""
    case = customer_case()
    found = get_store().cases.photo_of_case(case.id, stored_name) if case else None
    if found is None:
        abort(404)
    return send_photo(found)
