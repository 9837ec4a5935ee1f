"""``POST /claims/events``: what the help site reports about searches and helpfulness.

A beacon cannot carry a CSRF token, so this route is exempt from the token check and
instead accepts only what our own pages send: a request the browser marks as same-origin
(``Origin`` or ``Sec-Fetch-Site``), one small JSON object of a fixed shape (or the plain
"Was this helpful?" form), rate-limited per address. A forged report can only raise a
counter (``HelpEvents``); it sets no cookie, and nothing about the sender is stored.
"""

import json
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, redirect, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import same_origin

from claims.site_events import BadReport, Counted, helpful, read_report
from claims.store import get_store
from claims.web import csrf, limiter

bp = Blueprint("events", __name__, url_prefix="/claims")

LARGEST_REPORT = 2048  # bytes: the largest report the site sends is well under half of this


def events_limit() -> str:
    return current_app.config["RATELIMIT_EVENTS"]


def from_our_pages() -> bool:
    """The browser says the report comes from a page of this site."""
    if request.origin not in (None, "null"):
        return same_origin(request.origin, request.host_url)
    return request.headers.get("Sec-Fetch-Site") == "same-origin"


@bp.post("/events")
@csrf.exempt
@limiter.limit(events_limit)
def report() -> ResponseReturnValue:
    if not from_our_pages():
        abort(403)
    request.max_content_length = LARGEST_REPORT  # read no more than a report can be
    form_sent = request.mimetype == "application/x-www-form-urlencoded"
    try:
        counted = read_form() if form_sent else read_report(json.loads(request.get_data()))
    except (BadReport, ValueError) as error:  # ValueError: not JSON at all
        return {"error": str(error)}, 400
    events = get_store().help_events
    for key in counted:
        events.count(key.kind, key.subject, key.detail)
    if form_sent:
        return redirect(back_to_question(), code=303)
    return Response(status=204)


def read_form() -> list[Counted]:
    """The plain "Was this helpful?" form: the page it was sent from is the Referer."""
    form = request.form
    if set(form) - {"question", "answer", "missing"}:
        raise BadReport("the form has only question, answer and missing")
    return helpful(
        referring_page(), form.get("question", ""), form.get("answer"), form.get("missing", "")
    )


def referring_page() -> str:
    """The path of the page the form was on (the Referer, which must be ours)."""
    referrer = request.referrer or ""
    if not same_origin(referrer, request.host_url):
        raise BadReport("the form must be sent from a page of the help site")
    return urlsplit(referrer).path


def back_to_question() -> str:
    """The question the reader answered, on the page they were reading."""
    return f"{referring_page()}?helpful=thanks#{request.form['question']}"
