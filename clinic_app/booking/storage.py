"""Writing bookings: the database decides who gets a time.

``book`` inserts and lets the database refuse an overlap (migration 0015: an exclusion constraint on
PostgreSQL, triggers on SQLite); no check is made first, since two visitors would both pass it. The
insert runs in a SAVEPOINT, so a refusal undoes the booking alone and the caller's transaction (the
request written with it) stays usable. Like the other operations these take the caller's session,
flush, and never commit.

On PostgreSQL two transactions that insert overlapping rows at the same moment can each find the
other's row still in progress and wait for it: a deadlock, which the server breaks after a second by
failing one of them with "deadlock detected" rather than the exclusion violation (20 clients at once
met it about one run in fifteen). So ``book`` first takes a transaction-level advisory lock on the
provider: bookings of one provider queue for each other, and the constraint then refuses the second
plainly. The lock is no part of the guarantee, which stays the constraint's. Code that moves a
booking takes the same lock (``hold_provider``).

On SQLite a SAVEPOINT outside a transaction begins one and its release commits it: call ``book``
after the transaction has written something (the request), as the form does.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from clinic_app.models.booking import Booking, BookingStatus
from clinic_app.models.types import DbSession, utcnow

# PostgreSQL's exclusion_violation, and the SQLite trigger's message (migration 0015).
EXCLUSION_VIOLATION = "23P01"
SQLITE_OVERLAP = "booking overlaps"
# The first key of the provider's advisory lock: the lock's kind, so no other lock shares its keys.
PROVIDER_LOCK_KIND = 1016


class SlotTaken(Exception):
    """The provider is already booked for some of that time."""


def book(
    session: DbSession, request_id: int, provider_id: int, starts_at: datetime, ends_at: datetime
) -> Booking:
    """Book [starts_at, ends_at) with the provider for the request, or raise ``SlotTaken``."""
    if not starts_at < ends_at:
        raise ValueError("a booking ends after it starts")
    booking = Booking(request_id=request_id, provider_id=provider_id, starts_at=starts_at, ends_at=ends_at)
    try:
        with session.begin_nested():
            hold_provider(session, provider_id)
            session.add(booking)
    except sa.exc.IntegrityError as error:
        if is_overlap(error):
            raise SlotTaken(f"provider {provider_id} is booked between {starts_at} and {ends_at}") from None
        raise
    return booking


def hold_provider(session: DbSession, provider_id: int) -> None:
    """On PostgreSQL, wait for the other transactions writing this provider's bookings; held until
    this one ends (or its savepoint is rolled back). SQLite lets one writer in at a time anyway."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(PROVIDER_LOCK_KIND, provider_id)))


def is_overlap(error: sa.exc.IntegrityError) -> bool:
    """Whether the database refused the row for overlapping a booking, not for another reason."""
    if getattr(error.orig, "sqlstate", None) == EXCLUSION_VIOLATION:
        return True
    return SQLITE_OVERLAP in str(error.orig)


def cancel(session: DbSession, booking: Booking, now: datetime | None = None) -> None:
    """Cancel the booking: its time is free again, and the invite's sequence moves on so calendars
    take the cancellation."""
    if booking.status is BookingStatus.CANCELLED:
        return
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now or utcnow()
    booking.sequence += 1
    session.flush()


def move(
    session: DbSession, booking: Booking, provider_id: int, starts_at: datetime, ends_at: datetime
) -> None:
    """Move the booking to [starts_at, ends_at) with the provider, or raise ``SlotTaken`` and leave it
    as it was. The same UID, its sequence raised so calendars replace the invite. Like ``book``, the
    update runs in a SAVEPOINT after the provider's lock, and the database refuses an overlap (the
    booking's own old time does not count against it)."""
    if not starts_at < ends_at:
        raise ValueError("a booking ends after it starts")
    if booking.status is not BookingStatus.BOOKED:
        raise ValueError("a cancelled booking cannot be moved")
    before = (booking.provider_id, booking.starts_at, booking.ends_at, booking.sequence)
    try:
        with session.begin_nested():
            hold_provider(session, provider_id)
            booking.provider_id = provider_id
            booking.starts_at = starts_at
            booking.ends_at = ends_at
            booking.sequence += 1
            session.flush()
    except sa.exc.IntegrityError as error:
        booking.provider_id, booking.starts_at, booking.ends_at, booking.sequence = before
        if is_overlap(error):
            raise SlotTaken(f"provider {provider_id} is booked between {starts_at} and {ends_at}") from None
        raise
