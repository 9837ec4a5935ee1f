"""The agent console: sign in, work the queue, move cases through their life.

Every route here needs a signed-in agent (sessions are kept server-side, so signing out or
disabling an agent ends them at once); photos are served from here only.
"""

import functools
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms.fields import SelectChoice  # type: ignore[attr-defined]  # not in types-WTForms yet

from claims import customer_console, insight_console, photos
from claims.catalog import CLAIM_TYPES
from claims.forms import (
    AGENT_NAME,
    CONSOLE_FORMS,
    LoginForm,
    SavedReplyForm,
    SearchForm,
    add_error,
    entered,
    single_line,
)
from claims.lifecycle import ACTIONS, OPEN, OUTCOMES, STATUSES, Mail, Status, console_actions
from claims.mail import mail_name, nudge_courier
from claims.store import get_store
from claims.store.cases import StillHolding, TransitionRefused
from claims.store.records import Case
from claims.store.replies import TitleTaken, fill
from claims.store.search import Filters
from claims.web import has_control_characters, limiter, send_photo

bp = Blueprint("agent", __name__, url_prefix="/agent")
bp.register_blueprint(customer_console.bp)  # behind the same sign-in
bp.register_blueprint(insight_console.bp)  # and for editors and leads only

PAGE_SIZE = 50
# Far past any real queue, and small enough that its offset fits every database's integers.
LAST_PAGE = 1_000_000
# Of an email as received: its text and the start of its attachments, not megabytes of them.
LONGEST_ORIGINAL_SHOWN = 200_000


@functools.cache
def unknown_agent_hash() -> str:
    """Checked when the name is unknown, so a wrong name takes as long as a wrong password.
    Made on first use: a scrypt hash is too slow to make at every import."""
    return generate_password_hash("no such agent")


SIGN_IN_FAILED = "That name and password do not match. Check them and try again."


def failed_sign_in(response: Response) -> bool:
    """Only failed sign-ins count towards the limits, so a busy office signs in freely."""
    return response.status_code == 400


def account_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def address_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN_ADDRESS"]


def account_tried() -> str:
    """The agent name a sign-in tries, so that guessing one password is slowed from any
    address; a name no agent can have needs no limit of its own (the address limit holds)."""
    name = single_line(request.form.get("name")) or ""
    return f"agent:{name}" if AGENT_NAME.fullmatch(name) else ""


@bp.before_request
def require_agent() -> ResponseReturnValue | None:
    """Let only signed-in agents past; others go to the sign-in page (files: 403)."""
    if request.endpoint == "agent.login":
        return None
    token = session.get("agent_token")
    g.agent = get_store().agents.session_agent(token) if token else None
    if g.agent is not None:
        return None
    if request.endpoint == "agent.photo":
        abort(403)
    back_to = request.full_path if request.method == "GET" else None
    return redirect(url_for("agent.login", next=back_to))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(account_limit, key_func=account_tried, deduct_when=failed_sign_in, methods=["POST"])
