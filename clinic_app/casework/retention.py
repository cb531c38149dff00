"""Removing personal data that the clinic no longer needs, as the privacy notice promises."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from clinic_app.audit import AuditAction, record
from clinic_app.choices import RequestStatus
from clinic_app.models import ConsultationRequest, OutboxEmail, utcnow
from clinic_app.models.types import DbSession

log = logging.getLogger(__name__)


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


# The tables that hold a request's personal details.
PERSONAL_TABLES = (
    "consultation_request", "insurance_answers", "coverage_note", "request_note", "outbox_email",
    "form_submission", "benefit_check",
)  # fmt: skip


def erase_deleted_rows(session: DbSession) -> bool:
    """After a purge is committed, make sure the deleted rows are gone from the database's files.

    SQLite (secure_delete on) has zeroed them, but the search index keeps a deleted row's trigrams
    in its older segments until they are merged: "optimize" merges them all into one without them.
    Then the write-ahead log is emptied, where old pages would otherwise stay.

    PostgreSQL only marks deleted rows dead, and they stay in the table's pages until overwritten:
    VACUUM FULL rewrites each table and its indexes (the trigram index too) into new files without
    them, and ANALYZE renews the planner's statistics, which sample column values (names among
    them). That locks those tables for the seconds it takes, and pages wait behind it, so the purge
    belongs at night (the systemd timer); if a long transaction (an export) holds them, it gives up
    after 10 s and the next purge rewrites them. Returns False when it could not finish.
    """
    engine = session.get_bind().engine
    if engine.dialect.name == "sqlite":
        session.execute(sa.text("INSERT INTO request_search (request_search) VALUES ('optimize')"))
        session.commit()
        busy = session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)")).one()[0]
        session.commit()
        if busy:
            log.warning("purge: a reader kept the write-ahead log busy; the next purge empties it")
        return not busy
    if engine.dialect.name == "postgresql":
        session.commit()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("SET lock_timeout = '10s'"))
            try:
                connection.execute(sa.text(f"VACUUM (FULL, ANALYZE) {', '.join(PERSONAL_TABLES)}"))
                # The old statistics rows are dead tuples of pg_statistic: superusers can rewrite it
                # too; for others PostgreSQL skips it with a warning.
                connection.execute(sa.text("VACUUM FULL pg_statistic"))
            except OperationalError:
                log.warning(
                    "purge: the tables were busy; the next purge rewrites them without the deleted rows"
                )
                return False
            finally:
                connection.execute(sa.text("RESET lock_timeout"))
    return True
