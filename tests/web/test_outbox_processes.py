"""The outbox worker as its own process (`flask --app wsgi outbox run`), one or two at a time."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from clinic_app.choices import EmailState
from clinic_app.extensions import db
from clinic_app.mail.outbox import enqueue
from clinic_app.models import OutboxEmail
from tests.helpers import submit

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def start_worker(app, smtp_server) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "test-secret-key-for-the-suite-only-0123456789",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_ALLOW_PLAIN_SMTP": "true",
        "MAIL_PORT": str(smtp_server.port),
        "OUTBOX_POLL_SECONDS": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "run"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def outbox_totals(app) -> tuple[int, int]:
    """How many emails are recorded as sent, and how many claims (attempts) all emails took."""
    with app.app_context():
        sent = db.session.scalar(
            sa.select(sa.func.count()).select_from(OutboxEmail).where(OutboxEmail.state == EmailState.SENT)
        )
        attempts = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(OutboxEmail.attempts), 0)))
        db.session.remove()
        return sent or 0, attempts or 0


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)


def stop(worker: subprocess.Popen) -> str:
    worker.terminate()
    output, _ = worker.communicate(timeout=10)
    return output


def test_worker_process_sends_what_the_web_app_queued(app, smtp_server):
    submit(app.test_client())
    worker = start_worker(app, smtp_server)
    try:
        wait_for(lambda: len(smtp_server.messages) == 2)
    finally:
        output = stop(worker)
    assert len(smtp_server.staff_messages) == 1, output
    assert len(smtp_server.patient_copies) == 1, output
    assert "Sending queued email through SMTP 127.0.0.1" in output


def test_two_worker_processes_send_every_email_exactly_once(app, smtp_server):
    with app.app_context():
        for number in range(40):
            enqueue(
                db.session,
                sender="requests@clinic.example",
                recipients=["frontdesk@clinic.example"],
                subject=f"Test {number}",
                body_text="text",
                body_html="<p>html</p>",
                message_domain="clinic.example",
                carries_health_details=False,
            )
        db.session.commit()
    workers = [start_worker(app, smtp_server), start_worker(app, smtp_server)]
    try:
        wait_for(lambda: outbox_totals(app) == (40, 40) or outbox_totals(app)[1] > 40)
        # Every claim is one attempt and one send: once all 40 are recorded as sent, wait for as many
        # messages as there were claims, so a second claim of one email shows up as a second message.
        wait_for(lambda: len(smtp_server.messages) >= outbox_totals(app)[1])
    finally:
        outputs = [stop(worker) for worker in workers]
    sent = Counter(message["Message-ID"] for message in smtp_server.messages)
    assert len(sent) == 40, outputs
    assert max(sent.values()) == 1, outputs
    assert outbox_totals(app) == (40, 40), "each email was claimed once and recorded as sent"
