"""Mail to customers: composed from the case log, delivered from the outbox.

Submissions only add a row to the outbox, in the same transaction as the case, so a
confirmation is never lost and a slow or broken mail server never holds up a customer.
Each worker runs a small background courier that delivers due mail after a submission
and retries what failed every ``MAIL_RETRY_SECONDS``; ``flask claims send-mail`` does
the same once, from the command line.
"""

import logging
import os
import smtplib
import threading
from email.message import EmailMessage

from flask import Flask

from claims.caselog import (
    CLOSED,
    OUTCOMES,
    RESOLVED,
    STATUS_LABELS,
    WAITING_CUSTOMER,
    Case,
    CaseLog,
    OutgoingMail,
)
from claims.catalog import CLAIM_TYPES

log = logging.getLogger(__name__)

SENT_DESCRIPTION = {"confirmation": "Confirmation email sent", "status": "Status email sent"}
FIRST_RETRY_SECONDS = 60
LONGEST_RETRY_SECONDS = 3600


def compose(caselog: CaseLog, case: Case, mail: OutgoingMail, config) -> EmailMessage:
    """The message for one outbox entry of `case`: the confirmation, or news of a status change."""
    if mail.kind == "confirmation":
        subject, lines = confirmation(case)
    else:
        subject, lines = status_news(caselog, case, mail.status)
    if config.get("PUBLIC_URL"):
        status_url = f"{config['PUBLIC_URL'].rstrip('/')}/claims/status?reference={case.reference}"
        lines += ["", f"Check the status of your case: {status_url}"]
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = case.email
    message["Subject"] = subject
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


def status_news(caselog: CaseLog, case: Case, status: str) -> tuple[str, list[str]]:
    """News that the case reached `status` (it may have moved on since: say what it was)."""
    label = STATUS_LABELS[status]
    lines = ["Hello,", "", f"Your case {case.reference} (order {case.order_ref}) is now: {label}."]
    if status == WAITING_CUSTOMER:
        request = caselog.latest_event(case.id, "asked_customer")
        lines += [
            "",
            "To continue, we need the following from you:",
            "",
            request.text if request else "",
            "",
            "Please answer on the status page of your case, with your case reference and this "
            "email address; you can add photos there.",
        ]
    elif status in (RESOLVED, CLOSED):
        last = caselog.latest_event(case.id, "resolved" if status == RESOLVED else "closed")
        if last and last.detail in OUTCOMES:
            lines += ["", f"Outcome: {OUTCOMES[last.detail]}."]
        if last and last.text:
            lines += ["", last.text]
    return f"Your case {case.reference}: {label}", lines


def send(message: EmailMessage, config) -> None:
    """Hand one message to the SMTP server named in the settings."""
    host, port, timeout = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"]
    security = config["SMTP_SECURITY"]
    smtp_class = smtplib.SMTP_SSL if security == "ssl" else smtplib.SMTP
    with smtp_class(host, port, timeout=timeout) as smtp:
        if security == "starttls":
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
        smtp.send_message(message)


def deliver(caselog: CaseLog, config, due_only: bool = True) -> tuple[int, int]:
    """Send unsent mail (only what is due for a retry, when due_only).

    Returns how many were sent and how many failed; stops at the first failure, since
    the server is then most likely down for the rest too.
    """
    sent = failed = 0
    if not config["SMTP_HOST"]:
        return sent, failed
    while mail := caselog.claim_mail(due_only=due_only):
        case = caselog.case_by_id(mail.case_id)
        if case.purged_at:
            caselog.mail_dropped(mail)  # nobody left to write to
            continue
        try:
            send(compose(caselog, case, mail, config), config)
        except (smtplib.SMTPException, OSError) as error:
            delay = min(FIRST_RETRY_SECONDS * 2**mail.attempts, LONGEST_RETRY_SECONDS)
            caselog.mail_failed(mail, f"{type(error).__name__}: {error}", delay)
            log.warning("Mail %s not sent, retrying in %ss: %s", mail.id, delay, error)
            failed += 1
            break
        caselog.mail_sent(mail, SENT_DESCRIPTION[mail.kind])
        sent += 1
    return sent, failed


class Courier:
    """A background thread per worker process that delivers the outbox."""

    def __init__(self, app: Flask):
        self.app = app
        self.wake_up = threading.Event()
        self.thread: threading.Thread | None = None
        self.pid = 0

    def ensure_running(self) -> None:
        """Start the thread in this process (a fresh worker, a fork) when mail is configured."""
        if not (self.app.config["SMTP_HOST"] and self.app.config["MAIL_BACKGROUND"]):
            return
        if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
            self.pid = os.getpid()
            self.thread = threading.Thread(target=self.run, name="mail-courier", daemon=True)
            self.thread.start()

    def nudge(self) -> None:
        """Deliver soon: there is new mail."""
        self.ensure_running()
        self.wake_up.set()

    def run(self) -> None:
        """Deliver what is due now, then again whenever nudged or the retry interval passes.

        Each round takes a fresh connection, so a database restart costs one round at most.
        """
        while True:
            try:
                caselog = CaseLog(self.app.config["DATABASE_URL"])
                try:
                    deliver(caselog, self.app.config)
                finally:
                    caselog.close()
            except Exception:  # the courier must outlive any one bad mail or database hiccup
                log.exception("Mail delivery failed; will retry")
            self.wake_up.wait(timeout=self.app.config["MAIL_RETRY_SECONDS"])
            self.wake_up.clear()


def init_app(app: Flask) -> None:
    """Give the app a courier; each worker starts it with its first request."""
    courier = Courier(app)
    app.extensions["courier"] = courier
    app.before_request(courier.ensure_running)


def nudge_courier(app: Flask) -> None:
    app.extensions["courier"].nudge()
