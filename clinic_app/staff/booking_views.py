"""Staff move or cancel a booked free consultation, from the request's page and the day view. The patient
is emailed the change with an updated invite (the same emails as the patient's own manage page), and
each change is in the audit log and on the request's timeline."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from clinic_app.booking.slots import time_in_words
from clinic_app.extensions import db
from clinic_app.models import StaffUser
from clinic_app.models.booking import Booking, BookingStatus
from clinic_app.staff.access import client_address
from clinic_app.staff.blueprint import bp
from clinic_app.staff.detail_page import get_request
from clinic_app.web import services
from clinic_app.web.booking_changes import (
    ANY_PROVIDER,
    ConfirmChangeForm,
    TimeChoiceForm,
    cancel_booking,
    move_booking,
    providers_free_at,
)
from clinic_app.web.form_flow import OpenTimes, days_to_offer, open_times_now, visit_rules
from clinic_app.web.responses import Page

NOT_FREE = "{name} is not free at that time. Here are the nearest open times."


def _booking(booking_id: int) -> Booking:
    """The booking, if this person may see its request (a bot's request is for owners only)."""
    found = db.session.get(Booking, booking_id)
    if found is None:
        abort(404)
    get_request(found.request_id)
    return found


def _back(booking: Booking) -> Response:
    """Back to the day view the change was made from, or to the request's page."""
    day = request.form.get("day", "")
    try:
        date.fromisoformat(day)
    except ValueError:
        return redirect(url_for(".request_detail", request_id=booking.request_id), 303)
    return redirect(url_for(".consultations", day=day), 303)


def _move_form(times: OpenTimes) -> TimeChoiceForm:
    form = TimeChoiceForm()
    form.slot.label.text = "New time"
    form.offer_times(days_to_offer(times, every_time=True))
    providers = db.session.query(StaffUser).filter(
        StaffUser.is_provider.is_(True), StaffUser.active.is_(True)
    )
    form.provider.choices = [
        (ANY_PROVIDER, "The first provider free then"),
        *((str(p.id), p.name) for p in providers.order_by(StaffUser.name)),
    ]
    return form


def _move_page(booking: Booking, form: TimeChoiceForm, status: int = 200) -> Page:
    when = time_in_words(booking.starts_at, services.settings().clinic_timezone, "en")
    return (
        render_template("staff/booking_move.html", booking=booking, form=form, when=when),
        status,
    )


@bp.get("/bookings/<int:booking_id>/move")
@login_required
def booking_move_page(booking_id: int) -> Page:
    booking = _booking(booking_id)
    if booking.status is BookingStatus.CANCELLED:
        flash("That consultation is cancelled: there is nothing to move.")
        return redirect(url_for(".request_detail", request_id=booking.request_id))
    form = _move_form(open_times_now(visit_rules(booking.request.visit_type)))
    form.provider.data = ANY_PROVIDER
    return _move_page(booking, form)


@bp.post("/bookings/<int:booking_id>/move")
@login_required
def booking_move(booking_id: int) -> Page:
    booking = _booking(booking_id)
    if booking.status is BookingStatus.CANCELLED:
        flash("That consultation is cancelled: there is nothing to move.")
        return redirect(url_for(".request_detail", request_id=booking.request_id), 303)
    times = open_times_now(visit_rules(booking.request.visit_type))
    form = _move_form(times)
    if not form.validate_on_submit():
        return _move_page(booking, form, 400)
    picked = form.picked_time()
    assert picked is not None
    free = providers_free_at(times, picked) or []
    chosen = form.provider.data or ANY_PROVIDER
    wanted = (
        free if chosen == ANY_PROVIDER else [int(chosen)] if chosen.isdigit() and int(chosen) in free else []
    )
    moved = bool(wanted) and move_booking(
        db.session,
        booking,
        services.settings(),
        picked,
        wanted,
        actor=current_user,
        actor_email=None,
        ip_address=client_address(),
    )
    if not moved:
        db.session.rollback()
        form.time_taken(open_times_now(visit_rules(booking.request.visit_type)), picked)
        provider = db.session.get(StaffUser, int(chosen)) if chosen.isdigit() else None
        if provider is not None:
            form.slot.errors = [NOT_FREE.format(name=provider.name)]
        return _move_page(booking, form, 409)
    db.session.commit()
    services.wake_outbox_worker()
    when = time_in_words(booking.starts_at, services.settings().clinic_timezone, "en")
    flash(f"Moved to {when} with {booking.provider.name}. The patient is emailed the new time.")
    return redirect(url_for(".request_detail", request_id=booking.request_id), 303)


@bp.post("/bookings/<int:booking_id>/cancel")
@login_required
def booking_cancel(booking_id: int) -> Page:
    booking = _booking(booking_id)
    if not ConfirmChangeForm().validate_on_submit():
        flash("Please try again.")
        return _back(booking)
    if cancel_booking(
        db.session,
        booking,
        services.settings(),
        actor=current_user,
        actor_email=None,
        ip_address=client_address(),
    ):
        db.session.commit()
        services.wake_outbox_worker()
        flash("Consultation cancelled. The patient is emailed the cancellation.")
    return _back(booking)
