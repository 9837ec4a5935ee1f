"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

import asyncio
import contextlib
import email
import email.policy
import threading

from tests.support.service import free_port


class MailCatcher:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

    def __init__(self):
        self.messages = []
        self.release = threading.Event()  # cleared: the server stalls, as a slow one does
        self.release.set()
        self.received = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        while not self.release.is_set():
            await asyncio.sleep(0.02)
        with self.received:
            self.messages.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
            self.received.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 20) -> list:
        with self.received:
            self.received.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        return self.messages


@contextlib.contextmanager
def mail_server(catcher: MailCatcher, **options):
    """A real SMTP server (aiosmtpd) on a free loopback port, answering as `catcher` does;
    yields the port. `options` go to aiosmtpd (e.g. enable_SMTPUTF8=False)."""
    from aiosmtpd.controller import Controller

    controller = Controller(catcher, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield controller.port
    finally:
        catcher.release.set()
        controller.stop()
