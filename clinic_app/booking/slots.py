"""The open times for the free consultation, as plain time arithmetic: no Flask, no database.

Every instant is handled in UTC; the provider's weekly hours are wall-clock times in the clinic's zone.
Each local time is built with zoneinfo (``datetime.combine(day, t, tzinfo=zone)``) and checked by a
round trip through UTC, so on the days the clocks change a 9:00 start is still 9:00 local time, a wall
time that does not exist (2:00-3:00 on a spring-forward day) is never offered, and a wall time that
happens twice (1:00-2:00 on a fall-back day) is offered once, at its first occurrence (fold=0).
Daylight-saving mistakes of this kind are what Easy!Appointments #962 and #1314 and Cal.com #1092 were.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime, get_timezone_name

__all__ = [
    "BookingRules",
    "Busy",
    "WeeklyHours",
    "group_by_day",
    "merge_providers",
    "open_times",
    "parse_slot",
    "slot_iso",
    "time_in_words",
    "to_utc",
]


@dataclass(frozen=True)
class WeeklyHours:
    """One range of a provider's week: wall-clock times in the clinic's zone, start before end."""

    weekday: int  # 0 = Monday ... 6 = Sunday, as date.weekday()
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("weekly hours are wall-clock times in the clinic's zone: give naive times")
        if self.start >= self.end:
            raise ValueError(f"the hours {self.start:%H:%M}-{self.end:%H:%M} end before they start")


@dataclass(frozen=True)
class BookingRules:
    """The owner's settings: the consultation's length, the gap kept around every busy time, the
    shortest notice, how many days ahead (counted from today in the clinic's zone) and the zone."""

    length: timedelta = timedelta(minutes=15)
    buffer: timedelta = timedelta(0)
    min_notice: timedelta = timedelta(hours=2)
    horizon_days: int = 30
    zone: str = "America/Los_Angeles"
    # How far apart the starts are when not length + buffer: a longer visit (the new-patient
    # appointment) starts on the consultation's steps, wherever it fits.
    starts_every: timedelta | None = None

    def __post_init__(self) -> None:
        if self.length <= timedelta(0):
            raise ValueError("a consultation must last some time")
        if self.starts_every is not None and self.starts_every <= timedelta(0):
            raise ValueError("the starts must be some time apart")
        if self.buffer < timedelta(0) or self.min_notice < timedelta(0) or self.horizon_days < 0:
            raise ValueError("the buffer, the notice and the horizon cannot be negative")
        ZoneInfo(self.zone)  # an unknown zone fails here, not on the first visitor

    @property
    def step(self) -> timedelta:
        """How far apart the offered starts are: 9:00, 9:20, 9:40 for 15 minutes and a 5-minute buffer
        (or `starts_every`, when given)."""
        return self.starts_every if self.starts_every is not None else self.length + self.buffer


@dataclass(frozen=True)
class Busy:
    """A time the provider is taken (a booking, a meeting), as aware datetimes, UTC as stored."""

    starts_at: datetime
    ends_at: datetime

    def __post_init__(self) -> None:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("busy times must be aware datetimes (stored in UTC)")
        if self.ends_at <= self.starts_at:
            raise ValueError("a busy time must end after it starts")


def to_utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is refused rather than guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone")
    return moment.astimezone(UTC)


def open_times(
    hours: Iterable[WeeklyHours],
    closed: Collection[date],
    busy: Iterable[Busy],
    now: datetime,
    first_day: date,
    days: int,
    rules: BookingRules,
) -> list[datetime]:
    """Every start one provider can take on the `days` local dates from `first_day`, as aware
    datetimes in the clinic's zone, earliest first.

    A start is offered when its wall-clock time exists that day, it steps from a range's start by
    `rules.step`, the consultation of `rules.length` ends within that range, it overlaps no busy time
    widened by `rules.buffer` on both sides, it is at least `rules.min_notice` after `now`, its date is
    not closed and is at most `rules.horizon_days` after now's local date (30 days from March 1 is
    March 31, inclusive).
    """
    zone = ZoneInfo(rules.zone)
    earliest = to_utc(now) + rules.min_notice
    today = now.astimezone(zone).date()
    first = max(first_day, today)
    last = min(first_day + timedelta(days=days - 1), today + timedelta(days=rules.horizon_days))
    closed_days = frozenset(closed)
    by_weekday: dict[int, list[WeeklyHours]] = {}
    for each in hours:
        by_weekday.setdefault(each.weekday, []).append(each)
    taken = _Taken(busy, rules.buffer)

    found: dict[datetime, datetime] = {}  # by instant in UTC, so overlapping ranges give one start
    day = first
    while day <= last:
        if day not in closed_days:
            for weekly in by_weekday.get(day.weekday(), ()):
                for start in _starts(day, weekly, rules, zone):
                    instant = to_utc(start)
                    if instant >= earliest and not taken.overlaps(instant, instant + rules.length):
                        found.setdefault(instant, start)
        day += timedelta(days=1)
    return [found[instant] for instant in sorted(found)]


def merge_providers(per_provider: Mapping[int, Iterable[datetime]]) -> list[tuple[datetime, list[int]]]:
    """The times at least one provider is open, earliest first, each with the providers open then
    (ids in ascending order), so a booking can later be given to one of them."""
    local: dict[datetime, datetime] = {}
    providers: dict[datetime, list[int]] = {}
    for provider in sorted(per_provider):
        for moment in per_provider[provider]:
            instant = to_utc(moment)
            local.setdefault(instant, moment)
            free = providers.setdefault(instant, [])
            if provider not in free:
                free.append(provider)
    return [(local[instant], providers[instant]) for instant in sorted(local)]


def group_by_day(times: Iterable[datetime]) -> list[tuple[date, list[datetime]]]:
    """Times grouped by their local date (the date in each datetime's own zone), days and times in
    order: one fieldset of radio buttons a day."""
    days: dict[date, list[datetime]] = {}
    for moment in sorted(times, key=to_utc):
        days.setdefault(moment.date(), []).append(moment)
    return sorted(days.items())


def slot_iso(moment: datetime) -> str:
    """A start as /slots.json and the form's radio buttons give it: ISO 8601 with the offset,
    "2027-03-15T09:00:00-07:00"."""
    to_utc(moment)  # refuses a naive datetime
    return moment.isoformat()


def parse_slot(text: str, zone: str) -> datetime | None:
    """A posted start read back as an aware datetime in the clinic's zone; None for anything that is
    not an ISO 8601 time with an offset. Whether it is still open is for open_times to say."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None
    return moment.astimezone(ZoneInfo(zone))


# How each language writes a start in full: the date, the time, then the zone's generic name.
DATE_PATTERN = {"en": "EEEE, MMMM d", "es": "EEEE, d 'de' MMMM"}
TIME_PATTERN = "h:mm a"
IN_WORDS = {"en": "{date}, {time} {zone}", "es": "{date}, {time}, {zone}"}


def time_in_words(moment: datetime, zone: str, locale: str) -> str:
    """E.g. "Tuesday, March 16, 2:15 PM Pacific time" or "martes, 16 de marzo, 2:15 p.m., hora del
    Pacífico": in the clinic's zone, named the same in summer and winter (Pacific time, not PDT/PST)."""
    tz = ZoneInfo(zone)
    local = to_utc(moment).astimezone(tz)
    parsed = Locale.parse(locale.replace("-", "_"))
    if parsed.language in IN_WORDS:
        language, babel_locale = parsed.language, Locale(parsed.language, parsed.territory or "US")
    else:
        language, babel_locale = "en", Locale("en", "US")
    zone_name = get_timezone_name(local, width="long", zone_variant="generic", locale=babel_locale)
    if language == "en" and zone_name.endswith(" Time"):
        zone_name = zone_name[: -len("Time")] + "time"  # "Pacific time", as sentences write it
    return IN_WORDS[language].format(
        date=format_datetime(local, DATE_PATTERN[language], locale=babel_locale),
        time=format_datetime(local, TIME_PATTERN, locale=babel_locale),
        zone=zone_name,
    )


def _starts(day: date, weekly: WeeklyHours, rules: BookingRules, zone: ZoneInfo) -> Iterable[datetime]:
    """The range's starts on one local date whose consultation ends within the range: stepped on the
    wall clock from the range's start, each existing wall time once (fold=0)."""
    range_end = _range_end(day, weekly.end, zone)
    wall = datetime.combine(day, weekly.start)
    wall_end = datetime.combine(day, weekly.end)
    while wall < wall_end:
        start = wall.replace(tzinfo=zone)  # fold=0: the first of a repeated wall time
        if _exists(start) and to_utc(start) + rules.length <= range_end:
            yield start
        wall += rules.step


def _exists(local: datetime) -> bool:
    """Whether this wall time happens in its zone: one in the spring-forward gap comes back from UTC
    as another wall time."""
    tz = local.tzinfo
    assert tz is not None
    return to_utc(local).astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None)


