"""The patient's booking emails: the confirmation, a move or a cancellation, and the reminder.

Each is queued in the outbox in the caller's transaction (no Flask needed), in the language the patient
used the form in, to the email address they gave; without one there is no email (None). They say the
time in words, how long it takes, where, and how to change it: nothing about the patient's health, in
the subject or the body, so they are not marked as carrying health details. The confirmation and the
change carry the calendar invite (``invite.ics``, see ``booking.invite``): the booking's UID on the
clinic's domain (PUBLIC_BASE_URL's host), its SEQUENCE as stored (``cancel`` raises it, and so must a
move), METHOD:CANCEL once it is cancelled. All the words are in templates/email/booking*.

The reminder is queued with a not-before time (the outbox's ``next_attempt_at``) of the start minus the
lead (BOOKING_REMINDER_HOURS), and the booking points at it. When the booking is moved or cancelled,
``drop_reminder`` deletes it in the same transaction, unless a worker has already claimed it.

Why a cancelled booking's reminder is never sent: the worker's claim is the moment an email is decided
to go, and the claim (one conditional UPDATE on SQLite; SELECT ... FOR UPDATE SKIP LOCKED on
PostgreSQL) refuses a reminder whose booking is cancelled, in the same statement. ``drop_reminder``
deletes the reminder only while it is unclaimed, in the cancelling transaction; both write the same
outbox row, so they are ordered by its lock (PostgreSQL skips a row the cancelling transaction holds;
SQLite lets one writer in at a time). If the cancellation commits first, the reminder is gone (or its
booking reads cancelled) and no worker can claim it. If the claim commits first, the reminder was
already being handed to the mail server when the cancellation was made: ``drop_reminder`` leaves it
and answers False, and the cancellation email follows it.

This module lives under ``booking``, not ``mail``: it needs the booking's words and invite
(``booking.slots``, ``booking.invite``), and the layers let ``booking`` use ``mail``, not the reverse.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import formataddr, parseaddr
from typing import Any, Literal, cast
from urllib.parse import urlsplit

import sqlalchemy as sa

from clinic_app.booking.invite import invite_ics
from clinic_app.booking.slots import time_in_words
from clinic_app.choices import EmailState, VisitType
from clinic_app.formatting import phone_for_links
from clinic_app.mail.outbox import CalendarInvite, enqueue
from clinic_app.mail.rendering import render_email
from clinic_app.models import ConsultationRequest, OutboxEmail, utcnow
from clinic_app.models.booking import Booking, BookingStatus
from clinic_app.models.types import DbSession
from clinic_app.settings import Settings

__all__ = [
    "drop_reminder",
    "queue_booking_change",
    "queue_booking_confirmation",
    "queue_reminder",
    "reminder_lead",
]

Kind = Literal["booked", "moved", "cancelled", "reminder"]


def queue_booking_confirmation(
    session: DbSession,
    request: ConsultationRequest,
    booking: Booking,
    settings: Settings,
    *,
    manage_url: str | None = None,
    now: datetime | None = None,
) -> OutboxEmail | None:
    """ "Your free consultation at <clinic>" ("Your new-patient appointment at <clinic>" for that visit),
    with the invite (METHOD:REQUEST); None without an email address. `manage_url`, when given, is
    offered besides the phone to change or cancel."""
    return _queue(session, request, booking, settings, "booked", manage_url=manage_url, now=now)


def queue_booking_change(
    session: DbSession,
    request: ConsultationRequest,
    booking: Booking,
    settings: Settings,
    *,
    cancelled: bool,
    manage_url: str | None = None,
    now: datetime | None = None,
) -> OutboxEmail | None:
    """After a move ("Your free consultation has moved to <time>") or a cancellation ("... is
    cancelled", METHOD:CANCEL), with the invite at the booking's raised SEQUENCE. The booking's queued
    reminder is dropped either way; after a move, queue a new one with ``queue_reminder``."""
    drop_reminder(session, booking, now)
    kind: Kind = "cancelled" if cancelled else "moved"
    return _queue(session, request, booking, settings, kind, manage_url=manage_url, now=now)


def reminder_lead(settings: Settings) -> timedelta:
    """BOOKING_REMINDER_HOURS as a time; zero means no reminders."""
    return timedelta(hours=settings.booking_reminder_hours)


def queue_reminder(
    session: DbSession,
    request: ConsultationRequest,
    booking: Booking,
    settings: Settings,
    lead: timedelta | None = None,
    now: datetime | None = None,
    *,
    manage_url: str | None = None,
) -> OutboxEmail | None:
    """Queue the reminder to leave `lead` (BOOKING_REMINDER_HOURS unless given) before the booking,
    and point the booking at it; a reminder queued before for this booking is dropped first. None
    (and no reminder) when the lead is zero, the booking was made less than `lead` ahead of its start,
    it is cancelled, or the patient gave no email address."""
    now = now or utcnow()
    lead = reminder_lead(settings) if lead is None else lead
    drop_reminder(session, booking, now)
    if lead <= timedelta(0) or booking.status is BookingStatus.CANCELLED:
        return None
    if _utc(booking.starts_at) - _utc(now) < lead:
        return None
    email = _queue(
        session,
        request,
        booking,
        settings,
        "reminder",
        manage_url=manage_url,
        now=now,
        not_before=_utc(booking.starts_at) - lead,
    )
    if email is not None:
        session.flush()
        booking.reminder_email_id = email.id
        session.flush()
    return email


def drop_reminder(session: DbSession, booking: Booking, now: datetime | None = None) -> bool:
    """Delete the booking's queued reminder, in the caller's transaction; True if one was deleted.

    A reminder already sent, or claimed by a worker at this moment (already on its way to the mail
    server), is left alone: False. See the module's notes for why a cancelled booking's reminder is
    never sent."""
    if booking.reminder_email_id is None:
        return False
    now = now or utcnow()
    result = session.execute(
        sa.delete(OutboxEmail)
        .where(
            OutboxEmail.id == booking.reminder_email_id,
            OutboxEmail.state == EmailState.QUEUED,
            sa.or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now),
        )
        .execution_options(synchronize_session="fetch")
    )
    if cast(sa.CursorResult[Any], result).rowcount != 1:
        return False
    booking.reminder_email_id = None
    session.flush()
    return True


def _queue(
    session: DbSession,
    request: ConsultationRequest,
    booking: Booking,
    settings: Settings,
    kind: Kind,
    *,
    manage_url: str | None,
    now: datetime | None,
    not_before: datetime | None = None,
) -> OutboxEmail | None:
    if not request.email or request.spam_reason is not None:
        return None
    language = request.language.value
    now = now or utcnow()
    new_patient = request.visit_type is VisitType.NEW_PATIENT
    calendar = None if kind == "reminder" else _invite(booking, settings, language, now, new_patient)
    context = {
        "kind": kind,
        # The emails name the visit booked: the free consultation, or the new-patient appointment.
        "new_patient": new_patient,
        "consultation_request": request,
        "clinic_name": settings.clinic_name,
        "clinic_phone": settings.clinic_phone,
        "clinic_phone_e164": phone_for_links(settings.clinic_phone),
        "clinic_address": settings.clinic_address,
        "time_words": time_in_words(_utc(booking.starts_at), settings.clinic_timezone, language),
        "minutes": round((booking.ends_at - booking.starts_at).total_seconds() / 60),
        "manage_url": manage_url if kind != "cancelled" else None,
        "has_invite": calendar is not None,
    }
    return enqueue(
        session,
        sender=formataddr((settings.clinic_name, parseaddr(settings.mail_from)[1])),
        recipients=[request.email],
        # One line, whatever the template's layout: a line break would end the header.
        subject=" ".join(render_email("booking_subject.txt", context, language).split()),
        body_text=render_email("booking.txt", context, language),
        body_html=render_email("booking.html", context, language),
        message_domain=settings.message_domain,
        carries_health_details=False,
        request=request,
        to_patient=True,
        calendar=calendar,
        not_before=not_before,
    )


def _invite(
    booking: Booking, settings: Settings, language: str, now: datetime, new_patient: bool
) -> CalendarInvite:
    cancelled = booking.status is BookingStatus.CANCELLED
    words = {
        "new_patient": new_patient,
        "clinic_name": settings.clinic_name,
        "clinic_phone": settings.clinic_phone,
        "cancelled": cancelled,
    }
    ics = invite_ics(
        uid=booking.uid,
        domain=urlsplit(settings.public_base_url).hostname or "localhost",
        sequence=booking.sequence,
        starts_at=_utc(booking.starts_at),
        ends_at=_utc(booking.ends_at),
        zone=settings.clinic_timezone,
        summary=render_email("booking_invite.txt", {**words, "part": "summary"}, language).strip(),
        description=render_email("booking_invite.txt", {**words, "part": "description"}, language).strip(),
        clinic_name=settings.clinic_name,
        clinic_address=settings.clinic_address,
        clinic_phone=settings.clinic_phone,
        cancelled=cancelled,
        now=_utc(now),
        organizer_email=parseaddr(settings.mail_from)[1] or None,
    )
    return CalendarInvite(ics=ics.decode("utf-8"), method="CANCEL" if cancelled else "REQUEST")


def _utc(moment: datetime) -> datetime:
    """Stored times come back aware on PostgreSQL and naive UTC from some SQLite paths."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
