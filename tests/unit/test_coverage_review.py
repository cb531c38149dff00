"""The second review of the coverage notes (issue 14): each point a billing specialist found wrong or
unsourced in the first rules, checked against what every note now says."""

from __future__ import annotations

import re
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
    YesNoNotSure,
    build_note,
    default_rule_books,
    default_rules,
)
from tests.unit.coverage_helpers import CLINIC, answers, clinic, clinic_in_network, every_note, text_of

ENGLISH_TEXTS = [text_of(note) for note in every_note()]


def source_ids(note) -> set[str]:
    return {source.id for source in note.sources}


def private(**changes):
    values = {"carrier": "premera", "plan_type": PlanType.PPO, "deductible_status": DeductibleStatus.NOT_SURE}
    return answers(Coverage.PRIVATE, **{**values, **changes})


def words_in(note) -> int:
    return len(text_of(note).split())


def test_no_note_is_longer_than_260_words():
    """Issue 22 cut every sentence to grade 6 (about ten words each, so more of them) and brought back
    what Medicare pays for (a subluxation, no X-rays): the longest note, Original Medicare's with a
    consultation and three caveats, is about 255 words."""
    longest = max(every_note(), key=words_in)
    assert words_in(longest) <= 260, text_of(longest)


def test_no_spanish_note_is_longer_than_290_words():
    """Spanish runs about a tenth longer than English, and each insurance term carries its English word
    in brackets the first time it appears."""
    longest = max(every_note(default_rule_books()["es"]), key=words_in)
    assert words_in(longest) <= 290, text_of(longest)


def test_adult_apple_health_gets_the_osteopathic_manipulation_rule_where_the_clinic_offers_it():
    note = build_note(answers(Coverage.APPLE_HEALTH, age=40), clinic(offers_omt=True))
    assert note.rule_ids[0] == "apple-health-adult-omt"
    assert note.status is NoteStatus.LIMITED
    assert "doctor of osteopathy (DO)" in text_of(note)
    assert "up to 10 of these treatments a year" in text_of(note)
    assert "wac-182-531-1050" in source_ids(note)
    without = build_note(answers(Coverage.APPLE_HEALTH, age=40), CLINIC)
    assert without.rule_ids[0] == "apple-health-adult" and without.status is NoteStatus.UNLIKELY


def test_extra_apple_health_visits_are_claimed_only_for_the_plan_that_offers_them():
    assert not any("Some Apple Health plans add" in text for text in ENGLISH_TEXTS)
    note = build_note(answers(Coverage.APPLE_HEALTH, age=40), CLINIC)
    assert "Community Health Plan of Washington (CHPW)" in text_of(note)
    assert "added its own benefit in 2022" in text_of(note)
    assert "chpw-alternative-treatments" in source_ids(note)


@pytest.mark.parametrize("state", [PlanState.OREGON, PlanState.OTHER])
def test_washingtons_every_category_law_is_not_told_to_plans_from_other_states(state):
    note = build_note(private(plan_state=state, self_funded=YesNoNotSure.NO), CLINIC)
    assert "Washington law" not in text_of(note)
    assert "rcw-48-43-045" not in source_ids(note)


def test_self_funded_plans_of_any_size_are_outside_washingtons_law():
    visitor = private(
        plan_state=PlanState.WASHINGTON, self_funded=YesNoNotSure.YES, state_employee_plan=YesNoNotSure.NO
    )
    note = build_note(visitor, CLINIC)
    assert note.rule_ids == ["private-insurance", "private-self-funded"]
    assert "state insurance laws do not apply to your plan" in text_of(note)
    assert not any("large employers" in text for text in ENGLISH_TEXTS)
    insured = build_note(
        private(
            plan_state=PlanState.WASHINGTON,
            self_funded=YesNoNotSure.NO,
            state_employee_plan=YesNoNotSure.NO,
        ),
        CLINIC,
    )
    assert "Washington law says your plan must let every kind of licensed provider" in text_of(insured)
    unsure = build_note(
        private(
            plan_state=PlanState.WASHINGTON,
            self_funded=YesNoNotSure.NOT_SURE,
            state_employee_plan=YesNoNotSure.NO,
        ),
        CLINIC,
    )
    assert "But this law does not apply if your employer pays the claims itself." in text_of(unsure)


@pytest.mark.parametrize(
    "visitor",
    [
        answers(Coverage.APPLE_HEALTH, age=40, main_concern=Concern.MIGRAINE, headache_days=20),
        private(
            plan_state=PlanState.WASHINGTON,
            state_employee_plan=YesNoNotSure.YES,
            main_concern=Concern.MIGRAINE,
            headache_days=20,
        ),
    ],
    ids=["apple-health", "state-employees"],
)
def test_the_chronic_headache_exclusion_binds_apple_health_and_the_state_employees_plans(visitor):
    note = build_note(visitor, CLINIC)
    assert "not pay for manipulation to treat chronic migraine" in text_of(note)
    assert {"wa-htcc-chronic-headache", "wac-182-55-010"} <= source_ids(note)


def test_the_chronic_headache_exclusion_is_not_told_to_other_private_plans():
    visitor = private(
        plan_state=PlanState.WASHINGTON,
        state_employee_plan=YesNoNotSure.NO,
        main_concern=Concern.MIGRAINE,
        headache_days=20,
    )
    assert "chronic migraine" not in text_of(build_note(visitor, CLINIC))


