"""Booking the free consultation: plain values and time arithmetic (no Flask, no database)."""

from clinic_app.booking.invite import ParsedInvite, consultation_summary, invite_ics, parse_invite
from clinic_app.booking.slots import (
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

__all__ = [
    "BookingRules",
    "Busy",
    "ParsedInvite",
    "WeeklyHours",
    "consultation_summary",
    "group_by_day",
    "invite_ics",
    "merge_providers",
    "open_times",
    "parse_invite",
    "parse_slot",
    "slot_iso",
    "time_in_words",
    "to_utc",
]
