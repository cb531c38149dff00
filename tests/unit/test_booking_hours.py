"""Owners write a provider's week on the command line: days and hours read, or refused with what to write."""

from __future__ import annotations

from datetime import time

import pytest

from clinic_app.booking.hours import HoursError, describe_week, parse_days, parse_ranges


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon-fri", (0, 1, 2, 3, 4)),
        ("mon,wed,fri", (0, 2, 4)),
        ("Mon-Wed, Fri", (0, 1, 2, 4)),
        ("sat", (5,)),
        ("monday-tuesday", (0, 1)),
        ("sun,mon", (0, 6)),
    ],
)
def test_days_are_read_as_weekdays_from_monday(text, days):
    assert parse_days(text) == days


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fri-mon", "runs backwards"),
        ("weekdays", "is not a day"),
        ("", "Name the days"),
    ],
)
def test_days_that_cannot_be_read_say_what_to_write(text, message):
    with pytest.raises(HoursError, match=message):
        parse_days(text)


def test_hours_are_read_in_order():
    assert parse_ranges("13:00-17:00, 9:00-12:00") == ((time(9), time(12)), (time(13), time(17)))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9-12", "is not a time range"),
        ("12:00-09:00", "ends before it starts"),
        ("09:00-09:00", "ends before it starts"),
        ("09:00-12:00,11:00-13:00", "overlap"),
        ("09:00-25:00", "does not exist"),
        ("", "Give the hours"),
    ],
)
def test_hours_that_cannot_be_read_say_what_to_write(text, message):
    with pytest.raises(HoursError, match=message):
        parse_ranges(text)


def test_a_week_is_described_a_day_a_line():
    week = [(4, time(13), time(17)), (0, time(9), time(12)), (0, time(13), time(17))]
    assert describe_week(week) == ["mon 09:00-12:00, 13:00-17:00", "fri 13:00-17:00"]