def _range_end(day: date, end: time, zone: ZoneInfo) -> datetime:
    """The instant (UTC) a range ends: the first time its wall-clock end happens (fold=0) or, when
    the clocks skip that wall time, the instant they jump (found to the second between the two
    readings of the skipped time, as tzdata's changes fall on whole seconds)."""
    reading = datetime.combine(day, end, tzinfo=zone)
    if _exists(reading):
        return to_utc(reading)
    before = int(to_utc(reading.replace(fold=1)).timestamp())  # read with the later offset: earlier
    after = int(to_utc(reading).timestamp())
    new_offset = datetime.fromtimestamp(after, zone).utcoffset()
    while after - before > 1:
        middle = (before + after) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == new_offset:
            after = middle
        else:
            before = middle
    return datetime.fromtimestamp(after, UTC)


class _Taken:
    """The busy times widened by the buffer, merged into disjoint ranges in UTC, for a quick check."""

    def __init__(self, busy: Iterable[Busy], buffer: timedelta) -> None:
        merged: list[list[datetime]] = []
        for start, end in sorted((to_utc(b.starts_at) - buffer, to_utc(b.ends_at) + buffer) for b in busy):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [start for start, _ in merged]
        self._ends = [end for _, end in merged]

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether [start, end) meets any busy range: the last range starting before `end` is the only
        one that can, since the ranges are disjoint and in order."""
        index = bisect.bisect_left(self._starts, end) - 1
        return index >= 0 and self._ends[index] > start
