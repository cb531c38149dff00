"""A consultation request and what is stored with it: insurance answers, the note shown, staff notes
and the form token that created it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic_app.choices import (
    AlsoMedicaid,
    CloseReason,
    Concern,
    ContactMethod,
    Coverage,
    DeductibleStatus,
    Language,
    Network,
    NoteStatus,
    PlanState,
    PlanType,
    RequestStatus,
    VisitType,
    YesNoNotSure,
)
from clinic_app.extensions import Model
from clinic_app.models.outbox import OutboxEmail
from clinic_app.models.staff import StaffUser
from clinic_app.models.types import UTCDateTime, enum_column, utcnow


class ConsultationRequest(Model):
    __tablename__ = "consultation_request"
    __table_args__ = (
        sa.Index("ix_consultation_request_newest", "created_at", "id"),
        sa.Index("ix_consultation_request_status_newest", "status", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(16), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)
    status: Mapped[RequestStatus] = mapped_column(
        enum_column(RequestStatus), nullable=False, default=RequestStatus.NEW, index=True
    )
    visit_type: Mapped[VisitType] = mapped_column(enum_column(VisitType), nullable=False)
    full_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    email: Mapped[str | None] = mapped_column(sa.String(254), nullable=True)
    phone_e164: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    # The number as the staff pages and the export print it, written once when the request is stored.
    phone_display: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    preferred_contact: Mapped[ContactMethod] = mapped_column(enum_column(ContactMethod), nullable=False)
    best_days: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    best_times: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    main_concern: Mapped[Concern] = mapped_column(enum_column(Concern), nullable=False)
    headache_days_per_month: Mapped[int] = mapped_column(nullable=False)
    message: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    has_warning_signs: Mapped[bool] = mapped_column(nullable=False)
    # The form's "Email me a copy" box; a copy leaves only when an email address was given too.
    wants_email_copy: Mapped[bool] = mapped_column(nullable=False, default=False, server_default=sa.false())
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # The form's language: the note and the patient's email are in it, and staff call back in it.
    language: Mapped[Language] = mapped_column(
        enum_column(Language), nullable=False, default=Language.ENGLISH, server_default=Language.ENGLISH.value
    )
    # Name, email and phone digits, lower-cased when stored: what staff search by, in one column.
    search_text: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    close_reason: Mapped[CloseReason | None] = mapped_column(enum_column(CloseReason), nullable=True)
    # When it was closed: personal details are removed DATA_RETENTION_DAYS after this.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    # A bot's submission is kept for owners to see, but never emailed and never in the staff list.
    spam_reason: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    assigned_to_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL", name="fk_consultation_request_assigned_to_id"),
        nullable=True,
        index=True,
    )

    assigned_to: Mapped[StaffUser | None] = relationship()
    notes: Mapped[list[RequestNote]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestNote.created_at"
    )

    insurance: Mapped[InsuranceAnswers] = relationship(
        back_populates="request", uselist=False, cascade="all, delete-orphan"
    )
    coverage_note: Mapped[StoredCoverageNote] = relationship(
        back_populates="request", uselist=False, cascade="all, delete-orphan"
    )
    emails: Mapped[list[OutboxEmail]] = relationship(back_populates="request")


# Built by migration 0010 outside these models, each engine its own way: the FTS5 table (and its
# shadow tables) on SQLite, the pg_trgm GIN index on PostgreSQL.
SEARCH_INDEX_NAMES = ("request_search", "ix_consultation_request_search_trgm")


def described_by_models(name: str | None, type_: str) -> bool:
    """For Alembic's comparison of the database with these models: all but the search index."""
    return not (name or "").startswith(SEARCH_INDEX_NAMES)


class RequestStatusCount(Model):
    """How many requests have each status, bots' apart: kept in step by database triggers in the
    transaction of every insert, status change and delete (migration 0010), so the list reads four
    numbers instead of counting a million rows."""

    __tablename__ = "request_status_count"

    status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus), primary_key=True)
    spam: Mapped[bool] = mapped_column(primary_key=True)
    total: Mapped[int] = mapped_column(nullable=False)


class InsuranceAnswers(Model):
    __tablename__ = "insurance_answers"

    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation_request.id", ondelete="CASCADE"), primary_key=True
    )
    coverage: Mapped[Coverage] = mapped_column(enum_column(Coverage), nullable=False)
    carrier: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    plan_type: Mapped[PlanType | None] = mapped_column(enum_column(PlanType), nullable=True)
    # Private insurance only (migration 0013): which laws bind the plan. None for other coverage, and
    # for requests made before the form asked.
    plan_state: Mapped[PlanState | None] = mapped_column(enum_column(PlanState), nullable=True)
    state_employee_plan: Mapped[YesNoNotSure | None] = mapped_column(enum_column(YesNoNotSure), nullable=True)
    self_funded: Mapped[YesNoNotSure | None] = mapped_column(enum_column(YesNoNotSure), nullable=True)
    age: Mapped[int] = mapped_column(nullable=False)
    deductible_status: Mapped[DeductibleStatus | None] = mapped_column(
        enum_column(DeductibleStatus), nullable=True
    )
    deductible_remaining: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2), nullable=True)
    copay: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2), nullable=True)
    coinsurance_percent: Mapped[int | None] = mapped_column(nullable=True)
    also_medicaid: Mapped[AlsoMedicaid | None] = mapped_column(enum_column(AlsoMedicaid), nullable=True)

    request: Mapped[ConsultationRequest] = relationship(back_populates="insurance")


class StoredCoverageNote(Model):
    """The note exactly as the visitor saw it, so later rule changes never rewrite what was said."""

    __tablename__ = "coverage_note"

    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation_request.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[NoteStatus] = mapped_column(enum_column(NoteStatus), nullable=False)
    headline: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    paragraphs: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False)
    caveats: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False)
    closing: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    estimate: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    network: Mapped[Network] = mapped_column(
        enum_column(Network), nullable=False, default=Network.NOT_APPLICABLE
    )
    rule_ids: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False)
    rules_version: Mapped[str] = mapped_column(sa.String(40), nullable=False)

    request: Mapped[ConsultationRequest] = relationship(back_populates="coverage_note")


class RequestNote(Model):
    """An internal note by staff on a request. Never shown to the patient."""

    __tablename__ = "request_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation_request.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    request: Mapped[ConsultationRequest] = relationship(back_populates="notes")
    author: Mapped[StaffUser] = relationship()


class FormSubmission(Model):
    """A request form's single-use token, kept with the request it created."""

    __tablename__ = "form_submission"

    nonce: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation_request.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    request: Mapped[ConsultationRequest] = relationship()
