"""The notes after issue 22's review: each point the billing specialist found, as the patient reads it.

Every test here fails on the rules before the fix (version 2026-12-07c)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clinic_app.coverage import (
    AlsoMedicaid,
    Concern,
    Coverage,
    DeductibleStatus,
    NoteStatus,
    PlanState,
    PlanType,
    VisitType,
    YesNoNotSure,
    build_note,
    default_rule_books,
    load_rules,
)
from clinic_app.coverage.rules.loading import DEFAULT_RULES_PATH, parse_rules, read_rules_file
from tests.unit.coverage_helpers import CLINIC, answers, clinic, clinic_in_network, every_note, text_of

NOTES = list(every_note())
EXCLUSION = "does not pay for manipulation to treat chronic migraine or chronic tension headache"


def source_ids(note) -> set[str]:
    return {source.id for source in note.sources}


def state_employee(carrier: str, **changes):
    values = {
        "carrier": carrier,
        "plan_type": PlanType.PPO,
        "plan_state": PlanState.WASHINGTON,
        "state_employee_plan": YesNoNotSure.YES,
        "self_funded": YesNoNotSure.NO,
        "main_concern": Concern.MIGRAINE,
        "headache_days": 18,
        "deductible_status": DeductibleStatus.NOT_SURE,
    }
    return answers(Coverage.PRIVATE, **{**values, **changes})


# ---------------------------------------------------------------- 1. PEBB/SEBB: the status follows the exclusion


@pytest.mark.parametrize("concern", [Concern.MIGRAINE, Concern.TENSION_HEADACHE])
@pytest.mark.parametrize("checked", [{}, {"payer_checked": True, "visit_limit": 20, "visits_used": 2}])
def test_a_ump_member_with_chronic_headache_is_not_told_likely_covered(concern, checked):
    note = build_note(state_employee("regence", main_concern=concern, **checked), CLINIC)
    assert note.status is NoteStatus.UNLIKELY
    assert note.headline == "Likely not covered"
    assert f"UMP {EXCLUSION}." in text_of(note)
    assert "Regence runs the Uniform Medical Plan (UMP) for state and school employees." in text_of(note)
    assert {"wa-htcc-chronic-headache", "wac-182-55-010", "hca-ump"} <= source_ids(note)


@pytest.mark.parametrize("carrier", ["kaiser", "premera", "other"])
def test_other_state_employee_plans_are_checked_not_said_to_exclude_it(carrier):
    """Only UMP, the state's own self-insured plan, is sourced as bound; the insured PEBB and SEBB plans
    (Kaiser, Premera's for school employees) are checked."""
    note = build_note(state_employee(carrier), clinic_in_network("kaiser"))
    assert note.status is NoteStatus.UNKNOWN
    assert "We will check if your plan has the same rule." in text_of(note)
    assert "(PEBB and SEBB) do not pay" not in text_of(note)


def test_no_note_says_likely_covered_beside_the_exclusion():
    for note in NOTES:
        if EXCLUSION in text_of(note) and "Is your plan the Uniform Medical Plan" not in text_of(note):
            assert note.status is not NoteStatus.LIKELY_COVERED, text_of(note)


def test_the_state_employee_exclusion_needs_a_chronic_headache():
    note = build_note(state_employee("regence", headache_days=6), CLINIC)
    assert note.status is NoteStatus.LIKELY_COVERED
    assert EXCLUSION not in text_of(note)


# ---------------------------------------------------------------- 2. Kaiser's PPO plans


def test_a_kaiser_ppo_member_is_not_told_their_plan_is_an_hmo():
    note = build_note(answers(Coverage.PRIVATE, carrier="kaiser", plan_type=PlanType.PPO), CLINIC)
    text = text_of(note)
    assert "HMO" not in text
    assert "Kaiser Permanente's PPO plans in Washington also pay for care out of network." in text
    assert note.status is NoteStatus.LIMITED
    assert "kaiser-wa-ppo" in source_ids(note)
    assert not any("plans here come from an HMO" in text_of(n) for n in NOTES)


def test_kaiser_hmo_and_unsure_members_hear_what_fits_their_plan():
    hmo = build_note(answers(Coverage.PRIVATE, carrier="kaiser", plan_type=PlanType.HMO), CLINIC)
    assert "Kaiser Permanente's HMO plans pay only for care in their own network" in text_of(hmo)
    unsure = build_note(answers(Coverage.PRIVATE, carrier="kaiser", plan_type=PlanType.NOT_SURE), CLINIC)
    assert "In Washington, it also has PPO plans" in text_of(unsure)


# ---------------------------------------------------------------- 3. Original Medicare: subluxation, X-rays


def test_every_original_medicare_note_says_subluxation_and_no_x_rays():
    seen = 0
    for note in NOTES:
        if note.rule_ids[0] == "original-medicare":
            seen += 1
            assert "It pays only to correct a subluxation" in text_of(note)
            assert "It does not pay for X-rays a chiropractor takes or orders." in text_of(note)
            assert {"cms-bpm-15-240", "noridian-chiropractic-services"} <= source_ids(note)
    assert seen > 10


# ---------------------------------------------------------------- 4. A clinic not enrolled with Medicare


def test_a_clinic_not_enrolled_with_medicare_says_what_it_can_and_cannot_do():
    visitor = answers(Coverage.ORIGINAL_MEDICARE, age=70, also_medicaid=AlsoMedicaid.NO)
    note = build_note(visitor, clinic(in_network=frozenset()))
    text = text_of(note)
    assert "talk about your choices" not in text
    assert note.status is NoteStatus.UNLIKELY
    assert "So Medicare will not pay us for your care." in text
    assert "The law does not let a chiropractor opt out of Medicare." in text
    assert "we cannot ask you to sign a private contract to pay for care Medicare covers" in text
    assert "We can help you find a chiropractor who takes Medicare." in text
    assert {"cms-bpm-15-40-4", "noridian-mandatory-claims"} <= source_ids(note)


# ---------------------------------------------------------------- 5. Apple Health self-pay: sign first


def test_adult_apple_health_offered_self_pay_is_told_of_the_signed_agreement_first():
    note = build_note(answers(Coverage.APPLE_HEALTH, age=40), CLINIC)
    assert note.rule_ids[0] == "apple-health-adult"
    assert "You can pay for care yourself." in text_of(note)
    assert "But first, you and we must both sign a form." in text_of(note)
    assert "It says that Apple Health will not pay for this care, and that you agree to pay." in text_of(note)
    assert {"wac-182-502-0160", "hca-13-879"} <= source_ids(note)


# ---------------------------------------------------------------- 6. Networks, the DO, the spine line


def test_medicare_advantage_notes_name_the_network_again():
    note = build_note(answers(Coverage.MEDICARE_ADVANTAGE, age=70, also_medicaid=AlsoMedicaid.NO), CLINIC)
    assert "Each plan has its own network: the providers it has contracts with." in text_of(note)
    assert "medicare-interactive-networks" in source_ids(note)


@pytest.mark.parametrize("medicaid", list(AlsoMedicaid))
def test_an_omt_clinics_medicare_advantage_patient_hears_about_the_do(medicaid):
    note = build_note(
        answers(Coverage.MEDICARE_ADVANTAGE, age=70, also_medicaid=medicaid), clinic(offers_omt=True)
    )
    assert "Care from our doctor of osteopathy (DO) follows other Medicare rules." in text_of(note)


def test_oregon_health_plan_neck_pain_may_fall_on_the_spine_line():
    visitor = answers(Coverage.OREGON_HEALTH_PLAN, main_concern=Concern.NECK_PAIN)
    note = build_note(visitor, clinic_in_network("oregon_health_plan"))
    assert note.status is NoteStatus.LIMITED
    assert "Your neck is part of your spine, so this may cover your neck pain." in text_of(note)
    assert "eocco-chronic-pain" in source_ids(note)
    migraine = build_note(
        answers(Coverage.OREGON_HEALTH_PLAN, main_concern=Concern.MIGRAINE),
        clinic_in_network("oregon_health_plan"),
    )
    assert migraine.status is NoteStatus.UNKNOWN


# ---------------------------------------------------------------- 7. Every visit of the year used


@pytest.mark.parametrize("coverage", [Coverage.PRIVATE, Coverage.MEDICARE_ADVANTAGE])
def test_a_rebuilt_note_with_every_visit_used_says_the_plan_pays_for_no_more(coverage):
    used_up = answers(
        coverage,
        age=70,
        carrier="premera",
        plan_type=PlanType.PPO,
        also_medicaid=AlsoMedicaid.NO if coverage is Coverage.MEDICARE_ADVANTAGE else None,
        deductible_status=DeductibleStatus.MET,
        coinsurance_percent=20,
        payer_checked=True,
        visit_limit=20,
        visits_used=20,
    )
    note = build_note(used_up, CLINIC)
    assert note.status is NoteStatus.UNLIKELY
    assert note.headline == "No more visits paid this year"
    assert "It says you have used all the visits it pays for this year." in text_of(note)
    assert "Your plan pays for no more visits this year." in note.estimate[0]
    some_left = build_note(answers(**{**used_up.__dict__, "visits_used": 12}), CLINIC)
    assert some_left.status is NoteStatus.LIKELY_COVERED


def test_visits_left_matches_only_a_plans_own_count():
    """A note the visitor's answers built (no visit figures) never matches visits_left = 0."""
    assert load_rules().rules[0].id == "payer-checked-no-visits-left"
    note = build_note(answers(Coverage.PRIVATE, carrier="premera", payer_checked=True), CLINIC)
    assert note.rule_ids[0] == "private-checked"
    data = read_rules_file(DEFAULT_RULES_PATH)
    data["rule"][0]["when"]["visits_left"] = -1
    with pytest.raises(ValueError, match="visits_left must be a whole number"):
        parse_rules(data)


# ---------------------------------------------------------------- 8. Self-pay says it once


@pytest.mark.parametrize("visit", list(VisitType))
def test_self_pay_says_the_good_faith_estimate_promise_once(visit):
    note = build_note(answers(Coverage.SELF_PAY, visit_type=visit), CLINIC)
    text = text_of(note)
    assert text.count("written list of the costs we expect") == 1
    assert "written estimate" not in text
    assert note.estimate[-1].endswith("It is called a Good Faith Estimate.")
    assert (
        note.closing == "If a bill is $400 or more above your Good Faith Estimate, you can dispute the bill."
    )


# ---------------------------------------------------------------- 9. Grade 6, in both languages


def test_the_spanish_texts_say_the_new_points_too():
    spanish = default_rule_books()["es"]
    medicare = build_note(
        answers(Coverage.ORIGINAL_MEDICARE, age=70, also_medicaid=AlsoMedicaid.NO), CLINIC, spanish
    )
    assert "subluxación (subluxation)" in text_of(medicare)
    assert "No paga las radiografías que un quiropráctico toma o pide." in text_of(medicare)
    ump = build_note(state_employee("regence"), CLINIC, spanish)
    assert ump.status is NoteStatus.UNLIKELY and "Uniform Medical Plan (UMP)" in text_of(ump)
    apple = build_note(answers(Coverage.APPLE_HEALTH, age=40), CLINIC, spanish)
    assert "usted y nosotros tenemos que firmar un formulario" in text_of(apple)


def test_the_estimate_keeps_its_figures_in_the_shorter_sentences():
    visitor = answers(
        Coverage.PRIVATE,
        carrier="premera",
        deductible_status=DeductibleStatus.NOT_MET,
        deductible_remaining=Decimal(200),
        coinsurance_percent=20,
    )
    lines = build_note(visitor, CLINIC).estimate
    course = "Our usual plan of care (the visits we often suggest) is 12 visits. That is about $335, with the exam."
    assert course in lines
