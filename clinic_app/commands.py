"""Command-line tools: `flask --app wsgi outbox run|send`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from clinic_app.extensions import db
from clinic_app.mail.outbox import deliver_due
from clinic_app.mail.transports import transport_from_config

outbox_cli = AppGroup("outbox", help="The queue of outgoing email.")


@outbox_cli.command("run")
def outbox_run() -> None:
    """Send queued email until stopped (for set-ups that run the worker as its own process)."""
    worker = current_app.extensions["outbox_worker"]
    transport = transport_from_config(current_app.config)
    click.echo(f"Sending queued email through {transport.describe()}; press Ctrl+C to stop.")
    try:
        worker.run_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")


@outbox_cli.command("send")
def outbox_send() -> None:
    """Send the email that is due now, once, and say what happened."""
    report = deliver_due(
        db.session,
        transport_from_config(current_app.config),
        max_attempts=current_app.config["OUTBOX_MAX_ATTEMPTS"],
    )
    click.echo(f"sent {report.sent}, will retry {report.retrying}, failed {report.failed}")
