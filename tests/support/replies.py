"""Replies as mail clients write them, built from their documented and observed formats:
where each client puts the reply header ("On … wrote:"), how it quotes, where the signature
goes. Each builder returns the raw message and the words the customer wrote now, which is all
that should reach the case.
"""

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

QUESTION = "Could you send a photo of the label on the box?"


@dataclass(frozen=True)
class Envelope:
    """Who writes to whom about what, as the client fills it in when replying."""

    sender: str  # the customer, e.g. "Ana Lima <ana@example.com>"
    to: str  # the Reply-To of our mail
    subject: str  # our subject; the client adds "Re: "
    in_reply_to: str  # our Message-ID
    ours: str = "Shop help <help@shop.example>"


def headers(message: EmailMessage, envelope: Envelope, mailer: str = "") -> EmailMessage:
    message["From"] = envelope.sender
    message["To"] = envelope.to
    message["Subject"] = f"Re: {envelope.subject}"
    message["Date"] = "Thu, 12 Nov 2026 10:15:00 +0100"
    message["Message-ID"] = make_msgid(domain="mail.example.com")
    message["In-Reply-To"] = message["References"] = envelope.in_reply_to
    if mailer:
        message["X-Mailer"] = mailer
    return message


def plain(envelope: Envelope, text: str) -> bytes:
    """A plain reply, nothing quoted (as a customer who deletes the quote writes)."""
    message = headers(EmailMessage(), envelope)
    message.set_content(text + "\n")
    return bytes(message)


def gmail(envelope: Envelope, text: str) -> bytes:
    """Gmail: text and HTML alternatives; "On <date> <name> <addr> wrote:" above a ">" quote;
    the HTML quote in div.gmail_quote > blockquote; the signature after "-- "."""
    message = headers(EmailMessage(), envelope)
    message.set_content(
        f"{text}\n\n-- \nAna Lima\n\n"
        f"On Thu, Nov 12, 2026 at 10:02 AM {envelope.ours} wrote:\n\n> Hello,\n>\n> {QUESTION}\n"
    )
    message.add_alternative(
        f'<div dir="ltr">{text}<br clear="all"><div><br></div><span class="gmail_signature_prefix">'
        '-- </span><br><div dir="ltr" class="gmail_signature">Ana Lima</div></div><br>'
        '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Thu, Nov 12, 2026 at '
        "10:02 AM Shop help &lt;help@shop.example&gt; wrote:<br></div>"
        '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">Hello,<br><br>'
        f"{QUESTION}</blockquote></div>",
        subtype="html",
    )
    return bytes(message)


def apple_mail(envelope: Envelope, text: str, photos: list[tuple[bytes, str, str]] = ()) -> bytes:
    """Apple Mail on an iPhone: "Sent from my iPhone", then the header as part of the quote
    ("> On 12 Nov 2026, at 10:02, … wrote:"); photos as attachments (HEIC from the camera)."""
    message = headers(EmailMessage(), envelope, mailer="iPhone Mail (22B91)")
    message.set_content(
        f"{text}\n\nSent from my iPhone\n\n> On 12 Nov 2026, at 10:02, {envelope.ours} wrote:\n"
        f">\n> Hello,\n>\n> {QUESTION}\n"
    )
    for content, name, content_type in photos:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)


def outlook(envelope: Envelope, text: str) -> bytes:
    """Outlook: the reply on top, a signature, a rule, then a From:/Sent:/To:/Subject: block
    and the original unquoted."""
    message = headers(EmailMessage(), envelope, mailer="Microsoft Outlook 16.0")
    message["Thread-Topic"] = envelope.subject
    original = (
        f"From: {envelope.ours}\nSent: Thursday, November 12, 2026 10:02 AM\n"
        f"To: {envelope.sender}\nSubject: {envelope.subject}\n\nHello,\n\n{QUESTION}\n"
    )
    message.set_content(
        f"{text}\n\nKind Regards,\nAna Lima\n\n________________________________\n{original}"
    )
    message.add_alternative(
        f'<html><body><div class="WordSection1"><p class="MsoNormal">{text}</p>'
        '<p class="MsoNormal">Kind Regards,<br>Ana Lima</p></div><hr>'
        '<div id="divRplyFwdMsg"><b>From:</b> Shop help &lt;help@shop.example&gt;<br>'
        "<b>Sent:</b> Thursday, November 12, 2026 10:02 AM<br><b>To:</b> Ana<br>"
        f"<b>Subject:</b> {envelope.subject}</div><div>Hello,<br>{QUESTION}</div></body></html>",
        subtype="html",
    )
    return bytes(message)


def thunderbird(envelope: Envelope, text: str) -> bytes:
    """Thunderbird in German: "Am 12.11.26 um 10:02 schrieb …:" above a ">" quote, and the
    signature after "-- " below the reply."""
    message = headers(EmailMessage(), envelope, mailer="Mozilla Thunderbird")
    message["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Thunderbird/128.4.0"
    message.set_content(
        f"{text}\n\n-- \nAna Lima\nLisboa\n\n"
        f"Am 12.11.26 um 10:02 schrieb {envelope.ours}:\n> Hello,\n>\n> {QUESTION}\n"
    )
    return bytes(message)


def html_only(envelope: Envelope, html: str) -> bytes:
    message = headers(EmailMessage(), envelope)
    message.set_content(html, subtype="html")
    return bytes(message)


def auto_reply(envelope: Envelope) -> bytes:
    """An out-of-office answer (RFC 3834)."""
    message = headers(EmailMessage(), envelope)
    message.replace_header("Subject", f"Automatic reply: {envelope.subject}")
    message["Auto-Submitted"] = "auto-replied"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content("I am out of the office until Monday.\n")
    return bytes(message)


def bounce(to: str, returned: bytes) -> bytes:
    """A delivery status notification (RFC 3464) from a MAILER-DAEMON, with no Auto-Submitted
    header, as many servers send them."""
    message = EmailMessage()
    message["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.com>"
    message["To"] = to
    message["Subject"] = "Undelivered Mail Returned to Sender"
    message["Message-ID"] = make_msgid(domain="mx.example.com")
    message.set_content("This is the mail system. Your message could not be delivered.\n")
    message.add_attachment(
        "Reporting-MTA: dns; mx.example.com\n\nFinal-Recipient: rfc822; ana@example.com\n"
        "Action: failed\nStatus: 5.1.1\n",
        subtype="delivery-status",
    )
    message.add_attachment(returned, maintype="message", subtype="rfc822")
    message.replace_header(
        "Content-Type", message["Content-Type"].replace("multipart/mixed", "multipart/report")
    )
    return bytes(message)
