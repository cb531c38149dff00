"""Finding requests for the dashboard: filters, search, counts and pages that stay fast at any size.

Pages are keyset pages (newest first, by received time then id): the database jumps straight to the
page's first row through an index instead of counting past every row before it. Searches go through
a trigram index, and the counts by status are read from a table the database keeps in step (migration
0010), so neither reads every row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from clinic_app.casework.export import export_query
from clinic_app.choices import Coverage, EmailState, RequestStatus, VisitType
from clinic_app.intake.search import search_terms
from clinic_app.models import (
    ConsultationRequest,
    InsuranceAnswers,
    OutboxEmail,
    RequestStatusCount,
    StaffUser,
)
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


@dataclass(frozen=True)
class StatusCount:
    number: int
    # True when counting stopped at COUNT_LIMIT: the list says "1,000+".
    at_least: bool = False


# A search or a filter that the counts table does not keep is counted up to here, so a count never
# reads more than this many rows of each status.
COUNT_LIMIT = 1000

# The trigram index holds SQLite's FTS5 table: rowid is the request's id. Not a model: it exists on
# SQLite only.
SQLITE_SEARCH = sa.table("request_search", sa.column("rowid", sa.Integer), sa.column("search_text", sa.Text))


def conditions(filters: RequestFilters, timezone: str, engine: str) -> list[sa.ColumnElement[bool]]:
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
        where.append(search_condition(filters.search, engine))
    return where


def search_condition(text: str, engine: str) -> sa.ColumnElement[bool]:
    """Match any part of the name or email, or a phone number written in any format, through the
    engine's trigram index."""
    terms = search_terms(text)
    if engine == "sqlite":
        # FTS5's trigram index answers GLOB (LIKE with an ESCAPE clause it cannot use); the stored
        # text is already in lower case, as the terms are.
        return ConsultationRequest.id.in_(
            sa.select(SQLITE_SEARCH.c.rowid).where(
                *(SQLITE_SEARCH.c.search_text.op("GLOB")(f"*{_glob(term)}*") for term in terms)
            )
        )
    return sa.and_(*(ConsultationRequest.search_text.like(f"%{_like(term)}%", escape="\\") for term in terms))


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _glob(text: str) -> str:
    return "".join(f"[{char}]" if char in "*?[" else char for char in text)


def _engine(session: DbSession) -> str:
    return session.get_bind().dialect.name


def _with_filters(query: sa.Select, filters: RequestFilters, timezone: str, engine: str) -> sa.Select:
    # Join the insurance answers only to filter by coverage: a join on every row costs time at 100,000.
    if filters.coverage:
        query = query.join(InsuranceAnswers, InsuranceAnswers.request_id == ConsultationRequest.id)
    return query.where(*conditions(filters, timezone, engine))


def page_of_requests(
    session: DbSession,
    filters: RequestFilters,
    timezone: str,
    older_than: Cursor | None = None,
    newer_than: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    query = _with_filters(sa.select(ConsultationRequest), filters, timezone, _engine(session)).options(
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


def export_rows(session: DbSession, filters: RequestFilters, timezone: str) -> sa.Result[Any]:
    """Every matching request's export columns, newest first, streamed: a server-side cursor on
    PostgreSQL, SQLite's own cursor, so memory stays flat however many rows there are."""
    where = conditions(filters, timezone, _engine(session))
    return session.execute(export_query(where).execution_options(stream_results=True, yield_per=2000))


def counts_by_status(
    session: DbSession, filters: RequestFilters, timezone: str
) -> dict[RequestStatus, StatusCount]:
    """How many requests match the other filters, for each status.

    With no other filter, the numbers come from the counts table. Otherwise each status is counted
    up to COUNT_LIMIT, which bounds the rows read whatever the filter matches.
    """
    without_status = replace(filters, status=None)
    if without_status == RequestFilters(spam=filters.spam):
        kept = session.execute(
            sa.select(RequestStatusCount.status, RequestStatusCount.total).where(
                RequestStatusCount.spam == filters.spam
            )
        )
        found: dict[RequestStatus, int] = {status: total for status, total in kept}
        return {status: StatusCount(found.get(status, 0)) for status in RequestStatus}
    engine = _engine(session)
    limited = [
        _with_filters(sa.select(ConsultationRequest.id), replace(filters, status=status), timezone, engine)
        .limit(COUNT_LIMIT + 1)
        .subquery()
        for status in RequestStatus
    ]
    numbers = session.execute(
        sa.select(*(sa.select(sa.func.count()).select_from(rows).scalar_subquery() for rows in limited))
    ).one()
    return {
        status: StatusCount(min(number, COUNT_LIMIT), at_least=number > COUNT_LIMIT)
        for status, number in zip(RequestStatus, numbers, strict=True)
    }


def active_staff(session: DbSession) -> list[StaffUser]:
    return list(session.scalars(sa.select(StaffUser).where(StaffUser.active).order_by(StaffUser.name)))
