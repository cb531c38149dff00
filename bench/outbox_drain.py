"""How fast the outbox drains when the mail server is slow: one connection against several.

    .venv/bin/python bench/outbox_drain.py [--emails 40] [--seconds-per-message 0.5] [--connections 1 4 8]

A real SMTP server (aiosmtpd on loopback) that takes the given time per message; the app queues the
emails through its form, then one delivery round sends them. Prints the time per setting and checks
every email arrived exactly once.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade

from clinic_app import create_app
from clinic_app.settings import Settings


def drain(emails: int, seconds: float, connections: int) -> float:
    """Seconds for one delivery round to send `emails` queued emails through a mail server taking
    `seconds` per message, on `connections` connections; checks each arrived exactly once."""
    # Imported here: tests.conftest switches this process to cheap password hashes when imported,
    # which must not touch the rest of a suite that imports this module.
    from tests.conftest import SMTPServer
    from tests.helpers import deliver, submit

    server = SMTPServer()
    server.start()
    instance = Path(tempfile.mkdtemp(prefix="outbox-drain-"))
    environ = {
        "SECRET_KEY": "bench-" * 8, "OUTBOX_WORKER": "off", "RATELIMIT_ENABLED": "false", "MIN_FILL_SECONDS": "0",
        "MAIL_ALLOW_PLAIN_SMTP": "true", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(server.port),
        "OUTBOX_SEND_CONNECTIONS": str(connections),
    }  # fmt: skip
    app = create_app(Settings.from_environ(environ, instance), {"TESTING": True})
    with app.app_context():
        upgrade()
    client = app.test_client()
    for number in range(emails):
        # The staff email alone: one message per request, as the issue measured it.
        submit(client, full_name=f"Patient {number}", email_copy=None)
    server.seconds_per_message = seconds
    started = time.perf_counter()
    sent = 0
    while sent < emails:
        sent += deliver(app).sent
    elapsed = time.perf_counter() - started
    assert len({m["Message-ID"] for m in server.messages}) == emails == len(server.messages)
    server.stop()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--emails", type=int, default=40)
    parser.add_argument("--seconds-per-message", type=float, default=0.5)
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 4, 8])
    args = parser.parse_args()
    base = None
    for connections in args.connections:
        elapsed = drain(args.emails, args.seconds_per_message, connections)
        base = base or elapsed
        print(
            f"{connections:>2} connections: {args.emails} emails in {elapsed:5.1f} s ({base / elapsed:4.1f}x)"
        )


if __name__ == "__main__":
    main()
