"""The calendar invite attached to the patient's booking emails: an iCalendar (RFC 5545) file made and
read with the ``icalendar`` library. No Flask, no database.

Why a library and not a template: RFC 5545 wants lines folded at 75 octets (not characters: an
accented address is longer in octets), commas, semicolons and backslashes escaped in text, CRLF line
ends, and a VTIMEZONE that defines the TZID the times refer to. Each of these is a known way for an
invite to be read an hour off or not at all (Easy!Appointments #962 and #1314, Cal.com #1092).

What a calendar needs to keep one booking as one event (RFC 5546, iTIP): the same UID on every
invite of a booking, a SEQUENCE raised on every change, METHOD:REQUEST while it stands and
METHOD:CANCEL with STATUS:CANCELLED when it is cancelled. The times are written in the clinic's zone
(``DTSTART;TZID=America/Los_Angeles:20270316T141500``) so a calendar shows the wall time that was
booked, with a VTIMEZONE for that zone covering the event's year(s).

The summary is the caller's text ("Free consultation at <clinic>", or its translation): it never
names a symptom, since calendars are synced, shared and shown on lock screens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress

__all__ = [
    "PRODID",
    "ParsedInvite",
    "consultation_summary",
    "invite_ics",
    "parse_invite",
    "vtimezone",
]

PRODID = "-//Clinic requests//Free consultation booking//EN"


def consultation_summary(clinic_name: str) -> str:
    """The invite's English summary, "Free consultation at <clinic>": no health details. A caller
    with a translated string passes that to ``invite_ics(summary=...)`` instead."""
    return f"Free consultation at {clinic_name}"


def _description(clinic_name: str, clinic_phone: str, cancelled: bool) -> str:
    if cancelled:
        return f"This free consultation is cancelled. To book another time, call {clinic_name} at {clinic_phone}."
    return f"To change or cancel this free consultation, call {clinic_name} at {clinic_phone}."


def invite_ics(
    *,
    uid: str,
    domain: str,
    sequence: int,
    starts_at: datetime,
    ends_at: datetime,
    zone: str,
    summary: str,
    clinic_name: str,
    clinic_address: str,
    clinic_phone: str,
    cancelled: bool = False,
    now: datetime,
    description: str | None = None,
    organizer_email: str | None = None,
) -> bytes:
    """The ``.ics`` file for one booking: a VCALENDAR with a VTIMEZONE for `zone` and one VEVENT.

    `uid` is the booking's never-changing token (``Booking.uid``); the event's UID is
    ``"<uid>@<domain>"``. `sequence` is ``Booking.sequence`` (0 when booked, raised on every move and
    on the cancellation). `starts_at` and `ends_at` are aware datetimes (UTC as stored); they are
    written as wall times in `zone`. `now` is the DTSTAMP. `summary` is the caller's text (see
    ``consultation_summary``). `description` defaults to an English line with the clinic's phone to
    call to change it. With `organizer_email`, the clinic is named as ORGANIZER (``CN=clinic_name``).
    """
    if sequence < 0:
        raise ValueError(f"the sequence cannot be negative, not {sequence}")
    if not uid or not domain:
        raise ValueError("the invite needs the booking's uid and the clinic's domain")
    tz = ZoneInfo(zone)
    local_start = _aware(starts_at, "starts_at").astimezone(tz)
    local_end = _aware(ends_at, "ends_at").astimezone(tz)
    if local_end <= local_start:
        raise ValueError("the consultation must end after it starts")
    stamp = _aware(now, "now").astimezone(UTC)

    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "CANCEL" if cancelled else "REQUEST")
    calendar.add_component(vtimezone(zone, local_start.date(), local_end.date()))

    event = Event()
    event.add("UID", f"{uid}@{domain}")
    event.add("SEQUENCE", sequence)
    event.add("DTSTAMP", stamp)
    event.add("DTSTART", local_start)
    event.add("DTEND", local_end)
    event.add("SUMMARY", summary)
    event.add("LOCATION", clinic_address)
    event.add(
        "DESCRIPTION",
        description if description is not None else _description(clinic_name, clinic_phone, cancelled),
    )
    event.add("STATUS", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("TRANSP", "OPAQUE")
    if organizer_email:
        organizer = vCalAddress(f"mailto:{organizer_email}")
        organizer.params["CN"] = clinic_name
        event.add("ORGANIZER", organizer)
    calendar.add_component(event)
    return calendar.to_ical()


@dataclass(frozen=True)
class ParsedInvite:
    """An invite read back: times as aware datetimes in the TZID's zone, as a calendar shows them."""

    uid: str
    sequence: int
    method: str
    status: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str
    description: str


