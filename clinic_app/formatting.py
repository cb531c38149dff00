"""How times, phone numbers and answers are written for people. No Flask: used by templates and emails."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

import phonenumbers
from babel.dates import format_datetime

from clinic_app.choices import EmailState

# Dates as each language writes them out in full, with the time and the zone's short name.
DATE_AND_TIME = {
    "en": "EEEE, MMMM d, y 'at' h:mm a",
    "es": "EEEE, d 'de' MMMM 'de' y, 'a las' h:mm a",
}


def clinic_time(moment: datetime, zone_name: str, locale: str = "en") -> str:
    """E.g. 'Sunday, November 22, 2026 at 4:54 PM PST' or 'domingo, 22 de noviembre de 2026, a las
    4:54 p.m. PST': in the clinic's zone, with the zone named, written by Babel for the language."""
    local = moment.astimezone(ZoneInfo(zone_name))
    language = locale.split("_")[0]
    written = format_datetime(
        local, DATE_AND_TIME.get(language, DATE_AND_TIME["en"]), locale=f"{language}_US"
    )
    return f"{written} {local:%Z}"


def phone_e164(text: str) -> str | None:
    """A phone number as typed in the US (any format, or with a country code), in E.164, if valid."""
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_for_links(text: str) -> str:
    """The number as a tel: link needs it, in E.164 (+15035550142), whatever way it is written: the
    clinic's own number may be set as "(503) 555-0142". Unlike phone_e164, a number that is not in
    service (as the 555 samples) still gets its E.164 form: it is what the clinic set."""
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        digits = "".join(character for character in text if character.isdigit())
        return f"+{digits}" if text.strip().startswith("+") else digits
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def html_datetime(moment: datetime) -> str:
    """A moment for a <time datetime> attribute: a valid global date and time, in UTC to the second
    (2026-11-22T17:05:09Z); HTML allows at most three digits of a second's fraction, Python writes six."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def phone_for_people(e164: str | None) -> str:
    if not e164:
        return ""
    number = phonenumbers.parse(e164)
    style = phonenumbers.PhoneNumberFormat
    return phonenumbers.format_number(
        number, style.NATIONAL if number.country_code == 1 else style.INTERNATIONAL
    )


def age(moment: datetime, now: datetime | None = None) -> str:
    """How long ago, in a few characters: 'just now', '12 min ago', '3 h ago', '5 days ago'."""
    seconds = int(((now or datetime.now(UTC)) - moment).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    days = seconds // 86400
    return "1 day ago" if days == 1 else f"{days} days ago"


class Delivery(Protocol):
    """What an outbox email says about its delivery."""

    state: EmailState
    last_error: str | None


def email_state_in_words(email: Delivery) -> str:
    """Queued, sent or failing, as staff need to read it on a request's page."""
    if email.state is EmailState.SENT:
        return "Sent"
    if email.state is EmailState.FAILED:
        return "Failed for good"
    return "Failing, will retry" if email.last_error else "Queued"
