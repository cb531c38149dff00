"""Telling a bot from a person, from what the form saw. Plain rules, no Flask."""

from __future__ import annotations

from datetime import datetime, timedelta

HONEYPOT = "honeypot"
TOO_FAST = "too fast"


def spam_reason(
    honeypot: str | None, shown_at: datetime, sent_at: datetime, minimum: timedelta
) -> str | None:
    """Why this submission looks like a bot's, or None for a person.

    A bot fills in the field people never see, or sends the form faster than anyone could read it.
    """
    if honeypot:
        return HONEYPOT
    if sent_at - shown_at < minimum:
        return TOO_FAST
    return None
