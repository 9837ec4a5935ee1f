"""``flask --app wsgi claims …``: the case log from the command line."""

import json
import os
import re
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from werkzeug.security import generate_password_hash

from claims import customer_data, photos
from claims.forms import AGENT_NAME, AGENT_ROLES
from claims.lifecycle import FINISHED, STATUSES
from claims.mail import deliver, mail_name
from claims.mailin.fetcher import fetch_mail
from claims.store import Store, get_store
from claims.store.copier import copy_log

MIN_PASSWORD_LENGTH = 12

claims_cli = AppGroup("claims", help="Work with the claim service's case log.")


@claims_cli.command("init-db")
def init_db() -> None:
    """Create the case log's tables in an empty database."""
    report_schema(get_store().upgrade_schema())


@claims_cli.command("upgrade-db")
def upgrade_db() -> None:
    """Bring the case log's tables to this version's schema (the service also does this when
    it starts). Safe to run again, and from several servers at once."""
    report_schema(get_store().upgrade_schema())


@claims_cli.command("migrate-sqlite-to-postgres")
@click.argument("sqlite_path", type=click.Path(exists=True, dir_okay=False))
def migrate_sqlite_to_postgres(sqlite_path: str) -> None:
    """Copy a SQLite case log (e.g. instance/claims.sqlite3) into the PostgreSQL database named
    by CLAIMS_DATABASE_URL, which must be empty. Photos stay where they are: point
    CLAIMS_PHOTO_DIR at the same directory."""
    target_url = current_app.config["DATABASE_URL"]
    if not target_url.startswith(("postgresql://", "postgres://")):
        raise click.ClickException("Set CLAIMS_DATABASE_URL to the PostgreSQL database first.")
    with Store(f"sqlite:///{Path(sqlite_path).resolve()}") as source:
        source.upgrade_schema()  # an older log is brought up to date first
        try:
            copied = copy_log(source, get_store())
        except ValueError as error:
            raise click.ClickException(str(error)) from error
    for table, rows in copied.items():
        click.echo(f"{table:<16} {rows:>9} rows")
    click.echo(f"Copied into {safe_url(target_url)}.")


def report_schema(version: int) -> None:
    click.echo(
        f"Case log at schema version {version}: {safe_url(current_app.config['DATABASE_URL'])}"
    )


