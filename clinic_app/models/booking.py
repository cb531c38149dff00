"""Free-consultation bookings and the providers' open times: weekly hours and closed dates.

No provider can be booked twice for the same time, and only the database can make sure of that: two
visitors who both saw a time free each pass any check made in Python before their insert. PostgreSQL
refuses the second booking with an exclusion constraint over the time range (``btree_gist``), so
overlapping bookings of different lengths are refused too; SQLite refuses it with a trigger before
each insert and update (SQLite lets one writer in at a time, so the trigger's look and the write are
one step). A cancelled booking holds no time. Migration 0015 creates both; the same DDL is attached
to the table here, so a schema made with ``create_all`` refuses the same bookings.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic_app.extensions import Model
from clinic_app.models.types import UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from clinic_app.models.requests import ConsultationRequest
    from clinic_app.models.staff import StaffUser


class BookingStatus(enum.Enum):
    BOOKED = "booked"
    CANCELLED = "cancelled"


def new_uid() -> str:
    """The token part of the calendar invite's UID ("<token>@<clinic's domain>"), never changed."""
    return uuid.uuid4().hex


class ProviderHours(Model):
    """One range of a provider's weekly hours, in the clinic's zone: Monday 9:00 to 12:00. A day may
    have several (9:00-12:00 and 13:00-17:00)."""

    __tablename__ = "provider_hours"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_provider_hours_weekday"),
        sa.CheckConstraint("start_time < end_time", name="ck_provider_hours_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # 0 is Monday, 6 is Sunday, as datetime.weekday() counts.
    weekday: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    start_time: Mapped[time] = mapped_column(sa.Time, nullable=False)
    end_time: Mapped[time] = mapped_column(sa.Time, nullable=False)

    staff: Mapped[StaffUser] = relationship()


class ProviderClosedDate(Model):
    """A day a provider takes no bookings (a holiday, time off), in the clinic's zone."""

    __tablename__ = "provider_closed_date"
    __table_args__ = (sa.UniqueConstraint("staff_id", "closed_on", name="uq_provider_closed_date_staff_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id", ondelete="CASCADE"), nullable=False)
    closed_on: Mapped[date] = mapped_column(sa.Date, nullable=False)

    staff: Mapped[StaffUser] = relationship()


# PostgreSQL: the extension gives gist an operator class for the provider's integer id.
BTREE_GIST_EXTENSION = "CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public"

# SQLite: the times are compared as text, which orders them only if every one is written the same
# way. UTCDateTime stores naive UTC as "YYYY-MM-DD HH:MM:SS.ffffff"; a time written any other way is
# refused rather than compared wrongly.
_SQLITE_STORED_TIME = "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]'"
_SQLITE_REFUSALS = (
    "SELECT RAISE(ABORT, 'booking time not stored as UTC') "
    f"WHERE new.starts_at NOT GLOB {_SQLITE_STORED_TIME} OR new.ends_at NOT GLOB {_SQLITE_STORED_TIME}; "
    "SELECT RAISE(ABORT, 'booking overlaps') WHERE new.status = 'booked' AND EXISTS ("
    "SELECT 1 FROM booking WHERE provider_id = new.provider_id AND status = 'booked' "
    "AND starts_at < new.ends_at AND new.starts_at < ends_at{other});"
)
SQLITE_TRIGGERS = (
    "CREATE TRIGGER booking_no_overlap_insert BEFORE INSERT ON booking "
    f"BEGIN {_SQLITE_REFUSALS.format(other='')} END",
    "CREATE TRIGGER booking_no_overlap_update BEFORE UPDATE OF provider_id, starts_at, ends_at, status "
    f"ON booking BEGIN {_SQLITE_REFUSALS.format(other=' AND id <> old.id')} END",
)


class Booking(Model):
    """A free consultation booked for a request: one provider, one time, in UTC.

    ``uid`` and ``sequence`` are the calendar invite's: the UID never changes, and the sequence is
    raised on every change (a move, a cancellation) so calendars replace the invite they have.
    """

    __tablename__ = "booking"
    __table_args__ = (
        sa.CheckConstraint("starts_at < ends_at", name="ck_booking_order"),
        # "The bookings of a provider in a time range": the day view and the open times read this.
        sa.Index("ix_booking_provider_starts", "provider_id", "starts_at"),
        ExcludeConstraint(
            ("provider_id", "="),
            (sa.func.tstzrange(sa.column("starts_at"), sa.column("ends_at"), sa.text("'[)'")), "&&"),
            name="booking_no_overlap",
            using="gist",
            where=sa.text("status = 'booked'"),
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation_request.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    # Staff accounts are deactivated, never deleted: a provider's bookings keep pointing at them.
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[BookingStatus] = mapped_column(
        enum_column(BookingStatus), nullable=False, default=BookingStatus.BOOKED
    )
    uid: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True, default=new_uid)
    sequence: Mapped[int] = mapped_column(nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The reminder queued in the outbox for this booking (migration 0016); dropped when it is moved or
    # cancelled, and a cancelled booking's reminder is never claimed for sending.
    reminder_email_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_email.id", ondelete="SET NULL"), nullable=True, index=True
    )

    request: Mapped[ConsultationRequest] = relationship()
    provider: Mapped[StaffUser] = relationship()


sa.event.listen(
    Booking.__table__,
    "before_create",
    sa.DDL(BTREE_GIST_EXTENSION).execute_if(dialect="postgresql"),
)
for _trigger in SQLITE_TRIGGERS:
    sa.event.listen(Booking.__table__, "after_create", sa.DDL(_trigger).execute_if(dialect="sqlite"))
