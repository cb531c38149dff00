"""The patient's manage page for a booked free consultation: ``/booking/<token>``, from their email.

Opening the link changes nothing (mail servers' link scanners open every link: Nextcloud
Appointments #293); only the POST from its buttons does, with the page's CSRF token. Each view and
each change is in the audit log, by "patient link". The pages follow the language the request was
sent in (``?lang=`` still switches), are rate-limited per client address, and are never stored.
"""

from __future__ import annotations

from flask import g, make_response, redirect, render_template, request, url_for
from flask_babel import refresh
from werkzeug.wrappers import Response

from clinic_app.audit import PATIENT_LINK, AuditAction, record
from clinic_app.booking.slots import time_in_words
from clinic_app.extensions import db, limiter
from clinic_app.models import utcnow
from clinic_app.models.booking import Booking, BookingStatus
from clinic_app.public.blueprint import bp
from clinic_app.web import services
from clinic_app.web.booking_changes import (
    ConfirmChangeForm,
    TimeChoiceForm,
    cancel_booking,
    move_booking,
    providers_free_at,
)
from clinic_app.web.booking_links import booking_for_token, has_passed
from clinic_app.web.form_flow import days_to_offer, open_times_now, visit_rules
from clinic_app.web.languages import chosen_language
from clinic_app.web.security_headers import never_stored

# The buttons' posts, counted per client address apart from the form's, with its limit (RATELIMIT_FORM);
# and the link's views, with a limit of their own (extensions.LIMITED_PAGES lets them be counted), so
# a person opening their link now and then is never stopped but tokens cannot be tried at speed.
MANAGE_VIEWS_LIMIT = "30 per hour"
manage_limit = limiter.shared_limit(
    lambda: services.settings().ratelimit_form, scope="booking-manage", methods=["POST"]
)
view_limit = limiter.shared_limit(MANAGE_VIEWS_LIMIT, scope="booking-manage-views", methods=["GET", "HEAD"])


def _open(token: str) -> Booking | None:
    """The booking the link names while it may still be changed, or None (forged, gone, or its time
    passed). The pages are in the request's language unless the visitor picked another."""
    booking = booking_for_token(db.session, services.settings().secret_key, token)
    if booking is not None:
        g.page_language = chosen_language() or booking.request.language.value
        refresh()
    if booking is None or has_passed(booking, utcnow()):
        return None
    return booking


def _closed() -> Response:
    return never_stored(make_response(render_template("public/booking_closed.html"), 404))


def _page(template: str, booking: Booking, status: int = 200, **context: object) -> Response:
    settings = services.settings()
    language = str(g.page_language)
    page = render_template(
        template,
        booking=booking,
        when=time_in_words(booking.starts_at, settings.clinic_timezone, language),
        cancelled=booking.status is BookingStatus.CANCELLED,
        **context,
    )
    return never_stored(make_response(page, status))


def _audit(booking: Booking, action: AuditAction, **detail: object) -> None:
    record(
        db.session,
        action,
        actor=None,
        actor_email=PATIENT_LINK,
        ip_address=request.remote_addr or "unknown",
        request=booking.request,
        detail={"booking": booking.id, **detail},
    )


@bp.get("/booking/<token>")
@view_limit
def manage_booking(token: str) -> Response:
    booking = _open(token)
    if booking is None:
        return _closed()
    _audit(booking, AuditAction.VIEWED_BOOKING, page="manage")
    db.session.commit()
    return _page("public/booking.html", booking, form=ConfirmChangeForm(), token=token)


@bp.get("/booking/<token>/cancel")
@view_limit
def confirm_cancel_managed_booking(token: str) -> Response:
    """Asks "Cancel it?" first: a tap by mistake on a phone must not cancel. Changes nothing."""
    booking = _open(token)
    if booking is None:
        return _closed()
    if booking.status is BookingStatus.CANCELLED:
        return redirect(url_for(".manage_booking", token=token), 303)
    _audit(booking, AuditAction.VIEWED_BOOKING, page="cancel")
    db.session.commit()
    return _page("public/booking_cancel.html", booking, form=ConfirmChangeForm(), token=token)


@bp.post("/booking/<token>/cancel")
@manage_limit
def cancel_managed_booking(token: str) -> Response:
    booking = _open(token)
    if booking is None:
        return _closed()
    form = ConfirmChangeForm()
    if not form.validate_on_submit():
        return _page("public/booking_cancel.html", booking, 400, form=form, token=token, refused=True)
    cancel_booking(
        db.session,
        booking,
        services.settings(),
        actor=None,
        actor_email=PATIENT_LINK,
        ip_address=request.remote_addr or "unknown",
    )
    db.session.commit()
    services.wake_outbox_worker()
    return redirect(url_for(".manage_booking", token=token, done="cancelled"), 303)


@bp.route("/booking/<token>/move", methods=["GET", "POST"])
@manage_limit
@view_limit
def move_managed_booking(token: str) -> Response:
    booking = _open(token)
    if booking is None:
        return _closed()
    if booking.status is BookingStatus.CANCELLED:
        return redirect(url_for(".manage_booking", token=token), 303)
    times = open_times_now(visit_rules(booking.request.visit_type))
    form = TimeChoiceForm()
    form.offer_times(days_to_offer(times))
    if request.method != "POST":
        _audit(booking, AuditAction.VIEWED_BOOKING, page="move")
        db.session.commit()
        return _page("public/booking_move.html", booking, form=form, token=token)
    if not form.validate_on_submit():
        return _page("public/booking_move.html", booking, 400, form=form, token=token)
    picked = form.picked_time()
    assert picked is not None
    free = providers_free_at(times, picked)
    moved = free is not None and move_booking(
        db.session,
        booking,
        services.settings(),
        picked,
        free,
        actor=None,
        actor_email=PATIENT_LINK,
        ip_address=request.remote_addr or "unknown",
    )
    if not moved:
        db.session.rollback()
        form.time_taken(open_times_now(visit_rules(booking.request.visit_type)), picked)
        return _page("public/booking_move.html", booking, 409, form=form, token=token)
    db.session.commit()
    services.wake_outbox_worker()
    return redirect(url_for(".manage_booking", token=token, done="moved"), 303)
