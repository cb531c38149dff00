"""Moving and cancelling a booked free consultation, as the patient's manage page and the staff pages
both do it: the change, the patient's email with the updated invite, the reminder, and the audit row,
all in the caller's transaction (the view commits once).

The new time is one of the open times now (as the form checks), and the database has the last word:
``storage.move`` raises ``SlotTaken`` when another booking got there first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from babel.dates import format_datetime
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, ValidationError
from wtforms.fields.choices import SelectChoice

from clinic_app.audit import AuditAction, record
from clinic_app.booking.emails import queue_booking_change, queue_reminder
from clinic_app.booking.slots import parse_slot, to_utc
from clinic_app.booking.storage import SlotTaken, cancel, move
from clinic_app.models import StaffUser
from clinic_app.models.booking import Booking, BookingStatus
from clinic_app.models.types import DbSession
from clinic_app.settings import Settings
from clinic_app.web import services
from clinic_app.web.booking_links import manage_address
from clinic_app.web.form_flow import OpenTimes, days_to_offer
from clinic_app.web.request_form import DAY_PATTERN, TIME_PATTERN, TIME_TAKEN, _page_locale, _zone_words

PICK_ANOTHER = _l("Choose one of the times.")
ANY_PROVIDER = ""


class ConfirmChangeForm(FlaskForm):
    """A button's form (Cancel, Pick another time): its CSRF token alone."""


class TimeChoiceForm(FlaskForm):
    """The new time, as the request form's picker offers it: one fieldset of radio buttons a day."""

    slot = RadioField(_l("Pick another time"), validate_choice=False)
    # Staff only (the patient's page leaves it out): who gives the consultation.
    provider = SelectField("Provider", validate_choice=False, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_days: list[tuple[str, list[str]]] = []
        self.zone_words = ""
        self.slot.choices = []

    def offer_times(self, days: Sequence[tuple[date, Sequence[datetime]]]) -> None:
        locale = _page_locale()
        language = locale.language if locale.language in DAY_PATTERN else "en"
        self.zone_words = _zone_words(services.booking_rules().zone, locale)
        self.time_days = []
        choices = []
        for _day, moments in days:
            if not moments:
                continue
            legend = format_datetime(moments[0], DAY_PATTERN[language], locale=locale)
            values = [moment.isoformat() for moment in moments]
            self.time_days.append((legend[:1].upper() + legend[1:], values))
            choices += [
                SelectChoice(value, format_datetime(moment, TIME_PATTERN, locale=locale))
                for value, moment in zip(values, moments, strict=True)
            ]
        self.slot.choices = choices

    def time_groups(self) -> list[tuple[str, list[Any]]]:
        by_value = {option.data: option for option in self.slot}
        return [(legend, [by_value[value] for value in values]) for legend, values in self.time_days]

    def validate_slot(self, field: RadioField) -> None:
        if not field.data or field.data == "None" or self.picked_time() is None:
            raise ValidationError(str(PICK_ANOTHER))

    def picked_time(self) -> datetime | None:
        return parse_slot(self.slot.data or "", services.booking_rules().zone)

    def time_taken(self, times: OpenTimes, picked: datetime) -> None:
        """The picked time is not open: the nearest open times first, and the message at the picker."""
        self.offer_times(days_to_offer(times, near=picked))
        self.slot.errors = [TIME_TAKEN]


def stored_utc(moment: datetime) -> datetime:
    """A stored time, aware in UTC (SQLite may give it back naive)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def providers_free_at(times: OpenTimes, picked: datetime) -> list[int] | None:
    """The providers open at the picked time, or None when it is not one of the open times."""
    return {to_utc(moment): free for moment, free in times}.get(to_utc(picked))


def move_booking(
    session: DbSession,
    booking: Booking,
    settings: Settings,
    picked: datetime,
    providers: Sequence[int],
    *,
    actor: StaffUser | None,
    actor_email: str | None,
    ip_address: str,
) -> bool:
    """Move the booking to the picked time with the first of the providers the database lets have it;
    then the change email with the new invite, the reminder for the new time and the audit row. False
    (nothing changed) when every one of them is taken."""
    was = (booking.starts_at, booking.provider_id)
    length = booking.ends_at - booking.starts_at
    starts_at = to_utc(picked)
    for provider_id in providers:
        try:
            move(session, booking, provider_id, starts_at, starts_at + length)
        except SlotTaken:
            continue
        break
    else:
        return False
    request = booking.request
    url = manage_address(settings, booking)
    queue_booking_change(session, request, booking, settings, cancelled=False, manage_url=url)
    queue_reminder(session, request, booking, settings, manage_url=url)
    provider = session.get_one(StaffUser, booking.provider_id)
    detail = {
        "booking": booking.id,
        "from": stored_utc(was[0]).isoformat(),
        "to": starts_at.isoformat(),
        "provider": provider.email,
        "sequence": booking.sequence,
    }
    record(
        session,
        AuditAction.MOVED_BOOKING,
        actor=actor,
        actor_email=actor_email,
        ip_address=ip_address,
        request=request,
        detail=detail,
    )
    return True


def cancel_booking(
    session: DbSession,
    booking: Booking,
    settings: Settings,
    *,
    actor: StaffUser | None,
    actor_email: str | None,
    ip_address: str,
) -> bool:
    """Cancel the booking (its time is free again), email the patient the cancellation (METHOD:CANCEL),
    drop the reminder, and record it. False when it was cancelled already."""
    if booking.status is BookingStatus.CANCELLED:
        return False
    cancel(session, booking)
    queue_booking_change(session, booking.request, booking, settings, cancelled=True)
    record(
        session,
        AuditAction.CANCELLED_BOOKING,
        actor=actor,
        actor_email=actor_email,
        ip_address=ip_address,
        request=booking.request,
        detail={"booking": booking.id, "sequence": booking.sequence},
    )
    return True
