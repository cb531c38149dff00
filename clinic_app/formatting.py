"""How times, phone numbers and answers are written for people. No Flask: used by templates and emails."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import phonenumbers


def clinic_time(moment: datetime, zone_name: str) -> str:
    """E.g. 'Sunday, November 22, 2026 at 4:54 PM PST', in the clinic's zone, with the zone named."""
    local = moment.astimezone(ZoneInfo(zone_name))
    hour = local.strftime("%I").lstrip("0")
    return f"{local:%A, %B} {local.day}, {local.year} at {hour}:{local:%M %p %Z}"


def phone_for_people(e164: str | None) -> str:
    if not e164:
        return ""
    number = phonenumbers.parse(e164)
    style = phonenumbers.PhoneNumberFormat
    return phonenumbers.format_number(
        number, style.NATIONAL if number.country_code == 1 else style.INTERNATIONAL
    )
