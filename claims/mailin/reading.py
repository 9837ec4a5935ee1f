"""What a customer's message says: who sent it, to which address, the words they wrote now
(quotes, reply headers and signatures stripped), and their attachments. No I/O.

Parsing is the standard library's ``email`` with ``policy.default``; the text part is preferred
and HTML is turned into plain text when it is all there is (quoted blocks dropped, no markup
kept); quote and signature stripping is mail-parser-reply's, in the languages below.
"""

import hashlib
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, MIMEPart
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from email_validator import EmailNotValidError, validate_email
from mailparser_reply import EmailReplyParser

# Reply headers ("On … wrote:", "Am … schrieb", Outlook's From:/Sent: block) in these languages.
LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "da", "sv", "pl", "cs"]
RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
# Who never gets an answer: bounces and the servers that send them.
DAEMONS = ("mailer-daemon", "postmaster", "mail-daemon", "noreply", "no-reply", "do-not-reply")
BULK_PRECEDENCE = ("bulk", "list", "junk", "auto_reply")
BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"}
HIDDEN = {"script", "style", "head", "title", "blockquote"}  # quoted text is in a blockquote
QUOTE_CLASSES = ("gmail_quote", "moz-cite-prefix", "yahoo_quoted")


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes


@dataclass(frozen=True)
class ReadMail:
    message_id: str
    sender: str  # the From address, normalised ("" when there is none)
    recipients: list[str]
    subject: str
    new_text: str  # what the customer wrote in this message
    attachments: list[Attachment] = field(default_factory=list)
    parts: int = 0
    automatic: str = ""  # why this is automatic mail (never answered); "" when a person wrote it


def normalised(address: str) -> str:
    """An address as we compare it: domain in IDNA, everything case-folded."""
    try:
        checked = validate_email(address, check_deliverability=False)
        address = checked.ascii_email or checked.normalized
    except EmailNotValidError:
        pass
    return address.strip().casefold()


def read_mail(raw: bytes) -> ReadMail:
    """Read one message as received."""
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    message_id = header(message, "Message-ID") or (
        f"<{hashlib.sha256(raw).hexdigest()}@no-message-id>"
    )
    sender = normalised(parseaddr(header(message, "From"))[1])
    recipients = [
        address
        for _, address in getaddresses(
            [header(message, name) for name in RECIPIENT_HEADERS if header(message, name)]
        )
    ]
    body = message.get_body(preferencelist=("plain", "html"))
    return ReadMail(
        message_id=message_id[:500],
        sender=sender,
        recipients=recipients,
        subject=header(message, "Subject")[:300],
        new_text=new_words(text_of(body)) if body is not None else "",
        attachments=attachments(message, body),
        parts=sum(1 for _ in message.walk()),
        automatic=automatic(message, sender),
    )


def header(message: EmailMessage, name: str) -> str:
    """A header's text on one line (decoded; as received when it cannot be decoded), or ""
    when it is missing. NUL characters, which no database column takes, are replaced."""
    try:
        value = str(message.get(name) or "")
    except Exception:  # the header parser fails in many ways (IndexError, ValueError…) on junk
        found = (raw for key, raw in message.raw_items() if key.lower() == name.lower())
        value = str(next(found, ""))
    return " ".join(value.replace("\0", "\ufffd").split())


def automatic(message: EmailMessage, sender: str) -> str:
    """Why the message was sent by a machine (an auto-reply, a bounce, a list), or ""."""
    auto_submitted = header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    if header(message, "Precedence").lower() in BULK_PRECEDENCE:
        return f"Precedence: {header(message, 'Precedence')}"
    for name in ("List-Id", "List-Unsubscribe", "X-Autoreply", "X-Autorespond"):
        if header(message, name):
            return f"{name} header"
    if message.get_content_type() == "multipart/report":
        return "a delivery report"
    if header(message, "Return-Path") == "<>":
        return "a null sender (a bounce)"
    if not sender or sender.partition("@")[0] in DAEMONS:
        return f"sent by {sender or 'nobody'}"
    return ""


def text_of(part: MIMEPart) -> str:
    """A text part as plain text, whatever its charset claims."""
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown or lying charset
        payload = part.get_payload(decode=True)
        content = payload.decode(errors="replace") if isinstance(payload, bytes) else ""
    if part.get_content_subtype() == "html":
        return html_text(str(content))
    return str(content).replace("\0", "\ufffd")


def new_words(text: str) -> str:
    """What the customer wrote now: no quoted text, reply header or signature."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        return ""
    replies = EmailReplyParser(languages=LANGUAGES).read(text=text).replies
    if not replies:
        return text
    first = replies[0]
    return (first.body or first.content or "").strip()


class _TextFromHtml(HTMLParser):
    """The visible text of an HTML mail, without quoted blocks or anything that runs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.hidden_tag = ""
        self.hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.hidden_depth:
            self.hidden_depth += tag == self.hidden_tag
            return
        classes = dict(attrs).get("class") or ""
        if tag in HIDDEN or any(quote in classes for quote in QUOTE_CLASSES):
            self.hidden_tag, self.hidden_depth = tag, 1
        elif tag in BLOCKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.hidden_depth:
            self.hidden_depth -= tag == self.hidden_tag
        elif tag in BLOCKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden_depth:
            self.chunks.append(re.sub(r"\s+", " ", data))


def html_text(html: str) -> str:
    parser = _TextFromHtml()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.chunks).splitlines()]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def attachments(message: EmailMessage, body: MIMEPart | None) -> list[Attachment]:
    """Every file the message carries: attached, or an inline image (a pasted photo)."""
    found = []
    for part in message.walk():
        if part.is_multipart() or part is body:
            continue
        name = part.get_filename()
        disposition = part.get_content_disposition()
        if not (name or disposition == "attachment" or part.get_content_maintype() == "image"):
            continue  # the other form of the body (its HTML alternative)
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        found.append(Attachment(name or f"attachment.{part.get_content_subtype()}", content))
    return found
