"""The form's free-consultation times (issue 16): picking a time, and booking it without double booking.

Real app, real database (SQLite, or PostgreSQL with TEST_DATABASE_URL), no mocks. The race test posts
over HTTP to a live server, as 20 visitors' browsers would.
"""

from __future__ import annotations

import re
import threading
import time as clock
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from clinic_app.booking.availability import close_date, set_hours
from clinic_app.booking.slots import slot_iso, time_in_words
from clinic_app.extensions import db
from clinic_app.models import Booking, ConsultationRequest, FormSubmission, OutboxEmail, StaffUser, utcnow
from clinic_app.web.form_tokens import SALT as FORM_TOKEN_SALT
from tests.conftest import free_port
from tests.helpers import (
    LiveServer,
    count,
    create_account,
    form_token,
    sign_in,
    signed_earlier,
    valid_answers,
    visible_text,
)

ZONE = ZoneInfo("America/Los_Angeles")
TAKEN = "That time was just taken. Here are the nearest open times."
PICK = "Choose a time, or choose the last option so we call you."
CLIENTS = 20


def give_hours(app, email: str = "dr.lee@clinic.example", name: str = "Dr. Lee") -> int:
    """A provider open every day, all day (00:00-23:59), so that tests never depend on the hour they run."""
    staff_id = create_account(app, email, password=None, name=name)
    with app.app_context():
        provider = db.session.get_one(StaffUser, staff_id)
        set_hours(db.session, provider, range(7), [(time(0, 0), time(23, 59))], actor=None, ip_address="test")
        db.session.commit()
    return staff_id


def offered(html: str) -> list[str]:
    """The times the page offers, as posted (ISO 8601 with the offset), in the page's order."""
    return [
        value for value in re.findall(r'name="slot" type="radio" value="([^"]+)"', html) if value != "call"
    ]


def local(day: date, hour: int, minute: int = 0) -> str:
    return slot_iso(datetime.combine(day, time(hour, minute), tzinfo=ZONE))


def today() -> date:
    return utcnow().astimezone(ZONE).date()


def post(client, **changes):
    data = valid_answers(**changes)
    data["form_token"] = form_token(client)
    return client.post("/request", data=data)


def stored_counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            "requests": count(ConsultationRequest),
            "bookings": count(Booking),
            "emails": count(OutboxEmail),
            "tokens": count(FormSubmission),
        }


NOTHING = {"requests": 0, "bookings": 0, "emails": 0, "tokens": 0}


def without_token(html: str) -> str:
    return re.sub(r'name="form_token" type="hidden" value="[^"]+"', "", html)


def test_with_no_hours_the_form_is_as_before(app, client):
    before = without_token(client.get("/request").get_data(as_text=True))
    # A provider account with no hours yet offers no times: the page does not change.
    staff_id = create_account(app, "dr.lee@clinic.example", password=None)
    with app.app_context():
        db.session.get_one(StaffUser, staff_id).is_provider = True
        db.session.commit()
    after = without_token(client.get("/request").get_data(as_text=True))
    assert after == before
    assert 'name="slot"' not in after and "call me" not in after
    response = post(client)
    assert response.status_code == 303 and stored_counts(app)["bookings"] == 0


def test_with_hours_each_day_is_a_fieldset_of_times_with_a_call_me_choice(app, client):
    give_hours(app)
    html = client.get("/request").get_data(as_text=True)
    picker = html[html.index('id="slot-field"') : html.index('id="contact-heading"')]
    assert 'data-show-when="visit_type=consultation"' in html[html.index('id="slot-field"') - 200 :]
    assert "Pick a time for your free consultation" in picker and "Times are Pacific time." in picker
    legends = re.findall(r'<fieldset class="time-day">\s*<legend>([^<]+)</legend>', picker)
    assert len(legends) == 7
    first = today() if offered(html)[0].startswith(today().isoformat()) else today() + timedelta(days=1)
    assert legends[1] == f"{(first + timedelta(days=1)):%A, %B} {(first + timedelta(days=1)).day}"
    days = picker.split('<fieldset class="time-day">')[1:]
    assert all(1 <= day.count('type="radio"') - day.count('value="call"') <= 8 for day in days)
    assert days[1].count('type="radio"') == 8, "a full day shows 8 times, spread over it"
    assert re.search(r'<label for="slot-\d+">12:00 AM</label>', days[1])
    assert re.search(r'<label for="slot-\d+">\d{1,2}:\d\d PM</label>', days[1])
    assert '<input id="slot-' in picker and 'value="call"' in picker
    assert "None of these times work, call me" in picker


