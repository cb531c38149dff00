"""Settings from the environment: typed, checked, and honest about what is still a sample."""

from __future__ import annotations

import pytest

from clinic_app.settings import Settings, SettingsError, still_samples


def test_a_mistake_names_the_variable_and_what_is_wrong(tmp_path):
    cases = {
        "MAIL_PORT": ("twenty-five", "MAIL_PORT must be a whole number, not 'twenty-five'"),
        "MAIL_USE_TLS": ("enabled", "MAIL_USE_TLS must be true or false, not 'enabled'"),
        "CLINIC_TIMEZONE": ("Mars/Base", "CLINIC_TIMEZONE must be a time zone name"),
        "OUTBOX_POLL_SECONDS": ("0", "OUTBOX_POLL_SECONDS must be 1 or more, not 0"),
        "SELF_PAY_VISIT_FEE": ("-5", "SELF_PAY_VISIT_FEE must be an amount in dollars"),
        "MAIL_PHI": ("some", "MAIL_PHI must be one of full, summary, link, not 'some'"),
        "SECRET_KEY": ("hunter2", "SECRET_KEY must be at least 32 random characters"),
    }
    for variable, (value, message) in cases.items():
        with pytest.raises(SettingsError, match=message):
            Settings.from_environ({"SECRET_KEY": "k" * 32, variable: value}, tmp_path)


def test_secrets_never_show_in_the_settings_repr(tmp_path):
    settings = Settings.from_environ(
        {
            "SECRET_KEY": "s3cret-key" * 4,
            "MAIL_PASSWORD": "mail-pw",
            "DATABASE_URL": "postgresql://u:db-pw@h/db",
        },
        tmp_path,
    )
    shown = repr(settings)
    assert "s3cret-key" not in shown and "mail-pw" not in shown and "db-pw" not in shown
    assert settings.database_url == "postgresql+psycopg://u:db-pw@h/db"


def test_the_first_settings_still_on_their_samples_are_named(tmp_path):
    untouched = still_samples(Settings.from_environ({"SECRET_KEY": "k" * 32}, tmp_path))
    assert any(line.startswith("CLINIC_NAME is still the sample value") for line in untouched)
    assert len(untouched) == 15
    configured = Settings.from_environ(
        {
            "SECRET_KEY": "k" * 32, "CLINIC_NAME": "Rainier Neck Clinic", "CLINIC_PHONE": "(360) 555-0100",
            "CLINIC_ADDRESS": "1 Main St, Olympia, WA", "STAFF_EMAILS": "desk@rainier.example",
            "PUBLIC_BASE_URL": "https://forms.rainier.example", "MAIL_SERVER": "smtp.rainier.example",
            "MAIL_FROM": "Requests <requests@rainier.example>", "EMBED_ALLOWED_ORIGINS": "https://rainier.example",
            "CLINIC_IN_NETWORK": "original_medicare,premera", "SELF_PAY_VISIT_FEE": "90",
            "SELF_PAY_PACKAGE_PRICE": "480", "PLAN_ALLOWED_AMOUNT": "70", "MEDICARE_ALLOWED_AMOUNT": "44",
            "NEW_PATIENT_EXAM_FEE": "110", "DATABASE_URL": "postgresql://clinic@db/clinic",
        },
        tmp_path,
    )  # fmt: skip
    assert still_samples(configured) == []


def test_the_public_address_is_written_as_browsers_write_origins(tmp_path):
    def public(raw: str) -> str:
        return Settings.from_environ(
            {"SECRET_KEY": "k" * 32, "PUBLIC_BASE_URL": raw}, tmp_path
        ).public_base_url

    assert public("https://Requests.YourClinic.com:443/") == "https://requests.yourclinic.com"
    assert public("http://127.0.0.1:5101") == "http://127.0.0.1:5101"
    with pytest.raises(SettingsError, match="PUBLIC_BASE_URL must be an address"):
        public("requests.yourclinic.com")