def parse_invite(data: bytes) -> ParsedInvite:
    """Read an invite made by ``invite_ics`` with icalendar's own parser (for the tests and the
    browser test). Refuses a file without exactly one VEVENT or with a floating (zoneless) time."""
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    if len(events) != 1:
        raise ValueError(f"an invite holds one event, this one {len(events)}")
    event = events[0]
    starts_at = event.decoded("DTSTART")
    ends_at = event.decoded("DTEND")
    for name, moment in (("DTSTART", starts_at), ("DTEND", ends_at)):
        if not isinstance(moment, datetime) or moment.tzinfo is None:
            raise ValueError(f"the invite's {name} has no time zone: {moment!r}")
    return ParsedInvite(
        uid=str(event["UID"]),
        sequence=int(event.get("SEQUENCE", 0)),
        method=str(calendar.get("METHOD", "")),
        status=str(event.get("STATUS", "")),
        starts_at=starts_at,
        ends_at=ends_at,
        summary=str(event.get("SUMMARY", "")),
        location=str(event.get("LOCATION", "")),
        description=str(event.get("DESCRIPTION", "")),
    )


def vtimezone(zone: str, first_day: date, last_day: date) -> Timezone:
    """A VTIMEZONE for `zone` covering the whole years from `first_day` to `last_day` (so it has
    both the STANDARD and DAYLIGHT parts of a zone that changes its clocks), built by icalendar from
    zoneinfo's data.

    icalendar 7.3 writes a clock change's onset as the first wall time after it (03:00 for the US
    spring change); RFC 5545 reads DTSTART with TZOFFSETFROM, which puts the change an hour late for
    a calendar that uses the VTIMEZONE rather than its own zone data. Each onset is rewritten as the
    wall time before the change (02:00), as the RFC's own examples and tzdata's VTIMEZONEs have it.
    """
    tz = ZoneInfo(zone)
    component = Timezone.from_tzinfo(
        tz,
        tzid=zone,
        first_date=date(first_day.year, 1, 1),
        last_date=date(last_day.year + 1, 1, 1),
    )
    for observance in component.subcomponents:
        offset_from, offset_to = observance.TZOFFSETFROM, observance.TZOFFSETTO
        if offset_from is None or offset_to is None or offset_from == offset_to:
            continue
        onset = observance.DTSTART
        assert isinstance(onset, datetime)
        observance.DTSTART = _onset_before_change(onset, offset_from, offset_to, tz)
        rdates = [moment for moment, _ in observance.rdates]
        if rdates:
            observance.pop("RDATE")
            observance.add(
                "RDATE",
                [
                    _onset_before_change(moment, offset_from, offset_to, tz)
                    for moment in rdates
                    if isinstance(moment, datetime)
                ],
            )
    return component


def _onset_before_change(
    wall: datetime, offset_from: timedelta, offset_to: timedelta, tz: ZoneInfo
) -> datetime:
    """The naive local onset of a clock change read with `offset_from`, whichever offset `wall` was
    written in: the instant is the one where the zone's offset turns from `offset_from` to `offset_to`."""
    wall = wall.replace(tzinfo=None)
    for offset in (offset_from, offset_to):
        instant = (wall - offset).replace(tzinfo=UTC)
        if instant.astimezone(tz).utcoffset() == offset_to and (
            (instant - timedelta(seconds=1)).astimezone(tz).utcoffset() == offset_from
        ):
            return (instant + offset_from).replace(tzinfo=None)
    return wall  # not a change zoneinfo knows (the range's first observance): left as written


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, not {moment!r}")
    return moment
