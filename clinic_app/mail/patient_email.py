"""The patient's own copy of their request: the reference, what happens next, and a link to their note.

It says nothing about their health or insurance: no concern, no answers, not the note's words. A
mailbox is read on shared screens and in notifications, and the note is one click away behind the
link, which stops working after CONFIRMATION_LINK_MINUTES. The only advice it repeats is the one the
confirmation page gives a patient who reported a warning sign: call 911, do not wait for us.
All the words are in templates/email/patient_copy*, in the language the patient used the form in.
"""

from __future__ import annotations

from email.utils import formataddr, parseaddr

import sqlalchemy as sa

from clinic_app.formatting import phone_for_links
from clinic_app.mail.outbox import enqueue
from clinic_app.mail.rendering import render_email
from clinic_app.models import Booking, ConsultationRequest, OutboxEmail
from clinic_app.models.types import DbSession
from clinic_app.settings import Settings


def patient_gets_copy(request: ConsultationRequest) -> bool:
    """A person (not a bot) who gave an email address and left "Email me a copy" ticked."""
    return bool(request.email) and request.wants_email_copy and request.spam_reason is None


def queue_patient_copy(
    session: DbSession, request: ConsultationRequest, settings: Settings, note_url: str
) -> OutboxEmail:
    """Render the patient's copy and add it to the outbox, in the caller's transaction."""
    assert request.email, "a copy needs an email address"
    language = request.language.value
    context = {
        "consultation_request": request,
        "clinic_name": settings.clinic_name,
        "clinic_phone": settings.clinic_phone,
        "clinic_phone_e164": phone_for_links(settings.clinic_phone),
        "response_time": settings.clinic_response_time[language],
        "note_url": note_url,
        "link_minutes": settings.confirmation_link_minutes,
        # A visitor who picked a time has it already (its own email brings the calendar invite).
        "booked": session.scalar(sa.select(Booking.id).where(Booking.request_id == request.id)) is not None,
    }
    return enqueue(
        session,
        # The clinic's name, from the address staff emails come from.
        sender=formataddr((settings.clinic_name, parseaddr(settings.mail_from)[1])),
        recipients=[request.email],
        subject=" ".join(render_email("patient_copy_subject.txt", context, language).split()),
        body_text=render_email("patient_copy.txt", context, language),
        body_html=render_email("patient_copy.html", context, language),
        message_domain=settings.message_domain,
        # The advice after a warning sign tells anyone reading the mail that the patient has one.
        carries_health_details=request.has_warning_signs,
        request=request,
        to_patient=True,
    )
