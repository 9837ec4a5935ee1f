"""``flask --app wsgi claims …``: the case log from the command line."""

import json

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from claims import photos
from claims.caselog import CaseLog
from claims.db import get_caselog
from claims.mail import deliver

claims_cli = AppGroup("claims", help="Work with the claim service's case log.")


@claims_cli.command("init-db")
def init_db():
    """Create the case log's tables (the service also does this when it starts)."""
    CaseLog(current_app.config["DATABASE_URL"]).create_schema()
    click.echo(f"Case log ready at {current_app.config['DATABASE_URL']}")


@claims_cli.command("queue")
@click.option("--limit", default=100, show_default=True, help="How many cases to show.")
def show_queue(limit: int):
    """The queue as agents take it: one waiting case a line, next first."""
    caselog = get_caselog()
    for position, case in enumerate(caselog.queue(limit=limit), start=1):
        click.echo(
            f"{position:>5}  {case.reference}  {case.lane:<8}  {case.claim_type:<20}"
            f"  {case.received_at}  order {case.order_ref}"
        )


@claims_cli.command("export")
def export():
    """Every case as JSON Lines: its fields, its events in order, its photos' sha256.

    Each photo's sha256 is computed from the file as it is stored now; a missing file
    shows as null, so an export also proves every photo is still there.
    """
    caselog = get_caselog()
    photo_dir = current_app.config["PHOTO_DIR"]
    for case in caselog.all_cases():
        record = vars(case) | {
            "events": [vars(event) for event in caselog.events(case.id)],
            "photos": [
                vars(photo) | {"sha256": photos.file_sha256(photo_dir, photo.stored_name)}
                for photo in caselog.photos(case.id)
            ],
        }
        click.echo(json.dumps(record, ensure_ascii=False))


@claims_cli.command("send-mail")
def send_mail():
    """Send every unsent mail now, without waiting for its next retry time.

    The service also retries on its own, every CLAIMS_MAIL_RETRY_SECONDS.
    """
    if not current_app.config["SMTP_HOST"]:
        raise click.ClickException("CLAIMS_SMTP_HOST is not set: there is no server to send to.")
    sent, failed = deliver(get_caselog(), current_app.config, due_only=False)
    waiting = len(get_caselog().unsent_mail())
    click.echo(f"Sent {sent}, failed {failed}, still waiting {waiting}.")
    if failed:
        raise SystemExit(1)


@claims_cli.command("remove-orphans")
@click.option(
    "--older-than-minutes",
    default=60,
    show_default=True,
    help="Leave younger files alone: they may belong to a claim being submitted right now.",
)
@click.option("--dry-run", is_flag=True, help="List what would be removed, remove nothing.")
def remove_orphans(older_than_minutes: int, dry_run: bool):
    """Remove photo files that no case refers to (left by a crash mid-submission)."""
    photo_dir = current_app.config["PHOTO_DIR"]
    known = get_caselog().stored_photo_names()
    orphans = photos.orphan_files(photo_dir, known, older_than_seconds=older_than_minutes * 60)
    for name in orphans:
        click.echo(name)
        if not dry_run:
            photos.remove_photo(photo_dir, name)
    verb = "Would remove" if dry_run else "Removed"
    click.echo(f"{verb} {len(orphans)} orphan file(s).", err=True)


def init_app(app: Flask) -> None:
    app.cli.add_command(claims_cli)