@pytest.mark.parametrize(("raw", "visits"), [("", 12), ("8", 8), ("60", 60)])
def test_the_plan_of_care_is_the_clinics_own_number_of_visits(tmp_path, raw, visits):
    settings = Settings.from_environ({"SECRET_KEY": "k" * 32, "PLAN_OF_CARE_VISITS": raw}, tmp_path)
    assert settings.plan_of_care_visits == visits


@pytest.mark.parametrize(
    ("raw", "message"), [("twelve", "whole number"), ("0", "from 1 to 60"), ("61", "from 1 to 60")]
)
def test_a_plan_of_care_that_is_not_a_visit_count_stops_the_start(tmp_path, raw, message):
    with pytest.raises(
        SettingsError,
        match=f"PLAN_OF_CARE_VISITS must be .*{message}|PLAN_OF_CARE_VISITS must be a {message}",
    ):
        Settings.from_environ({"SECRET_KEY": "k" * 32, "PLAN_OF_CARE_VISITS": raw}, tmp_path)


def test_the_new_patient_exam_fee_is_an_amount(tmp_path):
    settings = Settings.from_environ({"SECRET_KEY": "k" * 32, "NEW_PATIENT_EXAM_FEE": "$120"}, tmp_path)
    assert settings.new_patient_exam_fee == 120
    with pytest.raises(SettingsError, match="NEW_PATIENT_EXAM_FEE must be an amount in dollars"):
        Settings.from_environ({"SECRET_KEY": "k" * 32, "NEW_PATIENT_EXAM_FEE": "free"}, tmp_path)


@pytest.mark.parametrize(("raw", "hours"), [("", 24), ("48", 48), ("0", 0), ("336", 336)])
def test_the_booking_reminder_leaves_that_many_hours_ahead_and_0_turns_it_off(tmp_path, raw, hours):
    settings = Settings.from_environ({"SECRET_KEY": "k" * 32, "BOOKING_REMINDER_HOURS": raw}, tmp_path)
    assert settings.booking_reminder_hours == hours


@pytest.mark.parametrize(
    ("raw", "message"),
    [("a day", "must be a whole number"), ("-1", "must be from 0 to 336"), ("337", "must be from 0 to 336")],
)
def test_a_reminder_lead_that_is_not_hours_stops_the_start(tmp_path, raw, message):
    with pytest.raises(SettingsError, match=f"BOOKING_REMINDER_HOURS {message}"):
        Settings.from_environ({"SECRET_KEY": "k" * 32, "BOOKING_REMINDER_HOURS": raw}, tmp_path)


def test_booking_the_new_patient_appointment_is_off_unless_the_owner_turns_it_on(tmp_path):
    settings = Settings.from_environ({"SECRET_KEY": "k" * 32}, tmp_path)
    assert settings.booking_new_patient is False
    assert settings.booking_new_patient_length_minutes == 45
    on = Settings.from_environ({"SECRET_KEY": "k" * 32, "BOOKING_NEW_PATIENT": "true"}, tmp_path)
    assert on.booking_new_patient is True


@pytest.mark.parametrize(("raw", "minutes"), [("", 45), ("15", 15), ("60", 60), ("240", 240)])
def test_the_new_patient_appointment_has_its_own_length(tmp_path, raw, minutes):
    environ = {"SECRET_KEY": "k" * 32, "BOOKING_NEW_PATIENT_LENGTH_MINUTES": raw}
    assert Settings.from_environ(environ, tmp_path).booking_new_patient_length_minutes == minutes


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("an hour", "must be a whole number"),
        ("14", "must be from 15 to 240"),
        ("241", "must be from 15 to 240"),
    ],
)
def test_a_new_patient_length_out_of_range_stops_the_start(tmp_path, raw, message):
    with pytest.raises(SettingsError, match=f"BOOKING_NEW_PATIENT_LENGTH_MINUTES {message}"):
        Settings.from_environ({"SECRET_KEY": "k" * 32, "BOOKING_NEW_PATIENT_LENGTH_MINUTES": raw}, tmp_path)
