"""`flask --app wsgi availability set|close|show`: providers' hours for owners who script their setup."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from clinic_app.audit import COMMAND_LINE
from clinic_app.booking.availability import (
    clinic_open_times,
    close_date,
    closed_dates,
    providers,
    set_hours,
    week_lines,
)
from clinic_app.booking.hours import HoursError, parse_days, parse_ranges
from clinic_app.booking.slots import time_in_words
from clinic_app.extensions import db
from clinic_app.models import StaffUser, utcnow
from clinic_app.web import services

availability_cli = AppGroup("availability", help="Who gives free consultations, and when.")


@availability_cli.command("set")
@click.option("--staff", "email", required=True, help="The provider's staff email.")
@click.option("--days", required=True, help="Like mon-fri or mon,wed,fri.")
@click.option("--hours", required=True, help="Like 09:00-12:00,13:00-17:00 (24-hour clock, clinic's time).")
def availability_set(email: str, days: str, hours: str) -> None:
    """Set a provider's hours on these days (other days keep theirs)."""
    provider = _staff(email)
    try:
        weekdays, ranges = parse_days(days), parse_ranges(hours)
    except HoursError as error:
        raise click.UsageError(str(error)) from None
    set_hours(db.session, provider, weekdays, ranges, actor=None, ip_address=COMMAND_LINE)
    db.session.commit()
    click.echo(f"{provider.email} gives free consultations:")
    for line in week_lines(db.session, provider):
        click.echo(f"  {line}")


@availability_cli.command("close")
@click.option("--staff", "email", required=True, help="The provider's staff email.")
@click.argument("days", nargs=-1, required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
def availability_close(email: str, days: tuple) -> None:
    """Close dates for a provider (holidays, time off), like 2026-12-24."""
    provider = _staff(email)
    for day in days:
        closed = close_date(db.session, provider, day.date(), actor=None, ip_address=COMMAND_LINE)
        click.echo(f"{day:%Y-%m-%d}: {'closed' if closed else 'was closed already'}")
    db.session.commit()


@availability_cli.command("show")
def availability_show() -> None:
    """Each provider's week and closed dates, and the next open time."""
    settings = services.settings()
    today = utcnow().astimezone(ZoneInfo(settings.clinic_timezone)).date()
    found = providers(db.session)
    if not found:
        click.echo("No provider has hours yet: booking is off and the form asks for a call-back.")
        return
    for provider in found:
        click.echo(f"{provider.name} <{provider.email}>")
        for line in week_lines(db.session, provider) or ["no hours set"]:
            click.echo(f"  {line}")
        closed = closed_dates(db.session, provider, today)
        if closed:
            click.echo("  closed: " + ", ".join(f"{day:%Y-%m-%d}" for day in closed))
    rules = services.booking_rules()
    times = clinic_open_times(db.session, rules, utcnow(), today, rules.horizon_days + 1)
    if times:
        click.echo(f"Next open time: {time_in_words(times[0][0], rules.zone, 'en_US')}")
    else:
        click.echo(f"No open time in the next {rules.horizon_days} days.")


def _staff(email: str) -> StaffUser:
    user = db.session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower()))
    if user is None or not user.active:
        raise click.UsageError(f"No active staff account has the email {email}.")
    return user
