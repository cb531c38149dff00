"""The email front-desk staff get for each new request.

The subject names only the reference and the visit type: mail subjects show up in notifications and
server logs, so they carry no health or insurance detail. Urgency is flagged without naming the symptom.
"""

from __future__ import annotations

from flask import render_template
from sqlalchemy.orm import Session

from clinic_app.coverage import Source
from clinic_app.intake.choices import label
from clinic_app.intake.settings import StaffEmailSettings
from clinic_app.mail.outbox import enqueue
from clinic_app.models import ConsultationRequest, OutboxEmail

URGENT_HEADERS = {"Importance": "high", "X-Priority": "1"}
NETWORK_WORDS = {
    "in": "we are in network",
    "out": "we are not in network",
    "unknown": "not known yet: check the plan",
    "not_applicable": "does not apply",
}


def staff_email_subject(request: ConsultationRequest) -> str:
    # Short enough that no mail client folds or cuts it.
    if request.has_warning_signs:
        return f"URGENT: call back today. Request {request.reference}"
    return f"New request {request.reference}: {label(request.visit_type).lower()}"


def queue_staff_email(
    session: Session, request: ConsultationRequest, settings: StaffEmailSettings, sources: list[Source]
) -> OutboxEmail:
    context = {
        "consultation_request": request,
        "timezone": settings.timezone,
        "clinic_name": settings.clinic_name,
        "sources": sources,
        "phi": settings.phi,
        "network_words": NETWORK_WORDS,
        "request_url": f"{settings.dashboard_url}/requests/{request.id}",
    }
    return enqueue(
        session,
        sender=settings.sender,
        recipients=settings.recipients,
        subject=staff_email_subject(request),
        body_text=render_template("email/staff_request.txt", **context),
        body_html=render_template("email/staff_request.html", **context),
        message_domain=settings.message_domain,
        request=request,
        extra_headers=URGENT_HEADERS if request.has_warning_signs else None,
    )
