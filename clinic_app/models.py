"""Database tables. Times are stored in UTC; pages and emails show them in the clinic's zone."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from clinic_app.accounts.rules import Role
from clinic_app.coverage import (
    AlsoMedicaid,
    Concern,
    Coverage,
    DeductibleStatus,
    Network,
    NoteStatus,
    PlanType,
    VisitType,
)
from clinic_app.extensions import db
from clinic_app.intake.choices import ContactMethod
from clinic_app.workflow import CloseReason, RequestStatus


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        # SQLite has no time zones: store naive UTC there.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum_type: type[enum.Enum]) -> sa.Enum:
    """Store an enum by its value as text, so adding a member needs no database type change."""
    return sa.Enum(
        enum_type,
        native_enum=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class StaffUser(db.Model):
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
    failed_sign_ins: Mapped[int] = mapped_column(nullable=False, default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Raised on every password change, so sessions signed in with the old password end.
    session_version: Mapped[int] = mapped_column(nullable=False, default=1)
    password_token_hash: Mapped[str | None] = mapped_column(sa.String(64), nullable=True, unique=True)
    password_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

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


class ConsultationRequest(db.Model):
    __tablename__ = "consultation_request"
    __table_args__ = (sa.Index("ix_consultation_request_newest", "created_at", "id"),)

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
    preferred_contact: Mapped[ContactMethod] = mapped_column(enum_column(ContactMethod), nullable=False)
    best_days: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    best_times: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    main_concern: Mapped[Concern] = mapped_column(enum_column(Concern), nullable=False)
    headache_days_per_month: Mapped[int] = mapped_column(nullable=False)
    message: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    has_warning_signs: Mapped[bool] = mapped_column(nullable=False)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
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


class InsuranceAnswers(db.Model):
    __tablename__ = "insurance_answers"

    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation_request.id", ondelete="CASCADE"), primary_key=True
    )
    coverage: Mapped[Coverage] = mapped_column(enum_column(Coverage), nullable=False)
    carrier: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    plan_type: Mapped[PlanType | None] = mapped_column(enum_column(PlanType), nullable=True)
    age: Mapped[int] = mapped_column(nullable=False)
    deductible_status: Mapped[DeductibleStatus | None] = mapped_column(
        enum_column(DeductibleStatus), nullable=True
    )
    deductible_remaining: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2), nullable=True)
    copay: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2), nullable=True)
    coinsurance_percent: Mapped[int | None] = mapped_column(nullable=True)
    also_medicaid: Mapped[AlsoMedicaid | None] = mapped_column(enum_column(AlsoMedicaid), nullable=True)

    request: Mapped[ConsultationRequest] = relationship(back_populates="insurance")


class StoredCoverageNote(db.Model):
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


class EmailState(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class OutboxEmail(db.Model):
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
    attempts: Mapped[int] = mapped_column(nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # A worker holds a row until this time while it sends; a crashed worker's claim simply runs out.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)

    request: Mapped[ConsultationRequest | None] = relationship(back_populates="emails")


class RequestNote(db.Model):
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


class AuditEntry(db.Model):
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
def _refuse_audit_changes(session, _context, _instances) -> None:
    """The app may add audit rows but never change or remove one (the database refuses it too)."""
    for entry in (*session.dirty, *session.deleted):
        if isinstance(entry, AuditEntry):
            raise AuditLogIsAppendOnly("audit log entries cannot be changed or deleted")


class FormSubmission(db.Model):
    """A request form's single-use token, kept with the request it created."""

    __tablename__ = "form_submission"

    nonce: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation_request.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    request: Mapped[ConsultationRequest] = relationship()
