"""Checking a request's benefits with the payer's 271, and sending the patient the updated note.

Each operation writes its audit row (which the timeline reads) in the caller's transaction; the view
commits once. The 271 itself is never stored: only the figures ``EligibilityBenefits.to_dict()``
keeps (no name, birth date or member ID) and whether the 271 fits the patient.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from clinic_app.audit import AuditAction, record
from clinic_app.benefits import EligibilityBenefits
from clinic_app.benefits.checked import (
    Difference,
    checked_answers,
    differences,
    medicare_advantage_plan,
    same_person,
)
from clinic_app.choices import Coverage, Network
from clinic_app.coverage import ClinicFacts, CoverageAnswers, CoverageNote, RuleBook, build_note
from clinic_app.mail.updated_note import queue_updated_note
from clinic_app.models import BenefitCheck, ConsultationRequest, OutboxEmail, StaffUser, utcnow
from clinic_app.models.types import DbSession
from clinic_app.settings import Settings


class UpdatedNoteRefused(ValueError):
    """The updated note cannot be sent: a sentence for staff says why."""


def stored_answers(request: ConsultationRequest) -> CoverageAnswers:
    """The insurance answers the request's note was built from, as they were stored."""
    answers = request.insurance
    return CoverageAnswers(
        visit_type=request.visit_type,
        coverage=answers.coverage,
        age=answers.age,
        main_concern=request.main_concern,
        headache_days=request.headache_days_per_month,
        carrier=answers.carrier,
        plan_type=answers.plan_type,
        deductible_status=answers.deductible_status,
        deductible_remaining=answers.deductible_remaining,
        copay=answers.copay,
        coinsurance_percent=answers.coinsurance_percent,
        also_medicaid=answers.also_medicaid,
        plan_state=answers.plan_state,
        state_employee_plan=answers.state_employee_plan,
        self_funded=answers.self_funded,
    )


def check_benefits(
    session: DbSession,
    request: ConsultationRequest,
    benefits: EligibilityBenefits,
    *,
    actor: StaffUser,
    ip_address: str,
) -> BenefitCheck:
    """Store what the 271 says about the request's benefits, and whether it is about this patient."""
    identity = same_person(request.full_name, request.insurance.age, benefits)
    check = BenefitCheck(
        request=request,
        staff=actor,
        created_at=utcnow(),
        figures=benefits.to_dict(),
        same_person=identity.same,
        identity_problems=list(identity.problems),
    )
    session.add(check)
    # The figures stay out of the log: they are insurance details.
    record(session, AuditAction.BENEFITS_CHECKED, actor=actor, ip_address=ip_address, request=request)
    return check


def latest_check(session: DbSession, request: ConsultationRequest) -> BenefitCheck | None:
    return session.scalars(
        sa.select(BenefitCheck)
        .where(BenefitCheck.request_id == request.id)
        .order_by(BenefitCheck.created_at.desc(), BenefitCheck.id.desc())
        .limit(1)
    ).first()


@dataclass(frozen=True)
class CheckedView:
    """A stored check, read back for the request's page: the figures, the lines to compare, and the
    note rebuilt from them (None while the coverage is not active)."""

    check: BenefitCheck
    benefits: EligibilityBenefits
    differences: list[Difference]
    note: CoverageNote | None
    patient_note: CoverageNote | None
    email: OutboxEmail | None


def updated_note_email_ids(session: DbSession, request: ConsultationRequest) -> set[int]:
    """The request's emails that carry an updated note, so pages and the timeline do not call them
    the patient's copy (both go to the patient)."""
    return set(
        session.scalars(
            sa.select(BenefitCheck.email_id).where(
                BenefitCheck.request_id == request.id, BenefitCheck.email_id.is_not(None)
            )
        )
    )


def read_check(
    session: DbSession,
    request: ConsultationRequest,
    check: BenefitCheck,
    clinic: ClinicFacts,
    rule_books: Mapping[str, RuleBook],
) -> CheckedView:
    benefits = EligibilityBenefits.from_dict(check.figures)
    answers = stored_answers(request)
    note = patient_note = None
    # A plan that does not cover chiropractic gives no estimate: its copay and deductible are for
    # other care.
    if benefits.active and not benefits.chiropractic_not_covered:
        note = updated_note(answers, benefits, clinic, rule_books, "en")
        language = request.language.value
        patient_note = (
            note if language == "en" else updated_note(answers, benefits, clinic, rule_books, language)
        )
    email = session.get(OutboxEmail, check.email_id) if check.email_id else None
    return CheckedView(check, benefits, differences(answers, benefits), note, patient_note, email)


