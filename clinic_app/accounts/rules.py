"""Sign-in throttling: plain rules, no Flask.

After a few failed passwords each further try must wait longer (doubling), and after many the account
is locked for a while. A correct password resets the count. Waiting is enforced by refusing early
tries, not by sleeping, so an attacker cannot tie up the server's workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

FREE_TRIES = 3
FIRST_WAIT = timedelta(seconds=5)
LOCK_AFTER = 10
LOCK_FOR = timedelta(minutes=15)


@dataclass(frozen=True)
class AfterFailure:
    failures: int
    blocked_until: datetime | None
    locked: bool


def after_failure(failures_before: int, now: datetime) -> AfterFailure:
    """The account's state after one more failed password."""
    failures = failures_before + 1
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
