"""The one automatic answer to mail we could not attach (or whose photos we refused): what
happened and where to go instead. Never to automatic mail (those are not marked due), and at
most one a day to a sender, so two robots can never answer each other for ever.
"""

import logging
import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from claims.mail import Undeliverable, connect, mailbox
from claims.store import Store
from claims.store.inbound import RecordedMail

log = logging.getLogger(__name__)

DAY = 86400


def compose(mail: RecordedMail, config: Mapping[str, Any]) -> EmailMessage:
    """The answer to one recorded message."""
    public_url = (config.get("PUBLIC_URL") or "").rstrip("/")
    status_page = f"{public_url}/claims/status"
    if mail.outcome == "attached":
        lines = [
            "Hello,",
            "",
            f"Thank you for your email. We added it to your case {mail.reference}, but not "
            "these attachments:",
            "",
            *[f"- {line}" for line in mail.refused_attachments.splitlines()],
            "",
            f"You can add photos (JPEG, PNG, WebP or HEIC) on the status page of your case: "
            f"{status_page}",
        ]
    else:
        lines = [
            "Hello,",
            "",
            "Thank you for your email. We could not add it to a case automatically:",
            f"{mail.reason}",
            "",
            "To add information or photos to your case, please use its status page, with your "
            f"case reference and the email address you gave us: {status_page}",
            "",
            "To reply by email, answer one of the emails we sent you about your case, from the "
            "address you gave us. To report a new problem, file a claim: "
            f"{public_url}/claims/new",
        ]
        if mail.refused_attachments:
            lines += ["", "Attachments we could not accept:", mail.refused_attachments]
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = mailbox(mail.sender)
    message["Subject"] = f"Re: {mail.subject}" if mail.subject else "Your email to our help desk"
    message["Auto-Submitted"] = "auto-replied"  # RFC 3834: answering machines stay quiet
    message["In-Reply-To"] = message["References"] = mail.message_id
    message.set_content("\n".join(lines) + "\n")
    return message


def send_due(store: Store, config: Mapping[str, Any]) -> int:
    """Send the answers due; returns how many went out. One a day per sender at most; an
    answer the mail server cannot take now is tried again with the next round."""
    if not config["SMTP_HOST"]:
        return 0
    sent = 0
    smtp: smtplib.SMTP | None = None
    try:
        for mail in store.inbound.answers_due():
            if store.inbound.answered_since(mail.sender, DAY):
                store.inbound.answer_settled(mail.id, sent=False)
                continue
            try:
                message = compose(mail, config)
            except Undeliverable as error:
                log.warning("No answer to mail %s: %s", mail.id, error)
                store.inbound.answer_settled(mail.id, sent=False)
                continue
            smtp = smtp or connect(config)
            try:
                smtp.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
                log.warning("Answer to mail %s refused: %s", mail.id, error)
                store.inbound.answer_settled(mail.id, sent=False)
                continue
            store.inbound.answer_settled(mail.id, sent=True)
            sent += 1
    except (smtplib.SMTPException, OSError) as error:
        log.warning("Answers not sent now: %s", error)
    finally:
        if smtp is not None:
            smtp.close()
    return sent
