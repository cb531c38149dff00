"""Providers' hours from the command line (`flask availability set|close|show`) and the open times they
give at /slots.json, on the clinic's own clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from clinic_app.extensions import db
from clinic_app.models import AuditEntry, StaffUser
from clinic_app.models.booking import ProviderClosedDate, ProviderHours
from tests.helpers import create_account

ZONE = ZoneInfo("America/Los_Angeles")
EMAIL = "dr.lee@clinic.example"


@pytest.fixture
def provider(app):
    return create_account(app, EMAIL, name="Dr. Lee")


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["availability", *args])


def in_days(count: int):
    return (datetime.now(ZONE) + timedelta(days=count)).date()


def test_setting_hours_makes_a_provider_and_is_audited(app, provider):
    result = cli(app, "set", "--staff", EMAIL, "--days", "mon-fri", "--hours", "09:00-12:00,13:00-17:00")
    assert result.exit_code == 0, result.output
    assert "mon 09:00-12:00, 13:00-17:00" in result.output and "fri 09:00-12:00, 13:00-17:00" in result.output
    with app.app_context():
        assert db.session.get(StaffUser, provider).is_provider
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProviderHours)) == 10
        [entry] = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "set_hours"))
        assert entry.actor_email == "command line"
        assert entry.detail["days"] == ["mon", "tue", "wed", "thu", "fri"]


def test_setting_a_day_again_replaces_only_that_day(app, provider):
    cli(app, "set", "--staff", EMAIL, "--days", "mon-fri", "--hours", "09:00-12:00,13:00-17:00")
    result = cli(app, "set", "--staff", EMAIL, "--days", "fri", "--hours", "08:00-10:00")
    assert "thu 09:00-12:00, 13:00-17:00" in result.output
    assert "fri 08:00-10:00" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "fri-mon", "--hours", "09:00-12:00"], "runs backwards"),
        (["--days", "mon", "--hours", "9-12"], "is not a time range"),
        (["--days", "mon", "--hours", "12:00-09:00"], "ends before it starts"),
    ],
)
def test_hours_that_cannot_be_read_change_nothing(app, provider, args, message):
    result = cli(app, "set", "--staff", EMAIL, *args)
    assert result.exit_code == 2
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProviderHours)) == 0
        assert not db.session.get(StaffUser, provider).is_provider


def test_an_unknown_staff_email_is_refused(app):
    result = cli(app, "set", "--staff", "nobody@clinic.example", "--days", "mon", "--hours", "09:00-12:00")
    assert result.exit_code == 2
    assert "No active staff account has the email nobody@clinic.example" in result.output


def test_closing_dates_is_stored_once_and_audited(app, provider):
    day = in_days(10).isoformat()
    result = cli(app, "close", "--staff", EMAIL, day, day)
    assert f"{day}: closed" in result.output and f"{day}: was closed already" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProviderClosedDate)) == 1
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "closed_date")
            )
            == 1
        )


def test_show_lists_each_provider_their_closed_dates_and_the_next_open_time(app, provider):
    assert "No provider has hours yet" in cli(app, "show").output
    cli(app, "set", "--staff", EMAIL, "--days", "mon-sun", "--hours", "09:00-12:00")
    cli(app, "close", "--staff", EMAIL, in_days(5).isoformat())
    shown = cli(app, "show").output
    assert "Dr. Lee <dr.lee@clinic.example>" in shown
    assert "sun 09:00-12:00" in shown
    assert f"closed: {in_days(5).isoformat()}" in shown
    assert "Next open time: " in shown and "Pacific time" in shown


def test_slots_json_lists_open_times_with_their_offset(app, client, provider):
    assert client.get("/slots.json").get_json()["slots"] == []
    cli(app, "set", "--staff", EMAIL, "--days", "mon-sun", "--hours", "09:00-12:00")
    day = in_days(3)
    response = client.get(f"/slots.json?from={day.isoformat()}&days=1")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=5"
    body = response.get_json()
    assert body["zone"] == "America/Los_Angeles" and body["length_minutes"] == 15
    offset = datetime(day.year, day.month, day.day, 9, tzinfo=ZONE).strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}"
    assert body["slots"][0] == f"{day.isoformat()}T09:00:00{offset}"
    assert body["slots"][-1] == f"{day.isoformat()}T11:45:00{offset}"
    assert len(body["slots"]) == 12
    assert "Lee" not in response.get_data(as_text=True)


def test_slots_json_leaves_out_closed_dates(app, client, provider):
    cli(app, "set", "--staff", EMAIL, "--days", "mon-sun", "--hours", "09:00-12:00")
    cli(app, "close", "--staff", EMAIL, in_days(4).isoformat())
    slots = client.get(f"/slots.json?from={in_days(3).isoformat()}&days=3").get_json()["slots"]
    assert {slot[:10] for slot in slots} == {in_days(3).isoformat(), in_days(5).isoformat()}


@pytest.mark.parametrize("query", ["from=tomorrow", "from=2020-01-01", "days=0", "days=999", "days=two"])
def test_slots_json_explains_a_bad_query(client, query):
    response = client.get(f"/slots.json?{query}")
    assert response.status_code == 400
    assert "Use from=YYYY-MM-DD" in response.get_json()["error"]
