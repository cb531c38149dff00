"""The patient's manage page for a booked free consultation (issue 16): ``/booking/<token>``.

Real app, real database (SQLite, or PostgreSQL with TEST_DATABASE_URL), a real SMTP server, no mocks.
Opening the link (as mail servers' link scanners do) changes nothing; only the page's buttons do.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeSerializer

from clinic_app.booking.availability import clinic_open_times, rules_from_settings
from clinic_app.booking.emails import queue_reminder
from clinic_app.booking.invite import parse_invite
from clinic_app.booking.slots import time_in_words
from clinic_app.extensions import db
from clinic_app.models import AuditEntry, Booking, BookingStatus, OutboxEmail
from clinic_app.web.booking_links import manage_address
from clinic_app.web.services import services
from tests.helpers import TEST_SECRET_KEY, count, deliver, visible_text
from tests.web.test_booking_form import give_hours, offered, post

CLOSED = "This link has closed"
TAKEN = "That time was just taken. Here are the nearest open times."


@pytest.fixture
def app(make_app, smtp_server):
    return make_app(**smtp_server.config())


def booked_by_form(app, client, lang: str = "en") -> tuple[int, str]:
    """A visitor books the first open time on the form; (booking id, its manage path)."""
    html = client.get(f"/request?lang={lang}").get_data(as_text=True)
    response = post(client, slot=offered(html)[0], lang=lang, email="ana.diaz@example.com")
    assert response.status_code == 303
    with app.app_context():
        booking = db.session.scalars(sa.select(Booking)).one()
        address = manage_address(services(app).settings, booking)
        return booking.id, address.removeprefix("https://clinic.test")


def booking_state(app, booking_id: int) -> tuple:
    with app.app_context():
        b = db.session.get_one(Booking, booking_id)
        return (b.status, b.starts_at, b.ends_at, b.provider_id, b.sequence, b.uid, b.reminder_email_id)


def emails(app) -> int:
    with app.app_context():
        return count(OutboxEmail)


def audit_rows(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))
        db.session.expunge_all()
        return rows


def open_instants(app) -> set[datetime]:
    with app.app_context():
        rules = rules_from_settings(services(app).settings)
        now = datetime.now(UTC)
        times = clinic_open_times(db.session, rules, now, now.date() - timedelta(days=1), 40)
        return {moment.astimezone(UTC) for moment, _free in times}


def invite_of(messages) -> str:
    """The calendar part of the one message among these that carries an invite."""
    carrying = [m for m in messages if any(p.get_content_type() == "text/calendar" for p in m.walk())]
    assert len(carrying) == 1
    return next(p for p in carrying[0].walk() if p.get_content_type() == "text/calendar").get_content()


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "the page's buttons carry a CSRF token"
    return match.group(1)


def test_opening_the_link_changes_nothing(app, client):
    give_hours(app)
    booking_id, path = booked_by_form(app, client)
    before, queued = booking_state(app, booking_id), emails(app)
    scanner = app.test_client()
    for _ in range(5):
        page = scanner.get(path)
        assert page.status_code == 200
        assert page.headers["Cache-Control"] == "no-store"
    assert scanner.head(path).status_code == 200
    assert scanner.get(f"{path}/move").status_code == 200
    assert booking_state(app, booking_id) == before
    assert emails(app) == queued
    text = visible_text(scanner.get(path).get_data(as_text=True))
    with app.app_context():
        starts = db.session.get_one(Booking, booking_id).starts_at
    assert time_in_words(starts, "America/Los_Angeles", "en") in text
    assert "Pick another time" in text and "Cancel" in text
    views = audit_rows(app, "viewed_booking")
    assert len(views) >= 7 and {row.actor_email for row in views} == {"patient link"}


def test_cancel_by_post_frees_the_time_and_emails_a_cancel(app, client, smtp_server):
    give_hours(app)
    booking_id, path = booked_by_form(app, client)
    with app.app_context():
        booking = db.session.get_one(Booking, booking_id)
        reminder = queue_reminder(
            db.session, booking.request, booking, services(app).settings, lead=timedelta(hours=1)
        )
        assert reminder is not None
        db.session.commit()
    deliver(app)
    sent_before = len(smtp_server.patient_copies)
    # "Cancel" asks first: its page changes nothing, its "Yes, cancel it" posts.
    manage = client.get(path).get_data(as_text=True)
    assert f'action="{path}/cancel"' in manage and 'method="get"' in manage
    html = client.get(f"{path}/cancel").get_data(as_text=True)
    assert "Cancel your free consultation?" in html and "No, keep it" in html
    assert booking_state(app, booking_id)[0] is BookingStatus.BOOKED
    response = client.post(f"{path}/cancel", data={"csrf_token": csrf_of(html)})
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert "Your free consultation is cancelled" in visible_text(page.get_data(as_text=True))
    status, *_rest, sequence, uid, reminder = booking_state(app, booking_id)
    assert status is BookingStatus.CANCELLED and reminder is None
    deliver(app)
    cancels = smtp_server.patient_copies[sent_before:]
    assert len(cancels) == 1
    ics = invite_of(cancels)
    assert "METHOD:CANCEL" in ics
    invite = parse_invite(ics)
    assert invite.sequence == sequence and invite.uid.startswith(uid)
    # The reminder is never sent, even once its time comes.
    deliver(app, now=datetime.now(UTC) + timedelta(days=40))
    assert len(smtp_server.patient_copies) == sent_before + 1
    assert len(audit_rows(app, "cancelled_booking")) == 1
    with app.app_context():
        starts = db.session.get_one(Booking, booking_id).starts_at.replace(tzinfo=UTC)
    assert starts in open_instants(app), "the time is free again"


def test_a_post_without_the_pages_token_changes_nothing(app, client):
    give_hours(app)
    booking_id, path = booked_by_form(app, client)
    before, queued = booking_state(app, booking_id), emails(app)
    assert app.test_client().post(f"{path}/cancel").status_code == 400
    assert client.post(f"{path}/cancel", data={"csrf_token": "forged"}).status_code == 400
    assert booking_state(app, booking_id) == before and emails(app) == queued


def test_pick_another_time_moves_the_booking(app, client, smtp_server):
    give_hours(app)
    booking_id, path = booked_by_form(app, client)
    _status, old_start, _end, _provider, sequence, uid, _reminder = booking_state(app, booking_id)
    deliver(app)
    sent_before = len(smtp_server.patient_copies)
    html = client.get(f"{path}/move").get_data(as_text=True)
    assert html.count('<fieldset class="time-day">') == 7
    # A time two days ahead or more, so its reminder (24 hours before) is queued.
    later = [t for t in offered(html) if datetime.fromisoformat(t) > datetime.now(UTC) + timedelta(days=2)]
    new = later[0]
    response = client.post(f"{path}/move", data={"csrf_token": csrf_of(html), "slot": new})
    assert response.status_code == 303
    assert "has moved" in client.get(response.headers["Location"]).get_data(as_text=True)
    status, new_start, _end, _provider, new_sequence, same_uid, reminder = booking_state(app, booking_id)
    assert status is BookingStatus.BOOKED and same_uid == uid and new_sequence == sequence + 1
    new_start = new_start.replace(tzinfo=UTC)
    assert new_start == datetime.fromisoformat(new).astimezone(UTC)
    assert old_start.replace(tzinfo=UTC) in open_instants(app), "the old time is free again"
    assert new_start not in open_instants(app)
    with app.app_context():
        queued = db.session.get_one(OutboxEmail, reminder)
        assert queued.next_attempt_at.replace(tzinfo=UTC) == new_start - timedelta(hours=24)
    deliver(app)
    invite = parse_invite(invite_of(smtp_server.patient_copies[sent_before:]))
    assert invite.sequence == sequence + 1 and invite.uid.startswith(uid)
    assert invite.starts_at.astimezone(UTC) == new_start
    moved = audit_rows(app, "moved_booking")
    assert len(moved) == 1 and moved[0].actor_email == "patient link"
    assert moved[0].detail["to"] == new_start.isoformat()


def test_a_time_taken_meanwhile_is_refused_with_the_nearest_times(app, client):
    give_hours(app)
    booking_id, path = booked_by_form(app, client)
    before = booking_state(app, booking_id)
    html = client.get(f"{path}/move").get_data(as_text=True)
    wanted = offered(html)[2]
    # Someone else books that time on the form first.
    other = app.test_client()
    assert post(other, slot=wanted, email="someone@example.com").status_code == 303
    response = client.post(f"{path}/move", data={"csrf_token": csrf_of(html), "slot": wanted})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and TAKEN in page
    assert offered(page) and wanted not in offered(page)
    assert booking_state(app, booking_id) == before


def test_the_link_closes_once_the_time_has_passed(app, client):
    give_hours(app)
    booking_id, path = booked_by_form(app, client)
    with app.app_context():
        booking = db.session.get_one(Booking, booking_id)
        booking.starts_at = datetime.now(UTC) - timedelta(hours=1)
        booking.ends_at = booking.starts_at + timedelta(minutes=15)
        db.session.commit()
    before, queued = booking_state(app, booking_id), emails(app)
    page = client.get(path)
    assert page.status_code == 404 and CLOSED in page.get_data(as_text=True)
    assert client.get(f"{path}/move").status_code == 404
    assert client.post(f"{path}/cancel").status_code in (400, 404)
    assert booking_state(app, booking_id) == before and emails(app) == queued


def test_a_tampered_or_forged_link_is_refused(app, client):
    give_hours(app)
    booking_id, path = booked_by_form(app, client)
    token = path.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with app.app_context():
        uid = db.session.get_one(Booking, booking_id).uid
    forged = URLSafeSerializer("not-the-key", salt="booking-manage").dumps([booking_id, uid])
    wrong_uid = URLSafeSerializer(TEST_SECRET_KEY, salt="booking-manage").dumps(
        [booking_id, uuid.uuid4().hex]
    )
    for bad in (tampered, forged, wrong_uid, "x", "a" * 300):
        page = client.get(f"/booking/{bad}")
        assert page.status_code == 404 and CLOSED in page.get_data(as_text=True)


def test_the_manage_pages_are_rate_limited(make_app, smtp_server):
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_KEY_PREFIX=uuid.uuid4().hex,
        RATELIMIT_FORM="3 per minute",
        **smtp_server.config(),
    )
    client = app.test_client()
    give_hours(app)
    _booking_id, path = booked_by_form(app, client)
    token = csrf_of(client.get(f"{path}/cancel").get_data(as_text=True))
    statuses = [
        client.post(f"/booking/guess-number-{n}/cancel", data={"csrf_token": token}).status_code
        for n in range(4)
    ]
    assert statuses == [404, 404, 404, 429]
    refused = client.post("/booking/guess/move", data={"csrf_token": token})
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    # Opening a link is counted too, with a limit of its own: tokens cannot be tried at speed.
    # The page opened above for its form token was the first of 30 an hour.
    views = [app.test_client().get(f"/booking/guess-{n}").status_code for n in range(30)]
    assert views == [404] * 29 + [429]
    # Other pages are never limited: the form opens as often as anyone likes.
    assert all(client.get("/request").status_code == 200 for _ in range(40))


def test_a_spanish_request_gets_the_page_in_spanish(app, client):
    give_hours(app)
    booking_id, path = booked_by_form(app, client, lang="es")
    page = app.test_client().get(path, headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert '<html lang="es"' in html
    with app.app_context():
        starts = db.session.get_one(Booking, booking_id).starts_at
        assert db.session.get_one(Booking, booking_id).request.language.value == "es"
    assert time_in_words(starts, "America/Los_Angeles", "es") in visible_text(html)
    assert "Elegir otra hora" in html and "Cancelar" in html
