"""Emails waiting to leave, and the record that they left."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic_app.choices import EmailState
from clinic_app.extensions import Model
from clinic_app.models.types import UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from clinic_app.models.requests import ConsultationRequest


class OutboxEmail(Model):
    """An email waiting to leave, or the record that it left. Rendered when queued, sent after commit."""

    __tablename__ = "outbox_email"
    __table_args__ = (sa.Index("ix_outbox_email_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True, nullable=False)
    request_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("consultation_request.id", ondelete="SET NULL"), nullable=True, index=True
    )
    recipients: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    body_text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    body_html: Mapped[str] = mapped_column(sa.Text, nullable=False)
    headers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False, default=dict)
    state: Mapped[EmailState] = mapped_column(
        enum_column(EmailState), nullable=False, default=EmailState.QUEUED
    )
    # Rendered with health or insurance details (MAIL_PHI=full): such an email leaves only over TLS.
    carries_health_details: Mapped[bool] = mapped_column(nullable=False, default=False)
    # The patient's own copy of their request (reference, next steps, link), not the staff email.
    to_patient: Mapped[bool] = mapped_column(nullable=False, default=False, server_default=sa.false())
    attempts: Mapped[int] = mapped_column(nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # A worker holds a row until this time while it sends; a crashed worker's claim simply runs out.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    # A calendar invite (.ics) the email carries, and its iTIP method: REQUEST or CANCEL (a booking's).
    calendar_ics: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    calendar_method: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)

    request: Mapped[ConsultationRequest | None] = relationship(back_populates="emails")
