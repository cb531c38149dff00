"""Staff passwords and sign-in throttling: plain rules, no Flask.

After a few failed passwords each further try must wait longer (doubling), and after many sign-in is
locked for a while. Failures are counted per account and address together, so someone guessing from
one address cannot lock the account's owner out everywhere. A correct password resets the count. Waiting is enforced by refusing early
tries, not by sleeping, so an attacker cannot tie up the server's workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from zxcvbn import zxcvbn

FREE_TRIES = 3
FIRST_WAIT = timedelta(seconds=5)
LOCK_AFTER = 10
LOCK_FOR = timedelta(minutes=15)


MIN_PASSWORD_LENGTH = 12
# zxcvbn's scale: 0 and 1 fall to an online attack, 2 to an offline one; 3 is "safely unguessable".
MIN_PASSWORD_SCORE = 3


def password_problem(password: str, about_the_person: list[str]) -> str | None:
    """Why this password will not do, or None. Long is not enough: "aaaaaaaaaaaa" and
    "password1234" are guessed at once, and so is a password made of the person's own name or email."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    # zxcvbn's work grows with length; the first 100 characters decide.
    verdict = zxcvbn(password[:100], user_inputs=about_the_person)
    if verdict["score"] < MIN_PASSWORD_SCORE:
        why = verdict["feedback"]["warning"]
        return " ".join(
            part
            for part in (
                "That password is too easy to guess.",
                why if why.endswith(".") else f"{why}." if why else "",
                "Try four or five words that do not belong together, like “lamp orbit cedar thimble”.",
            )
            if part
        )
    return None


@dataclass(frozen=True)
class AfterFailure:
    failures: int
    blocked_until: datetime | None
    locked: bool


def after_failure(failures_before: int, now: datetime, blocked_until: datetime | None = None) -> AfterFailure:
    """The state after one more failed password. A lock that has run out starts the count again, so
    one wrong try every 15 minutes cannot keep an account locked for good."""
    lock_over = failures_before >= LOCK_AFTER and blocked_until is not None and blocked_until <= now
    failures = (0 if lock_over else failures_before) + 1
    if failures >= LOCK_AFTER:
        return AfterFailure(failures, now + LOCK_FOR, locked=True)
    if failures >= FREE_TRIES:
        return AfterFailure(failures, now + FIRST_WAIT * 2 ** (failures - FREE_TRIES), locked=False)
    return AfterFailure(failures, None, locked=False)


def wait_left(blocked_until: datetime | None, now: datetime) -> timedelta | None:
    """How long until the next try is allowed, or None if it is allowed now."""
    if blocked_until is None or blocked_until <= now:
        return None
    return blocked_until - now