def test_a_time_is_required_when_the_picker_shows(app, client):
    give_hours(app)
    response = post(client)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<a href="#slot-0">{PICK}</a>' in html
    assert '<fieldset aria-describedby="slot-hint slot-error">' in html
    assert f'id="slot-error"><span class="visually-hidden">Error:</span> {PICK}' in html
    assert 'value="Ana Díaz"' in html
    assert stored_counts(app) == NOTHING


def test_a_new_patient_appointment_stays_a_request(app, client):
    give_hours(app)
    response = post(client, visit_type="new_patient")
    assert response.status_code == 303
    assert stored_counts(app)["requests"] == 1 and stored_counts(app)["bookings"] == 0


def test_call_me_gives_a_request_without_a_booking(app, client):
    give_hours(app)
    response = post(client, slot="call")
    assert response.status_code == 303
    assert stored_counts(app) == {"requests": 1, "bookings": 0, "emails": 2, "tokens": 1}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your free consultation" not in page and "We find a time that works for you." in page


def test_a_booked_time_is_stored_with_the_request_and_its_emails_in_one_go(app, client):
    provider = give_hours(app)
    html = client.get("/request").get_data(as_text=True)
    # Three days ahead, so the reminder (24 hours before) is queued too.
    picked = next(time for time in offered(html) if time[:10] >= (today() + timedelta(days=3)).isoformat())
    response = post(client, slot=picked)
    assert response.status_code == 303
    # The staff email, the patient's copy, the booking's confirmation with its invite, the reminder.
    assert stored_counts(app) == {"requests": 1, "bookings": 1, "emails": 4, "tokens": 1}
    starts = datetime.fromisoformat(picked)
    words = time_in_words(starts, "America/Los_Angeles", "en")
    with app.app_context():
        booking = db.session.scalars(sa.select(Booking)).one()
        request = db.session.scalars(sa.select(ConsultationRequest)).one()
        assert (booking.request_id, booking.provider_id) == (request.id, provider)
        assert booking.starts_at == starts and booking.ends_at - booking.starts_at == timedelta(minutes=15)
        staff_email = db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.to_patient.is_(False))
        ).one()
        assert f"Booked: {words} with Dr. Lee" in staff_email.body_text
        assert f"<strong>Booked:</strong> {words} with Dr. Lee" in staff_email.body_html
        invites = db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.calendar_ics.is_not(None))
        ).all()
        assert [email.calendar_method for email in invites] == ["REQUEST"]
        assert booking.reminder_email_id is not None
        assert db.session.get_one(
            OutboxEmail, booking.reminder_email_id
        ).next_attempt_at == starts - timedelta(hours=24)
        request_id = request.id

    confirmation = visible_text(client.get(response.headers["Location"]).get_data(as_text=True))
    assert f"Your free consultation: {words}" in confirmation
    assert "If you need to change the time, call us." in confirmation
    assert "Pacific time" in words

    # The time is gone from the form, and staff see it on the request's page.
    assert picked not in offered(client.get("/request").get_data(as_text=True))
    create_account(app, "desk@clinic.example")
    staff = app.test_client()
    sign_in(staff, "desk@clinic.example")
    detail = visible_text(staff.get(f"/staff/requests/{request_id}").get_data(as_text=True))
    assert f"Booked\n{words} with Dr. Lee" in detail


def test_the_confirmation_gives_the_time_in_spanish(app, client):
    give_hours(app)
    picked = offered(client.get("/request?lang=es").get_data(as_text=True))[0]
    data = valid_answers(slot=picked, lang="es")
    data["form_token"] = form_token(client, "/request?lang=es")
    response = client.post("/request?lang=es", data=data)
    assert response.status_code == 303
    page = visible_text(client.get(response.headers["Location"]).get_data(as_text=True))
    words = time_in_words(datetime.fromisoformat(picked), "America/Los_Angeles", "es")
    assert f"Su consulta gratis: {words}" in page
    assert "hora del Pacífico" in words


