"""Booking the free consultation: plain values and time arithmetic (no Flask, no database)."""

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
    "WeeklyHours",
    "group_by_day",
    "merge_providers",
    "open_times",
    "parse_slot",
    "slot_iso",
    "time_in_words",
    "to_utc",
]
