"""What staff learned from a payer's 271 about a request: the figures, never the 271 itself."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic_app.extensions import Model
from clinic_app.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from clinic_app.models.outbox import OutboxEmail
    from clinic_app.models.requests import ConsultationRequest
    from clinic_app.models.staff import StaffUser


class BenefitCheck(Model):
    """One check of a request's benefits with the payer's 271.

    ``figures`` is ``EligibilityBenefits.to_dict()``: the benefits alone, without the subscriber's
    name, birth date or member ID. The raw 271 is read in memory and never stored. ``same_person`` is
    whether the 271's name and birth date fit the request (None: the 271 gave too little to tell).
    """

    __tablename__ = "benefit_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation_request.id", ondelete="CASCADE"), nullable=False, index=True
    )
    staff_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    figures: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    same_person: Mapped[bool | None] = mapped_column(nullable=True)
    # What did not fit, in words for staff (never the 271's name or birth date).
    identity_problems: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    # The updated coverage note emailed to the patient from this check; the purge deletes the email first.
    email_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_email.id", ondelete="SET NULL"), nullable=True
    )

    request: Mapped[ConsultationRequest] = relationship()
    staff: Mapped[StaffUser | None] = relationship()
    email: Mapped[OutboxEmail | None] = relationship()
