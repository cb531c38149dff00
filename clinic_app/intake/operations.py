"""Storing a request. Operations add to the session and flush; the view commits once."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping

from clinic_app.answer_fields import Table, columns
from clinic_app.coverage import ClinicFacts, RuleBook, build_note
from clinic_app.formatting import phone_for_people
from clinic_app.intake.answers import RequestAnswers
from clinic_app.intake.search import search_text
from clinic_app.mail.patient_email import patient_gets_copy, queue_patient_copy
from clinic_app.mail.staff_email import queue_staff_email
from clinic_app.models import ConsultationRequest, InsuranceAnswers, StoredCoverageNote, utcnow
from clinic_app.models.types import DbSession
from clinic_app.settings import Settings

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a reference read out over the phone must not be misheard.
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


def new_reference() -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


def submit_request(
    session: DbSession,
    answers: RequestAnswers,
    clinic: ClinicFacts,
    rule_books: Mapping[str, RuleBook],
    settings: Settings,
    note_url: Callable[[ConsultationRequest], str],
    spam_reason: str | None = None,
    book: Callable[[ConsultationRequest], str] | None = None,
) -> ConsultationRequest:
    """Store the request, its insurance answers and the note shown (from ``rule_books`` in the
    language the form was filled in), and queue the staff email and,
    when the patient gave an email address and kept "Email me a copy" ticked, their own copy, with
    the link to their note that ``note_url`` gives for the stored request.

    A bot's request (``spam_reason`` set) is stored the same way, for owners to see, but never emailed.

    ``book``, when the visitor picked a free-consultation time, books it for the stored request in this
    same transaction and returns the line the staff email shows ("<time in words> with <provider>").
    It raises when the time is taken, and then the caller rolls the whole request back.
    """
    note = build_note(answers.insurance, clinic, rule_books[answers.language.value])
    now = utcnow()
    request = ConsultationRequest(
        **columns(answers, Table.REQUEST),
        reference=new_reference(),
        created_at=now,
        consented_at=now,
        spam_reason=spam_reason,
        wants_email_copy=answers.wants_email_copy,
        search_text=search_text(answers.full_name, answers.email, answers.phone_e164),
        phone_display=phone_for_people(answers.phone_e164) or None,
        insurance=InsuranceAnswers(**columns(answers.insurance, Table.INSURANCE)),
        coverage_note=StoredCoverageNote(
            status=note.status,
            headline=note.headline,
            paragraphs=note.paragraphs,
            caveats=note.caveats,
            closing=note.closing,
            estimate=note.estimate,
            network=note.network,
            rule_ids=note.rule_ids,
            rules_version=note.rules_version,
        ),
    )
    session.add(request)
    session.flush()
    booked = book(request) if book is not None else None
    if spam_reason is None:
        queue_staff_email(session, request, settings, rule_books, booked=booked)
    if patient_gets_copy(request):
        queue_patient_copy(session, request, settings, note_url(request))
    session.flush()
    return request
