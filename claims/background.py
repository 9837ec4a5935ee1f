"""A background thread per worker process that does one job again and again: deliver the
outbox, fetch the mailbox. Each worker starts its own with its first request (a fork has no
threads); leases in the case log make sure the work itself is done once."""

import logging
import os
import threading

from flask import Flask

log = logging.getLogger(__name__)


class Poller:
    """Runs `work()` now, then whenever nudged or `interval()` seconds have passed."""

    name = "poller"

    def __init__(self, app: Flask):
        self.app = app
        self.wake_up = threading.Event()
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None
        self.pid = 0

    def enabled(self) -> bool:
        raise NotImplementedError

    def interval(self) -> float:
        raise NotImplementedError

    def work(self) -> None:
        raise NotImplementedError

    def ensure_running(self) -> None:
        """Start the thread in this process (a fresh worker, a fork) when its job is on."""
        if not self.enabled() or self.stopped.is_set():
            return
        if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
            self.pid = os.getpid()
            self.thread = threading.Thread(target=self.run, name=self.name, daemon=True)
            self.thread.start()

    def nudge(self) -> None:
        """Work soon: there is something new."""
        self.ensure_running()
        self.wake_up.set()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.work()
            except Exception:  # the thread must outlive any one bad item or database hiccup
                log.exception("%s failed; will retry", self.name)
            self.wake_up.wait(timeout=self.interval())
            self.wake_up.clear()

    def stop(self) -> None:
        """End the thread after the round it is in, for an app that is done (the thread would
        otherwise keep polling its case log for as long as the process lives)."""
        self.stopped.set()
        self.wake_up.set()
        if self.thread is not None and self.pid == os.getpid():
            self.thread.join(timeout=60)
