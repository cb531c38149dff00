"""The patient's booking emails, received by a real SMTP server on loopback (issue 16).

The confirmation, a move and a cancellation carry the calendar invite, which icalendar reads back to
the booked time on the clinic's clock across the 2027 clock changes (March 14 and November 7). The
reminder leaves through the outbox at its not-before time, once, and never after a cancellation.
Time is moved by handing the outbox a ``now``, never by waiting.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from clinic_app.booking.emails import (
    drop_reminder,
    queue_booking_change,
    queue_booking_confirmation,
    queue_reminder,
)
from clinic_app.booking.invite import parse_invite
from clinic_app.booking.storage import book, cancel
from clinic_app.choices import Concern, ContactMethod, EmailState, Language, VisitType
from clinic_app.extensions import db
from clinic_app.mail.outbox import deliver_due
from clinic_app.mail.transports import transport_for
from clinic_app.models import Booking, ConsultationRequest, OutboxEmail, StaffUser
from clinic_app.web.services import services
from tests.helpers import create_account, deliver

CLINIC_ZONE = ZoneInfo("America/Los_Angeles")
PATIENT = "ana.diaz@example.com"
CLINIC = "Cascade Headache & Neck Clinic"
# Tuesday, March 16, 2027, 2:15 PM: two days after the clocks went forward (Pacific daylight time).
AFTER_SPRING = datetime(2027, 3, 16, 14, 15, tzinfo=CLINIC_ZONE)
# Monday, November 8, 2027, 9:00 AM: the day after the clocks went back (Pacific standard time).
AFTER_FALL = datetime(2027, 11, 8, 9, 0, tzinfo=CLINIC_ZONE)
HEALTH_WORDS = ["neck", "headache", "migraine", "pain", "warning", "insurance", "cuello", "dolor", "cabeza"]


@pytest.fixture
def app(make_app, smtp_server):
    return make_app(**smtp_server.config())


@pytest.fixture
def provider(app) -> int:
    staff_id = create_account(app, "provider@clinic.example", password=None)
    with app.app_context():
        db.session.get_one(StaffUser, staff_id).is_provider = True
        db.session.commit()
    return staff_id


def settings(app):
    return services(app).settings


def booked(app, provider: int, starts: datetime, language: Language = Language.ENGLISH, email=PATIENT):
    """A consultation request stored and booked at `starts` for 15 minutes; (request id, booking id)."""
    with app.app_context():
        request = ConsultationRequest(
            reference="BOOK-0001",
            visit_type=VisitType.CONSULTATION,
            full_name="Ana Díaz",
            email=email,
            preferred_contact=ContactMethod.EMAIL,
            main_concern=Concern.NECK_PAIN,
            headache_days_per_month=8,
            has_warning_signs=False,
            consented_at=datetime.now(UTC),
            language=language,
        )
        db.session.add(request)
        db.session.flush()
        starts_utc = starts.astimezone(UTC)
        booking = book(db.session, request.id, provider, starts_utc, starts_utc + timedelta(minutes=15))
        db.session.commit()
        return request.id, booking.id


def queue(app, ids, what, **options):
    """Run one of the queue functions on the stored request and booking, and commit."""
    request_id, booking_id = ids
    with app.app_context():
        request = db.session.get_one(ConsultationRequest, request_id)
        booking = db.session.get_one(Booking, booking_id)
        email = what(db.session, request, booking, settings(app), **options)
        db.session.commit()
        return None if email is None else email.id


def invite_of(message):
    """The attached invite.ics, read back with icalendar; and its part's method parameter."""
    attached = [part for part in message.iter_attachments() if part.get_filename() == "invite.ics"]
    assert len(attached) == 1, "one invite.ics attached"
    part = attached[0]
    assert part.get_content_type() == "text/calendar"
    assert part.get_content_charset().upper() == "UTF-8"
    invite = parse_invite(part.get_content().encode("utf-8"))
    assert part.get_param("method") == invite.method
    return invite


def alternative_calendar(message):
    """The text/calendar alternative of the body (what mail programs show as an invitation)."""
    alternatives = [part for part in message.walk() if part.get_content_type() == "multipart/alternative"]
    assert len(alternatives) == 1
    return [part for part in alternatives[0].iter_parts() if part.get_content_type() == "text/calendar"]


