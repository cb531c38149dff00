"""Owners set providers' hours on the Availability page; every staff member reads a day's booked
consultations on the Consultations page, on the clinic's clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from clinic_app.extensions import db
from clinic_app.models import AuditEntry, ConsultationRequest, StaffUser
from clinic_app.models.booking import Booking, BookingStatus, ProviderClosedDate, ProviderHours
from tests.helpers import (
    audit_actions,
    create_account,
    page_csrf_token,
    staff_post,
    submit,
    visible_text,
)

ZONE = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def lee(app):
    return create_account(app, "dr.lee@clinic.example", name="Dr. Lee")


def availability_post(client, data):
    token = page_csrf_token(client, "/staff/availability")
    prefix = data["action"]
    return client.post("/staff/availability", data={**data, f"{prefix}-csrf_token": token})


def set_hours(client, staff_id, days="mon-fri", hours="09:00-12:00,13:00-17:00"):
    return availability_post(
        client, {"action": "hours", "hours-staff": str(staff_id), "hours-days": days, "hours-hours": hours}
    )


def hours_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(ProviderHours))


def audit_detail(app, action: str) -> list[dict]:
    with app.app_context():
        entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action))
        return [{"actor": entry.actor_email, **entry.detail} for entry in entries]


def test_an_owner_sets_hours_which_are_stored_audited_and_shown(app, owner_client, lee):
    response = set_hours(owner_client, lee)
    assert response.status_code == 302 and response.headers["Location"] == "/staff/availability"
    text = visible_text(owner_client.get("/staff/availability").get_data(as_text=True))
    assert "Dr. Lee's hours are set: mon 09:00-12:00, 13:00-17:00;" in text
    assert "Dr. Lee Gives free consultations: Yes Weekly hours:" in text
    assert "\nfri 09:00-12:00, 13:00-17:00\n" in text
    assert hours_count(app) == 10
    with app.app_context():
        assert db.session.get(StaffUser, lee).is_provider
    [entry] = audit_detail(app, "set_hours")
    assert entry["actor"] == "owner@clinic.example" and entry["staff"] == "dr.lee@clinic.example"
    assert entry["days"] == ["mon", "tue", "wed", "thu", "fri"]
    assert entry["hours"] == ["09:00-12:00", "13:00-17:00"]


@pytest.mark.parametrize(
    ("days", "hours", "field", "message"),
    [
        ("fri-mon", "09:00-12:00", "hours-days", "'fri-mon' runs backwards: write the earlier day first"),
        ("mon", "9-12", "hours-hours", "'9-12' is not a time range: write it like 09:00-12:00"),
        ("mon", "09:00-12:00,11:00-13:00", "hours-hours", "The hours overlap"),
        ("someday", "09:00-12:00", "hours-days", "'someday' is not a day"),
    ],
)
def test_a_bad_entry_is_explained_at_its_field_and_stores_nothing(
    app, owner_client, lee, days, hours, field, message
):
    response = set_hours(owner_client, lee, days, hours)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="error-message" id="{field}-error">(.*?)</p>', html).group(1)
    assert message in unescape(error)
    assert f'aria-describedby="{field}-hint {field}-error"' in html
    assert f'value="{days}"' in html, "what was typed is kept"
    assert hours_count(app) == 0
    assert "set_hours" not in audit_actions(app)
    with app.app_context():
        assert not db.session.get(StaffUser, lee).is_provider


def test_no_staff_member_chosen_is_explained(app, owner_client, lee):
    response = set_hours(owner_client, "")
    assert response.status_code == 400
    assert "Choose a staff member from the list." in response.get_data(as_text=True)
    assert hours_count(app) == 0


def test_an_owner_closes_a_date_once(app, owner_client, lee):
    day = (datetime.now(ZONE) + timedelta(days=20)).date()
    data = {"action": "close", "close-staff": str(lee), "close-day": day.isoformat()}
    assert availability_post(owner_client, data).status_code == 302
    text = visible_text(owner_client.get("/staff/availability").get_data(as_text=True))
    assert f"{day:%A, %B} {day.day}, {day.year} is now closed for Dr. Lee." in text
    assert day.isoformat() in text
    availability_post(owner_client, data)
    assert "is already closed for Dr. Lee." in visible_text(
        owner_client.get("/staff/availability").get_data(as_text=True)
    )
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProviderClosedDate)) == 1
    assert audit_detail(app, "closed_date") == [
        {"actor": "owner@clinic.example", "staff": "dr.lee@clinic.example", "date": day.isoformat()}
    ]


def test_closing_without_a_date_is_explained(app, owner_client, lee):
    response = availability_post(owner_client, {"action": "close", "close-staff": str(lee), "close-day": ""})
    assert response.status_code == 400
    assert "Choose a date, like 2026-12-24." in response.get_data(as_text=True)
    assert "closed_date" not in audit_actions(app)


def test_an_owner_stops_a_provider_who_keeps_their_hours_but_is_offered_no_more(app, owner_client, lee):
    set_hours(owner_client, lee)
    assert app.test_client().get("/slots.json?days=14").get_json()["slots"], "times are offered"
    response = staff_post(owner_client, f"/staff/availability/{lee}/stop", token_from="/staff/availability")
    assert response.status_code == 302
    text = visible_text(owner_client.get("/staff/availability").get_data(as_text=True))
    assert "Dr. Lee no longer gives free consultations." in text
    with app.app_context():
        assert not db.session.get(StaffUser, lee).is_provider
    assert hours_count(app) == 10, "the hours are kept"
    assert "mon 09:00-12:00, 13:00-17:00" in text
    assert app.test_client().get("/slots.json?days=14").get_json()["slots"] == []
    assert audit_detail(app, "stopped_providing") == [
        {"actor": "owner@clinic.example", "staff": "dr.lee@clinic.example"}
    ]


def test_staff_who_are_not_owners_cannot_open_or_post_to_the_page(app, staff_client, lee):
    response = staff_client.get("/staff/availability")
    assert response.status_code == 403
    assert "This page is for clinic owners." in response.get_data(as_text=True)
    token = page_csrf_token(staff_client, "/staff/")
    posted = staff_client.post(
        "/staff/availability",
        data={"action": "hours", "hours-staff": str(lee), "hours-days": "mon", "hours-hours": "09:00-10:00"}
        | {"hours-csrf_token": token},
    )
    assert posted.status_code == 403
    assert staff_post(staff_client, f"/staff/availability/{lee}/stop").status_code == 403
    assert hours_count(app) == 0


def test_the_nav_shows_availability_to_owners_only(owner_client, staff_client):
    assert 'href="/staff/availability"' in owner_client.get("/staff/").get_data(as_text=True)
    staff_page = staff_client.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/availability"' not in staff_page
    assert 'href="/staff/consultations"' in staff_page


# The day view. 2027's clocks go forward on March 14: 9:00 on the 13th is 17:00 UTC (PST, -8), 9:00
# on the 15th is 16:00 UTC (PDT, -7).


def request_for(app, client, name: str) -> int:
    submit(client, full_name=name)
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(ConsultationRequest.id)))


def book(app, request_id: int, provider_id: int, starts_utc: datetime, status=BookingStatus.BOOKED):
    with app.app_context():
        db.session.add(
            Booking(
                request_id=request_id,
                provider_id=provider_id,
                starts_at=starts_utc,
                ends_at=starts_utc + timedelta(minutes=15),
                status=status,
            )
        )
        db.session.commit()


@pytest.fixture
def bookings(app, owner, lee):
    kim = create_account(app, "dr.kim@clinic.example", name="Dr. Kim")
    patient = app.test_client()
    ids = {
        name: request_for(app, patient, name) for name in ("Ana Early", "Ben Late", "Cy Spring", "Di Gone")
    }
    book(app, ids["Ana Early"], lee, datetime(2027, 3, 13, 17, 0, tzinfo=UTC))  # 9:00 AM PST
    # 11:30 PM PST on the 13th is 07:30 UTC on the 14th: it belongs to the 13th, on the clinic's clock.
    book(app, ids["Ben Late"], kim, datetime(2027, 3, 14, 7, 30, tzinfo=UTC))
    book(app, ids["Cy Spring"], kim, datetime(2027, 3, 15, 16, 0, tzinfo=UTC))  # 9:00 AM PDT
    book(app, ids["Di Gone"], lee, datetime(2027, 3, 15, 18, 0, tzinfo=UTC), BookingStatus.CANCELLED)
    return ids


def test_the_day_view_lists_each_providers_bookings_on_the_clinics_clock(app, staff_client, bookings):
    html = staff_client.get("/staff/consultations?day=2027-03-13").get_data(as_text=True)
    text = visible_text(html)
    assert "Consultations on Saturday, March 13, 2027" in text
    assert text.index("Dr. Kim") < text.index("Dr. Lee"), "providers by name"
    assert "9:00 AM PST Patient: Ana Early" in text
    assert "11:30 PM PST Patient: Ben Late" in text
    assert f'href="/staff/requests/{bookings["Ana Early"]}">Ana Early</a>' in html
    assert "Cy Spring" not in text

    spring = visible_text(staff_client.get("/staff/consultations?day=2027-03-15").get_data(as_text=True))
    assert "9:00 AM PDT Patient: Cy Spring" in spring
    assert "Di Gone" not in spring, "a cancelled booking holds no time"
    assert "Dr. Lee" not in spring

    changeover = visible_text(staff_client.get("/staff/consultations?day=2027-03-14").get_data(as_text=True))
    assert "No consultations booked on Sunday, March 14, 2027." in changeover
    assert "Monday, March 15, 2027: 1 consultation" in visible_text(
        staff_client.get("/staff/consultations?day=2027-03-12").get_data(as_text=True)
    )


def test_the_day_picker_moves_a_day_at_a_time_and_reads_a_typed_date(staff_client, bookings):
    html = staff_client.get("/staff/consultations?day=2027-03-13").get_data(as_text=True)
    assert 'href="/staff/consultations?day=2027-03-12" rel="prev"' in html
    assert 'href="/staff/consultations?day=2027-03-14" rel="next"' in html
    assert 'method="get"' in html and 'name="day" type="date" value="2027-03-13"' in html
    today = datetime.now(ZONE).date()
    bad = visible_text(staff_client.get("/staff/consultations?day=soon").get_data(as_text=True))
    assert "Write the date like 2027-03-15." in bad
    assert f"{today:%A, %B} {today.day}, {today.year} (today)" in bad


def test_viewing_a_day_is_audited(app, staff_client, bookings):
    staff_client.get("/staff/consultations?day=2027-03-13")
    [entry] = audit_detail(app, "viewed_consultations")
    assert entry == {"actor": "desk@clinic.example", "day": "2027-03-13", "bookings": 2}


def test_staff_who_are_not_signed_in_are_sent_to_sign_in(app, client):
    for path in ("/staff/consultations?day=2027-03-13", "/staff/availability"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/staff/sign-in?next=")
    assert "viewed_consultations" not in audit_actions(app)


def test_closing_a_date_with_bookings_says_they_are_still_booked(app, owner_client, bookings, lee):
    # Dr. Lee has one booking on March 13, 2027 (and a cancelled one on the 15th).
    def close(day: str) -> str:
        data = {"action": "close", "close-staff": str(lee), "close-day": day}
        assert availability_post(owner_client, data).status_code == 302
        return visible_text(owner_client.get("/staff/availability").get_data(as_text=True))

    warning = "1 consultation is still booked with Dr. Lee that day: move or cancel it from Consultations."
    assert warning in close("2027-03-13")
    assert "still booked" not in close("2027-03-15")
