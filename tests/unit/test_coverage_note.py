"""The coverage note for every coverage answer and deductible case. No app needed."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal

import pytest
import textstat

from clinic_app.coverage import (
    ClinicFacts,
    Concern,
    Coverage,
    CoverageAnswers,
    DeductibleStatus,
    NoteStatus,
    PlanType,
    VisitType,
    build_note,
)

CLINIC = ClinicFacts(name="Cascade Clinic", phone="(503) 555-0142", self_pay_visit_fee=85)
VERIFY = "Before your first visit, we check your benefits with your plan and tell you what we find."


def answers(coverage: Coverage, **changes) -> CoverageAnswers:
    values = {
        "visit_type": VisitType.NEW_PATIENT,
        "coverage": coverage,
        "age": 45,
        "main_concern": Concern.NECK_HEADACHE,
    }
    if coverage is Coverage.PRIVATE:
        values.update(carrier="premera", plan_type=PlanType.PPO)
    if coverage in (Coverage.ORIGINAL_MEDICARE, Coverage.MEDICARE_ADVANTAGE, Coverage.PRIVATE):
        values.update(deductible_status=DeductibleStatus.NOT_SURE)
    values.update(changes)
    return CoverageAnswers(**values)


def text_of(note) -> str:
    return " ".join([note.headline + ".", *note.paragraphs, *note.caveats, note.closing])


@pytest.mark.parametrize(
    ("coverage", "age", "status", "headline"),
    [
        (Coverage.ORIGINAL_MEDICARE, 70, NoteStatus.LIMITED, "Covered for some patients"),
        (Coverage.MEDICARE_ADVANTAGE, 70, NoteStatus.UNKNOWN, "We will check for you"),
        (Coverage.APPLE_HEALTH, 16, NoteStatus.LIMITED, "Covered for some patients"),
        (Coverage.APPLE_HEALTH, 20, NoteStatus.LIMITED, "Covered for some patients"),
        (Coverage.APPLE_HEALTH, 21, NoteStatus.UNLIKELY, "Likely not covered"),
        (Coverage.APPLE_HEALTH, 45, NoteStatus.UNLIKELY, "Likely not covered"),
        (Coverage.OREGON_HEALTH_PLAN, 45, NoteStatus.LIMITED, "Covered for some patients"),
        (Coverage.PRIVATE, 45, NoteStatus.LIKELY_COVERED, "Likely covered"),
        (Coverage.SELF_PAY, 45, NoteStatus.UNLIKELY, "You pay a set price"),
        (Coverage.NOT_SURE, 45, NoteStatus.UNKNOWN, "We will check for you"),
    ],
)
def test_headline_and_status_follow_coverage_and_age(coverage, age, status, headline):
    note = build_note(answers(coverage, age=age), CLINIC)
    assert note.status is status
    assert note.headline == headline


def test_original_medicare_explains_active_care_maintenance_and_the_20_percent_share():
    text = text_of(build_note(answers(Coverage.ORIGINAL_MEDICARE, age=70), CLINIC))
    assert "only while the care is helping you get better" in text
    assert "maintenance care. Medicare does not pay for it" in text
    assert "exams or X-rays done by a chiropractor" in text
    assert "you pay 20% of the amount Medicare approves" in text
    assert "Medigap" in text


def test_medicare_advantage_says_referral_and_prior_authorization_may_be_needed():
    text = text_of(build_note(answers(Coverage.MEDICARE_ADVANTAGE, age=70), CLINIC))
    assert "at least what Original Medicare covers" in text
    assert "A referral is a note from your main doctor" in text
    assert "prior authorization. That means the plan must say yes" in text


def test_adult_apple_health_is_offered_the_self_pay_price():
    text = text_of(build_note(answers(Coverage.APPLE_HEALTH, age=30), CLINIC))
    assert "does not pay for chiropractic care for adults 21 and older" in text
    assert "A treatment visit costs $85." in text


def test_young_apple_health_patient_needs_a_referral():
    text = text_of(build_note(answers(Coverage.APPLE_HEALTH, age=12), CLINIC))
    assert "under 21" in text
    assert "you need a referral from a well-child check-up" in text


def test_oregon_health_plan_goes_through_the_cco_and_headache_coverage_is_checked():
    text = text_of(build_note(answers(Coverage.OREGON_HEALTH_PLAN), CLINIC))
    assert "called a CCO" in text
    assert "We will check with your CCO." in text


def test_self_pay_shows_the_clinic_price_and_the_good_faith_estimate():
    note = build_note(answers(Coverage.SELF_PAY), ClinicFacts("Cascade Clinic", "(503) 555-0142", 95))
    text = text_of(note)
    assert "A treatment visit costs $95." in text
    assert "Good Faith Estimate" in text
    assert note.closing == "Before your first visit, we give you a written estimate of your costs."


def test_not_sure_tells_what_to_look_for_on_the_card():
    text = text_of(build_note(answers(Coverage.NOT_SURE), CLINIC))
    assert "plan name and member ID" in text


def test_hmo_caveat_only_for_hmo_plans():
    hmo = build_note(answers(Coverage.PRIVATE, plan_type=PlanType.HMO), CLINIC)
    ppo = build_note(answers(Coverage.PRIVATE, plan_type=PlanType.PPO), CLINIC)
    assert any("HMO plans often need a referral" in caveat for caveat in hmo.caveats)
    assert not any("HMO" in caveat for caveat in ppo.caveats)
    assert "private-hmo-referral" in hmo.rule_ids


@pytest.mark.parametrize(
    "coverage", [Coverage.ORIGINAL_MEDICARE, Coverage.MEDICARE_ADVANTAGE, Coverage.PRIVATE]
)
def test_deductible_not_met_means_paying_the_allowed_price_first(coverage):
    note = build_note(answers(coverage, deductible_status=DeductibleStatus.NOT_MET), CLINIC)
    text = text_of(note)
    assert "Until you meet it, you pay the plan's full allowed price for each visit." in text
    assert "After that, you pay only your copay or coinsurance." in text


@pytest.mark.parametrize(
    "coverage", [Coverage.ORIGINAL_MEDICARE, Coverage.MEDICARE_ADVANTAGE, Coverage.PRIVATE]
)
def test_deductible_met_means_copay_or_coinsurance_now(coverage):
    text = text_of(build_note(answers(coverage, deductible_status=DeductibleStatus.MET), CLINIC))
    assert "You said you have met this year's deductible." in text
    assert "Now you pay only your copay or coinsurance for each visit." in text
    assert "full allowed price" not in text


def test_deductible_not_sure_says_we_will_check():
    text = text_of(build_note(answers(Coverage.PRIVATE, deductible_status=DeductibleStatus.NOT_SURE), CLINIC))
    assert "We will check how much of yours is left." in text


def test_the_visitors_own_amounts_are_repeated_in_plain_dollars():
    note = build_note(
        answers(
            Coverage.PRIVATE,
            deductible_status=DeductibleStatus.NOT_MET,
            deductible_remaining=Decimal("1200"),
            copay=Decimal("42.5"),
            coinsurance_percent=20,
        ),
        CLINIC,
    )
    text = text_of(note)
    assert "You told us about $1,200 of your deductible is left." in text
    assert "You told us your copay is $42.50 per visit." in text
    assert "You told us your coinsurance is 20%." in text


def test_deductible_left_is_not_repeated_once_the_deductible_is_met():
    note = build_note(
        answers(
            Coverage.PRIVATE, deductible_status=DeductibleStatus.MET, deductible_remaining=Decimal("300")
        ),
        CLINIC,
    )
    assert "of your deductible is left" not in text_of(note)


@pytest.mark.parametrize(
    "coverage", [Coverage.APPLE_HEALTH, Coverage.OREGON_HEALTH_PLAN, Coverage.SELF_PAY, Coverage.NOT_SURE]
)
def test_no_deductible_talk_where_there_is_none(coverage):
    assert "deductible" not in text_of(build_note(answers(coverage), CLINIC)).lower()


@pytest.mark.parametrize("coverage", list(Coverage))
def test_free_consultation_costs_nothing_whatever_the_coverage(coverage):
    consult = build_note(answers(coverage, visit_type=VisitType.CONSULTATION), CLINIC)
    visit = build_note(answers(coverage, visit_type=VisitType.NEW_PATIENT), CLINIC)
    assert consult.paragraphs[0] == "Your free 15-minute consultation costs nothing, whatever your insurance."
    assert "costs nothing" not in text_of(visit)


@pytest.mark.parametrize("coverage", [c for c in Coverage if c is not Coverage.SELF_PAY])
def test_every_insured_note_ends_with_benefits_verification(coverage):
    assert build_note(answers(coverage), CLINIC).closing == VERIFY


def test_note_records_the_rules_that_produced_it():
    note = build_note(answers(Coverage.ORIGINAL_MEDICARE, age=70), CLINIC)
    assert note.rule_ids[0] == "original-medicare"
    assert note.rules_version


def every_note():
    """Every reachable note: each coverage, age band, plan type, concern, visit type and deductible case."""
    for coverage, age, plan, concern, visit, deductible in itertools.product(
        Coverage, (12, 20, 21, 45, 70), PlanType, Concern, VisitType, DeductibleStatus
    ):
        private = coverage is Coverage.PRIVATE
        cost_sharing = coverage in (Coverage.ORIGINAL_MEDICARE, Coverage.MEDICARE_ADVANTAGE, Coverage.PRIVATE)
        yield build_note(
            CoverageAnswers(
                visit_type=visit,
                coverage=coverage,
                age=age,
                main_concern=concern,
                carrier="other" if private else None,
                plan_type=plan if private else None,
                deductible_status=deductible if cost_sharing else None,
                deductible_remaining=Decimal("500") if cost_sharing else None,
                copay=Decimal("35") if cost_sharing else None,
                coinsurance_percent=20 if cost_sharing else None,
            ),
            CLINIC,
        )


def test_every_note_reads_at_grade_eight_or_below():
    grades = {text_of(note): textstat.flesch_kincaid_grade(text_of(note)) for note in every_note()}
    too_hard = {text: grade for text, grade in grades.items() if grade > 8}
    assert not too_hard
    assert len(grades) > 20


# Each insurance term, and words that explain it; the explanation must come where the term first does.
TERMS = {
    "deductible": "amount you pay each year before your plan starts to pay",
    "copay": "set amount",
    "coinsurance": "share of the cost",
    "referral": "note from your main doctor",
    "prior authorization": "plan must say yes",
    "maintenance care": "keep you well",
}


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text)


def test_each_insurance_term_is_explained_the_first_time_it_appears():
    for note in every_note():
        parts = sentences(" ".join([*note.paragraphs, *note.caveats, note.closing]))
        for term, explanation in TERMS.items():
            first = next((i for i, s in enumerate(parts) if term in s.lower()), None)
            if first is None:
                continue
            nearby = " ".join(parts[max(first - 1, 0) : first + 2]).lower()
            assert explanation in nearby, (
                f"{term!r} is not explained where it first appears: {parts[first]!r}"
            )
