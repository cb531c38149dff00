"""A provider's weekly hours as owners write them on the command line ("mon-fri", "09:00-12:00,13:00-17:00"),
read into plain values with a clear message for each mistake. No Flask, no database."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import time

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIME_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class HoursError(ValueError):
    """Days or hours that cannot be read; the message says what to write instead."""


def parse_days(text: str) -> tuple[int, ...]:
    """Weekdays (0 = Monday) from "mon-fri", "mon,wed,fri", "sat" or a mix ("mon-wed,fri")."""
    days: set[int] = set()
    for part in _parts(text):
        first, _, last = part.partition("-")
        start, end = _day(first), _day(last or first)
        if end < start:
            raise HoursError(f"{part!r} runs backwards: write the earlier day first, like mon-fri.")
        days.update(range(start, end + 1))
    if not days:
        raise HoursError("Name the days, like mon-fri or mon,wed,fri.")
    return tuple(sorted(days))


def parse_ranges(text: str) -> tuple[tuple[time, time], ...]:
    """Times of day from "09:00-12:00,13:00-17:00": each start before its end, none overlapping."""
    ranges = []
    for part in _parts(text):
        match = TIME_RANGE.match(part)
        if not match:
            raise HoursError(f"{part!r} is not a time range: write it like 09:00-12:00 (24-hour clock).")
        start_hour, start_minute, end_hour, end_minute = match.groups()
        start, end = _time(start_hour, start_minute, part), _time(end_hour, end_minute, part)
        if start >= end:
            raise HoursError(f"{part!r} ends before it starts.")
        ranges.append((start, end))
    if not ranges:
        raise HoursError("Give the hours, like 09:00-12:00,13:00-17:00.")
    ranges.sort()
    for (_, end), (start, _) in zip(ranges, ranges[1:], strict=False):
        if start < end:
            raise HoursError("The hours overlap: give each time of day once.")
    return tuple(ranges)


def describe_week(hours: Iterable[tuple[int, time, time]]) -> list[str]:
    """One line a day with hours, like "mon 09:00-12:00, 13:00-17:00", Monday first."""
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, start, end in hours:
        by_day.setdefault(weekday, []).append((start, end))
    return [
        f"{DAY_NAMES[day]} " + ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in sorted(by_day[day]))
        for day in sorted(by_day)
    ]


def _parts(text: str) -> list[str]:
    return [part.strip().lower() for part in text.split(",") if part.strip()]


def _day(name: str) -> int:
    short = name.strip()[:3]
    if short not in DAY_NAMES:
        raise HoursError(f"{name!r} is not a day: use {', '.join(DAY_NAMES)}.")
    return DAY_NAMES.index(short)


def _time(hour: str, minute: str, part: str) -> time:
    if int(hour) > 23 or int(minute) > 59:
        raise HoursError(f"{part!r} has a time that does not exist: use 00:00 to 23:59.")
    return time(int(hour), int(minute))
