"""Operations on requests. Each adds to the session and flushes; the view commits once."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from clinic_app.coverage import ClinicFacts, RuleBook, build_note
from clinic_app.intake.answers import RequestAnswers
from clinic_app.intake.search import search_text
from clinic_app.intake.staff_email import StaffEmailSettings, queue_staff_email
from clinic_app.models import ConsultationRequest, InsuranceAnswers, StoredCoverageNote, utcnow

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a reference read out over the phone must not be misheard.
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


def new_reference() -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


def submit_request(
    session: Session,
    answers: RequestAnswers,
    clinic: ClinicFacts,
    rules: RuleBook,
    email_settings: StaffEmailSettings,
    spam_reason: str | None = None,
) -> ConsultationRequest:
    """Store the request, its insurance answers and the note shown, and queue the staff email.

    A bot's request (``spam_reason`` set) is stored the same way, for owners to see, but never emailed.
    """
    note = build_note(answers.insurance, clinic, rules)
    insurance = answers.insurance
    request = ConsultationRequest(
        reference=new_reference(),
        created_at=utcnow(),
        visit_type=insurance.visit_type,
        full_name=answers.full_name,
        email=answers.email,
        phone_e164=answers.phone_e164,
        preferred_contact=answers.preferred_contact,
        best_days=[day.value for day in answers.best_days],
        best_times=[time.value for time in answers.best_times],
        main_concern=answers.main_concern,
        headache_days_per_month=answers.headache_days_per_month,
        message=answers.message,
        has_warning_signs=answers.has_warning_signs,
        spam_reason=spam_reason,
        search_text=search_text(answers.full_name, answers.email, answers.phone_e164),
        consented_at=utcnow(),
        insurance=InsuranceAnswers(
            coverage=insurance.coverage,
            carrier=insurance.carrier,
            plan_type=insurance.plan_type,
            age=insurance.age,
            deductible_status=insurance.deductible_status,
            deductible_remaining=insurance.deductible_remaining,
            copay=insurance.copay,
            coinsurance_percent=insurance.coinsurance_percent,
            also_medicaid=insurance.also_medicaid,
        ),
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
    if spam_reason is None:
        queue_staff_email(session, request, email_settings, note.sources)
    session.flush()
    return request
