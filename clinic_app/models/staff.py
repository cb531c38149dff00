"""Staff accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from clinic_app.choices import Role
from clinic_app.extensions import Model
from clinic_app.models.types import UTCDateTime, enum_column, utcnow


class StaffUser(Model):
    """A front-desk or owner account. Accounts are deactivated, never deleted, so the audit log keeps
    pointing at who did what."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    role: Mapped[Role] = mapped_column(enum_column(Role), nullable=False)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    active: Mapped[bool] = mapped_column(nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Raised on every password change, so sessions signed in with the old password end.
    session_version: Mapped[int] = mapped_column(nullable=False, default=1)
    password_token_hash: Mapped[str | None] = mapped_column(sa.String(64), nullable=True, unique=True)
    password_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Offers free consultations: has weekly hours and closed dates, and can be booked.
    is_provider: Mapped[bool] = mapped_column(nullable=False, default=False, server_default=sa.false())

    # Flask-Login's interface.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_owner(self) -> bool:
        return self.role is Role.OWNER


class SignInThrottle(Model):
    """Failed sign-ins for one account from one address: the count and how long the next try waits.
    Counting per address means a guesser elsewhere cannot lock the account's owner out."""

    __tablename__ = "sign_in_throttle"
    __table_args__ = (
        sa.UniqueConstraint("staff_id", "ip_address", name="uq_sign_in_throttle_staff_address"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="CASCADE"), nullable=False, index=True
    )
    ip_address: Mapped[str] = mapped_column(sa.String(45), nullable=False)
    failures: Mapped[int] = mapped_column(nullable=False, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


@dataclass(frozen=True)
class SignInPause:
    """Sign-in to an account was just paused: from which address, after how many failures, how long."""

    ip_address: str
    failures: int
    length: timedelta