def safe_url(url: str) -> str:
    """A database URL without its password, for printing."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


@claims_cli.command("queue")
@click.option("--limit", default=100, show_default=True, help="How many cases to show.")
def show_queue(limit: int) -> None:
    """The queue as agents take it: one waiting case a line, next first."""
    for position, case in enumerate(get_store().cases.queue(limit=limit), start=1):
        click.echo(
            f"{position:>5}  {case.reference}  {case.lane:<8}  {case.claim_type:<20}"
            f"  {case.received_at}  order {case.order_ref}"
        )


@claims_cli.command("export")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    help="Only cases received at or after this date (UTC), e.g. 2026-01-31.",
)
@click.option("--status", type=click.Choice(STATUSES), help="Only cases in this status.")
def export(since: datetime | None, status: str | None) -> None:
    """Cases as JSON Lines, oldest first: fields, events in order, photos' sha256.

    Each photo's sha256 is computed from the file as it is stored now; a missing file
    shows as null, so an export also proves every photo is still there.
    """
    store = get_store()
    photo_dir = current_app.config["PHOTO_DIR"]
    since_text = since.replace(tzinfo=UTC).isoformat() if since else None
    for case in store.cases.cases(since=since_text, status=status):
        record = vars(case) | {
            "events": [vars(event) for event in store.history.events(case.id)],
            "photos": [
                vars(photo) | {"sha256": photos.file_sha256(photo_dir, photo.stored_name)}
                for photo in store.cases.photos(case.id)
            ],
        }
        click.echo(json.dumps(record))  # ASCII: safe for any line reader


@claims_cli.command("fetch-mail")
def fetch_mail_command() -> None:
    """Fetch customers' email from the mailbox (CLAIMS_IMAP_URL) now: replies join their
    cases, the rest is listed to agents and answered once; each message is then moved to
    CLAIMS_IMAP_PROCESSED_FOLDER. The service also fetches on its own, every
    CLAIMS_IMAP_POLL_SECONDS. Exits with 1 when the mailbox could not be read."""
    if not current_app.config["IMAP_URL"]:
        raise click.ClickException("CLAIMS_IMAP_URL is not set: there is no mailbox to read.")
    report = fetch_mail(get_store(), current_app.config)
    if report.busy:
        click.echo("Another fetcher is reading the mailbox now; nothing done.")
        return
    for outcome, count in sorted(report.outcomes.items()):
        click.echo(f"{outcome:<10} {count:>5}")
    if report.fetched_again:
        click.echo(f"{'again':<10} {report.fetched_again:>5} (handled before; moved only)")
    click.echo(f"Answers sent: {report.answers_sent}.")
    if report.trouble:
        raise click.ClickException(f"The mailbox could not be read: {report.trouble}")


@claims_cli.command("send-mail")
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Also try again the mail given up on (once the mail settings are fixed, say).",
)
def send_mail(retry_failed: bool) -> None:
    """Send every unsent mail now, without waiting for its next retry time.

    A message that cannot be built, or that the server refuses for good (a 5xx answer), is
    given up, listed here, on the agents' case page and by `outbox`; the rest is still sent.
    A message refused for now (4xx) waits for its next try. Exits with 1 only when the mail
    server could not be reached or used. The service also retries on its own, every
    CLAIMS_MAIL_RETRY_SECONDS.
    """
    if not current_app.config["SMTP_HOST"]:
        raise click.ClickException("CLAIMS_SMTP_HOST is not set: there is no server to send to.")
    store = get_store()
    if retry_failed:
        click.echo(f"Trying {store.outbox.retry_given_up_mail()} given-up mail again.")
    report = deliver(store, current_app.config, due_only=False)
    for line in report.given_up:
        click.echo(f"Given up: {line}")
    for line in report.retrying:
        click.echo(f"Not sent, will retry: {line}")
    waiting = sum(1 for mail in store.outbox.unsent_mail() if not mail.failed_at)
    click.echo(f"Sent {report.sent}, given up {len(report.given_up)}, still waiting {waiting}.")
    if report.server_trouble:
        raise click.ClickException(
            f"The mail server could not be used ({report.server_trouble}). The mail waits and "
            "is retried; check CLAIMS_SMTP_HOST, _PORT, _SECURITY and the sign-in settings."
        )


@claims_cli.command("outbox")
def show_outbox() -> None:
    """Mail not sent yet, oldest first: waiting for its next try, or given up on, with the
    mail server's answer or the reason. `send-mail --retry-failed` tries given-up mail again."""
    unsent = get_store().outbox.unsent_mail()
    for mail in unsent:
        state = (
            f"given up {mail.failed_at[:16]}"
            if mail.failed_at
            else (f"next try {mail.next_attempt_at[:16]}")
        )
        click.echo(
            f"{mail.reference}  {mail_name(mail.kind):<18}  {state.replace('T', ' ')}"
            f"  tries {mail.attempts}  {mail.last_error or ''}".rstrip()
        )
    given_up = sum(1 for mail in unsent if mail.failed_at)
    click.echo(f"{len(unsent) - given_up} waiting, {given_up} given up.", err=True)


@claims_cli.command("remove-orphans")
@click.option(
    "--older-than-minutes",
    default=60,
    show_default=True,
    help="Leave younger files alone: they may belong to a claim being submitted right now.",
)
@click.option("--dry-run", is_flag=True, help="List what would be removed, remove nothing.")
def remove_orphans(older_than_minutes: int, dry_run: bool) -> None:
    """Remove photo files that no case refers to (left by a crash mid-submission), and photos
    staged for a claim form that was never sent, once they are a day old."""
    photo_dir = current_app.config["PHOTO_DIR"]
    store = get_store()
    if not dry_run:
        store.staging.forget_expired()
    # Staged first: a photo filed between the two reads is then in one of them.
    staged = store.staging.live_names()
    known = staged | store.cases.stored_photo_names()
    orphans = photos.orphan_files(photo_dir, known, older_than_seconds=older_than_minutes * 60)
    for name in orphans:
        click.echo(name)
        if not dry_run:
            photos.remove_photo(photo_dir, name)
    verb = "Would remove" if dry_run else "Removed"
    click.echo(f"{verb} {len(orphans)} orphan file(s).", err=True)


@claims_cli.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=1),
    help="Retention period in days (default: CLAIMS_RETENTION_DAYS).",
)
@click.option(
    "--dry-run", is_flag=True, help="List the cases that would be purged, change nothing."
)
def purge(days: int | None, dry_run: bool) -> None:
    """Delete personal data and photos of cases resolved or closed longer ago than the
    retention period. Each case keeps an anonymous trail: its reference, type, lane, times
    and events. The help site's counts of searches and answers older than that go too."""
    days = days or current_app.config["RETENTION_DAYS"]
    store = get_store()
    photo_dir = current_app.config["PHOTO_DIR"]
    cases = store.cases.purgeable(older_than_days=days)
    for case in cases:
        click.echo(f"{case.reference}  {case.status:<8}  last change {case.updated_at[:10]}")
        if not dry_run:
            for name in store.cases.purge(case):
                photos.remove_photo(photo_dir, name)
    forgotten = 0 if dry_run else store.help_events.forget_before(older_than_days=days)
    if forgotten:
        click.echo(f"Removed {forgotten} help-site count(s) older than {days} days.", err=True)
    if (cases or forgotten) and not dry_run:
        store.connection.clear_write_ahead_log()
    verb = "Would purge" if dry_run else "Purged"
    click.echo(f"{verb} {len(cases)} case(s) finished more than {days} days ago.", err=True)


