"""The append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from clinic_app.extensions import Model
from clinic_app.models.staff import StaffUser
from clinic_app.models.types import UTCDateTime, utcnow


class AuditEntry(Model):
    """One line of the append-only audit log: who did what, when, from where.

    The request is named by id and reference, not by a foreign key, so removing a request's personal
    data later never has to touch the log. No health details go in ``detail``.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (sa.Index("ix_audit_entry_request", "request_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), nullable=True, index=True)
    actor_email: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    ip_address: Mapped[str] = mapped_column(sa.String(45), nullable=False)
    action: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    request_id: Mapped[int | None] = mapped_column(nullable=True)
    request_reference: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False, default=dict)

    actor: Mapped[StaffUser | None] = relationship()


class AuditLogIsAppendOnly(RuntimeError):
    pass


@sa.event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context: object, _instances: object) -> None:
    """The app may add audit rows but never change or remove one (the database refuses it too)."""
    for entry in (*session.dirty, *session.deleted):
        if isinstance(entry, AuditEntry):
            raise AuditLogIsAppendOnly("audit log entries cannot be changed or deleted")
