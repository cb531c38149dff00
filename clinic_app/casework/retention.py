"""Removing personal data that the clinic no longer needs, as the privacy notice promises."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from clinic_app.audit import AuditAction, record
from clinic_app.choices import RequestStatus
from clinic_app.models import ConsultationRequest, OutboxEmail, utcnow
from clinic_app.models.types import DbSession


@dataclass(frozen=True)
class Purged:
    references: list[str]
    # The staff emails removed with them, so a copy written to a folder can go too.
    message_ids: list[str] = field(default_factory=list)


def purge_old_requests(
    session: DbSession, older_than: timedelta, *, dry_run: bool = False, now: datetime | None = None
) -> Purged:
    """Delete closed requests (and bots' requests) older than the retention period, with everything
    that holds their personal details: answers, note, staff notes and the staff emails. The audit
    log is kept, so its counts of views and changes stay true; it names requests only by reference."""
    cutoff = (now or utcnow()) - older_than
    old = sa.or_(
        sa.and_(ConsultationRequest.status == RequestStatus.CLOSED, ConsultationRequest.closed_at < cutoff),
        sa.and_(ConsultationRequest.spam_reason.is_not(None), ConsultationRequest.created_at < cutoff),
    )
    rows = session.execute(sa.select(ConsultationRequest.id, ConsultationRequest.reference).where(old)).all()
    ids = [row.id for row in rows]
    references = sorted(row.reference for row in rows)
    if dry_run or not ids:
        return Purged(references)
    message_ids: list[str] = []
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        message_ids += session.scalars(
            sa.select(OutboxEmail.message_id).where(OutboxEmail.request_id.in_(batch))
        )
        session.execute(sa.delete(OutboxEmail).where(OutboxEmail.request_id.in_(batch)))
        # Answers, notes, staff notes and form tokens go with the request (ON DELETE CASCADE).
        session.execute(sa.delete(ConsultationRequest).where(ConsultationRequest.id.in_(batch)))
    record(
        session,
        AuditAction.PURGED_REQUESTS,
        actor=None,
        ip_address="command line",
        detail={
            "count": len(references),
            "older_than_days": older_than.days,
            "references": references[:1000],
        },
    )
    return Purged(references, message_ids)


def erase_deleted_rows(session: DbSession) -> None:
    """After a purge is committed, make SQLite write its zeroed pages (secure_delete is on) into the
    database file and empty its write-ahead log, where the old pages would otherwise stay."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
