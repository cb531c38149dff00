"""The booking's calendar invite, made and read back with icalendar, across the 2027 clock changes
(March 14 and November 7 in America/Los_Angeles)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard

from clinic_app.booking import ParsedInvite, consultation_summary, invite_ics, parse_invite

ZONE = "America/Los_Angeles"
PACIFIC = ZoneInfo(ZONE)
CLINIC = "Cascade Headache & Neck Clinic"
ADDRESS = "1200 NW Example Avenue, Suite 300; Portland, OR 97209"
PHONE = "(503) 555-0142"
NOW = datetime(2027, 3, 1, 17, 30, tzinfo=UTC)


def make(starts_at: datetime, *, sequence: int = 0, cancelled: bool = False, address: str = ADDRESS) -> bytes:
    start = starts_at.astimezone(UTC)
    return invite_ics(
        uid="3f2a9c0d1b7e4f55a0c2d9e8b6f41a27",
        domain="clinic.example",
        sequence=sequence,
        starts_at=start,
        ends_at=start + timedelta(minutes=15),
        zone=ZONE,
        summary=consultation_summary(CLINIC),
        clinic_name=CLINIC,
        clinic_address=address,
        clinic_phone=PHONE,
        cancelled=cancelled,
        now=NOW,
    )


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PACIFIC)


# Booked wall time in the clinic's zone, and the same instant in UTC.
DST_CASES = [
    pytest.param(local(2027, 3, 16, 14, 15), datetime(2027, 3, 16, 21, 15, tzinfo=UTC), id="Tue 16 Mar PDT"),
    pytest.param(local(2027, 11, 8, 9, 0), datetime(2027, 11, 8, 17, 0, tzinfo=UTC), id="Mon 8 Nov PST"),
    pytest.param(local(2027, 3, 12, 9, 0), datetime(2027, 3, 12, 17, 0, tzinfo=UTC), id="Fri 12 Mar PST"),
]


@pytest.mark.parametrize(("booked", "in_utc"), DST_CASES)
def test_the_booked_wall_time_comes_back_in_the_clinics_zone(booked: datetime, in_utc: datetime) -> None:
    data = make(booked)
    event = Calendar.from_ical(data).walk("VEVENT")[0]
    start = event.decoded("DTSTART")
    assert getattr(start.tzinfo, "key", None) == ZONE
    assert start.replace(tzinfo=None) == booked.replace(tzinfo=None)
    assert start.astimezone(UTC) == in_utc
    assert event.decoded("DTEND").astimezone(UTC) == in_utc + timedelta(minutes=15)
    wall = booked.strftime("%Y%m%dT%H%M%S").encode()
    assert f"DTSTART;TZID={ZONE}:".encode() + wall in data

    parsed = parse_invite(data)
    assert parsed.starts_at == booked and parsed.starts_at.astimezone(UTC) == in_utc
    assert parsed.starts_at.replace(tzinfo=None) == booked.replace(tzinfo=None)
    assert parsed.ends_at - parsed.starts_at == timedelta(minutes=15)


@pytest.mark.parametrize(("booked", "in_utc"), DST_CASES)
def test_a_calendar_without_the_zones_data_reads_the_same_instant_from_the_vtimezone(
    booked: datetime, in_utc: datetime
) -> None:
    # Renamed, the TZID is unknown to zoneinfo: icalendar must build the zone from the VTIMEZONE alone,
    # as a calendar without tzdata would.
    data = make(booked).replace(ZONE.encode(), b"Clinic-Local")
    start = Calendar.from_ical(data).walk("VEVENT")[0].decoded("DTSTART")
    assert getattr(start.tzinfo, "key", None) != ZONE
    assert start.astimezone(UTC) == in_utc


def test_the_vtimezone_has_both_parts_and_each_change_at_its_rfc_onset() -> None:
    calendar = Calendar.from_ical(make(local(2027, 3, 16, 14, 15)))
    (timezone,) = calendar.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == ZONE
    daylight = [part for part in timezone.walk("DAYLIGHT") if isinstance(part, TimezoneDaylight)]
    standard = [part for part in timezone.walk("STANDARD") if isinstance(part, TimezoneStandard)]
    assert daylight and standard
    parts: list[TimezoneDaylight | TimezoneStandard] = [*daylight, *standard]
    changes = {
        (str(part["TZNAME"]), part.TZOFFSETFROM, part.TZOFFSETTO): part.DTSTART
        for part in parts
        if part.TZOFFSETFROM != part.TZOFFSETTO
    }
    # RFC 5545 reads DTSTART with TZOFFSETFROM: the wall time just before the change, 2:00 both times.
    assert changes == {
        ("PDT", timedelta(hours=-8), timedelta(hours=-7)): datetime(2027, 3, 14, 2, 0),
        ("PST", timedelta(hours=-7), timedelta(hours=-8)): datetime(2027, 11, 7, 2, 0),
    }
    for (_name, offset_from, _offset_to), onset in changes.items():
        instant = (onset - offset_from).replace(tzinfo=UTC)
        assert (
            instant.astimezone(PACIFIC).utcoffset()
            != (instant - timedelta(seconds=1)).astimezone(PACIFIC).utcoffset()
        )


def test_the_vtimezone_covers_an_event_in_november_too() -> None:
    data = make(local(2027, 11, 8, 9, 0)).replace(ZONE.encode(), b"Clinic-Local")
    (timezone,) = Calendar.from_ical(data).walk("VTIMEZONE")
    assert isinstance(timezone, Timezone)
    tz = timezone.to_tz()
    assert datetime(2027, 11, 7, 0, 59, tzinfo=tz).astimezone(UTC) == datetime(2027, 11, 7, 7, 59, tzinfo=UTC)
    assert datetime(2027, 11, 7, 2, 0, tzinfo=tz).astimezone(UTC) == datetime(2027, 11, 7, 10, 0, tzinfo=UTC)
    assert datetime(2027, 3, 14, 1, 59, tzinfo=tz).astimezone(UTC) == datetime(2027, 3, 14, 9, 59, tzinfo=UTC)
    assert datetime(2027, 3, 14, 3, 0, tzinfo=tz).astimezone(UTC) == datetime(2027, 3, 14, 10, 0, tzinfo=UTC)


def test_the_uid_stays_while_the_sequence_rises_through_a_move_and_a_cancellation() -> None:
    booked = parse_invite(make(local(2027, 3, 12, 9, 0), sequence=0))
    moved = parse_invite(make(local(2027, 3, 16, 14, 15), sequence=1))
    cancelled = parse_invite(make(local(2027, 3, 16, 14, 15), sequence=2, cancelled=True))

    assert booked.uid == moved.uid == cancelled.uid == "3f2a9c0d1b7e4f55a0c2d9e8b6f41a27@clinic.example"
    assert [booked.sequence, moved.sequence, cancelled.sequence] == [0, 1, 2]
    assert (booked.method, booked.status) == ("REQUEST", "CONFIRMED")
    assert (moved.method, moved.status) == ("REQUEST", "CONFIRMED")
    assert moved.starts_at == local(2027, 3, 16, 14, 15)
    assert (cancelled.method, cancelled.status) == ("CANCEL", "CANCELLED")
    assert cancelled.starts_at == moved.starts_at


def test_the_calendar_headers_and_the_stamp() -> None:
    data = make(local(2027, 3, 16, 14, 15))
    calendar = Calendar.from_ical(data)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).startswith("-//")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert len(calendar.walk("VEVENT")) == 1
    assert b"DTSTAMP:20270301T173000Z\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")  # every line ends CRLF


def test_the_summary_holds_the_clinic_and_no_health_words() -> None:
    parsed = parse_invite(make(local(2027, 3, 16, 14, 15)))
    assert parsed.summary == f"Free consultation at {CLINIC}"
    words = parsed.summary.lower()
    for health in ("headache", "migraine", "neck pain", "pain", "injury", "symptom", "warning", "insurance"):
        assert health not in words.replace(CLINIC.lower(), "")
    assert parsed.location == ADDRESS
    assert PHONE in parsed.description


def test_the_caller_passes_the_summary_text() -> None:
    start = datetime(2027, 3, 16, 21, 15, tzinfo=UTC)
    data = invite_ics(
        uid="abc",
        domain="clinic.example",
        sequence=0,
        starts_at=start,
        ends_at=start + timedelta(minutes=15),
        zone=ZONE,
        summary=f"Consulta gratuita en {CLINIC}",
        clinic_name=CLINIC,
        clinic_address=ADDRESS,
        clinic_phone=PHONE,
        now=NOW,
    )
    assert parse_invite(data).summary == f"Consulta gratuita en {CLINIC}"


def test_long_lines_are_folded_at_75_octets_and_unfold_to_the_same_text() -> None:
    address = (
        "Cascade Headache & Neck Clinic, Edificio Médico Montaña, 1200 NW Example Avenue, Suite 300; "
        "second floor, past the pharmacy; Portland, OR 97209"
    )
    data = make(local(2027, 3, 16, 14, 15), address=address)
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b"LOCATION:") for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # a continuation line
    for line in lines:
        line.decode("utf-8")  # never folded inside a character
    assert "Montaña".encode() in data.replace(b"\r\n ", b"")
    assert b"\\," in data and b"\\;" in data  # commas and semicolons escaped in text
    assert parse_invite(data).location == address


def test_naive_or_backwards_times_are_refused() -> None:
    start = datetime(2027, 3, 16, 21, 15, tzinfo=UTC)
    common = dict(
        uid="abc",
        domain="clinic.example",
        sequence=0,
        zone=ZONE,
        summary="s",
        clinic_name=CLINIC,
        clinic_address=ADDRESS,
        clinic_phone=PHONE,
        now=NOW,
    )
    with pytest.raises(ValueError, match="aware"):
        invite_ics(starts_at=start.replace(tzinfo=None), ends_at=start + timedelta(minutes=15), **common)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="end after"):
        invite_ics(starts_at=start, ends_at=start, **common)  # type: ignore[arg-type]


def test_parsed_invite_is_a_plain_value() -> None:
    parsed = parse_invite(make(local(2027, 3, 16, 14, 15)))
    assert isinstance(parsed, ParsedInvite)
    with pytest.raises(AttributeError):
        parsed.sequence = 5  # type: ignore[misc]


def test_an_event_into_the_next_year_gets_both_years_changes_at_their_rfc_onsets() -> None:
    data = make(local(2027, 12, 31, 23, 50))  # ends 00:05 on January 1, 2028
    (timezone,) = Calendar.from_ical(data).walk("VTIMEZONE")
    onsets = {
        str(part["TZNAME"]): [moment for moment, _ in part.rdates]
        for part in timezone.subcomponents
        if isinstance(part, TimezoneDaylight | TimezoneStandard) and part.TZOFFSETFROM != part.TZOFFSETTO
    }
    assert onsets == {"PDT": [datetime(2028, 3, 12, 2, 0)], "PST": [datetime(2028, 11, 5, 2, 0)]}
    assert parse_invite(data).ends_at == local(2028, 1, 1, 0, 5)
