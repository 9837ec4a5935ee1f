"""What every response gets: security headers, rate limits, and friendly error pages."""

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_from_directory,
    session,
)
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, CSRFProtect, same_origin
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

import claims.store.ratelimits  # noqa: F401  (registers the sqlite:// rate-limit store)
from claims.photos import StoredPhoto
from claims.store.connection import Unavailable

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)
limiter = Limiter(key_func=get_remote_address)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob: data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

# Titles and explanations for the errors a customer can run into.
ERROR_PAGES = {
    400: ("Something was wrong with that request", "Go back, check the form and try again."),
    404: ("Page not found", "Check the address, or start again from the help center."),
    405: ("That did not work", "Go back and use the buttons on the page."),
    413: (
        "What you sent is too large",
        "Together, your photos and text are over the limit we can receive at once. Go back "
        "and send fewer or smaller photos, or a shorter description.",
    ),
    429: (
        "Too many attempts",
        "You have sent this form many times in a short while. Wait a few minutes, then try again.",
    ),
    500: ("Something went wrong on our side", "Please try again in a few minutes."),
    503: (
        "We cannot take your claim right now",
        "Nothing was saved. Please try again later; what you entered is still in the form "
        "if you go back.",
    ),
}

# Storage trouble (a full disk, the database down) anywhere but a submission, which has its own.
STORAGE_UNAVAILABLE = (
    "We cannot answer right now",
    "Our storage is not available at the moment, so nothing was changed. Please try again in a "
    "few minutes.",
)


class SessionCookies(SecureCookieSessionInterface):
    """Session cookies marked Secure whenever the page was served over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


class CSRFProtection(CSRFProtect):
    """Flask-WTF's token check, after two checks that need no request body.

    A session without a token cannot have sent a valid form, and a browser that names the
    page it posts from (``Origin``) must name this site. The ``Referer`` is not required
    (``WTF_CSRF_SSL_STRICT`` is off): browsers and privacy extensions drop it, and reloading
    cannot bring it back. ``Origin: null`` (sent under ``Referrer-Policy: no-referrer``)
    is left to the token and the ``SameSite`` cookie, as a missing ``Origin`` is.
    """

    def protect(self, apply_exemptions: bool = False) -> None:
        exempt = apply_exemptions and (not request.endpoint or self._is_exempt())
        if request.method in current_app.config["WTF_CSRF_METHODS"] and not exempt:
            if current_app.config["WTF_CSRF_FIELD_NAME"] not in session:
                self._error_response("The CSRF session token is missing.")
            if request.origin not in (None, "null") and not same_origin(
                request.origin, request.host_url
            ):
                self._error_response("The origin does not match the host.")
            refuse_nameless_parts()  # Flask-WTF's token search trips on them
        super().protect(apply_exemptions)


csrf = CSRFProtection()


def init_app(app: Flask) -> None:
    """Wire sessions, headers, body limits, rate limits, CSRF and error pages into the app.

    The order of the checks is the order of their cost: the body's declared size, the rate
    limit and the session's CSRF token are checked before anything reads the body.
    """
    app.session_interface = SessionCookies()
    if app.config["PROXY_COUNT"]:
        # Exactly what the documented nginx sets: the client address and the scheme.
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's middleware idiom
            app.wsgi_app, x_for=count, x_proto=count, x_host=0
        )
    app.wsgi_app = CompleteBodies(app.wsgi_app)  # type: ignore[method-assign]  # Flask middleware idiom
    app.before_request(bound_request_body)
    limiter.init_app(app)
    csrf.init_app(app)
    app.after_request(add_security_headers)
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(CSRFError, render_expired_form)
    app.register_error_handler(Unavailable, render_unavailable)


class CompleteBodies:
    """Have Werkzeug enforce Content-Length, so a body cut short is refused (RFC 9112 6.3)."""

    def __init__(self, wsgi_app: "WSGIApplication") -> None:
        self.wsgi_app = wsgi_app

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        if environ.get("CONTENT_LENGTH"):
            environ.pop("wsgi.input_terminated", None)
        return self.wsgi_app(environ, start_response)


def takes_photos(view):
    """Mark a view whose multipart form carries photos: only such a request may be as large
    as MAX_CONTENT_LENGTH (the photo budget)."""
    view.takes_photos = True
    return view


def bound_request_body() -> None:
    """Set this request's body limit and refuse a larger declared body unread (413).

    A request without photos (any other route, or any content type but multipart) gets
    MAX_FORM_BYTES; Werkzeug also enforces the limit while reading a body of unknown length.
    """
    endpoint = request.endpoint  # None when no route matched
    view = current_app.view_functions.get(endpoint) if endpoint else None
    if not (getattr(view, "takes_photos", False) and request.mimetype == "multipart/form-data"):
        request.max_content_length = current_app.config["MAX_FORM_BYTES"]
    limit = request.max_content_length  # None: MAX_CONTENT_LENGTH unset, no limit
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()


def send_photo(photo: StoredPhoto) -> Response:
    """A stored photo, as its checked type, never to be guessed into another or cached."""
    response = send_from_directory(
        current_app.config["PHOTO_DIR"], photo.stored_name, mimetype=photo.content_type
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def refuse_nameless_parts() -> None:
    """A form part without a name is no browser's doing; refuse it."""
    if None in request.form or None in request.files:
        abort(400)


def has_control_characters(text: str) -> bool:
    """A C0 control or DEL: never in an address of ours, and in a header it would end the line
    (Werkzeug refuses that with a 500)."""
    return any(ord(c) < 0x20 or c == "\x7f" for c in text)


def add_security_headers(response: Response) -> Response:
    """Strict defaults for our pages; the help site's own pages keep their own scripts."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if request.endpoint != "static" and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    return response


def render_error(error: HTTPException) -> ResponseReturnValue:
    if error.code is None:  # not an error but a response of its own, as Flask sends it
        return error
    title, advice = ERROR_PAGES.get(error.code, (error.name, "Please go back and try again."))
    page = render_template("error.html", title=title, advice=advice, code=error.code)
    return page, error.code, error.get_headers()  # keeps Allow, Retry-After


def render_expired_form(error: CSRFError) -> ResponseReturnValue:
    return (
        render_template(
            "error.html",
            title="This form has expired",
            advice="For your security, forms stop working after a while. Go back, reload the "
            "page and send it again.",
            code=400,
        ),
        400,
    )


def render_unavailable(error: Unavailable) -> ResponseReturnValue:
    """A "try again later" page for the customer or agent, and the cause in the log."""
    log.error("Storage unavailable for %s %s: %s", request.method, request.path, error)
    title, advice = STORAGE_UNAVAILABLE
    page = render_template("error.html", title=title, advice=advice, code=503)
    return page, 503, {"Retry-After": "60"}
