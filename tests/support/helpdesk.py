"""A claim service wired to a real mailbox (Dovecot) and a real SMTP server, with the steps
email tests repeat: open a case and get its mail as the customer does, reply, fetch."""

import email
import email.policy
from dataclasses import dataclass

from tests.support.cases import file_into
from tests.support.replies import Envelope

CUSTOMER = "Ana Lima <ana@example.com>"


@dataclass
class HelpDesk:
    app: object
    mailbox: object  # tests.support.imap.MailboxUser
    catcher: object  # tests.support.mail.MailCatcher

    def store(self):
        from claims.store import open_store

        return open_store(self.app.config)

    def open_case(self, email_address: str = "ana@example.com") -> tuple[str, Envelope]:
        """A case, and the envelope of a reply to its confirmation as the customer's client
        fills it in from the mail that arrived."""
        from claims.mail import deliver

        with self.store() as store:
            reference = file_into(store, email_address)
            deliver(store, self.app.config)
        confirmation = self.mail_about(reference)[-1]
        return reference, self.envelope(confirmation)

    def ask_customer(self, reference: str, question: str = "Please send a photo.") -> Envelope:
        """An agent asks the customer; the envelope of a reply to that email."""
        from claims.mail import deliver

        with self.store() as store:
            store.cases.act(reference, "take", "sam")
            store.cases.act(reference, "ask_customer", "sam", text=question)
            deliver(store, self.app.config)
        return self.envelope(self.mail_about(reference)[-1])

    def act(self, reference: str, *actions: str) -> None:
        with self.store() as store:
            for action in actions:
                detail = "replacement" if action == "resolve" else ""
                store.cases.act(reference, action, "sam", detail=detail)

    def mail_about(self, reference: str) -> list:
        return [m for m in self.catcher.messages if reference in str(m["Subject"])]

    @staticmethod
    def envelope(ours, sender: str = CUSTOMER) -> Envelope:
        return Envelope(
            sender=sender,
            to=str(ours["Reply-To"]),
            subject=str(ours["Subject"]),
            in_reply_to=str(ours["Message-ID"]),
        )

    def fetch(self) -> str:
        """`flask claims fetch-mail`, as an operator (or cron) runs it; its output."""
        result = self.app.test_cli_runner().invoke(args=["claims", "fetch-mail"])
        assert result.exit_code == 0, result.output
        return result.output

    def case(self, reference: str):
        with self.store() as store:
            return store.cases.case_by_reference(reference)

    def customer_events(self, reference: str) -> list:
        """The customer's additions to the case: (kind, text)."""
        with self.store() as store:
            case = store.cases.case_by_reference(reference)
            return [
                (event.kind, event.text)
                for event in store.history.events(case.id)
                if event.actor == "customer" and event.kind != "submitted"
            ]

    def photos(self, reference: str) -> list:
        with self.store() as store:
            return store.cases.photos(store.cases.case_by_reference(reference).id)

    def inbound(self) -> list:
        with self.store() as store:
            return store.inbound.listing()

    def answers(self) -> list:
        """The automatic answers the SMTP server received."""
        return [m for m in self.catcher.messages if m["Auto-Submitted"] == "auto-replied"]


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)
