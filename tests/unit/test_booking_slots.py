"""The free consultation's open times: steps, busy times and their buffer, notice, closed dates, the
horizon, and the daylight-saving changes of 2027 (March 14 and November 7) in America/Los_Angeles."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinic_app.booking import (
    BookingRules,
    Busy,
    WeeklyHours,
    group_by_day,
    merge_providers,
    open_times,
    parse_slot,
    slot_iso,
    time_in_words,
    to_utc,
)

PACIFIC = ZoneInfo("America/Los_Angeles")
WEEKDAYS = [
    WeeklyHours(day, start, end)
    for day in range(5)
    for start, end in ((time(9), time(12)), (time(13), time(17)))
]
RULES = BookingRules()
# Sunday February 28, 2027, 8:00 in the morning: every weekday of the next month is bookable whole.
EARLY = datetime(2027, 2, 28, 8, tzinfo=PACIFIC)


def local(day: date, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, fold=fold), tzinfo=PACIFIC)


def day_times(
    day: date,
    hours: list[WeeklyHours] = WEEKDAYS,
    busy: list[Busy] | None = None,
    now: datetime = EARLY,
    rules: BookingRules = RULES,
    closed: frozenset[date] = frozenset(),
) -> list[datetime]:
    return open_times(hours, closed, busy or [], now, day, 1, rules)


def clock(times: list[datetime]) -> list[str]:
    return [f"{moment:%H:%M}" for moment in times]


def test_a_weekday_of_fifteen_minutes_has_12_morning_and_16_afternoon_starts():
    tuesday = date(2027, 3, 2)
    times = day_times(tuesday)
    assert len(times) == 12 + 16
    assert clock(times)[:3] == ["09:00", "09:15", "09:30"]
    assert clock(times)[11:13] == ["11:45", "13:00"], "the last start ends at noon, none in the lunch hour"
    assert clock(times)[-1] == "16:45"
    assert all(moment.tzinfo is PACIFIC and moment.date() == tuesday for moment in times)
    assert day_times(date(2027, 3, 6)) == [], "no hours on Saturday"


def test_a_buffer_widens_the_step_and_keeps_a_gap_around_busy_times():
    tuesday = date(2027, 3, 2)
    buffered = BookingRules(buffer=timedelta(minutes=5))
    assert buffered.step == timedelta(minutes=20)
    times = day_times(tuesday, rules=buffered)
    assert clock(times)[:10] == [
        "09:00", "09:20", "09:40", "10:00", "10:20", "10:40", "11:00", "11:20", "11:40", "13:00"
    ]  # fmt: skip
    assert len(times) == 9 + 12

    busy = [Busy(local(tuesday, 10).astimezone(UTC), local(tuesday, 10, 15).astimezone(UTC))]
    around = clock(day_times(tuesday, busy=busy, rules=buffered))
    # 10:00-10:15 widened to 9:55-10:20: 9:40 (ends 9:55) and 10:20 stay, 10:00 goes.
    assert around[:6] == ["09:00", "09:20", "09:40", "10:20", "10:40", "11:00"]


def test_a_busy_time_removes_its_start_and_with_a_buffer_its_neighbours():
    tuesday = date(2027, 3, 2)
    busy = [Busy(datetime(2027, 3, 2, 17, 15, tzinfo=UTC), datetime(2027, 3, 2, 17, 30, tzinfo=UTC))]
    assert busy[0].starts_at == local(tuesday, 9, 15), "9:15-9:30 Pacific standard time"
    times = clock(day_times(tuesday, busy=busy))
    assert times[:4] == ["09:00", "09:30", "09:45", "10:00"]
    assert len(times) == 27

    # With 5 minutes either side the busy time reaches 9:10-9:35: the starts 9:00 and 9:20 (the step
    # is now 20 minutes) both meet it; 9:40 is clear.
    buffered = BookingRules(buffer=timedelta(minutes=5))
    assert clock(day_times(tuesday, busy=busy, rules=buffered))[:3] == ["09:40", "10:00", "10:20"]

    # A longer booking of another kind (30 minutes) takes both of the starts it covers.
    long = [Busy(local(tuesday, 14).astimezone(UTC), local(tuesday, 14, 30).astimezone(UTC))]
    afternoon = clock(day_times(tuesday, busy=long))[12:]
    assert "14:00" not in afternoon and "14:15" not in afternoon
    assert {"13:45", "14:30"} <= set(afternoon)


def test_a_start_must_be_the_shortest_notice_ahead():
    tuesday = date(2027, 3, 2)
    times = clock(day_times(tuesday, now=local(tuesday, 8, 30)))
    assert times[0] == "10:30", "2 hours after 8:30"
    assert len(times) == 6 + 16
    assert clock(day_times(tuesday, now=local(tuesday, 8, 31)))[0] == "10:45"
    assert day_times(tuesday, now=local(tuesday, 15)) == [], "nothing after 17:00 - 2 h"
    no_notice = BookingRules(min_notice=timedelta(0))
    assert clock(day_times(tuesday, now=local(tuesday, 16, 45), rules=no_notice)) == ["16:45"]
    assert day_times(date(2027, 3, 1), now=local(tuesday, 8)) == [], "yesterday is never offered"


def test_a_closed_date_has_no_times_and_the_days_around_it_keep_theirs():
    closed = frozenset({date(2027, 3, 3)})
    times = open_times(WEEKDAYS, closed, [], EARLY, date(2027, 3, 2), 3, RULES)
    assert [day for day, _ in group_by_day(times)] == [date(2027, 3, 2), date(2027, 3, 4)]
    assert len(times) == 2 * 28


def test_the_horizon_ends_thirty_days_after_today():
    monday = datetime(2027, 3, 1, 8, tzinfo=PACIFIC)
    times = open_times(WEEKDAYS, set(), [], monday, date(2027, 3, 1), 60, RULES)
    days = [day for day, _ in group_by_day(times)]
    assert days[0] == date(2027, 3, 1)
    assert days[-1] == date(2027, 3, 31), "March 1 + 30 days; April 1 is past the horizon"
    assert len(days) == 23, "the weekdays of March"
    week = BookingRules(horizon_days=7)
    assert group_by_day(open_times(WEEKDAYS, set(), [], monday, date(2027, 3, 1), 60, week))[-1][0] == date(
        2027, 3, 8
    )
    assert open_times(WEEKDAYS, set(), [], monday, date(2027, 4, 1), 5, RULES) == []


def test_nine_in_the_morning_is_nine_local_time_on_either_side_of_each_change():
    friday, monday = date(2027, 3, 12), date(2027, 3, 15)
    times = open_times(WEEKDAYS, set(), [], datetime(2027, 3, 10, 12, tzinfo=PACIFIC), friday, 4, RULES)
    by_day = dict(group_by_day(times))
    assert set(by_day) == {friday, monday}
    assert to_utc(by_day[friday][0]) == datetime(2027, 3, 12, 17, tzinfo=UTC), "9:00 PST"
    assert to_utc(by_day[monday][0]) == datetime(2027, 3, 15, 16, tzinfo=UTC), "9:00 PDT"
    assert slot_iso(by_day[friday][0]) == "2027-03-12T09:00:00-08:00"
    assert slot_iso(by_day[monday][0]) == "2027-03-15T09:00:00-07:00"
    assert len(by_day[monday]) == 28

    autumn = open_times(
        WEEKDAYS, set(), [], datetime(2027, 11, 4, 12, tzinfo=PACIFIC), date(2027, 11, 5), 4, RULES
    )
    by_day = dict(group_by_day(autumn))
    assert to_utc(by_day[date(2027, 11, 5)][0]) == datetime(2027, 11, 5, 16, tzinfo=UTC), "9:00 PDT"
    assert to_utc(by_day[date(2027, 11, 8)][0]) == datetime(2027, 11, 8, 17, tzinfo=UTC), "9:00 PST"
    assert slot_iso(by_day[date(2027, 11, 8)][0]) == "2027-11-08T09:00:00-08:00"


def test_the_hour_the_clocks_skip_is_never_offered():
    sunday = date(2027, 3, 14)
    night = [WeeklyHours(6, time(1), time(3))]
    times = day_times(sunday, hours=night, now=datetime(2027, 3, 13, tzinfo=PACIFIC))
    assert clock(times) == ["01:00", "01:15", "01:30", "01:45"]
    assert [to_utc(moment).hour for moment in times] == [9, 9, 9, 9], "all Pacific standard time"
    assert to_utc(times[-1]) + RULES.length == datetime(2027, 3, 14, 10, tzinfo=UTC), "ends at 3:00 PDT"
    # Hours running into the morning go on at 3:00 daylight time, one hour of real time after 1:45.
    longer = day_times(
        sunday, hours=[WeeklyHours(6, time(1), time(4))], now=datetime(2027, 3, 13, tzinfo=PACIFIC)
    )
    assert clock(longer)[4:6] == ["03:00", "03:15"]
    assert to_utc(longer[4]) == datetime(2027, 3, 14, 10, tzinfo=UTC)
    # Hours that end in the skipped hour end where the clocks jump (1:59:59 PST, then 3:00 PDT).
    into_gap = day_times(
        sunday, hours=[WeeklyHours(6, time(1), time(2, 30))], now=datetime(2027, 3, 13, tzinfo=PACIFIC)
    )
    assert clock(into_gap) == ["01:00", "01:15", "01:30", "01:45"]
    half_hour = BookingRules(length=timedelta(minutes=30))
    into_gap = day_times(
        sunday,
        hours=[WeeklyHours(6, time(1), time(2, 30))],
        now=datetime(2027, 3, 13, tzinfo=PACIFIC),
        rules=half_hour,
    )
    assert clock(into_gap) == ["01:00", "01:30"]


def test_the_hour_the_clocks_repeat_is_offered_once():
    sunday = date(2027, 11, 7)
    night = [WeeklyHours(6, time(1), time(3))]
    times = day_times(sunday, hours=night, now=datetime(2027, 11, 6, tzinfo=PACIFIC))
    assert clock(times) == ["01:00", "01:15", "01:30", "01:45", "02:00", "02:15", "02:30", "02:45"]
    assert all(moment.fold == 0 for moment in times)
    assert [f"{moment:%Z}" for moment in times] == ["PDT"] * 4 + ["PST"] * 4
    assert to_utc(times[0]) == datetime(2027, 11, 7, 8, tzinfo=UTC), "the first 1:00, daylight time"
    assert to_utc(times[4]) == datetime(2027, 11, 7, 10, tzinfo=UTC), "2:00 standard time"
    assert len({to_utc(moment) for moment in times}) == 8


def test_merged_providers_list_each_time_once_with_who_is_free():
    tuesday = date(2027, 3, 2)
    morning = [WeeklyHours(1, time(9), time(10))]
    later = [WeeklyHours(1, time(9, 30), time(11))]
    busy = [Busy(local(tuesday, 9, 30).astimezone(UTC), local(tuesday, 9, 45).astimezone(UTC))]
    merged = merge_providers(
        {
            7: day_times(tuesday, hours=later),
            3: day_times(tuesday, hours=morning, busy=busy),
        }
    )
    assert [(f"{moment:%H:%M}", free) for moment, free in merged] == [
        ("09:00", [3]),
        ("09:15", [3]),
        ("09:30", [7]),
        ("09:45", [3, 7]),
        ("10:00", [7]),
        ("10:15", [7]),
        ("10:30", [7]),
        ("10:45", [7]),
    ]
    assert all(moment.tzinfo is PACIFIC for moment, _ in merged)
    assert merge_providers({}) == []


def test_times_are_grouped_by_their_local_day():
    times = open_times(WEEKDAYS, set(), [], EARLY, date(2027, 3, 5), 4, RULES)
    grouped = group_by_day(reversed(times))
    assert [day for day, _ in grouped] == [date(2027, 3, 5), date(2027, 3, 8)]
    assert [len(day_times) for _, day_times in grouped] == [28, 28]
    assert grouped[0][1] == sorted(grouped[0][1])
    # 16:45 Pacific is the next day in UTC, but it belongs to the day the clinic sees.
    assert to_utc(grouped[0][1][-1]).date() == date(2027, 3, 6)


@pytest.mark.parametrize(
    ("moment", "locale", "words"),
    [
        (datetime(2027, 3, 16, 21, 15, tzinfo=UTC), "en_US", "Tuesday, March 16, 2:15 PM Pacific time"),
        (
            datetime(2027, 3, 16, 21, 15, tzinfo=UTC),
            "es_US",
            "martes, 16 de marzo, 2:15 p.m., hora del Pacífico",
        ),
        (datetime(2027, 11, 16, 22, 15, tzinfo=UTC), "en_US", "Tuesday, November 16, 2:15 PM Pacific time"),
        (
            datetime(2027, 11, 16, 22, 15, tzinfo=UTC),
            "es_US",
            "martes, 16 de noviembre, 2:15 p.m., hora del Pacífico",
        ),
        (datetime(2027, 11, 8, 9, tzinfo=PACIFIC), "en", "Monday, November 8, 9:00 AM Pacific time"),
        (
            datetime(2027, 11, 8, 9, tzinfo=PACIFIC),
            "es",
            "lunes, 8 de noviembre, 9:00 a.m., hora del Pacífico",
        ),
    ],
)
def test_a_time_in_words_names_the_zone_the_same_in_summer_and_winter(moment, locale, words):
    assert time_in_words(moment, "America/Los_Angeles", locale) == words


def test_a_posted_slot_reads_back_as_the_same_instant_in_the_clinic_zone():
    start = local(date(2027, 3, 15), 9)
    assert parse_slot(slot_iso(start), "America/Los_Angeles") == start
    assert parse_slot("2027-03-15T16:00:00Z", "America/Los_Angeles") == start
    second_one = parse_slot("2027-11-07T01:30:00-08:00", "America/Los_Angeles")
    assert second_one is not None and to_utc(second_one) == datetime(2027, 11, 7, 9, 30, tzinfo=UTC)
    for bad in ("2027-03-15T09:00:00", "tomorrow", "", "2027-02-30T09:00:00-08:00"):
        assert parse_slot(bad, "America/Los_Angeles") is None


def test_mistaken_values_are_refused():
    with pytest.raises(ValueError):
        WeeklyHours(7, time(9), time(12))
    with pytest.raises(ValueError):
        WeeklyHours(0, time(12), time(9))
    with pytest.raises(ValueError):
        Busy(datetime(2027, 3, 2, 9), datetime(2027, 3, 2, 10))
    with pytest.raises(ValueError):
        BookingRules(length=timedelta(0))
    with pytest.raises(ValueError):
        to_utc(datetime(2027, 3, 2, 9))
    with pytest.raises(ValueError):
        open_times(WEEKDAYS, set(), [], datetime(2027, 3, 2, 9), date(2027, 3, 2), 1, RULES)
