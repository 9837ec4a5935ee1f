"""Mail to customers: composed from the case log, delivered from the outbox.

What a status email says comes from the lifecycle table: the status's label, and the message
of the action that moved the case there.

Submissions only add a row to the outbox, in the same transaction as the case, so a
confirmation is never lost and a slow or broken mail server never holds up a customer.
Each worker runs a small background courier that delivers due mail after a submission
and retries what failed every ``MAIL_RETRY_SECONDS``; ``flask claims send-mail`` does
the same once, from the command line.

No one message can stop the others: a message that cannot be built, or that the server
refuses for good (a 5xx answer, an address it cannot take), is given up at its first try and
shown to agents; a message refused for now (4xx) waits for its next try while the round goes
on. Only a server that cannot be reached or used ends a round, since the rest would fail too.
"""

import contextlib
import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import Flask

from claims import links
from claims.background import Poller
from claims.catalog import CLAIM_TYPES
from claims.lifecycle import OUTCOMES, Status, reaching
from claims.mailin import addresses
from claims.store import Store, open_store
from claims.store.connection import Unavailable
from claims.store.records import Case, OutgoingMail
from claims.webhooks import deliver_webhooks

log = logging.getLogger(__name__)

MAIL_NAMES = {
    "confirmation": "Confirmation email",
    "status": "Status email",
    "agent_alert": "Email to agents",
}
FIRST_RETRY_SECONDS = 60
LONGEST_RETRY_SECONDS = 3600

NOT_LATIN = (
    "We can only send mail to addresses with Latin letters (a to z), digits and . _ - + before "
    "the @, which every mail server takes. If you have another address, please use that one."
)
ENCODED_WORD = (
    "This address contains “=?”, which mail programs read as encoded text, not as part of an "
    "address. Check that you typed your address as you use it."
)
NOT_AN_ADDRESS = "Enter an email address like name@example.com."


def mail_name(kind: str) -> str:
    """What agents and operators call a kind of mail."""
    return MAIL_NAMES.get(kind, "Email")


class Undeliverable(ValueError):
    """A message that can never go out as it is, whatever the mail server does; str() says why,
    in words for the customer who typed the address or the agent who reads the case."""


def mailbox(address: str, smtputf8: bool = True) -> str:
    """The address to send to, with its domain in ASCII (IDNA) so any server takes it.

    The form passes smtputf8=False: a customer's mail must reach them through servers we do
    not know, and many still refuse non-ASCII before the @ (no SMTPUTF8). Addresses already in
    the case log get their try whatever the form said when they were filed. An RFC 2047 encoded
    word (``=?…?=``) is refused either way: mail programs decode it into another address, or
    into line breaks no header can hold.
    """
    local_part = address.rpartition("@")[0]
    if not (smtputf8 or local_part.isascii()):
        raise Undeliverable(NOT_LATIN)
    if "=?" in local_part:
        raise Undeliverable(ENCODED_WORD)
    try:
        checked = validate_email(address, check_deliverability=False, allow_smtputf8=smtputf8)
    except EmailNotValidError as error:
        raise Undeliverable(f"{NOT_AN_ADDRESS} {error}") from error
    return checked.ascii_email or checked.normalized


def compose(
    store: Store, case: Case, mail: OutgoingMail, config: Mapping[str, Any]
) -> EmailMessage:
    """The message for one outbox entry of `case`: the confirmation, or news of a status change."""
    if mail.kind == "agent_alert":
        return agent_alert(case, config)
    if mail.kind == "confirmation":
        subject, lines = confirmation(case)
    elif mail.status is None:
        raise Undeliverable(f"A {mail_name(mail.kind).lower()} names no status to announce.")
    else:
        subject, lines = status_news(store, case, Status(mail.status))
    if config.get("PUBLIC_URL"):
        lines += ["", *case_links(case, config)]
    if config.get("IMAP_URL"):
        lines += ["", "You can also answer by replying to this email; add photos as attachments."]
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = mailbox(case.email)
    message["Subject"] = subject
    thread(message, config, case, mail)
    message.set_content("\n".join(lines) + "\n")
    return message


def thread(
    message: EmailMessage, config: Mapping[str, Any], case: Case, mail: OutgoingMail
) -> None:
    """Headers that keep a case's mail in one thread and bring replies back to the case: the
    case's signed reply address (when the mailbox is read) and the thread's message ids."""
    if config.get("IMAP_URL"):
        message["Reply-To"] = addresses.reply_address(config, case)
    message["Message-ID"] = addresses.message_id(config, case, mail.id, mail.kind)
    if mail.kind != "confirmation":
        message["In-Reply-To"] = message["References"] = addresses.thread_root(config, case)


