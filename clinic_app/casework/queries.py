"""Finding requests for the dashboard: filters, search, counts and pages that stay fast at any size.

Pages are keyset pages (newest first, by received time then id): the database jumps straight to the
page's first row through an index instead of counting past every row before it. Searches go through
a trigram index, and the counts by status are read from a table the database keeps in step (migration
0010), so neither reads every row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
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

SelectT = TypeVar("SelectT", bound=sa.Select)


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


# A filter that the counts table does not keep is counted up to here, so a count never reads more
# than this many rows of each status.
COUNT_LIMIT = 1000
# A search that the trigram index finds in more requests than this is common ("smith"): walking the
# newest requests finds a page of its matches sooner than sorting them all, and it is not counted.
MOST_SEARCH_MATCHES = 5000
# Shorter text holds no trigram for the index to look up.
TRIGRAM = 3

# The trigram index holds SQLite's FTS5 table: rowid is the request's id. Not a model: it exists on
# SQLite only.
SQLITE_SEARCH = sa.table("request_search", sa.column("rowid", sa.Integer), sa.column("search_text", sa.Text))


class RequestFinder:
    """The requests that match the filters: a page of them, their counts by status, the export.

    A search asks the trigram index once for the matching ids, up to MOST_SEARCH_MATCHES. Fewer are
    read by id, sorted and counted exactly; more (or text too short for trigrams) are found by
    checking the newest requests' text in turn, which the index of received times makes quick for
    a common search.
    """

    def __init__(self, session: DbSession, filters: RequestFilters, timezone: str) -> None:
        self.session, self.filters, self.timezone = session, filters, timezone
        self.engine = session.get_bind().dialect.name
        self.terms = search_terms(filters.search)
        self._matched_ids: list[int] | None = None
        self._matches_read = False

    def page(
        self, older_than: Cursor | None = None, newer_than: Cursor | None = None, size: int = PAGE_SIZE
    ) -> Page:
        query = self._select(sa.select(ConsultationRequest), self.filters).options(
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
            rows = list(
                self.session.scalars(query.order_by(created.asc(), row_id.asc()).limit(size + 1)).unique()
            )
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
            rows = list(
                self.session.scalars(query.order_by(created.desc(), row_id.desc()).limit(size + 1)).unique()
            )
            has_more_older = len(rows) > size
            rows = rows[:size]
            has_more_newer = older_than is not None
        return Page(
            rows=rows,
            older=Cursor(rows[-1].created_at, rows[-1].id) if rows and has_more_older else None,
            newer=Cursor(rows[0].created_at, rows[0].id) if rows and has_more_newer else None,
        )

    def counts(self) -> dict[RequestStatus, StatusCount] | None:
        """How many requests match the other filters, for each status; None for a common search.

        With no other filter, the numbers come from the counts table. A search with few matches
        counts them exactly. Any other filter counts each status up to COUNT_LIMIT, which bounds
        the rows read whatever the filter matches.
        """
        without_status = replace(self.filters, status=None)
        if without_status == RequestFilters(spam=self.filters.spam):
            kept = self.session.execute(
                sa.select(RequestStatusCount.status, RequestStatusCount.total).where(
                    RequestStatusCount.spam == self.filters.spam
                )
            )
            found: dict[RequestStatus, int] = {status: total for status, total in kept}
            return {status: StatusCount(found.get(status, 0)) for status in RequestStatus}
        if self.terms:
            if self._search_ids() is None:
                return None
            by_status = self._select(
                sa.select(ConsultationRequest.status, sa.func.count()), without_status
            ).group_by(ConsultationRequest.status)
            exact: dict[RequestStatus, int] = {
                status: number for status, number in self.session.execute(by_status)
            }
            return {status: StatusCount(exact.get(status, 0)) for status in RequestStatus}
        limited = [
            self._select(sa.select(ConsultationRequest.id), replace(self.filters, status=status))
            .limit(COUNT_LIMIT + 1)
            .subquery()
            for status in RequestStatus
        ]
        numbers = self.session.execute(
            sa.select(*(sa.select(sa.func.count()).select_from(rows).scalar_subquery() for rows in limited))
        ).one()
        return {
            status: StatusCount(min(number, COUNT_LIMIT), at_least=number > COUNT_LIMIT)
            for status, number in zip(RequestStatus, numbers, strict=True)
        }

    def export_rows(self) -> sa.Result[Any]:
        """Every match's export columns, newest first, streamed: a server-side cursor on PostgreSQL,
        SQLite's own cursor, so memory stays flat however many rows there are."""
        query = export_query(self.conditions(self.filters))
        return self.session.execute(query.execution_options(stream_results=True, yield_per=2000))

    def conditions(self, filters: RequestFilters) -> list[sa.ColumnElement[bool]]:
        request = ConsultationRequest
        where: list[sa.ColumnElement[bool]] = [
            request.spam_reason.is_not(None) if filters.spam else request.spam_reason.is_(None)
        ]
        if filters.status:
            where.append(request.status == filters.status)
        if filters.visit_type:
            where.append(request.visit_type == filters.visit_type)
        if filters.coverage:
            where.append(InsuranceAnswers.coverage == filters.coverage)
        if filters.email_failed:
            failed = sa.select(OutboxEmail.request_id).where(
                OutboxEmail.state == EmailState.FAILED, OutboxEmail.to_patient.is_(False)
            )
            where.append(request.id.in_(failed))
        if filters.assigned_to:
            where.append(request.assigned_to_id == filters.assigned_to)
        zone = ZoneInfo(self.timezone)
        if filters.received_from:
            where.append(request.created_at >= datetime.combine(filters.received_from, time(), zone))
        if filters.received_to:
            end = datetime.combine(filters.received_to + timedelta(days=1), time(), zone)
            where.append(request.created_at < end)
        if self.terms:
            where.append(self._search_condition())
        return where

    def _select(self, query: SelectT, filters: RequestFilters) -> SelectT:
        # Join the insurance answers only to filter by coverage: a join on every row costs time.
        if filters.coverage:
            query = query.join(InsuranceAnswers, InsuranceAnswers.request_id == ConsultationRequest.id)
        return query.where(*self.conditions(filters))

    def _search_condition(self) -> sa.ColumnElement[bool]:
        ids = self._search_ids()
        if ids is not None:
            return ConsultationRequest.id.in_(ids)
        # Checked row by row, newest first: a plain substring test, which no index is tempted by.
        found = sa.func.instr if self.engine == "sqlite" else sa.func.strpos
        return sa.and_(*(found(ConsultationRequest.search_text, term) > 0 for term in self.terms))

    def _search_ids(self) -> list[int] | None:
        """The ids the trigram index finds for the search, or None when it finds too many or the
        text is too short for it. Asked once."""
        if not self._matches_read:
            self._matches_read = True
            if all(len(term) >= TRIGRAM for term in self.terms):
                ids: list[int] = list(
                    self.session.scalars(self._indexed_search().limit(MOST_SEARCH_MATCHES + 1))
                )
                self._matched_ids = ids if len(ids) <= MOST_SEARCH_MATCHES else None
        return self._matched_ids

    def _indexed_search(self) -> sa.Select[Any]:
        if self.engine == "sqlite":
            # FTS5's trigram index answers GLOB (a LIKE with an ESCAPE clause it cannot use). The
            # stored text is in lower case already, as the terms are.
            return sa.select(SQLITE_SEARCH.c.rowid).where(
                *(SQLITE_SEARCH.c.search_text.op("GLOB")(f"*{_glob(term)}*") for term in self.terms)
            )
        return sa.select(ConsultationRequest.id).where(
            *(ConsultationRequest.search_text.like(f"%{_like(term)}%", escape="\\") for term in self.terms)
        )


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _glob(text: str) -> str:
    return "".join(f"[{char}]" if char in "*?[" else char for char in text)


def active_staff(session: DbSession) -> list[StaffUser]:
    return list(session.scalars(sa.select(StaffUser).where(StaffUser.active).order_by(StaffUser.name)))
