"""The email front-desk staff get for each new request: subject, text and HTML, all from templates.

The subject names only the reference and the visit type: mail subjects show up in notifications and
server logs, so they carry no health or insurance detail. Urgency is flagged without naming the symptom.
"""

from __future__ import annotations

from flask import render_template

from clinic_app.coverage import Source
from clinic_app.mail.outbox import enqueue
from clinic_app.models import ConsultationRequest, OutboxEmail
from clinic_app.models.types import DbSession
from clinic_app.settings import Settings

URGENT_HEADERS = {"Importance": "high", "X-Priority": "1"}


def queue_staff_email(
    session: DbSession, request: ConsultationRequest, settings: Settings, sources: list[Source]
) -> OutboxEmail:
    context = {
        "consultation_request": request,
        "timezone": settings.clinic_timezone,
        "clinic_name": settings.clinic_name,
        "sources": sources,
        "phi": settings.mail_phi,
        "request_url": f"{settings.dashboard_url}/requests/{request.id}",
    }
    return enqueue(
        session,
        sender=settings.mail_from,
        recipients=list(settings.staff_emails),
        # One line, whatever the template's layout: a line break would end the header.
        subject=" ".join(render_template("email/staff_request_subject.txt", **context).split()),
        body_text=render_template("email/staff_request.txt", **context),
        body_html=render_template("email/staff_request.html", **context),
        message_domain=settings.message_domain,
        request=request,
        extra_headers=URGENT_HEADERS if request.has_warning_signs else None,
    )