def case_links(case: Case, config: Mapping[str, Any]) -> list[str]:
    """The customer's personal link to the case, and the look-up page for when it expires."""
    base = config["PUBLIC_URL"].rstrip("/")
    token = links.make_token(config["SECRET_KEY"], case.reference, case.link_version)
    return [
        f"Open your case: {base}/claims/case/{token}",
        f"This link is for you alone and works for {config['CASE_LINK_DAYS']} days; after that,"
        f" look your case up with its reference and this email address: {base}/claims/status",
    ]


def build(store: Store, case: Case, mail: OutgoingMail, config: Mapping[str, Any]) -> EmailMessage:
    """The message for one outbox entry, or Undeliverable when it cannot be written.

    Whatever building trips on comes from this message's own data (a row written by an older
    version or by hand, a header no mail can hold), so it would trip again: the message is
    given up, not retried.
    """
    try:
        return compose(store, case, mail, config)
    except (Undeliverable, Unavailable):
        raise  # already says why; or the case log is down, which is no fault of this message
    except Exception as error:
        log.exception("Mail %s cannot be built", mail.id)
        raise Undeliverable(
            f"The message cannot be built: {type(error).__name__}: {error}"
        ) from error


def agent_alert(case: Case, config: Mapping[str, Any]) -> EmailMessage:
    """Tell the agents' address that a priority case came in (what, not who: no customer
    data leaves the console)."""
    claim_type = CLAIM_TYPES[case.claim_type]
    lines = [f"A new priority case came in: {case.reference}, {claim_type.label}."]
    if config.get("PUBLIC_URL"):
        lines += ["", f"Open it: {config['PUBLIC_URL'].rstrip('/')}/agent/cases/{case.reference}"]
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = mailbox(config["AGENT_ALERT_EMAIL"])
    message["Subject"] = f"New priority case {case.reference}: {claim_type.label}"
    message.set_content("\n".join(lines) + "\n")
    return message


def confirmation(case: Case) -> tuple[str, list[str]]:
    claim_type = CLAIM_TYPES[case.claim_type]
    return f"We received your claim {case.reference}", [
        "Hello,",
        "",
        f"We received your claim about order {case.order_ref} ({claim_type.label}).",
        "",
        f"Your case reference is {case.reference}. Keep it: you need it, with this email "
        "address, to check the status of your case.",
        "",
        "Cases are reviewed in the order they are received, with priority given to issues "
        "requiring quality verification or urgent clarification.",
    ]


def status_news(store: Store, case: Case, status: Status) -> tuple[str, list[str]]:
    """News that the case reached `status` (it may have moved on since: say what it was),
    with what the agent wrote when moving it there."""
    lines = [
        "Hello,",
        "",
        f"Your case {case.reference} (order {case.order_ref}) is now: {status.label}.",
    ]
    last = store.history.latest(case.id, *reaching(status))
    if status == Status.WAITING_CUSTOMER:
        lines += [
            "",
            "To continue, we need the following from you:",
            "",
            last.text if last else "",
            "",
            "Please answer on the page of your case; you can add photos there.",
        ]
    elif last is not None:
        if last.detail in OUTCOMES:
            lines += ["", f"Outcome: {OUTCOMES[last.detail]}."]
        if last.text:
            lines += ["", last.text]
    return f"Your case {case.reference}: {status.label}", lines


def connect(config: Mapping[str, Any]) -> smtplib.SMTP:
    """A connection to the SMTP server named in the settings, signed in when configured."""
    host, port, timeout = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"]
    security = config["SMTP_SECURITY"]
    smtp_class = smtplib.SMTP_SSL if security == "ssl" else smtplib.SMTP
    smtp = smtp_class(host, port, timeout=timeout)
    try:
        if security == "starttls":
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


class MessageRefused(Exception):
    """The server refused this one message (not every message): for good, or for now."""

    def __init__(self, reason: str, for_good: bool):
        super().__init__(reason)
        self.for_good = for_good


def server_answer(code: int, text: bytes | str) -> str:
    text = text.decode(errors="replace") if isinstance(text, bytes) else text
    return f"{code} {text}".strip()


def refusal(error: smtplib.SMTPException) -> MessageRefused | None:
    """How `send_message` failing counts: a refusal of this message (a 5xx answer is for good,
    RFC 5321 4.2.1), or None when the trouble is the server's (gone, refusing our sender or
    sign-in), which every message would meet."""
    if isinstance(error, smtplib.SMTPNotSupportedError):  # non-ASCII address, no SMTPUTF8
        return MessageRefused(
            "The mail server does not take addresses with non-ASCII characters before the @ "
            "(it does not offer SMTPUTF8).",
            for_good=True,
        )
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = list(error.recipients.values())
        reason = "; ".join(server_answer(code, text) for code, text in answers)
        return MessageRefused(
            f"The mail server refused the address: {reason}",
            for_good=all(code >= 500 for code, _ in answers),
        )
    if isinstance(error, smtplib.SMTPDataError):
        reason = server_answer(error.smtp_code, error.smtp_error)
        return MessageRefused(
            f"The mail server refused the message: {reason}", for_good=error.smtp_code >= 500
        )
    return None