def address_argument(typed: str) -> str:
    """The EMAIL argument of the customer commands, cleaned as the claim form cleans it."""
    address = customer_data.customer_address(typed)
    if not address:
        raise click.BadParameter("give the customer's email address", param_hint="EMAIL")
    return address


@claims_cli.command("customer-export")
@click.argument("email")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The ZIP file to write (default: customer-data-DATE.zip here); never overwritten.",
)
def customer_export(email: str, out: Path | None) -> None:
    """Everything held about one customer, found by EMAIL (capitals do not matter) across
    every case: a ZIP with README.txt, cases.json (each case's fields, messages and history
    as the customer saw them: no internal notes, no agent names unless
    CLAIMS_CUSTOMER_EXPORT_AGENT_NAMES is true) and the photos as stored, with their sha256.
    Noted in each case's history."""
    address = address_argument(email)
    out = out or Path(f"customer-data-{datetime.now(UTC):%Y%m%d-%H%M%S}.zip")
    if out.exists():
        raise click.ClickException(f"{out} exists already; choose another --out.")
    if not out.parent.is_dir():
        raise click.ClickException(f"There is no folder {out.parent}; create it first.")
    # Written next to its place and renamed into it: never a half-written archive.
    with tempfile.NamedTemporaryFile(dir=out.parent, suffix=".part", delete=False) as partial:
        try:
            cases = customer_data.export_archive(
                get_store(), address, partial, current_app.config, actor="system"
            )
        except BaseException:
            os.unlink(partial.name)
            raise
    if not cases:
        os.unlink(partial.name)
        click.echo(f"No cases were filed with {address}; nothing to export.")
        return
    os.replace(partial.name, out)
    click.echo(f"Exported {len(cases)} case(s) of {address} to {out}.")


@claims_cli.command("customer-erase")
@click.argument("email")
@click.option("--dry-run", is_flag=True, help="List what would be erased, change nothing.")
def customer_erase(email: str, dry_run: bool) -> None:
    """Erase one customer's personal data, found by EMAIL (capitals do not matter), from
    every case: email, order reference, description, messages, photos (records and files) and
    queued mail; personal links stop working. Open cases are closed first, with the reason.
    Each case keeps the anonymous trail `purge` keeps: reference, type, lane, times and events.
    Running it again changes nothing."""
    address = address_argument(email)
    store = get_store()
    holdings = store.customers.holdings(address)
    for held in holdings:
        case = held.case
        closing = "closed first; " if case.status not in FINISHED else ""
        click.echo(
            f"{case.reference}  {case.status:<16}  {closing}{held.photos} photo(s),"
            f" {held.messages} message(s), {held.queued_mail} queued mail"
        )
    if not holdings:
        click.echo(f"No cases were filed with {address}; nothing to erase.")
    if dry_run:
        click.echo(f"Would erase {len(holdings)} case(s) of {address}.", err=True)
        return
    erasure, cleared = customer_data.erase(
        store, address, current_app.config["PHOTO_DIR"], actor="system"
    )
    if erasure.references:
        click.echo(
            f"Erased {len(erasure.references)} case(s) of {address}"
            f" ({len(erasure.closed)} closed first).",
            err=True,
        )
    if not cleared:
        click.echo(
            "The database's write-ahead log was busy: erased values stay in it until its next "
            "checkpoint. Run this command again later to clear it.",
            err=True,
        )


@claims_cli.command("agent-add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(AGENT_ROLES),
    help="editor or lead: also sees the insight page (/agent/insight). Without it, the queue"
    " only; running agent-add again sets the role anew.",
)
def agent_add(name: str, role: str | None) -> None:
    """Create a support agent, or set a new password (and role) for one (which ends their
    open sessions at once).

    The password is asked for at the prompt, or read from the first line of standard input.
    """
    if not AGENT_NAME.fullmatch(name):
        raise click.BadParameter("use 2 to 40 letters, digits, dots, dashes or underscores")
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"Use a password of at least {MIN_PASSWORD_LENGTH} characters.")
    get_store().agents.add_agent(name, generate_password_hash(password), role or "")
    as_role = f" as {role}" if role else ""
    click.echo(f"Agent {name} can sign in{as_role} at /agent/.")


@claims_cli.command("agent-disable")
@click.argument("name")
def agent_disable(name: str) -> None:
    """Stop an agent signing in; their open sessions end at once."""
    if not get_store().agents.disable_agent(name):
        raise click.ClickException(f"There is no agent called {name}.")
    click.echo(f"Agent {name} is disabled.")


def init_app(app: Flask) -> None:
    app.cli.add_command(claims_cli)