def subject(message) -> str:
    """The subject as a mail program shows it: a long one may arrive folded onto the header's
    second line, which unfolds with a space in front."""
    return " ".join(message["Subject"].split())


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


@pytest.mark.parametrize(
    ("starts", "in_words"),
    [
        (AFTER_SPRING, "Tuesday, March 16, 2:15 PM Pacific time"),
        (AFTER_FALL, "Monday, November 8, 9:00 AM Pacific time"),
    ],
)
def test_the_confirmation_has_the_time_in_words_and_an_invite_at_the_same_time(
    app, smtp_server, provider, starts, in_words
):
    ids = booked(app, provider, starts)
    assert queue(app, ids, queue_booking_confirmation, manage_url="https://clinic.example/b/tok") is not None
    assert deliver(app).sent == 1
    (message,) = smtp_server.messages
    assert message["To"] == PATIENT
    assert subject(message) == "Your free consultation at Cascade Headache & Neck Clinic"
    assert in_words in body(message) and in_words in html(message)
    assert "15 minutes" in body(message)
    assert "(503) 555-0142" in body(message) and "https://clinic.example/b/tok" in body(message)
    invite = invite_of(message)
    assert invite.method == "REQUEST" and invite.status == "CONFIRMED" and invite.sequence == 0
    assert invite.starts_at == starts and invite.starts_at.utcoffset() == starts.utcoffset()
    assert str(invite.starts_at.tzinfo) == "America/Los_Angeles"
    assert invite.ends_at == starts + timedelta(minutes=15)
    assert invite.summary == "Free consultation at Cascade Headache & Neck Clinic"
    with app.app_context():
        uid = db.session.get_one(Booking, ids[1]).uid
    host = urlsplit(settings(app).public_base_url).hostname
    assert invite.uid == f"{uid}@{host}", "the UID is on PUBLIC_BASE_URL's host"
    (calendar,) = alternative_calendar(message)
    assert calendar.get_param("method") == "REQUEST"
    assert parse_invite(calendar.get_content().encode()) == invite


def test_the_confirmation_in_spanish(app, smtp_server, provider):
    ids = booked(app, provider, AFTER_SPRING, language=Language.SPANISH)
    queue(app, ids, queue_booking_confirmation)
    assert deliver(app).sent == 1
    (message,) = smtp_server.messages
    assert subject(message) == "Su consulta gratuita en Cascade Headache & Neck Clinic"
    assert "martes, 16 de marzo, 2:15 p.m., hora del Pacífico" in body(message)
    assert "15 minutos" in body(message)
    assert 'lang="es"' in html(message)
    invite = invite_of(message)
    assert invite.starts_at == AFTER_SPRING
    assert invite.summary == "Consulta gratuita en Cascade Headache & Neck Clinic"


def test_no_email_address_means_no_booking_email(app, smtp_server, provider):
    ids = booked(app, provider, AFTER_SPRING, email=None)
    assert queue(app, ids, queue_booking_confirmation) is None
    assert queue(app, ids, queue_reminder, now=datetime(2027, 3, 1, tzinfo=UTC)) is None
    assert deliver(app, now=AFTER_SPRING).sent == 0


def test_a_move_raises_the_sequence_of_the_same_uid_and_a_cancel_sends_method_cancel(
    app, smtp_server, provider
):
    ids = booked(app, provider, AFTER_SPRING)
    queue(app, ids, queue_booking_confirmation)
    later = AFTER_SPRING + timedelta(hours=1)
    with app.app_context():
        booking = db.session.get_one(Booking, ids[1])
        booking.starts_at, booking.ends_at = later, later + timedelta(minutes=15)
        booking.sequence += 1
        db.session.commit()
    queue(app, ids, queue_booking_change, cancelled=False)
    with app.app_context():
        cancel(db.session, db.session.get_one(Booking, ids[1]))
        db.session.commit()
    queue(app, ids, queue_booking_change, cancelled=True)
    assert deliver(app).sent == 3
    # Sent on several connections at once, they may arrive in any order: put them in the invites'.
    by_sequence = sorted(smtp_server.messages, key=lambda message: invite_of(message).sequence)
    _, moved_message, cancelled_message = by_sequence
    first, moved, cancelled = (invite_of(message) for message in by_sequence)
    assert (
        subject(moved_message)
        == "Your free consultation has moved to Tuesday, March 16, 3:15 PM Pacific time"
    )
    assert moved.uid == first.uid and moved.sequence == first.sequence + 1 == 1
    assert moved.method == "REQUEST" and moved.starts_at == later
    assert subject(cancelled_message) == "Your free consultation is cancelled"
    assert cancelled.uid == first.uid and cancelled.sequence == 2
    assert cancelled.method == "CANCEL" and cancelled.status == "CANCELLED"
    assert 'text/calendar; method="CANCEL"' in cancelled_message.as_string().replace("\n ", " ")
    assert "Tuesday, March 16, 3:15 PM Pacific time" in body(cancelled_message)


