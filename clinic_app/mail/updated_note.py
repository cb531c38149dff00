"""The patient's updated coverage note, after staff checked their benefits with the payer's 271.

It holds the note rebuilt from the payer's figures (headline, paragraphs, caveats, what they might
pay, closing) and the clinic's phone, in the language the patient used the form in. The subject
says only that it is an updated cost estimate from the clinic: no health or insurance detail. The
body does hold insurance details, so it leaves only over TLS, like the staff email.
"""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import formataddr, parseaddr

from clinic_app.coverage import CoverageNote
from clinic_app.formatting import phone_for_links
from clinic_app.mail.outbox import enqueue
from clinic_app.mail.rendering import render_email
from clinic_app.models import ConsultationRequest, OutboxEmail
from clinic_app.models.types import DbSession
from clinic_app.settings import Settings


def updated_note_email(
    request: ConsultationRequest, note: CoverageNote, settings: Settings, english_terms: Iterable[str]
) -> tuple[str, str, str]:
    """The subject, text and HTML of the email, in the request's language."""
    language = request.language.value
    context = {
        "consultation_request": request,
        "note": note,
        "note_english_terms": list(english_terms),
        "clinic_name": settings.clinic_name,
        "clinic_phone": settings.clinic_phone,
        "clinic_phone_e164": phone_for_links(settings.clinic_phone),
    }
    return (
        # One line, whatever the template's layout: a line break would end the header.
        " ".join(render_email("updated_note_subject.txt", context, language).split()),
        render_email("updated_note.txt", context, language),
        render_email("updated_note.html", context, language),
    )


def queue_updated_note(
    session: DbSession,
    request: ConsultationRequest,
    note: CoverageNote,
    settings: Settings,
    english_terms: Iterable[str],
) -> OutboxEmail:
    """Render the updated note's email and add it to the outbox, in the caller's transaction."""
    assert request.email, "an updated note needs an email address"
    subject, text, html = updated_note_email(request, note, settings, english_terms)
    return enqueue(
        session,
        sender=formataddr((settings.clinic_name, parseaddr(settings.mail_from)[1])),
        recipients=[request.email],
        subject=subject,
        body_text=text,
        body_html=html,
        message_domain=settings.message_domain,
        carries_health_details=True,
        request=request,
        to_patient=True,
    )