def test_a_washington_hmo_allows_direct_access_and_others_may_ask_for_a_referral():
    washington = build_note(
        private(plan_type=PlanType.HMO, plan_state=PlanState.WASHINGTON, self_funded=YesNoNotSure.NO),
        CLINIC,
    )
    assert "may ask for a referral" not in text_of(washington)
    assert "must let you see a chiropractor without a referral" in text_of(washington)
    assert "wa-oic-patient-bill-of-rights" in source_ids(washington)
    oregon = build_note(
        private(plan_type=PlanType.HMO, plan_state=PlanState.OREGON, self_funded=YesNoNotSure.NO), CLINIC
    )
    assert "Your plan may ask for a referral first" in text_of(oregon)
    assert "without a referral" not in text_of(oregon)


def test_no_oregon_health_plan_visit_figure_without_a_source():
    notes = [
        build_note(
            answers(Coverage.OREGON_HEALTH_PLAN, main_concern=concern),
            clinic_in_network("oregon_health_plan"),
        )
        for concern in Concern
    ]
    for note in notes:
        assert not re.search(r"\b30 visits\b", text_of(note))
        assert "acupuncture and massage" not in text_of(note)
        assert "ohp-back-pain" in source_ids(note)
    assert all(rule.visit_limit is None for rule in default_rules().rules)


def test_manipulation_is_described_without_a_clinical_claim():
    assert not any("into place" in text for text in ENGLISH_TEXTS)
    note = build_note(answers(Coverage.ORIGINAL_MEDICARE, age=70, also_medicaid=AlsoMedicaid.NO), CLINIC)
    assert "a chiropractor to move the joints of your spine by hand (manual manipulation)" in text_of(note)


def test_a_qmb_patient_is_told_the_clinic_may_not_bill_them_for_the_medicare_share():
    note = build_note(answers(Coverage.ORIGINAL_MEDICARE, age=70, also_medicaid=AlsoMedicaid.YES), CLINIC)
    assert "the law does not allow us to bill you for that part" in text_of(note)
    assert "we may not bill you" not in text_of(note)
    assert "cms-qmb-billing" in source_ids(note)


def test_the_medigap_caveat_and_every_shipped_caveat_cite_a_source():
    note = build_note(answers(Coverage.ORIGINAL_MEDICARE, age=70, also_medicaid=AlsoMedicaid.NO), CLINIC)
    assert "Medigap is extra insurance for Medicare (Medicare Supplement Insurance)." in text_of(note)
    assert "cms-choosing-medigap" in source_ids(note)
    assert all(caveat.sources for caveat in default_rules().caveats)


def test_the_400_dollar_dispute_rule_cites_45_cfr_149_620():
    note = build_note(answers(Coverage.SELF_PAY), CLINIC)
    dispute = "If a bill is $400 or more above your Good Faith Estimate, you can dispute the bill."
    assert dispute in text_of(note)
    assert any("149.620" in source.title and "$400" in source.title for source in note.sources)


def test_the_course_is_the_clinics_plan_of_care_not_a_trials():
    assert not any("six weeks" in text for text in ENGLISH_TEXTS)
    # $85 a visit, 6 for $450, a $95 exam: 450 + 2 x 85 + 95.
    lines = build_note(answers(Coverage.SELF_PAY), clinic(plan_of_care_visits=8)).estimate
    assert [line for line in lines if "plan of care" in line] == [
        "Our usual plan of care (the visits we often suggest) is 8 visits. That is $715, with the exam."
    ]


def test_every_medicare_note_says_it_pays_only_while_the_patient_improves():
    for note in every_note():
        if note.rule_ids[0] == "original-medicare":
            assert "only while it helps you get better" in text_of(note)


def test_the_first_visit_adds_the_new_patient_exam_which_medicare_does_not_pay_for():
    visitor = answers(
        Coverage.ORIGINAL_MEDICARE,
        age=70,
        also_medicaid=AlsoMedicaid.NO,
        deductible_status=DeductibleStatus.MET,
    )
    lines = build_note(visitor, clinic(new_patient_exam_fee=Decimal(120))).estimate
    # 20% of $46 is $9.20; the $120 exam is the patient's in full.
    assert "First visit, with the new-patient exam: about $129." in lines
    assert "That includes our $120 exam. Medicare does not pay for a chiropractor's exam." in lines
    assert not any("about $9." in line and line.startswith("First") for line in lines)


def test_a_plans_first_visit_counts_the_exam_through_the_plan():
    visitor = private(deductible_status=DeductibleStatus.MET, coinsurance_percent=20)
    lines = build_note(visitor, clinic(new_patient_exam_fee=Decimal(100))).estimate
    # 20% of ($65 treatment + $100 exam)
    assert "First visit, with the new-patient exam: about $33." in lines


def test_an_original_medicare_note_explains_the_deductible_once_in_medicares_words():
    for note in every_note():
        if note.rule_ids[0] != "original-medicare":
            continue
        text = text_of(note)
        assert text.count("is the amount you") <= 1, text
        assert "copay" not in text.lower(), text
        assert "allowed price" not in text, text
        if "deductible" in text:
            assert "Part B has a deductible: $283 in 2026. That is the amount you must pay each year" in text
