"""What staff do to a request. Each operation checks the change, makes it, and writes its audit row in
the same transaction; the view commits once."""

from __future__ import annotations

from collections.abc import Mapping

from clinic_app.audit import AuditAction, record
from clinic_app.casework.workflow import check_transition
from clinic_app.choices import CloseReason, RequestStatus
from clinic_app.coverage import RuleBook
from clinic_app.mail.staff_email import queue_staff_email
from clinic_app.models import ConsultationRequest, OutboxEmail, RequestNote, StaffUser, utcnow
from clinic_app.models.types import DbSession
from clinic_app.settings import Settings

NOTE_MAX = 4000


class NoteRefused(ValueError):
    pass


def view_request(
    session: DbSession, request: ConsultationRequest, *, actor: StaffUser, ip_address: str
) -> None:
    record(session, AuditAction.VIEWED_REQUEST, actor=actor, ip_address=ip_address, request=request)


def change_status(
    session: DbSession,
    request: ConsultationRequest,
    target: RequestStatus,
    reason: CloseReason | None,
    *,
    actor: StaffUser,
    ip_address: str,
) -> None:
    """Move the request on; raises TransitionRefused with a message when the change makes no sense."""
    transition = check_transition(request.status, target, reason)
    request.status = transition.after
    request.close_reason = transition.close_reason
    request.closed_at = utcnow() if transition.after is RequestStatus.CLOSED else None
    record(
        session,
        AuditAction.CHANGED_STATUS,
        actor=actor,
        ip_address=ip_address,
        request=request,
        detail={
            "from": transition.before.value,
            "to": transition.after.value,
            **({"reason": transition.close_reason.value} if transition.close_reason else {}),
        },
    )


def add_note(
    session: DbSession, request: ConsultationRequest, body: str, *, actor: StaffUser, ip_address: str
) -> RequestNote:
    text = body.strip()
    if not text:
        raise NoteRefused("Write the note first.")
    if len(text) > NOTE_MAX:
        raise NoteRefused(f"Keep the note under {NOTE_MAX} characters.")
    note = RequestNote(request=request, author=actor, body=text, created_at=utcnow())
    session.add(note)
    # The note's words stay out of the log: it may hold health details.
    record(session, AuditAction.ADDED_NOTE, actor=actor, ip_address=ip_address, request=request)
    return note


def assign(
    session: DbSession,
    request: ConsultationRequest,
    assignee: StaffUser | None,
    *,
    actor: StaffUser,
    ip_address: str,
) -> None:
    before = request.assigned_to
    request.assigned_to = assignee
    record(
        session,
        AuditAction.ASSIGNED,
        actor=actor,
        ip_address=ip_address,
        request=request,
        detail={"from": before.email if before else None, "to": assignee.email if assignee else None},
    )


def resend_staff_email(
    session: DbSession,
    request: ConsultationRequest,
    settings: Settings,
    rule_books: Mapping[str, RuleBook],
    *,
    actor: StaffUser,
    ip_address: str,
) -> OutboxEmail:
    """Queue the staff email again, as a new message, from what was stored with the request."""
    email = queue_staff_email(session, request, settings, rule_books)
    record(session, AuditAction.RESENT_EMAIL, actor=actor, ip_address=ip_address, request=request)
    return email
