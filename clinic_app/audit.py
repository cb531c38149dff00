"""Writing the audit log: every sign-in, view, change, note and export, with who, when and from where."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from clinic_app.models import AuditEntry, ConsultationRequest, StaffUser, utcnow


class AuditAction(StrEnum):
    SIGNED_IN = "signed_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGNED_OUT = "signed_out"
    VIEWED_LIST = "viewed_list"
    VIEWED_REQUEST = "viewed_request"
    CHANGED_STATUS = "changed_status"
    ASSIGNED = "assigned"
    ADDED_NOTE = "added_note"
    RESENT_EMAIL = "resent_email"
    EXPORTED = "exported"
    VIEWED_AUDIT = "viewed_audit"
    ADDED_STAFF = "added_staff"
    DEACTIVATED_STAFF = "deactivated_staff"
    ISSUED_PASSWORD_LINK = "issued_password_link"
    SET_PASSWORD = "set_password"
    PURGED_REQUESTS = "purged_requests"
    RETRIED_EMAIL = "retried_email"


ACTION_LABELS = {
    AuditAction.SIGNED_IN: "Signed in",
    AuditAction.SIGN_IN_FAILED: "Failed sign-in",
    AuditAction.SIGNED_OUT: "Signed out",
    AuditAction.VIEWED_LIST: "Viewed the request list",
    AuditAction.VIEWED_REQUEST: "Viewed the request",
    AuditAction.CHANGED_STATUS: "Changed the status",
    AuditAction.ASSIGNED: "Assigned the request",
    AuditAction.ADDED_NOTE: "Added a note",
    AuditAction.RESENT_EMAIL: "Sent the staff email again",
    AuditAction.EXPORTED: "Exported requests",
    AuditAction.VIEWED_AUDIT: "Viewed the audit log",
    AuditAction.ADDED_STAFF: "Added a staff account",
    AuditAction.DEACTIVATED_STAFF: "Deactivated a staff account",
    AuditAction.ISSUED_PASSWORD_LINK: "Issued a set-password link",
    AuditAction.SET_PASSWORD: "Set a password",
    AuditAction.PURGED_REQUESTS: "Removed old requests' personal data",
    AuditAction.RETRIED_EMAIL: "Retried a failed staff email",
}

# Who the command line acts as, in the log.
COMMAND_LINE = "command line"


def record(
    session: Session,
    action: AuditAction,
    *,
    actor: StaffUser | None,
    ip_address: str,
    request: ConsultationRequest | None = None,
    detail: dict[str, Any] | None = None,
    actor_email: str | None = None,
) -> AuditEntry:
    """Add one audit row in the caller's transaction, so the change and its record commit together."""
    entry = AuditEntry(
        at=utcnow(),
        actor=actor,
        actor_email=actor.email if actor else (actor_email or COMMAND_LINE),
        ip_address=ip_address[:45],
        action=action.value,
        request_id=request.id if request else None,
        request_reference=request.reference if request else None,
        detail=detail or {},
    )
    session.add(entry)
    return entry
