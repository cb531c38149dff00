"""The booked free consultations of a stretch of time, for the staff's day view: one query joining each
booking to its request (reference, name) and its provider, read through the provider-and-start index."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from clinic_app.models import ConsultationRequest, StaffUser
from clinic_app.models.booking import Booking, BookingStatus
from clinic_app.models.types import DbSession


@dataclass(frozen=True)
class BookedConsultation:
    booking_id: int
    starts_at: datetime  # aware, UTC
    ends_at: datetime
    provider_id: int
    provider_name: str
    request_id: int
    reference: str
    full_name: str


def booked_consultations(session: DbSession, start: datetime, end: datetime) -> list[BookedConsultation]:
    """Bookings still booked (not cancelled) that start in [start, end), by provider, then time."""
    rows = session.execute(
        sa.select(
            Booking.id,
            Booking.starts_at,
            Booking.ends_at,
            StaffUser.id.label("provider_id"),
            StaffUser.name,
            ConsultationRequest.id.label("request_id"),
            ConsultationRequest.reference,
            ConsultationRequest.full_name,
        )
        .join(StaffUser, StaffUser.id == Booking.provider_id)
        .join(ConsultationRequest, ConsultationRequest.id == Booking.request_id)
        .where(Booking.status == BookingStatus.BOOKED, Booking.starts_at >= start, Booking.starts_at < end)
        .order_by(StaffUser.name, StaffUser.id, Booking.starts_at)
    )
    return [BookedConsultation(*row) for row in rows]


def count_by_start(session: DbSession, starts: Sequence[datetime]) -> list[int]:
    """How many bookings start in each stretch between consecutive ``starts`` (one fewer than given)."""
    if len(starts) < 2:
        return []
    times = session.scalars(
        sa.select(Booking.starts_at).where(
            Booking.status == BookingStatus.BOOKED,
            Booking.starts_at >= starts[0],
            Booking.starts_at < starts[-1],
        )
    ).all()
    return [
        sum(1 for moment in times if low <= moment < high)
        for low, high in zip(starts, starts[1:], strict=False)
    ]


def bookings_on(session: DbSession, provider: StaffUser, day: date, zone: str) -> list[BookedConsultation]:
    """The provider's bookings still booked on a date of the clinic's calendar."""
    start = datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    return [found for found in booked_consultations(session, start, end) if found.provider_id == provider.id]