@limiter.limit(address_limit, deduct_when=failed_sign_in, methods=["POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        agents = get_store().agents
        name, password = entered(form.name), entered(form.password)
        known_hash = agents.agent_password_hash(name)
        password_matches = check_password_hash(known_hash or unknown_agent_hash(), password)
        if known_hash and password_matches:
            session.clear()  # a fresh session: nothing from before sign-in carries over
            hours = current_app.config["AGENT_SESSION_HOURS"]
            session["agent_token"] = agents.start_session(name, hours * 3600)
            return redirect(safe_next(request.args.get("next")), code=303)
        add_error(form.password, SIGN_IN_FAILED)
    status = 400 if form.errors else 200
    return render_template("agent/login.html", form=form), status


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a console page, never another site nor a header break."""
    target = target or ""
    parts = urlsplit(target)
    off_console = parts.scheme or parts.netloc or not parts.path.startswith("/agent/")
    if off_console or has_control_characters(target):
        return url_for("agent.queue")
    return target


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    get_store().agents.end_session(session.pop("agent_token"))
    session.clear()
    return redirect(url_for("agent.login"), code=303)


def page_number() -> int:
    """The page of a list asked for (from 1); past the last possible one: 404."""
    page = max(request.args.get("page", 1, type=int), 1)
    if page > LAST_PAGE:
        abort(404)
    return page


@bp.get("/")
def queue() -> ResponseReturnValue:
    """Cases in queue order, filtered by status and type, a page at a time; with ``q``, the
    search instead."""
    if "q" in request.args:
        return search()
    status = request.args.get("status", Status.WAITING)
    status = status if status in STATUSES else Status.WAITING
    claim_type = request.args.get("type")
    claim_type = claim_type if claim_type in CLAIM_TYPES else None
    page = page_number()
    store = get_store()
    cases = store.cases.queue(
        status, claim_type, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    return render_template(
        "agent/queue.html",
        cases=cases[:PAGE_SIZE],
        photo_counts=store.cases.photo_counts([case.id for case in cases]),
        duplicates=store.cases.possible_duplicates([case.id for case in cases]),
        has_next=len(cases) > PAGE_SIZE,
        page=page,
        status=status,
        claim_type=claim_type,
        summary=store.cases.queue_summary(),
        holders=store.cases.holders(),
        statuses=STATUSES,
        claim_types=CLAIM_TYPES,
        search_form=SearchForm(formdata=None),
    )


def search() -> ResponseReturnValue:
    """Cases matching the search box and filters, in search order; a reference or an order
    reference that names one case only goes straight to it."""
    store = get_store()
    form = SearchForm(formdata=request.args)
    agents = store.agents.enabled_agents()
    form.holder.choices = [SelectChoice("", "Anyone"), *map(SelectChoice, agents)]
    form.validate()
    text = "" if form.q.errors else form.q.data or ""
    if text:
        found = store.search.unique_case(text)
        if found is not None:
            return redirect(url_for("agent.case", reference=found.reference), code=303)
    older = form.chosen(form.older)
    filters = Filters(
        status=form.chosen(form.status),
        claim_type=form.chosen(form.type),
        lane=form.chosen(form.lane),
        holder=form.chosen(form.holder),
        customer_added=bool(form.added.data),
        older_than_hours=int(older) if older else None,
    )
    page = page_number()
    cases: list[Case] = []
    if not form.q.errors and (text or filters != Filters()):
        cases = store.search.find(text, filters, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    shown = cases[:PAGE_SIZE]
    return render_template(
        "agent/search.html",
        form=form,
        text=text,
        cases=shown,
        photo_counts=store.cases.photo_counts([case.id for case in shown]),
        duplicates=store.cases.possible_duplicates([case.id for case in shown]),
        has_next=len(cases) > PAGE_SIZE,
        page=page,
        claim_types=CLAIM_TYPES,
        asked={name: value for name, value in request.args.items() if name != "page"},
    ), (400 if form.q.errors else 200)


@bp.post("/take-next")
def take_next() -> ResponseReturnValue:
    """The next case in the queue for this agent: one at a time, unless they choose to take
    another alongside the one they hold."""
    try:
        case = get_store().cases.take_next(g.agent, one_at_a_time=not request.form.get("another"))
    except StillHolding as holding:
        flash(
            f"You are still working on {holding.case.reference}. Resolve, release or hand it"
            " over first, or choose “Take another alongside” on the queue.",
            "error",
        )
        return redirect(url_for("agent.case", reference=holding.case.reference), code=303)
    if case is None:
        flash("No case is waiting. Well done.", "info")
        return redirect(url_for("agent.queue"), code=303)
    return redirect(url_for("agent.case", reference=case.reference), code=303)


@bp.get("/cases/<reference>")
def case(reference: str) -> ResponseReturnValue:
    found = get_store().cases.case_by_reference(reference)
    if found is None:
        abort(404)
    return case_page(found)


def case_page(found: Case, refused: tuple[str, FlaskForm] | None = None) -> str:
    """The case page; `refused` (an action and its form that did not validate) is shown as
    the agent sent it, with its errors next to its fields and summed up at the top."""
    store = get_store()
    agents = store.agents.enabled_agents()
    related = store.cases.related(found)
    actions = [
        (
            action,
            refused[1]
            if refused and refused[0] == action.name
            else action_form(action.name, found, agents, related, formdata=None),
        )
        for action in console_actions(found.status, g.agent, found.assigned_to)
    ]
    replies = store.replies.all()
    chosen = store.replies.get(request.args.get("reply", 0, type=int))
    for action, form in actions:
        if chosen and action.name == request.args.get("into") and "message" in form:
            form.message.data = fill(chosen.body, found.reference, found.order_ref, g.agent)
    return render_template(
        "agent/case.html",
        case=found,
        claim_type=CLAIM_TYPES[found.claim_type],
        claim_types=CLAIM_TYPES,
        photos=(shown := store.cases.photos(found.id)),
        photo_numbers={photo.stored_name: number for number, photo in enumerate(shown, 1)},
        events=store.history.events(found.id),
        position=store.cases.queue_position(found),
        related=related,
        duplicates=store.cases.possible_duplicates([found.id, *(case.id for case in related)]),
        mail_trouble=[mail for mail in store.outbox.unsent_mail(found.id) if mail.last_error],
        mail_name=mail_name,
        actions=actions,
        replies=replies,
        reply_used=chosen.id if chosen else None,
        outcomes=OUTCOMES,
        refused=refused,
    )


def action_form(
    action: str, case: Case, agents: list[str], related: list[Case], **options: object
) -> FlaskForm:
    """The form of a console action on this case: it remembers when the case last changed as
    the agent saw it, and offers the other agents, or the customer's other open cases, where
    one is to be chosen."""
    form = CONSOLE_FORMS[action](**options)
    if "agent" in form:
        others = [name for name in agents if name not in (g.agent, case.assigned_to)]
        form.agent.choices = [SelectChoice("", "Choose an agent"), *map(SelectChoice, others)]
    if "claim_type" in form and options.get("formdata", True) is None:
        form.claim_type.data, form.lane.data = case.claim_type, case.lane
    if "into" in form:
        open_cases = [other.reference for other in related if other.status in OPEN]
        form.into.choices = [SelectChoice("", "Choose a case"), *map(SelectChoice, open_cases)]
    if options.get("formdata", True) is None:
        form.seen.data = case.updated_at
    return form


@bp.post("/cases/<reference>/<action>")
def act(reference: str, action: str) -> ResponseReturnValue:
    """Take one of the console's actions on the case; one that does not fit is refused, and
    one that does says what it did."""
    if action not in CONSOLE_FORMS:
        abort(404)
    store = get_store()
    found = store.cases.case_by_reference(reference)
    if found is None:
        abort(404)
    form = action_form(action, found, store.agents.enabled_agents(), store.cases.related(found))
    if not form.validate():
        return case_page(found, refused=(action, form)), 400
    try:
        if action == "retype":
            moved = store.cases.retype(
                reference,
                g.agent,
                form.claim_type.data,
                form.lane.data,
                entered(form.message),
                form.seen.data,
            )
            flash(f"{reference} is now {CLAIM_TYPES[moved.claim_type].label}, {moved.lane} lane.")
            return redirect(url_for("agent.case", reference=reference), code=303)
        if action == "merge":
            original = store.cases.merge(reference, form.into.data, g.agent, form.seen.data)
            flash(f"{reference} merged into {original.reference}. The customer gets an email.")
            return redirect(url_for("agent.case", reference=original.reference), code=303)
        moved = store.cases.act(
            reference,
            action,
            g.agent,
            text=form.message.data if "message" in form else "",
            detail=form.outcome.data if "outcome" in form else "",
            to=form.agent.data if "agent" in form else None,
            seen=form.seen.data or None,
        )
    except TransitionRefused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("agent.case", reference=reference), code=303)
    flash(confirmation(ACTIONS[action].past, moved, ACTIONS[action].mail), "success")
    nudge_courier(current_app)  # its mail and webhooks go out now, not at the next round
    if request.form.get("then") == "next":
        return take_next()
    if action == "release":
        return redirect(url_for("agent.queue"), code=303)
    return redirect(url_for("agent.case", reference=reference), code=303)


def confirmation(past: str, case: Case, mail: Mail) -> str:
    """What the agent is told after an action: what happened, and whether mail went out."""
    holder = f" {case.assigned_to} holds it now." if case.assigned_to else ""
    mailed = {
        Mail.ALWAYS: " The customer gets an email.",
        Mail.FIRST_TIME: " The customer is emailed the first time this happens.",
    }.get(mail, "")
    return f"{case.reference} {past}.{holder}{mailed}"


@bp.route("/replies", methods=["GET", "POST"])
@bp.route("/replies/<int:reply_id>", methods=["GET", "POST"])
def replies(reply_id: int | None = None) -> ResponseReturnValue:
    """The shared saved replies: add one, or change the one at `reply_id`."""
    store = get_store()
    editing = store.replies.get(reply_id) if reply_id is not None else None
    if reply_id is not None and editing is None:
        abort(404)
    form = SavedReplyForm(obj=editing)
    if form.validate_on_submit():
        try:
            store.replies.save(reply_id, entered(form.title), entered(form.body), g.agent)
        except TitleTaken:
            add_error(form.title, "Another saved reply has this title: choose another.")
        else:
            flash(f"Saved reply “{form.title.data}” {'changed' if editing else 'added'}.")
            return redirect(url_for("agent.replies"), code=303)
    return render_template(
        "agent/replies.html", form=form, editing=editing, replies=store.replies.all()
    ), (400 if form.errors else 200)


@bp.post("/replies/<int:reply_id>/delete")
def delete_reply(reply_id: int) -> ResponseReturnValue:
    """Delete a saved reply."""
    store = get_store()
    found = store.replies.get(reply_id)
    if found is None:
        abort(404)
    store.replies.delete(reply_id)
    flash(f"Saved reply “{found.title}” deleted.")
    return redirect(url_for("agent.replies"), code=303)


ZOOMS = {"fit": "Fit to the window", "1": "Actual size", "2": "Twice the size"}


@bp.get("/cases/<reference>/photos/<int:number>")
def photo_viewer(reference: str, number: int) -> ResponseReturnValue:
    """One photo of a case, upright and labelled with the size it is shown at, zoomable
    (with links: no JavaScript needed), with the case's other photos a click away."""
    store = get_store()
    found = store.cases.case_by_reference(reference)
    shown = store.cases.photos(found.id) if found else []
    if found is None or not 1 <= number <= len(shown):
        abort(404)
    zoom = request.args.get("zoom", "fit")
    zoom = zoom if zoom in ZOOMS else "fit"
    stored = shown[number - 1]
    width, height, turned = photos.shown_size(
        current_app.config["PHOTO_DIR"] / stored.stored_name, stored.width, stored.height
    )
    return render_template(
        "agent/photo.html",
        case=found,
        photo=stored,
        number=number,
        count=len(shown),
        width=width,
        height=height,
        turned=turned,
        zoom=zoom,
        zooms=ZOOMS,
    )


@bp.get("/photos/<path:stored_name>")
def photo(stored_name: str) -> ResponseReturnValue:
    """A case photo, for signed-in agents only, never guessed into another type."""
    found = get_store().cases.photo_for_agents(stored_name)
    if found is None:
        abort(404)
    return send_photo(found)


@bp.get("/mail")
def inbound_mail() -> ResponseReturnValue:
    """Mail customers sent in, newest first (of one case with ?case=REFERENCE): what became
    of each message, so agents can act on what could not be attached."""
    store = get_store()
    reference = request.args.get("case")
    found = store.cases.case_by_reference(reference) if reference else None
    if reference and found is None:
        abort(404)
    mails = store.inbound.listing(found.id if found else None)
    return render_template("agent/mail.html", mails=mails, case=found)


@bp.get("/mail/<int:mail_id>")
def inbound_original(mail_id: int) -> ResponseReturnValue:
    """One message as it was received, headers and all, as text."""
    found = get_store().inbound.original(mail_id)
    if found is None:
        abort(404)
    mail, original = found
    return render_template(
        "agent/mail_original.html",
        mail=mail,
        original=original[:LONGEST_ORIGINAL_SHOWN],
        cut=len(original) > LONGEST_ORIGINAL_SHOWN,
    )


@bp.app_template_filter("overdue")
def overdue(case: Case) -> bool:
    """Whether a waiting case is older than its lane's first-response target."""
    if case.status != Status.WAITING:
        return False
    target = timedelta(hours=current_app.config[f"TARGET_HOURS_{case.lane.upper()}"])
    return datetime.now(UTC) - datetime.fromisoformat(case.received_at) > target


@bp.app_template_filter("age")
def age(since: str) -> str:
    """How long ago, in the largest unit that fits: "5 min", "3 h", "2 d"."""
    seconds = (datetime.now(UTC) - datetime.fromisoformat(since)).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return "just now"
