"""What staff can search a request by, written once when the request is stored. Plain rules."""

from __future__ import annotations

import re

from clinic_app.formatting import phone_e164


def search_text(full_name: str, email: str | None, phone_e164: str | None) -> str:
    """Name, email and phone digits in lower case, so a search needs no case folding per row."""
    return " ".join(
        part.casefold() for part in (full_name, email or "", (phone_e164 or "").lstrip("+")) if part
    )


def search_terms(text: str) -> list[str]:
    """What to look for in the stored search text: the words as typed, or a phone number's digits.

    A phone number is found in any format: "(503) 555-0142", "503.555.0142" and "+1 503 555 0142" all
    become 15035550142; a part of a number, like "0142", is matched as digits.
    """
    text = text.strip()
    phone = phone_digits(text)
    if phone:
        return [phone]
    return [text.casefold()] if text else []


def phone_digits(text: str) -> str | None:
    if re.search(r"[a-zA-Z@]", text):
        return None
    whole_number = phone_e164(text)
    if whole_number:
        return whole_number.lstrip("+")
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) >= 4 else None
