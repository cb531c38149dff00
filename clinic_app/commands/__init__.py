"""Command-line tools: `flask --app wsgi outbox run|send` and `flask --app wsgi staff add|list|...`."""

from __future__ import annotations

import logging
from datetime import timedelta

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from clinic_app.accounts.operations import (
    AccountError,
    create_staff,
    deactivate,
    find_by_email,
    issue_password_link,
    password_link,
    set_password,
)
from clinic_app.casework.retention import erase_deleted_rows, purge_old_requests
from clinic_app.choices import Role
from clinic_app.extensions import db
from clinic_app.formatting import clinic_time
from clinic_app.mail.outbox import deliver_due, outbox_status
from clinic_app.mail.transports import forget_written_emails, plain_smtp_refusal, transport_for
from clinic_app.models import StaffUser
from clinic_app.settings import still_samples
from clinic_app.web import services

CLI = "command line"
log = logging.getLogger(__name__)


@click.command("check")
@with_appcontext
def check_settings() -> None:
    """Say which of the settings a clinic must set are still on their sample values (exit 1 if any)."""
    samples = still_samples(services.settings())
    for line in samples:
        click.echo(line)
    if samples:
        raise SystemExit(1)
    click.echo("Every first setting is set. The README's first-settings checklist says what each one does.")


outbox_cli = AppGroup("outbox", help="The queue of outgoing email.")


@outbox_cli.command("run")
def outbox_run() -> None:
    """Send queued email until stopped (for set-ups that run the worker as its own process)."""
    worker = services.services().outbox_worker
    transport = transport_for(services.settings())
    click.echo(f"Sending queued email through {transport.describe()}; press Ctrl+C to stop.")
    try:
        worker.run_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")


@outbox_cli.command("status")
def outbox_status_command() -> None:
    """How many emails are queued, failing, sent and failed for good; the failed ones by name."""
    status = outbox_status(db.session)
    timezone = services.settings().clinic_timezone
    refusal = plain_smtp_refusal(services.settings())
    if refusal:
        click.echo(f"WARNING: new staff emails will not leave. {refusal}")
    click.echo(
        f"queued {status.queued} (failing, will retry: {status.failing}), sent {status.sent}, failed {len(status.failed)}"
    )
    if status.oldest_queued:
        click.echo(f"oldest queued since {clinic_time(status.oldest_queued, timezone)}")
    for email in status.failed:
        reference = email.request.reference if email.request else "no request"
        click.echo(f"FAILED #{email.id} {reference}: {email.attempts} tries, last error: {email.last_error}")
    if status.failed:
        click.echo("Staff can try again from each request's page in the dashboard.")


@outbox_cli.command("send")
def outbox_send() -> None:
    """Send the email that is due now, once, and say what happened."""
    settings = services.settings()
    report = deliver_due(
        db.session,
        transport_for(settings),
        max_attempts=settings.outbox_max_attempts,
        connections=settings.outbox_send_connections,
    )
    click.echo(f"sent {report.sent}, will retry {report.retrying}, failed {report.failed}")


staff_cli = AppGroup("staff", help="Staff accounts.")


@staff_cli.command("add")
@click.argument("email")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default=Role.STAFF.value, show_default=True
)
@click.option("--name", default="", help="Their name (default: the part of the email before @).")
@click.option(
    "--link", is_flag=True, help="Print a one-time set-password link instead of asking for a password."
)
def staff_add(email: str, role: str, name: str, link: bool) -> None:
    """Create a staff account."""
    try:
        user = create_staff(
            db.session,
            email=email,
            name=name or email.split("@")[0],
            role=Role(role),
            actor=None,
            ip_address=CLI,
        )
        _password_or_link(user, link)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Added {user.email} as {user.role.value}.")


@staff_cli.command("reset-password")
@click.argument("email")
@click.option(
    "--link", is_flag=True, help="Print a one-time set-password link instead of asking for a password."
)
def staff_reset_password(email: str, link: bool) -> None:
    """Set a new password for an account, or print a link to set one."""
    user = _existing(email)
    try:
        _password_or_link(user, link)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()


@staff_cli.command("deactivate")
@click.argument("email")
def staff_deactivate(email: str) -> None:
    """Stop an account from signing in (its history stays in the audit log)."""
    user = _existing(email)
    deactivate(db.session, user, actor=None, ip_address=CLI)
    db.session.commit()
    click.echo(f"{user.email} can no longer sign in.")


@staff_cli.command("list")
def staff_list() -> None:
    """Every account, with its role and whether it can sign in."""
    users = db.session.scalars(select(StaffUser).order_by(StaffUser.email))
    for user in users:
        state = "active" if user.active else "deactivated"
        password = "" if user.password_hash else ", no password yet"
        click.echo(f"{user.email}\t{user.role.value}\t{state}{password}")


def _existing(email: str) -> StaffUser:
    user = find_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"No account for {email}.")
    return user


def _password_or_link(user: StaffUser, link: bool) -> None:
    if link:
        token = issue_password_link(db.session, user, actor=None, ip_address=CLI)
        link_address = password_link(services.settings().public_base_url, token)
        click.echo(f"Set-password link (works once, for 48 hours): {link_address}")
        return
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    set_password(db.session, user, password, ip_address=CLI)


requests_cli = AppGroup("requests", help="Consultation requests.")


@requests_cli.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=1),
    default=None,
    help="Days since a request was closed (default: DATA_RETENTION_DAYS).",
)
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
def requests_purge(days: int | None, dry_run: bool) -> None:
    """Delete the personal data of closed requests (and bots' requests) past the retention period."""
    days = days or services.settings().data_retention_days
    purged = purge_old_requests(db.session, timedelta(days=days), dry_run=dry_run)
    db.session.commit()
    erased = True
    if not dry_run:
        # The files first: once the rows are gone, nothing else names them. The erasure runs even when
        # nothing was removed today, so one that the database was too busy for is finished now.
        forget_written_emails(services.settings(), purged.message_ids)
        erased = erase_deleted_rows(db.session)
    verb = "Would remove" if dry_run else "Removed"
    message = f"{verb} {len(purged.references)} requests closed more than {days} days ago"
    click.echo(message + (f": {', '.join(purged.references)}" if purged.references else "."))
    if not dry_run:
        log.info("%s (%s)", message, ", ".join(purged.references))
    if not erased:
        click.echo(
            "The database was busy: the removed rows are still in its files. The next purge erases them."
        )
        raise SystemExit(1)


backup_cli = AppGroup("backup", help="Backups of the database. They hold health data: keep them private.")


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_create(path: str) -> None:
    """Write a backup of the database to PATH, a new file only this user can read (safe while the
    app runs)."""
    from pathlib import Path

    from clinic_app.backups import BackupError, create_backup

    try:
        create_backup(services.settings().database_url, Path(path))
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up the database to {path}.")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
def backup_restore(path: str, yes: bool) -> None:
    """Replace everything in the database with the backup in PATH. Stop the web app and the outbox
    worker first."""
    from pathlib import Path

    from clinic_app.backups import BackupError, restore_backup

    if not yes:
        click.confirm("This replaces everything in the database with the backup. Go on?", abort=True)
    # No connection of this process may hold a lock on what the restore replaces.
    db.session.remove()
    db.engine.dispose()
    try:
        restore_backup(services.settings().database_url, Path(path))
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored the database from {path}.")
    click.echo("If this code is newer than the backup, bring it up to date: flask --app wsgi db upgrade")
