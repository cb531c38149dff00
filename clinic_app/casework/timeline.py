"""What happened to a request, in order, read from the request, its emails and the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from clinic_app.audit import AuditAction
from clinic_app.casework.benefit_checks import updated_note_email_ids
from clinic_app.choices import CloseReason, EmailState, RequestStatus
from clinic_app.models import AuditEntry, ConsultationRequest
from clinic_app.models.types import DbSession


@dataclass(frozen=True)
class Event:
    at: datetime
    who: str
    what: str


def timeline(session: DbSession, request: ConsultationRequest) -> list[Event]:
    events = [Event(request.created_at, request.full_name, "Sent the request")]
    updated_notes = updated_note_email_ids(session, request)
    for email in request.emails:
        if email.id in updated_notes:
            which = "the updated note to the patient"
        else:
            which = "the patient's copy" if email.to_patient else "the staff email"
        events.append(Event(email.created_at, "System", f"Queued {which}"))
        if email.state is EmailState.SENT and email.sent_at:
            events.append(Event(email.sent_at, "System", f"Sent {which}"))
    changes = session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.request_id == request.id, AuditEntry.action != AuditAction.VIEWED_REQUEST.value)
        .order_by(AuditEntry.at)
    )
    events += [Event(entry.at, entry.actor_email, describe(entry)) for entry in changes]
    return sorted(events, key=lambda event: event.at)


def describe(entry: AuditEntry) -> str:
    action = AuditAction(entry.action)
    detail = entry.detail
    if action is AuditAction.CHANGED_STATUS:
        words = f"Changed the status from {_status(detail['from'])} to {_status(detail['to'])}"
        if detail.get("reason"):
            words += f" ({CloseReason(detail['reason']).label.lower()})"
        return words
    if action is AuditAction.ASSIGNED:
        return f"Assigned to {detail['to']}" if detail.get("to") else "Removed the assignment"
    return action.label


def _status(value: str) -> str:
    return RequestStatus(value).label.lower()