def test_the_reminder_waits_for_its_time_and_is_sent_once(app, smtp_server, provider):
    ids = booked(app, provider, AFTER_FALL)
    made = AFTER_FALL - timedelta(days=5)
    reminder_id = queue(app, ids, queue_reminder, lead=timedelta(hours=24), now=made)
    assert reminder_id is not None
    with app.app_context():
        assert db.session.get_one(Booking, ids[1]).reminder_email_id == reminder_id
        due = db.session.get_one(OutboxEmail, reminder_id).next_attempt_at
    assert due == AFTER_FALL - timedelta(hours=24)
    assert deliver(app, now=due - timedelta(minutes=1)).sent == 0, "not before its time"
    assert deliver(app, now=due).sent == 1
    assert deliver(app, now=due + timedelta(minutes=10)).sent == 0, "and only once"
    (message,) = smtp_server.messages
    assert (
        subject(message) == "Reminder: your free consultation is on Monday, November 8, 9:00 AM Pacific time"
    )
    assert "Monday, November 8, 9:00 AM Pacific time" in body(message)
    assert not list(message.iter_attachments()), "the reminder carries no invite"


def test_the_reminder_lead_comes_from_the_setting(make_app, smtp_server):
    app = make_app(**smtp_server.config(), BOOKING_REMINDER_HOURS=48)
    staff_id = create_account(app, "provider@clinic.example", password=None)
    ids = booked(app, staff_id, AFTER_SPRING)
    reminder_id = queue(app, ids, queue_reminder, now=AFTER_SPRING - timedelta(days=5))
    with app.app_context():
        due = db.session.get_one(OutboxEmail, reminder_id).next_attempt_at
    assert due == AFTER_SPRING - timedelta(hours=48)


def test_a_booking_made_less_than_the_lead_ahead_gets_no_reminder(app, smtp_server, provider):
    ids = booked(app, provider, AFTER_SPRING)
    assert (
        queue(app, ids, queue_reminder, lead=timedelta(hours=24), now=AFTER_SPRING - timedelta(hours=3))
        is None
    )
    assert deliver(app, now=AFTER_SPRING).sent == 0
    assert not smtp_server.messages


def test_reminders_turned_off_send_none(make_app, smtp_server):
    app = make_app(**smtp_server.config(), BOOKING_REMINDER_HOURS=0)
    staff_id = create_account(app, "provider@clinic.example", password=None)
    ids = booked(app, staff_id, AFTER_SPRING)
    assert queue(app, ids, queue_reminder, now=AFTER_SPRING - timedelta(days=5)) is None
    assert deliver(app, now=AFTER_SPRING).sent == 0
    assert not smtp_server.messages


def test_a_cancelled_bookings_reminder_is_never_sent(app, smtp_server, provider):
    ids = booked(app, provider, AFTER_SPRING)
    queue(app, ids, queue_reminder, lead=timedelta(hours=24), now=AFTER_SPRING - timedelta(days=5))
    with app.app_context():
        cancel(db.session, db.session.get_one(Booking, ids[1]))
        db.session.commit()
    queue(app, ids, queue_booking_change, cancelled=True)
    with app.app_context():
        assert db.session.get_one(Booking, ids[1]).reminder_email_id is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 1
    assert deliver(app, now=AFTER_SPRING - timedelta(hours=1)).sent == 1
    (message,) = smtp_server.messages
    assert subject(message) == "Your free consultation is cancelled"


