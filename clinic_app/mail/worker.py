"""The outbox worker: a loop that sends due emails, in a thread of the web process or on its own."""

from __future__ import annotations

import logging
import threading

from flask import Flask

from clinic_app.extensions import db
from clinic_app.mail.outbox import deliver_due
from clinic_app.mail.transports import transport_for
from clinic_app.settings import Settings

log = logging.getLogger(__name__)


class OutboxWorker:
    def __init__(self, app: Flask, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def run_once(self) -> None:
        with self.app.app_context():
            try:
                deliver_due(
                    db.session,
                    transport_for(self.settings),
                    max_attempts=self.settings.outbox_max_attempts,
                    connections=self.settings.outbox_send_connections,
                )
            # The database may be briefly unreachable; the loop must outlive that and try again.
            except Exception:
                log.exception("outbox worker: delivery round failed")
                db.session.rollback()
            finally:
                db.session.remove()

    def run_forever(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            self.run_once()
            self._wake.wait(self.settings.outbox_poll_seconds)

    def start_thread(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self.run_forever, name="outbox-worker", daemon=True)
                self._thread.start()

    def wake(self) -> None:
        """Send now rather than at the next poll; called after a commit that queued an email."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
