"""Staff move or cancel a booked free consultation (issue 16), from the request's page and the day view.

Real app, real database, a real SMTP server, no mocks: the patient receives the change with an updated
invite, each change is audited and on the request's timeline.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from clinic_app.booking.invite import parse_invite
from clinic_app.extensions import db
from clinic_app.models import AuditEntry, Booking, BookingStatus
from tests.helpers import deliver, page_csrf_token, sign_in, visible_text
from tests.web.test_booking_form import give_hours, offered
from tests.web.test_booking_manage import booked_by_form, booking_state, emails, invite_of, open_instants

TAKEN = "That time was just taken. Here are the nearest open times."


@pytest.fixture
def app(make_app, smtp_server):
    return make_app(**smtp_server.config())


@pytest.fixture
def desk(app, staff):
    client = app.test_client()
    assert sign_in(client, "desk@clinic.example").status_code == 302
    return client


def request_of(app, booking_id: int) -> int:
    with app.app_context():
        return db.session.get_one(Booking, booking_id).request_id


def audit(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))
        db.session.expunge_all()
        return rows


def test_the_booked_row_and_the_day_view_offer_move_and_cancel(app, client, desk):
    give_hours(app)
    booking_id, _path = booked_by_form(app, client)
    detail = desk.get(f"/staff/requests/{request_of(app, booking_id)}").get_data(as_text=True)
    assert f'href="/staff/bookings/{booking_id}/move">Move</a>' in detail
    assert f'action="/staff/bookings/{booking_id}/cancel"' in detail
    with app.app_context():
        day = db.session.get_one(Booking, booking_id).starts_at.replace(tzinfo=UTC)
    local_day = day.astimezone(ZoneInfo("America/Los_Angeles")).date()
    view = desk.get(f"/staff/consultations?day={local_day.isoformat()}").get_data(as_text=True)
    assert f'action="/staff/bookings/{booking_id}/cancel"' in view
    assert f'href="/staff/bookings/{booking_id}/move"' in view


def test_staff_move_a_booking_to_another_provider(app, client, desk, smtp_server):
    give_hours(app)
    other = give_hours(app, "dr.kim@clinic.example", "Dr. Kim")
    booking_id, _path = booked_by_form(app, client)
    _s, old_start, _e, old_provider, sequence, uid, _r = booking_state(app, booking_id)
    deliver(app)
    sent_before = len(smtp_server.patient_copies)
    page = desk.get(f"/staff/bookings/{booking_id}/move")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<fieldset class="time-day">' in html
    assert "The first provider free then" in html and "Dr. Kim" in html
    new = offered(html)[5]
    response = desk.post(
        f"/staff/bookings/{booking_id}/move",
        data={
            "csrf_token": page_csrf_token(desk, f"/staff/bookings/{booking_id}/move"),
            "slot": new,
            "provider": str(other),
        },
    )
    assert response.status_code == 303
    status, new_start, _e, provider, new_sequence, same_uid, _r = booking_state(app, booking_id)
    assert status is BookingStatus.BOOKED and provider == other and provider != old_provider
    assert new_start.replace(tzinfo=UTC) == datetime.fromisoformat(new).astimezone(UTC)
    assert new_sequence == sequence + 1 and same_uid == uid
    assert old_start.replace(tzinfo=UTC) in open_instants(app)
    deliver(app)
    invite = parse_invite(invite_of(smtp_server.patient_copies[sent_before:]))
    assert invite.sequence == sequence + 1 and invite.starts_at.astimezone(UTC) == new_start.replace(
        tzinfo=UTC
    )
    moved = audit(app, "moved_booking")
    assert len(moved) == 1 and moved[0].actor_email == "desk@clinic.example"
    detail = desk.get(response.headers["Location"]).get_data(as_text=True)
    assert "Moved the free consultation" in visible_text(detail)
    assert "with Dr. Kim" in detail


def test_staff_moving_onto_a_taken_time_is_refused(app, client, desk):
    give_hours(app)
    booking_id, _path = booked_by_form(app, client)
    before, queued = booking_state(app, booking_id), emails(app)
    html = desk.get(f"/staff/bookings/{booking_id}/move").get_data(as_text=True)
    wanted = offered(html)[1]
    from tests.web.test_booking_form import post

    assert post(app.test_client(), slot=wanted, email="someone@example.com").status_code == 303
    queued = emails(app)
    token = page_csrf_token(desk, f"/staff/bookings/{booking_id}/move")
    response = desk.post(f"/staff/bookings/{booking_id}/move", data={"csrf_token": token, "slot": wanted})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and TAKEN in page and wanted not in offered(page)
    assert booking_state(app, booking_id) == before and emails(app) == queued


def test_staff_cancel_from_the_day_view(app, client, desk, smtp_server):
    give_hours(app)
    booking_id, _path = booked_by_form(app, client)
    deliver(app)
    sent_before = len(smtp_server.patient_copies)
    response = desk.post(
        f"/staff/bookings/{booking_id}/cancel",
        data={"csrf_token": page_csrf_token(desk, "/staff/consultations"), "day": "2027-03-15"},
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/staff/consultations?day=2027-03-15"
    )
    assert booking_state(app, booking_id)[0] is BookingStatus.CANCELLED
    deliver(app)
    assert "METHOD:CANCEL" in invite_of(smtp_server.patient_copies[sent_before:])
    cancelled = audit(app, "cancelled_booking")
    assert len(cancelled) == 1 and cancelled[0].actor_email == "desk@clinic.example"
    detail = desk.get(f"/staff/requests/{request_of(app, booking_id)}").get_data(as_text=True)
    assert "Cancelled the free consultation" in visible_text(detail)
    assert f"/staff/bookings/{booking_id}/cancel" not in detail, "no Booked row once cancelled"
    # A second cancel changes nothing more.
    again = emails(app)
    desk.post(
        f"/staff/bookings/{booking_id}/cancel",
        data={"csrf_token": page_csrf_token(desk, "/staff/consultations")},
    )
    assert emails(app) == again and len(audit(app, "cancelled_booking")) == 1


def test_staff_changes_need_the_csrf_token_and_a_sign_in(app, client, desk):
    give_hours(app)
    booking_id, _path = booked_by_form(app, client)
    before, queued = booking_state(app, booking_id), emails(app)
    assert desk.post(f"/staff/bookings/{booking_id}/cancel").status_code == 400
    anonymous = app.test_client().post(f"/staff/bookings/{booking_id}/cancel")
    assert anonymous.status_code in (302, 400)
    assert app.test_client().get(f"/staff/bookings/{booking_id}/move").status_code == 302
    assert booking_state(app, booking_id) == before and emails(app) == queued


def test_staff_moving_a_booking_see_every_open_time_of_a_day(app, client, desk):
    give_hours(app)
    booking_id, _path = booked_by_form(app, client)
    form_times = re.findall(
        r'name="slot" type="radio" value="([^"]+)"', client.get("/request").get_data(as_text=True)
    )
    staff_times = re.findall(
        r'name="slot" type="radio" value="([^"]+)"',
        desk.get(f"/staff/bookings/{booking_id}/move").get_data(as_text=True),
    )
    # Visitors see at most 8 a day, spread out; the front desk, every open time.
    day = staff_times[-1][:10]
    assert len([t for t in staff_times if t.startswith(day)]) > 8
    assert len([t for t in form_times if t.startswith(day) and t != "call"]) == 8