def test_a_reminder_left_queued_is_not_claimed_once_its_booking_is_cancelled(app, smtp_server, provider):
    """A caller that cancels without dropping the reminder: the outbox's claim refuses it anyway."""
    ids = booked(app, provider, AFTER_SPRING)
    reminder_id = queue(
        app, ids, queue_reminder, lead=timedelta(hours=24), now=AFTER_SPRING - timedelta(days=5)
    )
    with app.app_context():
        cancel(db.session, db.session.get_one(Booking, ids[1]))
        db.session.commit()
    assert deliver(app, now=AFTER_SPRING - timedelta(hours=1)).sent == 0
    assert not smtp_server.messages
    with app.app_context():
        assert db.session.get_one(OutboxEmail, reminder_id).state is EmailState.QUEUED


def test_a_reminder_already_claimed_or_sent_is_left_alone(app, smtp_server, provider):
    ids = booked(app, provider, AFTER_SPRING)
    reminder_id = queue(
        app, ids, queue_reminder, lead=timedelta(hours=24), now=AFTER_SPRING - timedelta(days=5)
    )
    due = AFTER_SPRING - timedelta(hours=24)
    with app.app_context():
        email = db.session.get_one(OutboxEmail, reminder_id)
        email.claimed_until = due + timedelta(minutes=5)  # a worker holds it, sending
        db.session.commit()
        assert drop_reminder(db.session, db.session.get_one(Booking, ids[1]), now=due) is False
        db.session.commit()
        email = db.session.get_one(OutboxEmail, reminder_id)
        email.claimed_until = None
        db.session.commit()
        report = deliver_due(
            db.session, transport_for(settings(app)), max_attempts=3, now=due + timedelta(minutes=1)
        )
        assert report.sent == 1
        assert drop_reminder(db.session, db.session.get_one(Booking, ids[1]), now=due) is False
        db.session.commit()
        assert db.session.get_one(OutboxEmail, reminder_id).state is EmailState.SENT
        db.session.remove()


def test_moving_a_booking_replaces_its_reminder(app, smtp_server, provider):
    ids = booked(app, provider, AFTER_SPRING)
    made = AFTER_SPRING - timedelta(days=5)
    first = queue(app, ids, queue_reminder, lead=timedelta(hours=24), now=made)
    later = AFTER_SPRING + timedelta(days=1)
    with app.app_context():
        booking = db.session.get_one(Booking, ids[1])
        booking.starts_at, booking.ends_at = later, later + timedelta(minutes=15)
        booking.sequence += 1
        db.session.commit()
    queue(app, ids, queue_booking_change, cancelled=False, now=made)
    second = queue(app, ids, queue_reminder, lead=timedelta(hours=24), now=made)
    assert first is not None and second is not None
    with app.app_context():
        # SQLite may give the next row the deleted one's id: what is queued is told by its time.
        reminders = db.session.scalars(
            sa.select(OutboxEmail.next_attempt_at).where(OutboxEmail.subject.startswith("Reminder"))
        ).all()
        assert reminders == [later - timedelta(hours=24)]
        assert db.session.get_one(Booking, ids[1]).reminder_email_id == second
    assert deliver(app, now=later - timedelta(hours=1)).sent == 2, "the move's email and one reminder"
    subjects = sorted(subject(message) for message in smtp_server.messages)
    assert subjects == [
        "Reminder: your free consultation is on Wednesday, March 17, 2:15 PM Pacific time",
        "Your free consultation has moved to Wednesday, March 17, 2:15 PM Pacific time",
    ]


def test_booking_email_subjects_and_bodies_carry_no_health_words(app, smtp_server, provider):
    for language in (Language.ENGLISH, Language.SPANISH):
        with app.app_context():
            db.session.execute(sa.delete(ConsultationRequest))
            db.session.commit()
        ids = booked(app, provider, AFTER_SPRING, language=language)
        queue(app, ids, queue_booking_confirmation)
        queue(app, ids, queue_reminder, lead=timedelta(hours=24), now=AFTER_SPRING - timedelta(days=5))
        with app.app_context():
            cancel(db.session, db.session.get_one(Booking, ids[1]))
            db.session.commit()
        queue(app, ids, queue_booking_change, cancelled=True)
    assert deliver(app).sent == 4
    for message in smtp_server.messages:
        invite = invite_of(message)
        for text in (subject(message), body(message), invite.summary, invite.description):
            text = text.replace(CLINIC, "the clinic")  # its name has "Headache & Neck" in it
            assert not [word for word in HEALTH_WORDS if word in text.lower()], text
    with app.app_context():
        assert not db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.carries_health_details.is_(True))
        ).all()
