"""The patient's link to manage a booked free consultation: ``/booking/<token>``.

Like the confirmation links (``confirmation_links``), the token is signed with the app's secret key
(its own salt, so one kind of link never opens the other); it carries the booking's id and its
calendar UID, so a guessed or altered token names nothing. It needs no cookie to open. It has no age
limit of its own: it works until the booking's time has passed (the view checks that), and a move
keeps the same link, since the id and the UID stay.
"""

from __future__ import annotations

from datetime import UTC, datetime

from itsdangerous import BadSignature, URLSafeSerializer

from clinic_app.models.booking import Booking
from clinic_app.models.types import DbSession
from clinic_app.settings import Settings
from clinic_app.web import services

SALT = "booking-manage"


def manage_token(secret_key: str, booking: Booking) -> str:
    return URLSafeSerializer(secret_key, salt=SALT).dumps([booking.id, booking.uid])


def manage_address(settings: Settings, booking: Booking) -> str:
    """The full address of the booking's manage page, on the clinic's own site (PUBLIC_BASE_URL).
    Needs no app context: give it the settings (the emails' functions are handed it)."""
    return f"{settings.public_base_url}/booking/{manage_token(settings.secret_key, booking)}"


def manage_url(booking: Booking) -> str:
    """The same address, inside a request or app context (reads the app's settings). The booking
    must be flushed (it needs its id)."""
    return manage_address(services.settings(), booking)


def booking_for_token(session: DbSession, secret_key: str, token: str) -> Booking | None:
    """The booking the token names, or None when the token is forged or damaged, or the booking is
    gone (its request purged)."""
    try:
        payload = URLSafeSerializer(secret_key, salt=SALT).loads(token)
    except BadSignature:
        return None
    if not (isinstance(payload, list) and len(payload) == 2):
        return None
    booking_id, uid = payload
    if not isinstance(booking_id, int) or not isinstance(uid, str):
        return None
    booking = session.get(Booking, booking_id)
    return booking if booking is not None and booking.uid == uid else None


def has_passed(booking: Booking, now: datetime) -> bool:
    """Whether the booking's time has begun: its link then closes."""
    starts = booking.starts_at if booking.starts_at.tzinfo else booking.starts_at.replace(tzinfo=UTC)
    return starts <= now