def test_the_picker_is_in_spanish(app, client):
    give_hours(app)
    html = client.get("/request?lang=es").get_data(as_text=True)
    assert "Elija una hora para su consulta gratis" in html
    assert "Ninguna de estas horas me sirve, llámenme" in html
    legend = re.findall(r'<fieldset class="time-day">\s*<legend>([^<]+)</legend>', html)[1]
    assert re.fullmatch(r"[A-ZÁÉÍÓÚ][a-záéíóú]+ \d{1,2} de [a-z]+", legend), legend


@pytest.mark.parametrize(
    "when",
    [
        pytest.param(lambda: local(today() + timedelta(days=31), 10), id="past-the-horizon"),
        pytest.param(
            lambda: slot_iso(
                (utcnow() + timedelta(minutes=30)).astimezone(ZONE).replace(second=0, microsecond=0)
                + timedelta(minutes=15 - (utcnow().astimezone(ZONE).minute + 30) % 15)
            ),
            id="too-soon",
        ),
        pytest.param(lambda: local(today() + timedelta(days=3), 10), id="closed-date"),
        pytest.param(lambda: local(today() - timedelta(days=1), 10), id="in-the-past"),
        pytest.param(lambda: local(today() + timedelta(days=3), 10, 7), id="not-on-the-step"),
    ],
)
def test_a_time_that_is_not_open_is_refused_with_every_answer_kept(app, client, when):
    provider = give_hours(app)
    with app.app_context():
        staff = db.session.get_one(StaffUser, provider)
        close_date(db.session, staff, today() + timedelta(days=3), actor=None, ip_address="test")
        db.session.commit()
    picked = when()
    response = post(client, slot=picked, full_name="Ana Kept", message="Still here.")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<a href="#slot-0">{TAKEN}</a>' in html and 'id="slot-error"' in html
    assert (
        'value="Ana Kept"' in html and "Still here." in html and '<option selected value="premera">' in html
    )
    assert picked not in offered(html) and offered(html), "the nearest open times are offered instead"
    assert stored_counts(app) == NOTHING
    # The page comes back with a fresh token, so the visitor can pick another time and send again.
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', html).group(1)
    again = client.post("/request", data={**valid_answers(slot=offered(html)[0]), "form_token": token})
    assert again.status_code == 303 and stored_counts(app)["bookings"] == 1


def test_garbage_for_a_time_is_refused(app, client):
    give_hours(app)
    for garbage in ("tomorrow at nine", "2027-03-15T09:00:00", "", "None"):
        response = post(client, slot=garbage)
        assert response.status_code == 400
        assert PICK in response.get_data(as_text=True)
    assert stored_counts(app) == NOTHING


def test_a_taken_time_comes_back_with_the_nearest_open_times_first(app, client):
    give_hours(app)
    html = client.get("/request").get_data(as_text=True)
    picked = offered(html)[10]  # a time on the second day the page shows
    assert post(client, slot=picked).status_code == 303
    # A second visitor had the same page open and picks the same time.
    second = app.test_client()
    response = post(second, slot=picked, full_name="Second Visitor")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and TAKEN in html and 'value="Second Visitor"' in html
    times = offered(html)
    assert picked not in times
    assert times[0][:10] == picked[:10], "the taken time's day comes first"
    assert stored_counts(app)["requests"] == 1 and stored_counts(app)["bookings"] == 1


# The race: 20 visitors, each with the form open (its own token), send the same time at once.
def _opener() -> urllib.request.OpenerDirector:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    return urllib.request.build_opener(NoRedirect)


