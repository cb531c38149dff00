"""Writing the audit log: every sign-in, view, change, note and export, with who, when and from where."""

from __future__ import annotations

from typing import Any

from clinic_app.choices import LabelledEnum
from clinic_app.models import AuditEntry, ConsultationRequest, StaffUser, utcnow
from clinic_app.models.types import DbSession


class AuditAction(LabelledEnum):
    SIGNED_IN = "signed_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    SIGNED_OUT = "signed_out", "Signed out"
    VIEWED_LIST = "viewed_list", "Viewed the request list"
    VIEWED_REQUEST = "viewed_request", "Viewed the request"
    CHANGED_STATUS = "changed_status", "Changed the status"
    ASSIGNED = "assigned", "Assigned the request"
    ADDED_NOTE = "added_note", "Added a note"
    RESENT_EMAIL = "resent_email", "Sent the staff email again"
    EXPORT_STARTED = "export_started", "Started an export"
    EXPORTED = "exported", "Exported requests"
    EXPORT_STOPPED = "export_stopped", "An export stopped before its end"
    VIEWED_AUDIT = "viewed_audit", "Viewed the audit log"
    ADDED_STAFF = "added_staff", "Added a staff account"
    DEACTIVATED_STAFF = "deactivated_staff", "Deactivated a staff account"
    ISSUED_PASSWORD_LINK = "issued_password_link", "Issued a set-password link"
    SET_PASSWORD = "set_password", "Set a password"
    PURGED_REQUESTS = "purged_requests", "Removed old requests' personal data"
    RETRIED_EMAIL = "retried_email", "Retried a failed staff email"
    TIMED_OUT = "timed_out", "Signed out after idle time"
    UNLOCKED = "unlocked", "Lifted a sign-in pause"
    BENEFITS_CHECKED = "benefits_checked", "Checked the benefits with the payer's 271"
    UPDATED_NOTE_SENT = "updated_note_sent", "Emailed the patient an updated coverage note"
    SET_HOURS = "set_hours", "Set a provider's weekly hours"
    CLOSED_DATE = "closed_date", "Closed a date for a provider"
    STOPPED_PROVIDING = "stopped_providing", "Stopped a provider giving free consultations"
    VIEWED_CONSULTATIONS = "viewed_consultations", "Viewed the booked consultations of a day"
    VIEWED_BOOKING = "viewed_booking", "Opened the booking's manage page"
    MOVED_BOOKING = "moved_booking", "Moved the free consultation"
    CANCELLED_BOOKING = "cancelled_booking", "Cancelled the free consultation"


# Who the command line acts as, in the log.
COMMAND_LINE = "command line"
# Who acts through the booking's emailed manage link (no account: the link is the patient's).
PATIENT_LINK = "patient link"


def record(
    session: DbSession,
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
