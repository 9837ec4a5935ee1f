"""Fetching the mailbox: each message is judged, added to its case or kept as unmatched, and
only then moved to the processed folder.

One fetcher at a time holds the mailbox lease (across workers and servers). A message is
recorded by its Message-ID, so one fetched twice (a crash before the move, a copy in the
folder) is added once. A reply is attached only when its reply address carries a valid
signature for a case and it comes from that case's email address; anything else is kept for
agents and gets one polite answer (never automatic mail, never twice a day to one sender).
"""

import hashlib
import io
import logging
import os
import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from claims import intake
from claims.background import Poller
from claims.lifecycle import FINISHED
from claims.mailin import addresses, answers
from claims.mailin.imap import Mailbox, MailboxTrouble
from claims.mailin.reading import ReadMail, normalised, read_mail
from claims.store import Store, open_store
from claims.store.cases import TransitionRefused
from claims.store.inbound import InboundMail

log = logging.getLogger(__name__)

HOUR = 3600


@dataclass
class FetchReport:
    """What one round did."""

    outcomes: dict[str, int] = field(default_factory=dict)  # attached, unmatched, ignored, held
    fetched_again: int = 0  # already recorded: moved without adding anything
    answers_sent: int = 0
    busy: bool = False  # another fetcher holds the mailbox
    trouble: str | None = None  # why the mailbox could not be read (or read to the end)


def fetch_mail(store: Store, config: Mapping[str, Any], holder: str | None = None) -> FetchReport:
    """One round: take the lease, handle every message waiting, send the answers due."""
    report = FetchReport()
    holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    lease = config["IMAP_LEASE_SECONDS"]  # renewed with every message
    if not store.inbound.take_lease(holder, lease):
        report.busy = True
        return report
    try:
        with Mailbox(
            config["IMAP_URL"],
            config["IMAP_PROCESSED_FOLDER"],
            config["IMAP_CA_FILE"],
            config["IMAP_TIMEOUT"],
        ) as mailbox:
            for uid in mailbox.waiting():
                take_in(store, config, mailbox, uid, report)
                mailbox.done(uid)
                if not store.inbound.take_lease(holder, lease):
                    break  # this round outlasted its lease and another fetcher took over
    except MailboxTrouble as trouble:
        report.trouble = str(trouble)
        log.warning("Mailbox not fetched: %s", trouble)
    finally:
        report.answers_sent = answers.send_due(store, config)
        store.inbound.release_lease(holder)
    return report


def take_in(
    store: Store, config: Mapping[str, Any], mailbox: Mailbox, uid: str, report: FetchReport
) -> None:
    """Read one message from the mailbox, then record (and attach) it, once."""
    too_large = mailbox.size(uid) > config["MAX_MAIL_BYTES"]
    raw = mailbox.fetch(uid, headers_only=too_large)
    mail = readable(raw)
    if store.inbound.seen(mail.message_id):
        report.fetched_again += 1
        return
    judged = judge(store, config, mail, raw, too_large)
    store.inbound.record(judged)
    report.outcomes[judged.outcome] = report.outcomes.get(judged.outcome, 0) + 1


def readable(raw: bytes) -> ReadMail:
    """The message read, or, when it is too broken for the parser, an unreadable one that is
    kept for agents: one bad message must not stop the mailbox for good."""
    try:
        return read_mail(raw)
    except Exception as error:
        log.exception("An email could not be read")
        return ReadMail(
            message_id=f"<{hashlib.sha256(raw).hexdigest()}@unreadable>",
            sender="",
            recipients=[],
            subject="",
            new_text="",
            automatic=f"unreadable: {type(error).__name__}",
        )


def judge(
    store: Store, config: Mapping[str, Any], mail: ReadMail, raw: bytes, too_large: bool
) -> InboundMail:
    """What becomes of a message: attached to its case (done here, committed), or why not."""

    def outcome(
        kind: str, reason: str, case_id: int | None = None, refused: str = ""
    ) -> InboundMail:
        return InboundMail(
            message_id=mail.message_id,
            sender=mail.sender,
            subject=mail.subject,
            case_id=case_id,
            outcome=kind,
            reason=reason,
            refused_attachments=refused,
            original=raw.decode("utf-8", errors="replace").replace("\0", "\ufffd"),
            # Unmatched mail is answered, and attached mail with refused photos (so the
            # customer knows); automatic mail and floods never are.
            answer_due=kind == "unmatched" or (kind == "attached" and bool(refused)),
        )

    if mail.automatic:
        return outcome("ignored", f"Automatic mail ({mail.automatic}): not attached, not answered.")
    if store.inbound.from_sender_since(mail.sender, HOUR) >= config["MAIL_PER_SENDER_HOUR"]:
        return outcome("held", "More mail from this sender in an hour than the limit allows.")
    if too_large:
        limit = config["MAX_MAIL_BYTES"]
        size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 1024} KB"
        return outcome("unmatched", f"The message is larger than {size}.")
    if mail.parts > config["MAX_MAIL_PARTS"]:
        return outcome("unmatched", f"The message has more than {config['MAX_MAIL_PARTS']} parts.")
    claimed = addresses.claimed_token(mail.recipients)
    if claimed is None:
        return outcome("unmatched", "It was not sent to the reply address of a case.")
    reference, signature = claimed
    case = store.cases.case_by_reference(reference)
    if case is None or case.purged_at or not addresses.signature_holds(config, case, signature):
        return outcome("unmatched", "Its reply address names no case (unknown or altered).")
    if normalised(case.email) != mail.sender:
        return outcome("unmatched", "It does not come from the email address of the case.")
    if store.inbound.to_case_since(case.id, HOUR) >= config["MAIL_PER_CASE_HOUR"]:
        return outcome("held", "More mail to this case in an hour than the limit allows.", case.id)
    # Settled: the reply reopens the case; otherwise it answers or adds, as the status says.
    action = "reopen" if case.status in FINISHED else None
    uploads = [
        intake.MailAttachment(io.BytesIO(attachment.content), attachment.name)
        for attachment in mail.attachments
    ]
    try:
        _, refused = intake.add_by_mail(
            store,
            intake.PhotoShelf.from_config(config),
            case,
            action,
            mail.new_text,
            uploads,
            submission_key=submission_key(mail.message_id),
            max_photos=config["MAX_PHOTOS"],
            reopen_days=config["REOPEN_DAYS"],
        )
    except TransitionRefused as refusal:
        return outcome("unmatched", str(refusal), case.id)
    refusals = "\n".join(str(problem) for problem in refused)
    return outcome("attached", f"Added to case {case.reference}.", case.id, refusals)


def submission_key(message_id: str) -> str:
    """The key a message's addition to its case carries: the case takes one message once,
    even when the fetcher died after the case committed it and before it was recorded."""
    return hashlib.sha256(f"mail\0{message_id}".encode()).hexdigest()


class Fetcher(Poller):
    """Fetches the mailbox in the background, in every worker; the lease lets one at a time."""

    name = "mail-fetcher"

    def enabled(self) -> bool:
        return bool(self.app.config["IMAP_URL"] and self.app.config["MAIL_BACKGROUND"])

    def interval(self) -> float:
        return self.app.config["IMAP_POLL_SECONDS"]

    def work(self) -> None:
        with open_store(self.app.config) as store:
            fetch_mail(store, self.app.config)


def init_app(app: Flask) -> None:
    """Give the app a fetcher; each worker starts it with its first request."""
    fetcher = Fetcher(app)
    app.extensions["fetcher"] = fetcher
    app.before_request(fetcher.ensure_running)
