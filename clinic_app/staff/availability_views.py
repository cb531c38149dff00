"""Owners' settings page for the free consultation: who gives them, their weekly hours and closed dates.

The same words as `flask availability set|close` ("mon-fri", "09:00-12:00,13:00-17:00"); setting hours,
closing a date and stopping a provider are audited by the booking operations themselves.
"""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from clinic_app.booking.availability import close_date, closed_dates, set_hours, stop_providing, week_lines
from clinic_app.booking.hours import HoursError, parse_days, parse_ranges
from clinic_app.casework.consultations import bookings_on
from clinic_app.casework.queries import active_staff
from clinic_app.extensions import db
from clinic_app.models import StaffUser, utcnow
from clinic_app.staff.access import client_address, owner_required
from clinic_app.staff.blueprint import bp
from clinic_app.staff.forms import CloseDateForm, ConfirmForm, HoursForm
from clinic_app.web import services
from clinic_app.web.responses import Page

CHOOSE = "Choose a staff member from the list."


@bp.route("/availability", methods=["GET", "POST"])
@login_required
@owner_required
def availability() -> Page:
    action = request.form.get("action") if request.method == "POST" else None
    hours_form = HoursForm(prefix="hours", formdata=request.form if action == "hours" else None)
    close_form = CloseDateForm(prefix="close", formdata=request.form if action == "close" else None)
    staff = active_staff(db.session)
    for form in (hours_form, close_form):
        form.staff.choices = [("", "Choose a staff member"), *((str(s.id), s.name) for s in staff)]
    if request.method == "GET":
        return render_availability(hours_form, close_form, staff)
    if action == "hours" and hours_form.validate():
        member = chosen(hours_form.staff.data, staff)
        days, ranges = read_hours(hours_form)
        if member is None:
            hours_form.staff.errors = [CHOOSE]
        elif days and ranges:
            set_hours(db.session, member, days, ranges, actor=current_user, ip_address=client_address())
            db.session.commit()
            flash(f"{member.name}'s hours are set: {'; '.join(week_lines(db.session, member))}.")
            return redirect(url_for(".availability"))
    elif action == "close" and close_form.validate():
        member = chosen(close_form.staff.data, staff)
        if member is None:
            close_form.staff.errors = [CHOOSE]
        else:
            day = close_form.day.data
            closed = close_date(db.session, member, day, actor=current_user, ip_address=client_address())
            db.session.commit()
            written = f"{day:%A, %B} {day.day}, {day.year}"
            flash(f"{written} is {'now' if closed else 'already'} closed for {member.name}.")
            still = bookings_on(db.session, member, day, services.settings().clinic_timezone)
            if still:
                # Closing a date offers no new times; the bookings already made stay until moved.
                flash(
                    f"{len(still)} {'consultation is' if len(still) == 1 else 'consultations are'} still "
                    f"booked with {member.name} that day: move or cancel "
                    f"{'it' if len(still) == 1 else 'them'} from Consultations."
                )
            return redirect(url_for(".availability"))
    elif action not in ("hours", "close"):
        flash("Please try again.")
        return redirect(url_for(".availability"))
    return render_availability(hours_form, close_form, staff, 400)


@bp.post("/availability/<int:staff_id>/stop")
@login_required
@owner_required
def availability_stop(staff_id: int) -> Page:
    member = db.session.get(StaffUser, staff_id)
    if member is None or not member.active or not ConfirmForm().validate_on_submit():
        flash("Please try again.")
        return redirect(url_for(".availability"))
    if stop_providing(db.session, member, actor=current_user, ip_address=client_address()):
        db.session.commit()
        flash(
            f"{member.name} no longer gives free consultations. Their hours are kept: set hours to start again."
        )
    else:
        flash(f"{member.name} was not giving free consultations.")
    return redirect(url_for(".availability"))


def read_hours(form: HoursForm) -> tuple[tuple[int, ...], tuple[tuple[time, time], ...]]:
    """The days and hours as the command line reads them; each mistake's message goes to its field."""
    days: tuple[int, ...] = ()
    ranges: tuple[tuple[time, time], ...] = ()
    try:
        days = parse_days(form.days.data)
    except HoursError as error:
        form.days.errors = [str(error)]
    try:
        ranges = parse_ranges(form.hours.data)
    except HoursError as error:
        form.hours.errors = [str(error)]
    return days, ranges


def chosen(value: str | None, staff: list[StaffUser]) -> StaffUser | None:
    return next((member for member in staff if str(member.id) == (value or "")), None)


def render_availability(
    hours_form: HoursForm, close_form: CloseDateForm, staff: list[StaffUser], status: int = 200
) -> tuple[str, int]:
    today = utcnow().astimezone(ZoneInfo(services.settings().clinic_timezone)).date()
    members = [
        {
            "user": member,
            "week": week_lines(db.session, member),
            "closed": closed_dates(db.session, member, today),
        }
        for member in staff
    ]
    page = render_template(
        "staff/availability.html",
        members=members,
        hours_form=hours_form,
        close_form=close_form,
        confirm_form=ConfirmForm(formdata=None),
        zone=services.settings().clinic_timezone,
    )
    return page, status
