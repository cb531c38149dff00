"""Providers' weekly hours and closed dates, as stored, and the open times they give. Operations on the
caller's session: no Flask (the command line and the pages each commit their own transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from clinic_app.audit import AuditAction, record
from clinic_app.booking.hours import DAY_NAMES, describe_week
from clinic_app.booking.slots import BookingRules, Busy, WeeklyHours, merge_providers, open_times
from clinic_app.models import StaffUser
from clinic_app.models.booking import Booking, BookingStatus, ProviderClosedDate, ProviderHours
from clinic_app.models.types import DbSession
from clinic_app.settings import Settings


def rules_from_settings(settings: Settings) -> BookingRules:
    return BookingRules(
        length=timedelta(minutes=settings.booking_length_minutes),
        buffer=timedelta(minutes=settings.booking_buffer_minutes),
        min_notice=timedelta(minutes=settings.booking_min_notice_minutes),
        horizon_days=settings.booking_horizon_days,
        zone=settings.clinic_timezone,
    )


def new_patient_rules(settings: Settings) -> BookingRules:
    """The free consultation's rules with the new-patient appointment's length: its times are the
    consultation's starts (9:00, 9:15, ...) where the longer appointment fits."""
    consultation = rules_from_settings(settings)
    return replace(
        consultation,
        length=timedelta(minutes=settings.booking_new_patient_length_minutes),
        starts_every=consultation.step,
    )


def set_hours(
    session: DbSession,
    provider: StaffUser,
    days: Sequence[int],
    ranges: Sequence[tuple[time, time]],
    *,
    actor: StaffUser | None,
    ip_address: str,
) -> None:
    """Replace the provider's hours on these weekdays (other days keep theirs); they become a provider."""
    session.execute(
        sa.delete(ProviderHours).where(ProviderHours.staff_id == provider.id, ProviderHours.weekday.in_(days))
    )
    session.add_all(
        ProviderHours(staff_id=provider.id, weekday=day, start_time=start, end_time=end)
        for day in days
        for start, end in ranges
    )
    provider.is_provider = True
    hours = [f"{start:%H:%M}-{end:%H:%M}" for start, end in ranges]
    detail = {"staff": provider.email, "days": [DAY_NAMES[day] for day in days], "hours": hours}
    record(session, AuditAction.SET_HOURS, actor=actor, ip_address=ip_address, detail=detail)


def close_date(
    session: DbSession, provider: StaffUser, day: date, *, actor: StaffUser | None, ip_address: str
) -> bool:
    """Close one date for the provider (a holiday, time off). False when it was closed already."""
    exists = session.scalar(
        sa.select(ProviderClosedDate.id).where(
            ProviderClosedDate.staff_id == provider.id, ProviderClosedDate.closed_on == day
        )
    )
    if exists is not None:
        return False
    session.add(ProviderClosedDate(staff_id=provider.id, closed_on=day))
    detail = {"staff": provider.email, "date": day.isoformat()}
    record(session, AuditAction.CLOSED_DATE, actor=actor, ip_address=ip_address, detail=detail)
    return True


def stop_providing(session: DbSession, provider: StaffUser, actor: StaffUser | None, ip_address: str) -> bool:
    """The provider gives no more free consultations: no times are offered, their hours are kept (set
    hours again to start once more). False when they were not giving any."""
    if not provider.is_provider:
        return False
    provider.is_provider = False
    detail = {"staff": provider.email}
    record(session, AuditAction.STOPPED_PROVIDING, actor=actor, ip_address=ip_address, detail=detail)
    return True


def week_lines(session: DbSession, provider: StaffUser) -> list[str]:
    rows = session.execute(
        sa.select(ProviderHours.weekday, ProviderHours.start_time, ProviderHours.end_time).where(
            ProviderHours.staff_id == provider.id
        )
    )
    return describe_week((row.weekday, row.start_time, row.end_time) for row in rows)


def closed_dates(session: DbSession, provider: StaffUser, since: date) -> list[date]:
    return list(
        session.scalars(
            sa.select(ProviderClosedDate.closed_on)
            .where(ProviderClosedDate.staff_id == provider.id, ProviderClosedDate.closed_on >= since)
            .order_by(ProviderClosedDate.closed_on)
        )
    )


def providers(session: DbSession) -> list[StaffUser]:
    return list(
        session.scalars(
            sa.select(StaffUser)
            .where(StaffUser.is_provider.is_(True), StaffUser.active.is_(True))
            .order_by(StaffUser.name)
        )
    )


def clinic_open_times(
    session: DbSession, rules: BookingRules, now: datetime, first_day: date, days: int
) -> list[tuple[datetime, list[int]]]:
    """Every time at least one active provider is free, with the providers free then."""
    per_provider = {}
    for provider in providers(session):
        hours = [
            WeeklyHours(row.weekday, row.start_time, row.end_time)
            for row in session.execute(
                sa.select(ProviderHours.weekday, ProviderHours.start_time, ProviderHours.end_time).where(
                    ProviderHours.staff_id == provider.id
                )
            )
        ]
        if not hours:
            continue
        busy = [
            Busy(row.starts_at, row.ends_at)
            for row in session.execute(
                sa.select(Booking.starts_at, Booking.ends_at).where(
                    Booking.provider_id == provider.id,
                    Booking.status == BookingStatus.BOOKED,
                    Booking.ends_at > now,
                )
            )
        ]
        closed = set(closed_dates(session, provider, first_day))
        per_provider[provider.id] = open_times(hours, closed, busy, now, first_day, days, rules)
    return merge_providers(per_provider)