def updated_note(
    answers: CoverageAnswers,
    benefits: EligibilityBenefits,
    clinic: ClinicFacts,
    rule_books: Mapping[str, RuleBook],
    language: str,
) -> CoverageNote:
    """The note the patient's answers with the payer's figures give: the same rules, the same words."""
    return build_note(checked_answers(answers, benefits), clinic, rule_books[language])


ALREADY_SENT = (
    "The updated note from this check was already queued to the patient. To send it again, paste "
    "the 271 again: each check sends one email."
)
SOMEONE_ELSE = (
    "The 271 may be about someone else, so its note is not sent. Check the member ID, name and "
    "birth date you sent the payer, and paste the 271 for this patient."
)


NOT_COVERED = (
    "The plan does not cover chiropractic, so there is no updated estimate to send. Call the patient: "
    "they can come as a self-pay patient."
)
NOT_FOR_THIS_COVERAGE = (
    "An updated note is only sent for Medicare, Medicare Advantage and private plans we are in "
    "network with: call the patient instead."
)
# The coverages the updated note is for: their rules speak of the plan's own figures. For the others
# (Apple Health, the Oregon Health Plan, self-pay, not sure) the rebuilt note only promises a check
# or gives the self-pay price, as an out-of-network one does.
UPDATED_NOTE_COVERAGES = frozenset(
    {Coverage.ORIGINAL_MEDICARE, Coverage.MEDICARE_ADVANTAGE, Coverage.PRIVATE}
)


def ask_the_plan(plan_name: str | None) -> str:
    named = f" ({plan_name})" if plan_name else ""
    return (
        f"This 271 is Medicare's, and it names the patient's Medicare Advantage plan{named}: Medicare's "
        "figures are not the plan's. Ask that plan for the patient's benefits and paste its 271 before "
        "sending an updated note."
    )


def refusal(
    request: ConsultationRequest,
    check: BenefitCheck,
    benefits: EligibilityBenefits,
    note: CoverageNote | None,
) -> str | None:
    """Why the updated note of ``check`` (whose figures are ``benefits``, and whose rebuilt note is
    ``note``, in any language) cannot be emailed, or None when it can."""
    if check.email_id is not None:
        return ALREADY_SENT
    if request.spam_reason is not None:
        return "This request was kept as spam: no email goes to it."
    if not request.email:
        return "The patient gave no email address. Call them with the updated figures instead."
    if benefits.active is not True:
        return "The 271 does not show active coverage, so there is no updated estimate to send."
    if benefits.chiropractic_not_covered:
        return NOT_COVERED
    if check.same_person is False:
        return SOMEONE_ELSE
    plan = medicare_advantage_plan(benefits)
    if plan is not None:
        return ask_the_plan(plan.payer_name or plan.plan_name)
    if checked_answers(stored_answers(request), benefits).coverage not in UPDATED_NOTE_COVERAGES:
        return NOT_FOR_THIS_COVERAGE
    if note is not None and note.network is Network.OUT:
        return NOT_FOR_THIS_COVERAGE
    return None


def send_updated_note(
    session: DbSession,
    request: ConsultationRequest,
    check: BenefitCheck,
    settings: Settings,
    clinic: ClinicFacts,
    rule_books: Mapping[str, RuleBook],
    *,
    actor: StaffUser,
    ip_address: str,
) -> OutboxEmail:
    """Queue the updated note to the patient, in their language, with its audit row; raises
    UpdatedNoteRefused when it cannot go (see ``refusal``). One check sends one email: a second
    send, even one racing the first, is refused, and the caller rolls back what it had queued."""
    benefits = EligibilityBenefits.from_dict(check.figures)
    language = request.language.value
    note = updated_note(stored_answers(request), benefits, clinic, rule_books, language)
    refused = refusal(request, check, benefits, note)
    if refused:
        raise UpdatedNoteRefused(refused)
    email = queue_updated_note(session, request, note, settings, rule_books[language].english_terms)
    session.flush()
    # Claimed only where no email is claimed yet: of two sends at once, the second finds the row taken
    # (or waits for the first to commit, then finds it taken), whatever it read before.
    claimed = session.execute(
        sa.update(BenefitCheck)
        .where(BenefitCheck.id == check.id, BenefitCheck.email_id.is_(None))
        .values(email_id=email.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise UpdatedNoteRefused(ALREADY_SENT)
    set_committed_value(check, "email_id", email.id)
    record(session, AuditAction.UPDATED_NOTE_SENT, actor=actor, ip_address=ip_address, request=request)
    return email
