"""The email front-desk staff get for each new request: subject, text and HTML, all from templates.

The subject names only the reference and the visit type: mail subjects show up in notifications and
server logs, so they carry no health or insurance detail. Urgency is flagged without naming the symptom.
"""

from __future__ import annotations

from collections.abc import Mapping

from clinic_app.answer_fields import Place, rows, sections
from clinic_app.coverage import RuleBook
from clinic_app.mail.outbox import enqueue
from clinic_app.mail.rendering import render_email
from clinic_app.models import ConsultationRequest, OutboxEmail
from clinic_app.models.types import DbSession
from clinic_app.settings import Settings

URGENT_HEADERS = {"Importance": "high", "X-Priority": "1"}


def queue_staff_email(
    session: DbSession,
    request: ConsultationRequest,
    settings: Settings,
    rule_books: Mapping[str, RuleBook],
    booked: str | None = None,
) -> OutboxEmail:
    """Render the staff email from what is stored with the request, and add it to the outbox. It is in
    English; the note is quoted as the patient saw it, in their language. ``booked`` is the free
    consultation's time and provider when the visitor booked one ("<time in words> with <name>")."""
    rules = rule_books["en"]
    context = {
        "consultation_request": request,
        "booked": booked,
        "answer_sections": sections(rows(request, Place.EMAIL, rules.carriers)),
        "timezone": settings.clinic_timezone,
        "clinic_name": settings.clinic_name,
        "sources": rules.sources_for(request.coverage_note.rule_ids),
        "staff_actions": rules.staff_actions_for(request.coverage_note.rule_ids),
        "phi": settings.mail_phi,
        "request_url": f"{settings.dashboard_url}/requests/{request.id}",
        # The English words a note in another language keeps in brackets, marked lang="en".
        "note_english_terms": rule_books[request.language.value].english_terms,
    }
    return enqueue(
        session,
        sender=settings.mail_from,
        recipients=list(settings.staff_emails),
        # One line, whatever the template's layout: a line break would end the header.
        subject=" ".join(render_email("staff_request_subject.txt", context).split()),
        body_text=render_email("staff_request.txt", context),
        body_html=render_email("staff_request.html", context),
        message_domain=settings.message_domain,
        carries_health_details=settings.mail_phi == "full",
        request=request,
        extra_headers=URGENT_HEADERS if request.has_warning_signs else None,
    )
