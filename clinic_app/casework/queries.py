"""Finding requests for the dashboard: filters, search, counts and pages that stay fast at any size.

Pages are keyset pages (newest first, by received time then id): the database jumps straight to the
page's first row through an index instead of counting past every row before it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from clinic_app.choices import Coverage, EmailState, RequestStatus, VisitType
from clinic_app.intake.search import search_terms
from clinic_app.models import ConsultationRequest, InsuranceAnswers, OutboxEmail, StaffUser
from clinic_app.models.types import DbSession

PAGE_SIZE = 50


@dataclass(frozen=True)
class RequestFilters:
    status: RequestStatus | None = None
    visit_type: VisitType | None = None
    coverage: Coverage | None = None
    received_from: date | None = None
    received_to: date | None = None
    search: str = ""
    assigned_to: int | None = None
    # Bots' requests are left out unless an owner asks for them.
    spam: bool = False
    email_failed: bool = False


@dataclass(frozen=True)
class Cursor:
    """A position in the newest-first list: the received time and id of a row."""

    created_at: datetime
    id: int

    def token(self) -> str:
        return f"{self.created_at.isoformat()}_{self.id}"

    @classmethod
    def parse(cls, token: str | None) -> Cursor | None:
        if not token or "_" not in token:
            return None
        moment, _, row_id = token.rpartition("_")
        try:
            parsed = datetime.fromisoformat(moment)
            return cls(parsed, int(row_id)) if parsed.tzinfo else None
        except ValueError:
            return None


@dataclass(frozen=True)
class Page:
    rows: list[ConsultationRequest]
    older: Cursor | None
    newer: Cursor | None


def conditions(filters: RequestFilters, timezone: str) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = [
        ConsultationRequest.spam_reason.is_not(None)
        if filters.spam
        else ConsultationRequest.spam_reason.is_(None)
    ]
    if filters.status:
        where.append(ConsultationRequest.status == filters.status)
    if filters.visit_type:
        where.append(ConsultationRequest.visit_type == filters.visit_type)
    if filters.coverage:
        where.append(InsuranceAnswers.coverage == filters.coverage)
    if filters.email_failed:
        where.append(
            sa.exists().where(
                OutboxEmail.request_id == ConsultationRequest.id, OutboxEmail.state == EmailState.FAILED
            )
        )
    if filters.assigned_to:
        where.append(ConsultationRequest.assigned_to_id == filters.assigned_to)
    zone = ZoneInfo(timezone)
    if filters.received_from:
        where.append(ConsultationRequest.created_at >= datetime.combine(filters.received_from, time(), zone))
    if filters.received_to:
        end = datetime.combine(filters.received_to + timedelta(days=1), time(), zone)
        where.append(ConsultationRequest.created_at < end)
    if filters.search.strip():
        where.append(search_condition(filters.search))
    return where


def search_condition(text: str) -> sa.ColumnElement[bool]:
    """Match any part of the name or email, or a phone number written in any format."""
    terms = search_terms(text)
    return sa.and_(*(ConsultationRequest.search_text.like(f"%{_like(term)}%", escape="\\") for term in terms))


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _with_filters(query: sa.Select, filters: RequestFilters, timezone: str) -> sa.Select:
    # Join the insurance answers only to filter by coverage: a join on every row costs time at 100,000.
    if filters.coverage:
        query = query.join(InsuranceAnswers, InsuranceAnswers.request_id == ConsultationRequest.id)
    return query.where(*conditions(filters, timezone))


def _base(filters: RequestFilters, timezone: str) -> sa.Select:
    return _with_filters(sa.select(ConsultationRequest), filters, timezone)


def page_of_requests(
    session: DbSession,
    filters: RequestFilters,
    timezone: str,
    older_than: Cursor | None = None,
    newer_than: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    query = _base(filters, timezone).options(
        joinedload(ConsultationRequest.insurance), joinedload(ConsultationRequest.assigned_to)
    )
    created, row_id = ConsultationRequest.created_at, ConsultationRequest.id
    if newer_than is not None:
        query = query.where(
            sa.or_(
                created > newer_than.created_at,
                sa.and_(created == newer_than.created_at, row_id > newer_than.id),
            )
        )
        rows = list(session.scalars(query.order_by(created.asc(), row_id.asc()).limit(size + 1)).unique())
        has_more_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        has_more_older = True
    else:
        if older_than is not None:
            query = query.where(
                sa.or_(
                    created < older_than.created_at,
                    sa.and_(created == older_than.created_at, row_id < older_than.id),
                )
            )
        rows = list(session.scalars(query.order_by(created.desc(), row_id.desc()).limit(size + 1)).unique())
        has_more_older = len(rows) > size
        rows = rows[:size]
        has_more_newer = older_than is not None
    return Page(
        rows=rows,
        older=Cursor(rows[-1].created_at, rows[-1].id) if rows and has_more_older else None,
        newer=Cursor(rows[0].created_at, rows[0].id) if rows and has_more_newer else None,
    )


def all_matching(
    session: DbSession, filters: RequestFilters, timezone: str
) -> sa.ScalarResult[ConsultationRequest]:
    """Every matching request, newest first, streamed in batches (for the CSV export)."""
    query = _base(filters, timezone).options(
        joinedload(ConsultationRequest.insurance),
        joinedload(ConsultationRequest.assigned_to),
        joinedload(ConsultationRequest.coverage_note),
    )
    query = query.order_by(ConsultationRequest.created_at.desc(), ConsultationRequest.id.desc())
    # Both eager loads are one-to-one, so rows never repeat and need no unique(), which yield_per forbids.
    return session.scalars(query.execution_options(yield_per=500))


def counts_by_status(session: DbSession, filters: RequestFilters, timezone: str) -> dict[RequestStatus, int]:
    """How many requests match the other filters, for each status."""
    without_status = replace(filters, status=None)
    query = _with_filters(
        sa.select(ConsultationRequest.status, sa.func.count()), without_status, timezone
    ).group_by(ConsultationRequest.status)
    found = dict(session.execute(query).all())
    return {status: found.get(status, 0) for status in RequestStatus}


def active_staff(session: DbSession) -> list[StaffUser]:
    return list(session.scalars(sa.select(StaffUser).where(StaffUser.active).order_by(StaffUser.name)))
