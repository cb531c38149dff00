"""The day view: a day's booked free consultations per provider, on the clinic's clock, and the days to
come. It shows patients' names, so each view is in the audit log, as the request list is."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import render_template, request
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from clinic_app.audit import AuditAction, record
from clinic_app.casework.consultations import BookedConsultation, booked_consultations, count_by_start
from clinic_app.extensions import db
from clinic_app.models import utcnow
from clinic_app.staff.access import client_address
from clinic_app.staff.blueprint import bp
from clinic_app.staff.forms import ConsultationDayForm
from clinic_app.web import services
from clinic_app.web.responses import Page

COMING_DAYS = 7


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight of the day in the clinic's zone, in UTC (a day is 23 or 25 hours at a clock change)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def written_day(day: date) -> str:
    return f"{day:%A, %B} {day.day}, {day.year}"


@bp.get("/consultations")
@login_required
def consultations() -> Page:
    zone = ZoneInfo(services.settings().clinic_timezone)
    today = utcnow().astimezone(zone).date()
    form = ConsultationDayForm(formdata=MultiDict(request.args))
    form.validate()
    if form.day.errors:
        form.day.errors = ["Write the date like 2027-03-15."]
    day = form.day.data if not form.day.errors and form.day.data else today
    form.day.data = day

    found = booked_consultations(db.session, day_start(day, zone), day_start(day + timedelta(days=1), zone))
    providers = [
        (name, [booking_row(booking, zone) for booking in bookings])
        for (_, name), bookings in groupby(found, key=lambda b: (b.provider_id, b.provider_name))
    ]
    coming = [day + timedelta(days=offset) for offset in range(1, COMING_DAYS + 1)]
    counts = count_by_start(
        db.session, [day_start(d, zone) for d in [*coming, coming[-1] + timedelta(days=1)]]
    )
    record(
        db.session,
        AuditAction.VIEWED_CONSULTATIONS,
        actor=current_user,
        ip_address=client_address(),
        detail={"day": day.isoformat(), "bookings": len(found)},
    )
    page = render_template(
        "staff/consultations.html",
        form=form,
        day=day,
        day_in_words=written_day(day),
        today=today,
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        providers=providers,
        coming=[(d, written_day(d), count) for d, count in zip(coming, counts, strict=True)],
        zone=zone.key,
    )
    db.session.commit()
    return page


def booking_row(booking: BookedConsultation, zone: ZoneInfo) -> dict[str, object]:
    starts, ends = booking.starts_at.astimezone(zone), booking.ends_at.astimezone(zone)
    return {
        "booking": booking,
        "starts_iso": starts.isoformat(),
        "time": f"{format_datetime(starts, 'h:mm a', locale='en_US')} {starts:%Z}",
        "minutes": int((ends - starts).total_seconds() // 60),
    }
