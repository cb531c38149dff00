"""What every coverage note must say, and how. No app needed."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import textstat

from clinic_app.coverage import (
    AlsoMedicaid,
    Concern,
    Coverage,
    DeductibleStatus,
    Network,
    NoteStatus,
    PlanType,
    VisitType,
    build_note,
    default_rules,
)
from tests.unit.coverage_helpers import (
    CLINIC,
    answers,
    clinic,
    clinic_in_network,
    every_note,
    sentences,
    text_of,
)

VERIFY = "Before your first visit, we check your benefits with your plan. Then we tell you what we find."


def test_original_medicare_explains_active_care_maintenance_and_the_20_percent_share():
    note = build_note(answers(Coverage.ORIGINAL_MEDICARE, age=70, also_medicaid=AlsoMedicaid.NO), CLINIC)
    text = text_of(note)
    assert "only while it helps you get better" in text
    assert "maintenance care. Medicare does not pay for it" in text
    assert "Medicare does not pay for a chiropractor's exam." in text
    assert "Part B has a deductible: $283 in 2026. That is the amount you must pay each year" in text
    assert "After that, you pay 20% of each visit, about $9." in text
    assert "Medigap" in text
    assert "Advance Beneficiary Notice" in text


def test_medicare_with_medicaid_is_told_they_may_owe_nothing_and_sees_no_deductible_talk():
    note = build_note(answers(Coverage.ORIGINAL_MEDICARE, age=70, also_medicaid=AlsoMedicaid.YES), CLINIC)
    text = text_of(note)
    assert (
        "Qualified Medicare Beneficiary (QMB)? Then the law does not allow us to bill you for that part"
        in text
    )
    assert "you may pay nothing for covered visits" in text
    assert "20%" not in text


def test_osteopathic_care_is_explained_only_where_the_clinic_offers_it():
    visitor = answers(Coverage.ORIGINAL_MEDICARE, age=70, also_medicaid=AlsoMedicaid.NO)
    assert "doctor of osteopathy" in text_of(build_note(visitor, clinic(offers_omt=True)))
    assert "osteopathy" not in text_of(build_note(visitor, CLINIC))


def test_medicare_advantage_says_referral_and_prior_authorization_may_be_needed():
    text = text_of(
        build_note(answers(Coverage.MEDICARE_ADVANTAGE, age=70, also_medicaid=AlsoMedicaid.NO), CLINIC)
    )
    assert "at least what Original Medicare covers" in text
    assert "Your plan may ask for a referral first. That is a note from your main doctor" in text
    assert "approve your care before it starts. This is called prior authorization." in text


def test_young_apple_health_patient_needs_a_referral_from_a_well_child_check_up():
    text = text_of(build_note(answers(Coverage.APPLE_HEALTH, age=12), CLINIC))
    assert "under 21" in text
    assert "Your doctor must send you to us after a well-child check-up." in text
    assert "You need a referral first. That is a note from your main doctor" in text


def test_apple_health_chronic_headache_names_the_state_exclusion():
    visitor = answers(Coverage.APPLE_HEALTH, age=40, main_concern=Concern.MIGRAINE, headache_days=18)
    assert "does not pay for manipulation to treat chronic migraine" in text_of(build_note(visitor, CLINIC))


def test_oregon_health_plan_names_the_cco_and_checks_neck_care_with_it():
    visitor = answers(Coverage.OREGON_HEALTH_PLAN, main_concern=Concern.NECK_HEADACHE)
    text = text_of(build_note(visitor, clinic_in_network("oregon_health_plan")))
    assert "called a CCO" in text
    assert "We will check with your CCO if it pays for care of your neck" in text


def test_self_pay_shows_the_clinic_price_and_the_good_faith_estimate():
    note = build_note(answers(Coverage.SELF_PAY), clinic(self_pay_visit_fee=Decimal(95)))
    text = text_of(note)
    assert "Each treatment visit costs $95." in text
    assert "Good Faith Estimate" in text
    assert (
        note.closing == "If a bill is $400 or more above your Good Faith Estimate, you can dispute the bill."
    )


def test_not_sure_tells_what_to_look_for_on_the_card():
    assert "plan name and member ID" in text_of(build_note(answers(Coverage.NOT_SURE), CLINIC))


@pytest.mark.parametrize("carrier", sorted(set(default_rules().carriers) - CLINIC.in_network - {"other"}))
@pytest.mark.parametrize("plan", list(PlanType))
def test_out_of_network_visitors_are_told_what_that_means_not_that_they_are_covered(carrier, plan):
    note = build_note(answers(Coverage.PRIVATE, carrier=carrier, plan_type=plan), CLINIC)
    assert note.network is Network.OUT
    assert note.status is not NoteStatus.LIKELY_COVERED
    assert "In network means your plan has a contract with us." in text_of(note)
    assert "pay for care yourself" in text_of(note)


@pytest.mark.parametrize("coverage", [Coverage.MEDICARE_ADVANTAGE, Coverage.PRIVATE])
def test_a_plans_deductible_copay_and_coinsurance_are_explained_once(coverage):
    visitor = answers(coverage, carrier="premera", deductible_status=DeductibleStatus.NOT_MET)
    text = text_of(build_note(visitor, CLINIC))
    assert text.count("A deductible is the amount you pay each year before your plan starts to pay.") == 1
    assert "Then you pay a copay, a set amount per visit. Or you pay coinsurance, a share of the cost" in text


@pytest.mark.parametrize(
    ("deductible", "said"),
    [
        (
            {"deductible_status": DeductibleStatus.MET},
            "You have met your deductible. So you pay your $40 copay",
        ),
        (
            {"deductible_status": DeductibleStatus.NOT_MET, "deductible_remaining": Decimal(1200)},
            "Your first $1,200 goes to your deductible. After that, you pay your $40 copay",
        ),
        (
            {"deductible_status": DeductibleStatus.NOT_SURE},
            "Until your deductible is met, you pay about $65 a visit. After that, you pay your $40 copay",
        ),
    ],
)
def test_the_estimate_says_what_the_visitor_told_us_of_their_deductible(deductible, said):
    visitor = answers(Coverage.PRIVATE, carrier="premera", copay=Decimal(40), **deductible)
    assert build_note(visitor, CLINIC).estimate[0].startswith(said)


def test_the_visitors_own_amounts_are_written_in_plain_dollars():
    visitor = answers(
        Coverage.PRIVATE,
        carrier="premera",
        deductible_status=DeductibleStatus.NOT_MET,
        deductible_remaining=Decimal("1200"),
        copay=Decimal("42.5"),
    )
    assert build_note(visitor, CLINIC).estimate[0] == (
        "Your first $1,200 goes to your deductible. After that, you pay your $42.50 copay for each visit."
    )


@pytest.mark.parametrize("coverage", list(Coverage))
def test_free_consultation_costs_nothing_whatever_the_coverage(coverage):
    consult = build_note(answers(coverage, visit_type=VisitType.CONSULTATION), CLINIC)
    visit = build_note(answers(coverage, visit_type=VisitType.NEW_PATIENT), CLINIC)
    assert consult.paragraphs[0] == "Your free 15-minute consultation costs nothing, whatever your insurance."
    assert "costs nothing" not in text_of(visit)


@pytest.mark.parametrize("coverage", [c for c in Coverage if c is not Coverage.SELF_PAY])
def test_every_insured_note_ends_with_benefits_verification(coverage):
    closing = build_note(answers(coverage, carrier="premera"), CLINIC).closing
    assert closing in (
        VERIFY,
        "We check your benefits before your first visit.",
        "We will tell you what we find before your first visit.",
    )


def test_note_records_the_rules_their_version_and_sources():
    note = build_note(answers(Coverage.ORIGINAL_MEDICARE, age=70, also_medicaid=AlsoMedicaid.NO), CLINIC)
    assert note.rule_ids[0] == "original-medicare"
    assert note.rules_version == default_rules().version
    titles = [source.title for source in note.sources]
    assert any("Chapter 15, sections 240 to 240.1.2" in title for title in titles)
    assert all(source.url.startswith("https://") and source.checked for source in note.sources)


def test_every_shipped_rule_cites_a_source():
    for rule in default_rules().rules:
        assert rule.sources, rule.id


def test_every_shipped_caveat_cites_a_source_checked_in_the_last_year():
    for caveat in default_rules().caveats:
        assert caveat.sources, caveat.id
    for source in default_rules().sources.values():
        assert "2025-12-01" < source.checked <= "2026-12-08", source.id


NOTES = {text_of(note): note for note in every_note()}


def test_every_note_reads_at_grade_six_or_below():
    """Issue 22: grade 6, measured on the whole note as the patient reads it (Flesch-Kincaid, textstat)."""
    grades = {text: textstat.flesch_kincaid_grade(text) for text in NOTES}
    too_hard = {text: grade for text, grade in grades.items() if grade > 6}
    assert not too_hard
    assert len(grades) > 50
    rules_seen = {rule_id for note in NOTES.values() for rule_id in note.rule_ids}
    assert rules_seen == {r.id for r in default_rules().rules} | {c.id for c in default_rules().caveats}


# Each insurance term, and words that explain it (any of them); the explanation must come where the term
# first does.
TERMS = {
    "deductible": (
        "amount you pay each year before your plan starts to pay",
        "amount you must pay each year before medicare starts to pay",
    ),
    "copay": ("set amount",),
    "coinsurance": ("share of the cost",),
    "referral": ("note from your main doctor",),
    "prior authorization": ("approve your care before it starts",),
    "maintenance care": ("keep you well",),
    "in network": ("has a contract with us",),
    "out-of-pocket maximum": ("the most you pay in a year",),
    "plan of care": ("the visits we often suggest",),
    "medigap": ("medicare supplement insurance",),
    "good faith estimate": ("written list of the costs",),
    "network": ("has a contract with us", "the providers it has contracts with", "no contract with the plan"),
}


def test_each_insurance_term_is_explained_the_first_time_it_appears():
    for note in NOTES.values():
        parts = sentences(" ".join([*note.paragraphs, *note.caveats, *note.estimate, note.closing]))
        for term, explanation in TERMS.items():
            first = next((i for i, s in enumerate(parts) if term in s.lower()), None)
            if first is None:
                continue
            nearby = " ".join(parts[max(first - 1, 0) : first + 2]).lower()
            assert any(words in nearby for words in explanation), (
                f"{term!r} is not explained where it first appears: {parts[first]!r}"
            )


PROMISES = re.compile(r"\b(will be covered|will pay|guarantees?|cures?|heals?)\b", re.IGNORECASE)


def test_no_note_promises_coverage_or_makes_medical_claims():
    for text in NOTES:
        assert not PROMISES.search(text), text