def test_twenty_visitors_sending_the_same_time_at_once_get_one_booking(app, capsys):
    give_hours(app)
    server = LiveServer(app, free_port()).start()
    opener = _opener()
    try:
        first_page = opener.open(f"{server.url}/request", timeout=30).read().decode()
        picked = offered(first_page)[0]
        start = threading.Barrier(CLIENTS, timeout=60)

        def visitor(number: int) -> tuple[int, str]:
            page = opener.open(f"{server.url}/request", timeout=30).read().decode()
            token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(1)
            body = urllib.parse.urlencode(
                {**valid_answers(slot=picked, full_name=f"Visitor {number}"), "form_token": token}, doseq=True
            ).encode()
            start.wait()
            try:
                response = opener.open(f"{server.url}/request", data=body, timeout=60)
                return response.status, response.read().decode()
            except urllib.error.HTTPError as answer:
                return answer.code, answer.read().decode()

        began = clock.perf_counter()
        with ThreadPoolExecutor(max_workers=CLIENTS) as clients:
            answers = list(clients.map(visitor, range(CLIENTS)))
        took = clock.perf_counter() - began
    finally:
        server.stop()

    statuses = Counter(status for status, _html in answers)
    with capsys.disabled():
        print(
            f"\n{app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}: {dict(statuses)} in {took * 1000:.0f} ms"
        )
    assert statuses == {303: 1, 400: CLIENTS - 1}
    for status, html in answers:
        if status == 400:
            assert TAKEN in html and picked not in offered(html)
            assert re.search(r'value="Visitor \d+"', html), "every answer kept"
    with app.app_context():
        assert count(Booking) == 1 and count(ConsultationRequest) == 1 and count(FormSubmission) == 1
        # The winner's staff email, copy and confirmation, and a reminder when the time is over a day off.
        reminded = datetime.fromisoformat(picked) - utcnow() > timedelta(hours=24)
        assert count(OutboxEmail) == 3 + reminded, "the winner's emails; nothing of the others"
        booked = db.session.scalars(sa.select(Booking)).one()
        assert booked.starts_at == datetime.fromisoformat(picked)


def test_a_provider_with_few_days_still_fills_the_picker_up_to_the_horizon(app, client):
    """The page first looks 10 days ahead; with fewer than 7 days of times there, it looks on."""
    staff_id = create_account(app, "dr.mon@clinic.example", password=None, name="Dr. Monday")
    with app.app_context():
        provider = db.session.get_one(StaffUser, staff_id)
        set_hours(db.session, provider, [0], [(time(9, 0), time(10, 0))], actor=None, ip_address="test")
        db.session.commit()
    shown_days = {value[:10] for value in offered(client.get("/request").get_data(as_text=True))}
    horizon = [today() + timedelta(days=n) for n in range(31)]
    mondays = {day.isoformat() for day in horizon if day.weekday() == 0}
    # Today's hour may be past, or too soon: every later Monday to the horizon is shown.
    assert mondays - {today().isoformat()} <= shown_days <= mondays and len(shown_days) >= 4


def test_a_visitor_sent_back_by_a_taken_time_may_send_again_at_once(make_app):
    """The form sent back carries when it was first shown, so a quick second send is not a bot's."""
    app = make_app(MIN_FILL_SECONDS=3)
    give_hours(app)
    client = app.test_client()
    wanted = offered(client.get("/request").get_data(as_text=True))[4]
    first = {**valid_answers(slot=wanted), "form_token": signed_earlier(FORM_TOKEN_SALT, seconds_ago=60)}
    assert client.post("/request", data=first).status_code == 303
    late = {**valid_answers(slot=wanted, full_name="Bea Late")}
    late["form_token"] = signed_earlier(FORM_TOKEN_SALT, seconds_ago=60)
    back = client.post("/request", data=late)
    assert back.status_code == 400 and TAKEN in back.get_data(as_text=True)
    html = back.get_data(as_text=True)
    again = {
        **late,
        "slot": offered(html)[0],
        "form_token": re.search(r'name="form_token" type="hidden" value="([^"]+)"', html).group(1),
    }
    assert client.post("/request", data=again).status_code == 303
    with app.app_context():
        bea = db.session.scalars(
            sa.select(ConsultationRequest).where(ConsultationRequest.full_name == "Bea Late")
        ).one()
        assert bea.spam_reason is None
        assert db.session.scalars(sa.select(Booking).where(Booking.request_id == bea.id)).one()


def test_the_patients_copy_of_a_booked_request_says_the_time_is_booked(app, client):
    give_hours(app)
    picked = offered(client.get("/request").get_data(as_text=True))[2]
    assert post(client, slot=picked).status_code == 303
    with app.app_context():
        [copy] = db.session.scalars(
            sa.select(OutboxEmail).where(
                OutboxEmail.to_patient.is_(True),
                OutboxEmail.calendar_ics.is_(None),
                OutboxEmail.subject.not_like("Reminder%"),
            )
        ).all()
    assert (
        "Your time is booked. Another email brings it, with a file to add it to your calendar."
        in copy.body_text
    )
    assert "We find a time that works for you." not in copy.body_text + copy.body_html