@dataclass
class Report:
    """What one round through the outbox did; each entry names the case, the mail and why."""

    sent: int = 0
    given_up: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    server_trouble: str | None = None  # why the round stopped early, if it did


class Round:
    """One pass through the outbox, oldest first, each mail at most once, over one SMTP
    connection opened when the first message is ready."""

    def __init__(self, store: Store, config: Mapping[str, Any]) -> None:
        self.store, self.config = store, config
        self.smtp: smtplib.SMTP | None = None
        self.report = Report()

    def run(self, due_only: bool) -> Report:
        last_id = 0
        try:
            while mail := self.store.outbox.claim_mail(due_only=due_only, after_id=last_id):
                last_id = mail.id
                if not self.deliver(mail):
                    break
        finally:
            self.hang_up()
        return self.report

    def deliver(self, mail: OutgoingMail) -> bool:
        """Send one mail, or record why not; False when the server cannot be used now."""
        case = self.store.cases.case_by_id(mail.case_id)
        if case is None or case.purged_at:
            self.store.outbox.mail_dropped(mail)  # nobody left to write to
            return True
        name = f"{case.reference} {mail_name(mail.kind).lower()}"
        try:
            self.send(build(self.store, case, mail, self.config))
        except Undeliverable as error:
            self.give_up(mail, name, str(error))
        except MessageRefused as refused:
            (self.give_up if refused.for_good else self.retry)(mail, name, str(refused))
        except (smtplib.SMTPException, OSError) as error:
            self.report.server_trouble = f"{type(error).__name__}: {error}"
            self.retry(mail, name, self.report.server_trouble)
            return False
        else:
            # The customer's history tells of mail to them; the agents' alerts stay out of it.
            told = f"{mail_name(mail.kind)} sent" if mail.kind != "agent_alert" else ""
            self.store.outbox.mail_sent(mail, told)
            self.report.sent += 1
        return True

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the server, connecting first; MessageRefused when the server
        refused this message alone."""
        self.smtp = self.smtp or connect(self.config)
        try:
            self.smtp.send_message(message)
        except smtplib.SMTPException as error:
            refused = refusal(error)
            if refused is None:
                raise
            raise refused from error

    def give_up(self, mail: OutgoingMail, name: str, reason: str) -> None:
        self.store.outbox.mail_given_up(mail, reason, f"{mail_name(mail.kind)} not sent")
        log.warning("Mail %s (%s) given up: %s", mail.id, name, reason)
        self.report.given_up.append(f"{name}: {reason}")

    def retry(self, mail: OutgoingMail, name: str, reason: str) -> None:
        delay = min(FIRST_RETRY_SECONDS * 2**mail.attempts, LONGEST_RETRY_SECONDS)
        self.store.outbox.mail_failed(mail, reason, delay)
        log.warning("Mail %s (%s) not sent, retrying in %ss: %s", mail.id, name, delay, reason)
        self.report.retrying.append(f"{name}: {reason}")

    def hang_up(self) -> None:
        if self.smtp is not None:
            # Saying goodbye to a server that already went away changes nothing that was sent.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp.close()


def deliver(store: Store, config: Mapping[str, Any], due_only: bool = True) -> Report:
    """Send unsent mail (only what is due for a retry, when due_only) and say how it went."""
    if not config["SMTP_HOST"]:
        return Report()
    return Round(store, config).run(due_only)


class Courier(Poller):
    """A background thread per worker process that delivers the outbox; each round takes a
    fresh connection, so a database restart costs one round at most."""

    name = "mail-courier"

    def enabled(self) -> bool:
        config = self.app.config
        return bool((config["SMTP_HOST"] or config["WEBHOOK_URL"]) and config["MAIL_BACKGROUND"])

    def interval(self) -> float:
        return self.app.config["MAIL_RETRY_SECONDS"]

    def work(self) -> None:
        with open_store(self.app.config) as store:
            deliver(store, self.app.config)
            deliver_webhooks(store, self.app.config)


def init_app(app: Flask) -> None:
    """Give the app a courier; each worker starts it with its first request."""
    courier = Courier(app)
    app.extensions["courier"] = courier
    app.before_request(courier.ensure_running)


def nudge_courier(app: Flask) -> None:
    app.extensions["courier"].nudge()
