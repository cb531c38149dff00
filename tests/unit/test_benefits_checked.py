"""The patient's answers checked against the payer's 271: the answers the updated note is built from,
the lines staff compare, and whether the 271 is about this patient."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from clinic_app.benefits import EligibilityBenefits, read_271
from clinic_app.benefits.checked import (
    AGE_DIFFERS,
    NAME_DIFFERS,
    NOT_GIVEN,
    NOT_IN_271,
    age_on,
    checked_answers,
    coverage_from_271,
    differences,
    medicare_advantage_plan,
    same_person,
)
from clinic_app.benefits.codes import INSURANCE_TYPE_LABELS
from clinic_app.benefits.model import OtherPayer
from clinic_app.choices import (
    AlsoMedicaid,
    Concern,
    Coverage,
    DeductibleStatus,
    PlanState,
    PlanType,
    VisitType,
)

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "x12_271"


def sample(name: str) -> EligibilityBenefits:
    return read_271((SAMPLES / f"{name}.271").read_text(encoding="ascii"))


def answers(coverage: Coverage = Coverage.PRIVATE, **changes):
    from clinic_app.coverage import CoverageAnswers

    base = CoverageAnswers(
        visit_type=VisitType.NEW_PATIENT,
        coverage=coverage,
        age=41,
        main_concern=Concern.NECK_PAIN,
        carrier="premera" if coverage is Coverage.PRIVATE else None,
        plan_type=PlanType.NOT_SURE if coverage is Coverage.PRIVATE else None,
        plan_state=PlanState.WASHINGTON if coverage is Coverage.PRIVATE else None,
        deductible_status=DeductibleStatus.NOT_SURE,
        also_medicaid=AlsoMedicaid.NO
        if coverage in (Coverage.ORIGINAL_MEDICARE, Coverage.MEDICARE_ADVANTAGE)
        else None,
    )
    return replace(base, **changes)


# checked_answers


def test_the_payers_figures_replace_the_patients_and_mark_the_answers_checked():
    checked = checked_answers(answers(copay=Decimal(40)), sample("commercial_ppo_visit_limit"))
    assert checked.payer_checked is True
    assert checked.coverage is Coverage.PRIVATE and checked.carrier == "premera"
    assert checked.plan_type is PlanType.PPO, "PR is a PPO"
    assert checked.deductible_status is DeductibleStatus.MET and checked.deductible_remaining == 0
    assert checked.coinsurance_percent == 20
    assert checked.copay == Decimal(40), "the 271 gives no copay: the patient's answer stands"
    assert checked.out_of_pocket_remaining == Decimal(2300)
    assert (checked.visit_limit, checked.visits_used) == (20, 8)


def test_a_deductible_left_means_not_met_and_a_zero_copay_means_none():
    checked = checked_answers(
        answers(deductible_status=DeductibleStatus.MET, copay=Decimal(40)), sample("deductible_not_met")
    )
    assert checked.deductible_status is DeductibleStatus.NOT_MET
    assert checked.deductible_remaining == Decimal(1650)
    assert checked.copay is None, "the plan says $0: the patient's guess goes"
    assert checked.coinsurance_percent == 30


def test_a_copay_before_the_deductible_is_carried():
    checked = checked_answers(answers(), sample("copay_before_deductible"))
    assert checked.copay == Decimal(35) and checked.copay_before_deductible is True
    assert checked.deductible_status is DeductibleStatus.NOT_MET


def test_unknown_deductible_keeps_the_patients_answer():
    benefits = EligibilityBenefits(active=True, insurance_type="C1")
    checked = checked_answers(
        answers(deductible_status=DeductibleStatus.MET, deductible_remaining=None), benefits
    )
    assert checked.deductible_status is DeductibleStatus.MET and checked.payer_checked


def test_original_medicare_said_but_the_271_is_medicare_advantage():
    checked = checked_answers(answers(Coverage.ORIGINAL_MEDICARE), sample("medicare_advantage"))
    assert checked.coverage is Coverage.MEDICARE_ADVANTAGE
    assert checked.also_medicaid is AlsoMedicaid.NO, "still Medicare: the Medicaid answer stays"
    assert checked.copay == Decimal(20) and checked.copay_before_deductible is True


def test_medicare_advantage_said_but_the_271_is_original_medicare():
    checked = checked_answers(answers(Coverage.MEDICARE_ADVANTAGE), sample("original_medicare"))
    assert checked.coverage is Coverage.ORIGINAL_MEDICARE
    assert checked.deductible_remaining == Decimal(120)


def test_medicare_advantage_said_and_medicares_271_names_the_plan_is_not_switched():
    """CMS HETS gives Part A and B lines to every beneficiary; the plan is an other payer (EB*R, HN)."""
    patient = answers(
        Coverage.MEDICARE_ADVANTAGE, deductible_status=DeductibleStatus.NOT_SURE, coinsurance_percent=None
    )
    checked = checked_answers(patient, sample("medicare_advantage_via_hets"))
    assert checked.coverage is Coverage.MEDICARE_ADVANTAGE
    assert checked.also_medicaid is AlsoMedicaid.NO
    # Medicare's Part B deductible and 20% are not the plan's: the patient's answers stand, and the
    # note is not one the plan checked.
    assert checked.payer_checked is False
    assert (checked.deductible_status, checked.deductible_remaining) == (DeductibleStatus.NOT_SURE, None)
    assert checked.coinsurance_percent is None and checked.visit_limit is None
    found = lines(differences(patient, sample("medicare_advantage_via_hets")))
    assert found["Coverage"] == (
        "Medicare Advantage plan",
        "Medicare Part B, with a Medicare Advantage plan: CASCADE GOLD PLUS HMO",
        False,
    )


def test_original_medicare_said_but_medicares_271_names_a_medicare_advantage_plan():
    patient = answers(Coverage.ORIGINAL_MEDICARE)
    checked = checked_answers(patient, sample("medicare_advantage_via_hets"))
    assert checked.coverage is Coverage.MEDICARE_ADVANTAGE
    assert checked.also_medicaid is AlsoMedicaid.NO, "still Medicare: the Medicaid answer stays"
    coverage_line = lines(differences(patient, sample("medicare_advantage_via_hets")))["Coverage"]
    assert coverage_line[0] == "Original Medicare" and coverage_line[2] is True


def test_a_medigap_plan_among_the_other_payers_switches_nothing():
    benefits = sample("original_medicare")
    assert benefits.other_payers and medicare_advantage_plan(benefits) is None
    for said in (Coverage.ORIGINAL_MEDICARE, Coverage.MEDICARE_ADVANTAGE, Coverage.NOT_SURE):
        assert coverage_from_271(benefits, said) is Coverage.ORIGINAL_MEDICARE
    checked = checked_answers(answers(Coverage.ORIGINAL_MEDICARE), benefits)
    assert checked.coverage is Coverage.ORIGINAL_MEDICARE and checked.payer_checked is True
    assert checked.deductible_remaining == Decimal(120)


def test_a_medicare_advantage_plan_that_ended_before_the_271_switches_nothing():
    plan = OtherPayer(
        "HN", None, None, "OLD ADVANTAGE HMO", ended=date(2025, 12, 31), medicare_advantage=True
    )
    benefits = EligibilityBenefits(
        active=True, insurance_type="MB", checked_on=date(2026, 4, 15), other_payers=(plan,)
    )
    assert coverage_from_271(benefits, Coverage.MEDICARE_ADVANTAGE) is Coverage.ORIGINAL_MEDICARE
    still = replace(benefits, checked_on=date(2025, 12, 31))
    assert coverage_from_271(still, Coverage.ORIGINAL_MEDICARE) is Coverage.MEDICARE_ADVANTAGE


def test_only_a_medicare_271_makes_an_other_payer_the_coverage():
    plan = OtherPayer("HN", None, None, "SOME ADVANTAGE HMO", medicare_advantage=True)
    benefits = EligibilityBenefits(active=True, insurance_type="C1", other_payers=(plan,))
    assert medicare_advantage_plan(benefits) is None
    assert checked_answers(answers(), benefits).coverage is Coverage.PRIVATE


def test_private_said_but_the_271_is_medicare_drops_the_private_plan_answers():
    checked = checked_answers(answers(Coverage.PRIVATE), sample("original_medicare"))
    assert checked.coverage is Coverage.ORIGINAL_MEDICARE
    assert (checked.carrier, checked.plan_type, checked.plan_state) == (None, None, None)


@pytest.mark.parametrize(
    ("code", "plan_type"), [("PR", PlanType.PPO), ("HM", PlanType.HMO), ("EP", PlanType.EPO)]
)
def test_private_plan_codes_give_the_plan_type(code, plan_type):
    benefits = EligibilityBenefits(active=True, insurance_type=code)
    assert checked_answers(answers(plan_type=PlanType.NOT_SURE), benefits).plan_type is plan_type
    unsure = checked_answers(answers(Coverage.NOT_SURE), benefits)
    assert unsure.coverage is Coverage.PRIVATE and unsure.plan_type is plan_type


def test_an_hmo_code_does_not_overrule_medicare_advantage():
    """A Medicare Advantage plan may well be an HMO: HM does not say it is a private plan."""
    benefits = EligibilityBenefits(active=True, insurance_type="HM")
    assert coverage_from_271(benefits, Coverage.MEDICARE_ADVANTAGE) is None
    assert (
        checked_answers(answers(Coverage.MEDICARE_ADVANTAGE), benefits).coverage
        is Coverage.MEDICARE_ADVANTAGE
    )


def test_medicaid_and_unknown_codes_leave_the_coverage_as_answered():
    for code in ("MC", "OT", None):
        benefits = EligibilityBenefits(active=True, insurance_type=code)
        assert checked_answers(answers(Coverage.APPLE_HEALTH), benefits).coverage is Coverage.APPLE_HEALTH


# differences


def lines(found):
    return {line.label: (line.patient, line.payer, line.differs) for line in found}


def test_differences_name_what_differs_and_what_cannot_be_compared():
    patient = answers(
        Coverage.ORIGINAL_MEDICARE,
        deductible_status=DeductibleStatus.NOT_MET,
        deductible_remaining=Decimal(1200),
        copay=None,
    )
    found = lines(differences(patient, sample("medicare_advantage")))
    assert found["Coverage"] == ("Original Medicare", "Medicare Advantage (Medicare risk HMO)", True)
    assert found["Deductible met this year"] == ("No", "Yes", True)
    assert found["Deductible left"] == ("$1,200", "$0", True)
    assert found["Copay per visit"] == (NOT_GIVEN, "$20", False)
    assert found["Coinsurance"] == (NOT_GIVEN, NOT_IN_271, False)
    assert "Plan type" not in found, "no plan type for Medicare"


def test_not_sure_is_not_given_and_same_answers_do_not_differ():
    patient = answers(
        plan_type=PlanType.PPO,
        deductible_status=DeductibleStatus.NOT_SURE,
        coinsurance_percent=20,
        deductible_remaining=Decimal(0),
    )
    found = lines(differences(patient, sample("commercial_ppo_visit_limit")))
    assert found["Coverage"] == (
        "Private insurance (through work or bought yourself)",
        "Preferred Provider Organization (PPO) — private insurance",
        False,
    )
    assert found["Plan type"] == ("PPO", "PPO", False)
    assert found["Deductible met this year"] == (NOT_GIVEN, "Yes", False)
    assert found["Deductible left"] == ("$0", "$0", False)
    assert found["Coinsurance"] == ("20%", "20%", False)


def test_plan_type_and_copay_differences():
    patient = answers(plan_type=PlanType.HMO, copay=Decimal(40))
    found = lines(differences(patient, sample("copay_before_deductible")))
    assert found["Plan type"] == ("HMO", NOT_IN_271, False), "C1 names no plan type"
    assert found["Copay per visit"] == ("$40", "$35", True)
    found = lines(
        differences(patient, EligibilityBenefits(active=True, insurance_type="PR", copay=Decimal(0)))
    )
    assert found["Plan type"] == ("HMO", "PPO", True)
    assert found["Copay per visit"] == ("$40", "No copay ($0)", True)


@pytest.mark.parametrize("code", sorted(INSURANCE_TYPE_LABELS))
@pytest.mark.parametrize("coverage", [Coverage.NOT_SURE, Coverage.PRIVATE, Coverage.ORIGINAL_MEDICARE])
def test_the_271s_coverage_is_written_without_brackets_inside_brackets(code, coverage):
    benefits = EligibilityBenefits(
        active=True, insurance_type=code, insurance_type_label=INSURANCE_TYPE_LABELS[code]
    )
    payer = lines(differences(answers(coverage), benefits))["Coverage"][1]
    assert not re.search(r"\([^)]*\(", payer), payer


def test_a_commercial_plan_is_named_plainly():
    found = lines(differences(answers(Coverage.NOT_SURE), sample("copay_before_deductible")))
    assert found["Coverage"] == (NOT_GIVEN, "Commercial — private insurance", False)


def test_a_patient_not_sure_of_their_coverage_is_not_a_difference():
    found = lines(differences(answers(Coverage.NOT_SURE), sample("original_medicare")))
    assert found["Coverage"] == (NOT_GIVEN, "Medicare Part B — Original Medicare", False)
    no_type = lines(differences(answers(), EligibilityBenefits(active=True)))
    assert no_type["Coverage"][1:] == (NOT_IN_271, False)


# same_person


def test_the_same_person_with_case_and_accents_ignored():
    benefits = EligibilityBenefits(
        subscriber_last_name="DIAZ", subscriber_birth_date=date(1985, 2, 1), checked_on=date(2026, 5, 5)
    )
    assert same_person("Ana Díaz", 41, benefits).same is True
    assert same_person("ana diaz", 41, benefits).same is True


@pytest.mark.parametrize(
    ("last_name", "full_name"),
    [("GARCIA LOPEZ", "Ana García López"), ("GARCIA", "Ana García López"), ("ONEIL", "Sam O'Neil"),
     ("SMITH-JONES", "Kim Smith Jones"), ("NUNEZ", "José Núñez")],
)  # fmt: skip
def test_names_fit_across_spaces_punctuation_and_accents(last_name, full_name):
    benefits = EligibilityBenefits(subscriber_last_name=last_name)
    assert same_person(full_name, 41, benefits).same is None, "fits; no birth date to confirm"


def test_another_name_or_age_is_flagged_without_naming_the_271s_values():
    benefits = EligibilityBenefits(
        subscriber_last_name="ROE", subscriber_birth_date=date(1948, 2, 3), checked_on=date(2026, 4, 2)
    )
    result = same_person("Ana Díaz", 41, benefits)
    assert result.same is False and result.problems == (NAME_DIFFERS, AGE_DIFFERS)
    assert not any("ROE" in p or "1948" in p for p in result.problems)
    assert same_person("Richard Roe", 78, benefits).same is True
    assert same_person("Rick Anderson", 78, benefits).problems == (NAME_DIFFERS,), "no part-word match"
    assert same_person("Richard Roe", 70, benefits).problems == (AGE_DIFFERS,)


def test_a_birthday_between_the_form_and_the_271_is_allowed():
    benefits = EligibilityBenefits(
        subscriber_last_name="ROE", subscriber_birth_date=date(1948, 2, 3), checked_on=date(2026, 4, 2)
    )
    assert same_person("Richard Roe", 77, benefits).same is True
    assert same_person("Richard Roe", 79, benefits).same is False


def test_too_little_in_the_271_to_tell():
    assert same_person("Ana Díaz", 41, EligibilityBenefits()).same is None
    assert (
        same_person("Ana Díaz", 41, EligibilityBenefits(subscriber_birth_date=date(1985, 1, 1))).same is None
    )


def test_age_on_a_day():
    assert age_on(date(1948, 2, 3), date(2026, 2, 2)) == 77
    assert age_on(date(1948, 2, 3), date(2026, 2, 3)) == 78


def test_a_private_plans_271_for_a_patient_who_said_original_medicare_differs():
    benefits = EligibilityBenefits(active=True, insurance_type="EP")
    [coverage, *_] = differences(answers(Coverage.ORIGINAL_MEDICARE), benefits)
    assert coverage.differs is True


def test_a_271_whose_kind_names_no_answer_is_not_the_same_but_cannot_be_compared():
    benefits = EligibilityBenefits(active=True, insurance_type="MC")
    [coverage, *_] = differences(answers(Coverage.PRIVATE), benefits)
    assert coverage.differs is False and coverage.comparable is False
