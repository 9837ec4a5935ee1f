"""The agent console's customer data page: find a customer's cases by email address, export
them as a ZIP, or erase them after typing the address again. Every request is an agent's
(``claims.agent`` checks the sign-in for this nested blueprint too); exports and erasures are
noted in each case's history under the agent's name.

The address travels in POST bodies only, never in a URL, so it stays out of access logs.
"""

import tempfile
from datetime import UTC, datetime

from flask import Blueprint, current_app, flash, g, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue

from claims import customer_data
from claims.forms import CustomerForm, ErasureForm, entered
from claims.store import get_store
from claims.web import limiter

bp = Blueprint("customers", __name__, url_prefix="/customers")


def customer_data_limit() -> str:
    return current_app.config["RATELIMIT_CUSTOMER_DATA"]


def page(form: CustomerForm, erasure: ErasureForm | None = None) -> ResponseReturnValue:
    """The page: the look-up form, and once an address was given, its cases and the export
    and erasure forms (with the erasure's errors, if it was refused)."""
    holdings = None
    if form.email.data and not form.email.errors:
        address = customer_data.customer_address(form.email.data)
        holdings = get_store().customers.holdings(address)
        erasure = erasure or ErasureForm(formdata=None, email=address)
    failed = form.errors or (erasure is not None and erasure.errors)
    return (
        render_template("agent/customers.html", form=form, erasure=erasure, holdings=holdings),
        400 if failed else 200,
    )


@bp.get("/")
def lookup() -> ResponseReturnValue:
    return page(CustomerForm(formdata=None))


@bp.post("/")
@limiter.limit(customer_data_limit)
def find() -> ResponseReturnValue:
    """What the log holds under an address: each case, its photos, messages and queued mail."""
    form = CustomerForm()
    form.validate_on_submit()
    return page(form)


@bp.post("/export")
@limiter.limit(customer_data_limit)
def export() -> ResponseReturnValue:
    """The customer's ZIP, as `flask claims customer-export` writes it."""
    form = CustomerForm()
    if not form.validate_on_submit():
        return page(form)
    address = customer_data.customer_address(entered(form.email))
    # On disk, not in memory: photos can be many MB. The response closes it once sent.
    archive = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        cases = customer_data.export_archive(
            get_store(), address, archive, current_app.config, actor=g.agent
        )
    except BaseException:
        archive.close()
        raise
    if not cases:
        archive.close()
        return page(form)  # the page says plainly that there is nothing
    archive.seek(0)
    return send_file(
        archive,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"customer-data-{datetime.now(UTC):%Y%m%d-%H%M%S}.zip",
    )


@bp.post("/erase")
@limiter.limit(customer_data_limit)
def erase() -> ResponseReturnValue:
    """Erase the customer's data once the agent typed the address again."""
    erasure = ErasureForm()
    if not erasure.validate_on_submit():
        lookup_form = CustomerForm()  # the same address, with its own errors if it has any
        lookup_form.validate()
        return page(lookup_form, erasure)
    address = customer_data.customer_address(entered(erasure.email))
    done, _ = customer_data.erase(get_store(), address, current_app.config["PHOTO_DIR"], g.agent)
    if done.references:
        flash(
            f"Erased the personal data of {len(done.references)} case(s): "
            f"{', '.join(done.references)} ({len(done.closed)} closed first).",
            "info",
        )
    else:
        flash("No cases were filed with that address; nothing was erased.", "info")
    return redirect(url_for(".lookup"), code=303)
