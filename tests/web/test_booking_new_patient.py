"""Booking the new-patient appointment (issue 16), when the owner turns it on (BOOKING_NEW_PATIENT).

It has its own length (BOOKING_NEW_PATIENT_LENGTH_MINUTES, 45 by default) and its own picker, shown for
that visit type; off (the default), the form is as it was. Real app, real database (SQLite, or PostgreSQL
with TEST_DATABASE_URL), no mocks.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import icalendar
import pytest
import sqlalchemy as sa

from clinic_app.booking.availability import set_hours
from clinic_app.booking.slots import time_in_words
from clinic_app.extensions import db
from clinic_app.models import Booking, ConsultationRequest, OutboxEmail, StaffUser
from clinic_app.web.booking_links import manage_token
from clinic_app.web.services import services
from tests.helpers import create_account, form_token, valid_answers, visible_text
from tests.web.test_booking_form import NOTHING, PICK, TAKEN, local, stored_counts, today, without_token

PICKER = "Pick a time for your new-patient appointment"


@pytest.fixture
def app(make_app):
    return make_app(BOOKING_NEW_PATIENT=True)


def give_hours(app, start: time = time(9, 0), end: time = time(10, 0)) -> int:
    """A provider open every day from 9:00 to 10:00."""
    staff_id = create_account(app, "dr.lee@clinic.example", password=None, name="Dr. Lee")
    with app.app_context():
        provider = db.session.get_one(StaffUser, staff_id)
        set_hours(db.session, provider, range(7), [(start, end)], actor=None, ip_address="test")
        db.session.commit()
    return staff_id


def offered(html: str, name: str) -> list[str]:
    return [
        value for value in re.findall(rf'name="{name}" type="radio" value="([^"]+)"', html) if value != "call"
    ]


def on_day(times: list[str], day: date) -> list[str]:
    return [value for value in times if value.startswith(day.isoformat())]


def post(client, path: str = "/request", **changes):
    data = valid_answers(**changes)
    data["form_token"] = form_token(client, path)
    return client.post(path, data=data)


def ahead(days: int = 3) -> date:
    return today() + timedelta(days=days)


def test_off_by_default_there_is_no_new_patient_picker_and_it_stays_a_request(make_app):
    app = make_app()
    client = app.test_client()
    give_hours(app)
    html = client.get("/request").get_data(as_text=True)
    assert 'id="slot-field"' in html, "the consultation's picker is there"
    assert PICKER not in html and "new_patient_slot" not in html and "visit_type=new_patient" not in html
    posted = post(client, visit_type="new_patient", new_patient_slot=local(ahead(), 9))
    assert posted.status_code == 303
    assert stored_counts(app)["requests"] == 1 and stored_counts(app)["bookings"] == 0


def test_off_the_page_is_the_page_with_the_new_patient_picker_taken_out(make_app):
    """Off (the default), the page is exactly as before this feature: turning it on adds the one
    picker and changes nothing else."""
    off, on = make_app(), make_app(BOOKING_NEW_PATIENT=True)
    give_hours(off)
    for path in ("/request", "/request?lang=es"):
        before = without_token(off.test_client().get(path).get_data(as_text=True))
        with_it = without_token(on.test_client().get(path).get_data(as_text=True))
        block = re.search(
            r'\n    <div class="field field--group field--times" id="new_patient_slot-field".*?</fieldset>\n</div>',
            with_it,
            re.S,
        )
        assert block is not None and "new_patient_slot" not in before
        assert with_it.replace(block.group(0), "") == before


def test_on_the_new_patient_picker_offers_the_times_a_45_minute_visit_fits(app, client):
    give_hours(app)
    html = client.get("/request").get_data(as_text=True)
    field = html.index('id="new_patient_slot-field"')
    assert 'data-show-when="visit_type=new_patient"' in html[field - 200 : field + 200]
    picker = html[field : html.index('id="contact-heading"')]
    assert PICKER in picker and "None of these times work, call me" in picker
    assert (
        'id="new_patient_slot-hint"><span class="hint__when">Only if you want the new-patient appointment.'
        in picker
    )
    assert re.search(r'<fieldset class="time-day">\s*<legend>[A-Z][a-z]+day, ', picker)
    day = ahead()
    assert on_day(offered(html, "new_patient_slot"), day) == [local(day, 9), local(day, 9, 15)]
    assert on_day(offered(html, "slot"), day) == [local(day, 9, m) for m in (0, 15, 30, 45)]
    # The consultation's picker still says when it applies, and only for the consultation.
    consultation = html.index('id="slot-field"')
    assert 'data-show-when="visit_type=consultation"' in html[consultation - 200 : consultation + 200]
    assert "Only if you want the free consultation." in html
    # Both on the page (it works without JavaScript), each once.
    assert html.count(PICKER) == 1 and html.count("Pick a time for your free consultation") == 1


def test_the_new_patient_length_is_the_owners(make_app):
    app = make_app(BOOKING_NEW_PATIENT=True, BOOKING_NEW_PATIENT_LENGTH_MINUTES=60)
    give_hours(app)
    html = app.test_client().get("/request").get_data(as_text=True)
    assert on_day(offered(html, "new_patient_slot"), ahead()) == [local(ahead(), 9)]


def test_only_the_chosen_visits_picker_is_read_and_required(app, client):
    give_hours(app)
    # The new-patient appointment without a time: its picker asks for one; the consultation's does not.
    response = post(client, visit_type="new_patient", slot=local(ahead(), 9, 45))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<a href="#new_patient_slot-0">{PICK}</a>' in html
    assert 'aria-describedby="new_patient_slot-hint new_patient_slot-error"' in html
    assert 'id="slot-error"' not in html
    # The consultation with a new-patient time also posted: only the consultation's time is booked.
    response = post(
        client, visit_type="consultation", slot=local(ahead(), 9, 45), new_patient_slot=local(ahead(), 9)
    )
    assert response.status_code == 303
    with app.app_context():
        booking = db.session.scalars(sa.select(Booking)).one()
        assert booking.starts_at == datetime.fromisoformat(local(ahead(), 9, 45))
        assert booking.ends_at - booking.starts_at == timedelta(minutes=15)
    # A new-patient request may still ask for a call.
    assert post(client, visit_type="new_patient", new_patient_slot="call").status_code == 303
    assert stored_counts(app)["bookings"] == 1 and stored_counts(app)["requests"] == 2


def test_a_booked_new_patient_appointment_lasts_45_minutes_and_is_named_everywhere(app, client):
    give_hours(app)
    picked = local(ahead(), 9, 15)
    response = post(client, visit_type="new_patient", new_patient_slot=picked)
    assert response.status_code == 303
    starts = datetime.fromisoformat(picked)
    words = time_in_words(starts, "America/Los_Angeles", "en")
    with app.app_context():
        booking = db.session.scalars(sa.select(Booking)).one()
        assert booking.starts_at == starts and booking.ends_at - booking.starts_at == timedelta(minutes=45)
        request = db.session.scalars(sa.select(ConsultationRequest)).one()
        assert request.visit_type.value == "new_patient"
        email = db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.calendar_ics.is_not(None))).one()
        assert email.subject.startswith("Your new-patient appointment at ")
        assert "Your new-patient appointment is booked." in email.body_text
        assert "It takes about 45 minutes." in email.body_text
        assert "free consultation" not in email.body_text + email.body_html + email.subject
        event = icalendar.Calendar.from_ical(email.calendar_ics).walk("VEVENT")[0]
        assert str(event["SUMMARY"]).startswith("New-patient appointment at ")
        assert "new-patient appointment" in str(event["DESCRIPTION"])
        assert event.decoded("DTSTART") == starts
        assert event.decoded("DTEND") == starts + timedelta(minutes=45)
        assert str(event["DTEND"].params["TZID"]) == "America/Los_Angeles"
        reminder = db.session.get_one(OutboxEmail, booking.reminder_email_id)
        assert reminder.subject == f"Reminder: your new-patient appointment is on {words}"
    page = visible_text(client.get(response.headers["Location"]).get_data(as_text=True))
    assert f"Your new-patient appointment: {words}" in page and "free consultation:" not in page
    # The 45 minutes are taken for the consultation too: 9:00 and 9:45 stay open, 9:15 and 9:30 do not.
    html = client.get("/request").get_data(as_text=True)
    assert on_day(offered(html, "slot"), ahead()) == [local(ahead(), 9)]
    assert on_day(offered(html, "new_patient_slot"), ahead()) == []


def test_a_consultation_keeps_its_own_words(app, client):
    give_hours(app)
    response = post(client, slot=local(ahead(), 9))
    assert response.status_code == 303
    with app.app_context():
        email = db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.calendar_ics.is_not(None))).one()
        assert email.subject.startswith("Your free consultation at ")
        event = icalendar.Calendar.from_ical(email.calendar_ics).walk("VEVENT")[0]
        assert str(event["SUMMARY"]).startswith("Free consultation at ")
        assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=15)
    page = visible_text(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Your free consultation: " in page


def test_a_taken_new_patient_time_comes_back_with_the_nearest_times(app, client):
    give_hours(app)
    picked = local(ahead(), 9)
    # Someone books the consultation at 9:30 first: a 45-minute visit no longer fits at 9:00.
    assert post(client, slot=local(ahead(), 9, 30)).status_code == 303
    second = app.test_client()
    response = post(second, visit_type="new_patient", new_patient_slot=picked, full_name="Second Visitor")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<a href="#new_patient_slot-0">{TAKEN}</a>' in html and 'id="new_patient_slot-error"' in html
    assert 'value="Second Visitor"' in html
    times = offered(html, "new_patient_slot")
    assert picked not in times and times, "the nearest open times are offered instead"
    assert times[0][:10] in (
        (ahead() - timedelta(days=1)).isoformat(),
        (ahead() + timedelta(days=1)).isoformat(),
    )
    assert stored_counts(app)["requests"] == 1 and stored_counts(app)["bookings"] == 1
    # Picking one of them books it.
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', html).group(1)
    data = {**valid_answers(visit_type="new_patient", new_patient_slot=times[0]), "form_token": token}
    assert second.post("/request", data=data).status_code == 303
    assert stored_counts(app)["bookings"] == 2


def test_nothing_is_stored_for_a_time_that_is_not_on_the_new_patient_steps(app, client):
    give_hours(app)
    response = post(client, visit_type="new_patient", new_patient_slot=local(ahead(), 9, 30))
    assert response.status_code == 400 and TAKEN in response.get_data(as_text=True)
    assert stored_counts(app) == NOTHING


def test_the_new_patient_picker_and_confirmation_are_in_spanish(app, client):
    give_hours(app)
    html = client.get("/request?lang=es").get_data(as_text=True)
    assert "Elija la hora de su cita para paciente nuevo" in html
    assert "Solo si quiere la cita para paciente nuevo." in html
    picked = offered(html, "new_patient_slot")[0]
    response = post(client, "/request?lang=es", visit_type="new_patient", new_patient_slot=picked, lang="es")
    assert response.status_code == 303
    page = visible_text(client.get(response.headers["Location"]).get_data(as_text=True))
    words = time_in_words(datetime.fromisoformat(picked), "America/Los_Angeles", "es")
    assert f"Su cita para paciente nuevo: {words}" in page
    with app.app_context():
        email = db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.calendar_ics.is_not(None))).one()
        assert email.subject.startswith("Su cita para paciente nuevo en ")
        event = icalendar.Calendar.from_ical(email.calendar_ics).walk("VEVENT")[0]
        assert str(event["SUMMARY"]).startswith("Cita para paciente nuevo en ")


def test_the_pages_and_email_with_the_new_patient_picker_pass_the_nu_html_checker(app, client, tmp_path):
    from tests.web.test_valid_html import nu_checker, nu_errors

    checker = nu_checker()
    give_hours(app)
    pages = {
        "form": client.get("/request").get_data(as_text=True),
        "form-es": client.get("/request?lang=es").get_data(as_text=True),
        "form-no-time": post(client, visit_type="new_patient").get_data(as_text=True),
    }
    response = post(client, visit_type="new_patient", new_patient_slot=local(ahead(), 9))
    pages["confirmation"] = client.get(response.headers["Location"]).get_data(as_text=True)
    pages["taken"] = post(client, visit_type="new_patient", new_patient_slot=local(ahead(), 9)).get_data(
        as_text=True
    )
    with app.app_context():
        email = db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.calendar_ics.is_not(None))).one()
        pages["email"] = email.body_html
    assert TAKEN in pages["taken"] and PICK in pages["form-no-time"]
    files = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(path)
    assert nu_errors(checker, files) == []


def test_a_new_patient_appointments_manage_pages_name_it_and_offer_only_times_it_fits(app, client):
    give_hours(app, end=time(11, 0))
    post(client, visit_type="new_patient", new_patient_slot=local(ahead(), 9))
    with app.app_context():
        booking = db.session.scalars(sa.select(Booking)).one()
        path = f"/booking/{manage_token(services(app).settings.secret_key, booking)}/move"
    manage = visible_text(client.get(path.removesuffix("/move")).get_data(as_text=True))
    assert "Your new-patient appointment" in manage and "It takes about 45 minutes." in manage
    assert "free consultation" not in manage
    move_page = client.get(path).get_data(as_text=True)
    assert "Move my appointment" in move_page
    times = on_day(offered(move_page, "slot"), ahead())
    # 9:00-9:45 is its own; 10:00 and 10:15 are the last starts that end by 11:00.
    assert times == [local(ahead(), 9, 45), local(ahead(), 10), local(ahead(), 10, 15)]
