"""The coverage note for a table of real situations: status, the rules that speak, and the estimate.

Each row is a visitor (program or carrier, age, plan type, concern, network, deductible and amounts)
and what a billing specialist expects them to be told.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from clinic_app.coverage import AlsoMedicaid as Medicaid
from clinic_app.coverage import (
    Concern,
    Coverage,
    DeductibleStatus,
    NoteStatus,
    PlanState,
    PlanType,
    VisitType,
    YesNoNotSure,
    build_note,
)
from tests.unit.coverage_helpers import CLINIC, answers, clinic, clinic_in_network, clinic_without

MET, NOT_MET, NOT_SURE = DeductibleStatus.MET, DeductibleStatus.NOT_MET, DeductibleStatus.NOT_SURE
LIKELY, LIMITED, UNLIKELY, UNKNOWN = (
    NoteStatus.LIKELY_COVERED,
    NoteStatus.LIMITED,
    NoteStatus.UNLIKELY,
    NoteStatus.UNKNOWN,
)
OM, MA, AH, OHP = (
    Coverage.ORIGINAL_MEDICARE,
    Coverage.MEDICARE_ADVANTAGE,
    Coverage.APPLE_HEALTH,
    Coverage.OREGON_HEALTH_PLAN,
)
WA = PlanState.WASHINGTON
YES, NO, UNSURE = YesNoNotSure.YES, YesNoNotSure.NO, YesNoNotSure.NOT_SURE
PRIVATE, SELF_PAY, NOT_SURE_COVERAGE = Coverage.PRIVATE, Coverage.SELF_PAY, Coverage.NOT_SURE
MEDICARE_CAVEATS = ["medicare-second-plan", "medicare-maintenance-notice"]
DISCLAIMER = "These figures are estimates, not a bill."
NO_ESTIMATE = ["We will give you a cost estimate after we check your benefits."]
FREE = ["If the plan covers your care, you pay nothing for covered visits."]
BOTH = ["With both Medicare and Medicaid, you may pay nothing for covered visits. We will check."]
PLAN_OF_CARE = "Our usual plan of care (the visits we often suggest) is 12 visits. That is"
FIRST_VISIT = "First visit, with the new-patient exam:"
MEDICARE_EXAM = "That includes our $95 exam. Medicare does not pay for a chiropractor's exam."
GOOD_FAITH_ESTIMATE = (
    "Before your care starts, we give you a written list of the costs we expect. "
    "It is called a Good Faith Estimate."
)
# The sample clinic: exam $95, visits $85, 6 visits for $450; 12 visits = 2 packages + the exam.
SELF_PAY_PACKAGE = [
    "Each treatment visit costs $85.",
    "The new-patient exam costs $95.",
    "A package of 6 visits costs $450.",
    f"{PLAN_OF_CARE} $995, with the exam.",
    GOOD_FAITH_ESTIMATE,
]


def medicare(**changes):
    values = {"age": 70, "also_medicaid": Medicaid.NO, "deductible_status": NOT_SURE, **changes}
    return answers(OM, **values)


def advantage(**changes):
    values = {"age": 70, "also_medicaid": Medicaid.NO, "deductible_status": NOT_SURE, **changes}
    return answers(MA, **values)


def private(carrier="premera", plan=PlanType.PPO, **changes):
    values = {"carrier": carrier, "plan_type": plan, "deductible_status": NOT_SURE, **changes}
    return answers(PRIVATE, **values)


D = Decimal
SCENARIOS = [
    # id, answers, clinic, status, rule ids, estimate lines (None: not checked here)
    # Medicare: $46 a visit, 20% after the $283 Part B deductible; the $95 exam is not covered, paid in full.
    ("medicare-deductible-unknown", medicare(deductible_status=NOT_MET), CLINIC, LIMITED,
     ["original-medicare", *MEDICARE_CAVEATS], [
         "Until your deductible is met, you pay about $46 a visit. After that, you pay 20% of each visit, about $9.",
         # $9.20 + $95 met; $46 + $95 not met at all
         f"{FIRST_VISIT} between $104 and $141.",
         MEDICARE_EXAM,
         # 12 x $9.20 + $95 = $205.40; $283 of deductible first: $276 + $14.80 + 5 x $9.20 + $95 = $431.80
         f"{PLAN_OF_CARE} between $205 and $430, with the exam.",
         DISCLAIMER]),
    ("medicare-deductible-met", medicare(deductible_status=MET), CLINIC, LIMITED,
     ["original-medicare", *MEDICARE_CAVEATS], [
         "You have met your deductible. So you pay 20% of each visit, about $9.",
         f"{FIRST_VISIT} about $104.",
         MEDICARE_EXAM,
         f"{PLAN_OF_CARE} about $205, with the exam.",
         DISCLAIMER]),
    ("medicare-100-left", medicare(deductible_status=NOT_MET, deductible_remaining=D(100)), CLINIC, LIMITED,
     ["original-medicare", *MEDICARE_CAVEATS], [
         "Your first $100 goes to your deductible. After that, you pay 20% of each visit, about $9.",
         f"{FIRST_VISIT} about $141.",
         MEDICARE_EXAM,
         # $92 + ($8 + 20% of $38) + 9 x $9.20 + $95 = $285.40
         f"{PLAN_OF_CARE} about $285, with the exam.",
         DISCLAIMER]),
    ("medicare-left-above-part-b", medicare(deductible_status=NOT_MET, deductible_remaining=D(900)), CLINIC,
     LIMITED, ["original-medicare", *MEDICARE_CAVEATS], None),
    ("medicare-and-medicaid", medicare(also_medicaid=Medicaid.YES), CLINIC, LIMITED,
     ["original-medicare", "medicare-maintenance-notice", "medicare-and-medicaid"],
     [*BOTH, "Medicare does not pay for a chiropractor's $95 exam. We will check if Medicaid does."]),
    ("medicare-medicaid-not-sure", medicare(also_medicaid=Medicaid.NOT_SURE), CLINIC, LIMITED,
     ["original-medicare", "medicare-maintenance-notice", "medicare-ask-about-second-plans"], None),
    ("medicare-clinic-not-enrolled", medicare(), clinic_without("original_medicare"), UNLIKELY,
     ["original-medicare-not-enrolled"], NO_ESTIMATE),
    ("medicare-clinic-offers-omt", medicare(), clinic(offers_omt=True), LIMITED,
     ["original-medicare", *MEDICARE_CAVEATS, "medicare-osteopathic-care"], None),
    ("medicare-migraine-consultation", medicare(main_concern=Concern.MIGRAINE, visit_type=VisitType.CONSULTATION),
     CLINIC, LIMITED, ["original-medicare", *MEDICARE_CAVEATS], None),
    # Plans: $65 a visit; the $95 exam goes through the plan with the first visit ($160).
    ("advantage-copay", advantage(copay=D(20)), CLINIC, UNKNOWN, ["medicare-advantage"], [
        "Until your deductible is met, you pay about $65 a visit. After that, you pay your $20 copay for each visit.",
        # Medicare does not pay a chiropractor's exam, so the $95 is counted in full beside the visit.
        f"{FIRST_VISIT} between $115 and $160.",
        "That includes our $95 exam. Medicare does not pay for a chiropractor's exam, and your plan may not.",
        # 12 x $20 + $95; 12 x $65 all toward the deductible + $95
        f"{PLAN_OF_CARE} between $335 and $875, with the exam.",
        "If your plan skips the deductible for visits with a copay, you pay less.",
        DISCLAIMER]),
    ("advantage-and-medicaid", advantage(also_medicaid=Medicaid.YES), CLINIC, UNKNOWN,
     ["medicare-advantage", "medicare-and-medicaid"], BOTH),
    ("advantage-medicaid-not-sure", advantage(also_medicaid=Medicaid.NOT_SURE), CLINIC, UNKNOWN,
     ["medicare-advantage", "medicare-ask-about-medicaid"], None),
    ("advantage-clinic-in-no-plans", advantage(), clinic_without("medicare_advantage"), UNKNOWN,
     ["medicare-advantage-not-in-network"], NO_ESTIMATE),
    ("advantage-omt", advantage(), clinic(offers_omt=True), UNKNOWN,
     ["medicare-advantage", "medicare-osteopathic-care"], None),
    ("advantage-omt-and-medicaid", advantage(also_medicaid=Medicaid.YES), clinic(offers_omt=True), UNKNOWN,
     ["medicare-advantage", "medicare-and-medicaid", "medicare-osteopathic-care"], BOTH),
    ("apple-health-child", answers(AH, age=12), CLINIC, LIMITED, ["apple-health-under-21"], FREE),
    ("apple-health-20", answers(AH, age=20, main_concern=Concern.NECK_PAIN), CLINIC, LIMITED,
     ["apple-health-under-21"], FREE),
    ("apple-health-21", answers(AH, age=21), CLINIC, UNLIKELY, ["apple-health-adult", "apple-health-chpw-visits"],
     SELF_PAY_PACKAGE),
    ("apple-health-adult-omt", answers(AH, age=40), clinic(offers_omt=True), LIMITED,
     ["apple-health-adult-omt", "apple-health-chpw-visits"], FREE),
    ("apple-health-adult-chronic-migraine", answers(AH, age=35, main_concern=Concern.MIGRAINE, headache_days=20),
     CLINIC, UNLIKELY, ["apple-health-adult", "apple-health-chpw-visits", "wa-chronic-headache-apple-health"],
     SELF_PAY_PACKAGE),
    ("apple-health-adult-episodic-migraine", answers(AH, age=35, main_concern=Concern.MIGRAINE, headache_days=6),
     CLINIC, UNLIKELY, ["apple-health-adult", "apple-health-chpw-visits"], SELF_PAY_PACKAGE),
    ("apple-health-teen-chronic-tension",
     answers(AH, age=15, main_concern=Concern.TENSION_HEADACHE, headache_days=15), CLINIC, LIMITED,
     ["apple-health-under-21", "wa-chronic-headache-apple-health"], FREE),
    ("apple-health-clinic-not-enrolled", answers(AH, age=12), clinic_without("apple_health"), UNLIKELY,
     ["apple-health-not-enrolled"], SELF_PAY_PACKAGE),
    ("ohp-clinic-not-enrolled", answers(OHP, main_concern=Concern.NECK_PAIN), CLINIC, UNLIKELY,
     ["oregon-health-plan-not-enrolled"], SELF_PAY_PACKAGE),
    ("ohp-neck-pain", answers(OHP, main_concern=Concern.NECK_PAIN), clinic_in_network("oregon_health_plan"),
     LIMITED, ["oregon-health-plan-neck-pain"], FREE),
    ("ohp-migraine", answers(OHP, main_concern=Concern.MIGRAINE), clinic_in_network("oregon_health_plan"),
     UNKNOWN, ["oregon-health-plan"], FREE),
    ("private-ppo-200-left-20-percent",
     private(deductible_status=NOT_MET, deductible_remaining=D(200), coinsurance_percent=20), CLINIC, LIKELY,
     ["private-insurance"], [
         "Your first $200 goes to your deductible. After that, you pay 20% of each visit, about $13.",
         f"{FIRST_VISIT} about $160.",
         # $160 + ($40 + 20% of $25) + 10 x $13
         f"{PLAN_OF_CARE} about $335, with the exam.",
         DISCLAIMER]),
    ("private-met-copay-40", private(deductible_status=MET, copay=D(40)), CLINIC, LIKELY, ["private-insurance"], [
         "You have met your deductible. So you pay your $40 copay for each visit.",
         f"{FIRST_VISIT} about $40.",
         f"{PLAN_OF_CARE} about $480, with the exam.",
         DISCLAIMER]),
    ("private-nothing-known", private(), CLINIC, LIKELY, ["private-insurance"], [
        "Until your deductible is met, you pay about $65 a visit. We will check what you pay after that.",
        DISCLAIMER]),
    ("private-1000-left-share-unknown", private(deductible_status=NOT_MET, deductible_remaining=D(1000)), CLINIC,
     LIKELY, ["private-insurance"], [
         "Your first $1,000 goes to your deductible. We will check what you pay after that.",
         f"{FIRST_VISIT} about $160.",
         f"{PLAN_OF_CARE} about $875, with the exam.",
         DISCLAIMER]),
    ("private-met-no-share", private(deductible_status=MET), CLINIC, LIKELY, ["private-insurance"], [
         "You have met your deductible. We will check what you pay after that.", DISCLAIMER]),
    ("private-copay-above-visit-price", private(deductible_status=MET, copay=D(100)), CLINIC, LIKELY,
     ["private-insurance"], None),
    ("private-hmo-in-network", private(plan=PlanType.HMO, deductible_status=MET, copay=D(25)), CLINIC, LIKELY,
     ["private-hmo"], None),
    ("private-epo-in-network", private(carrier="aetna", plan=PlanType.EPO), CLINIC, LIKELY,
     ["private-insurance"], None),
    ("private-plan-type-not-sure", private(carrier="cigna", plan=PlanType.NOT_SURE), CLINIC, LIKELY,
     ["private-insurance"], None),
    # The plan's state, a state employees' plan and a self-funded plan decide which Washington laws apply.
    ("washington-ppo-insured", private(plan_state=WA, state_employee_plan=NO, self_funded=NO), CLINIC, LIKELY,
     ["private-insurance", "private-every-category"], None),
    ("washington-hmo-insured", private(plan=PlanType.HMO, plan_state=WA, state_employee_plan=NO, self_funded=NO),
     CLINIC, LIKELY, ["private-hmo-washington"], None),
    ("washington-hmo-self-funded-not-sure",
     private(plan=PlanType.HMO, plan_state=WA, state_employee_plan=NO, self_funded=UNSURE), CLINIC, LIKELY,
     ["private-hmo-washington-if-insured"], None),
    ("washington-self-funded", private(plan_state=WA, state_employee_plan=NO, self_funded=YES), CLINIC, LIKELY,
     ["private-insurance", "private-self-funded"], None),
    ("oregon-hmo", private(plan=PlanType.HMO, plan_state=PlanState.OREGON, state_employee_plan=NO, self_funded=NO),
     CLINIC, LIKELY, ["private-hmo"], None),
    ("state-employee-chronic-migraine",
     private(plan_state=WA, state_employee_plan=YES, self_funded=NO, main_concern=Concern.MIGRAINE,
             headache_days=16), CLINIC, UNKNOWN, ["private-state-employees-chronic-headache"], None),
    ("ump-chronic-migraine",
     private(carrier="regence", plan_state=WA, state_employee_plan=YES, self_funded=NO,
             main_concern=Concern.MIGRAINE, headache_days=16), CLINIC, UNLIKELY, ["private-ump-chronic-headache"],
     SELF_PAY_PACKAGE),
    ("maybe-state-employee-chronic-tension",
     private(plan_state=WA, state_employee_plan=UNSURE, self_funded=UNSURE, main_concern=Concern.TENSION_HEADACHE,
             headache_days=15), CLINIC, LIKELY,
     ["private-insurance", "wa-chronic-headache-maybe-state-employees", "private-every-category-if-insured"], None),
    ("kaiser-hmo-out-of-network", private(carrier="kaiser", plan=PlanType.HMO), CLINIC, UNLIKELY,
     ["private-not-in-network-hmo", "private-kaiser-hmo"], SELF_PAY_PACKAGE),
    ("kaiser-ppo-out-of-network", private(carrier="kaiser", plan=PlanType.PPO), CLINIC, LIMITED,
     ["private-not-in-network", "private-kaiser-ppo"], NO_ESTIMATE),
    ("moda-epo-out-of-network", private(carrier="moda", plan=PlanType.EPO), CLINIC, UNLIKELY,
     ["private-not-in-network-hmo"], SELF_PAY_PACKAGE),
    ("united-ppo-out-of-network", private(carrier="unitedhealthcare", plan=PlanType.PPO), CLINIC, LIMITED,
     ["private-not-in-network"], NO_ESTIMATE),
    ("kaiser-in-network", private(carrier="kaiser", plan=PlanType.HMO), clinic_in_network("kaiser"), LIKELY,
     ["private-hmo", "private-kaiser-hmo"], None),
    ("other-carrier", private(carrier="other"), CLINIC, UNKNOWN, ["private-other-carrier"], NO_ESTIMATE),
    ("self-pay-package", answers(SELF_PAY), CLINIC, UNLIKELY, ["self-pay"], SELF_PAY_PACKAGE),
    ("self-pay-no-package", answers(SELF_PAY), clinic(self_pay_package_visits=0), UNLIKELY, ["self-pay"], [
        "Each treatment visit costs $85.",
        "The new-patient exam costs $95.",
        f"{PLAN_OF_CARE} $1,115, with the exam.",
        GOOD_FAITH_ESTIMATE]),
    ("self-pay-consultation", answers(SELF_PAY, visit_type=VisitType.CONSULTATION), CLINIC, UNLIKELY,
     ["self-pay"], None),
    ("not-sure", answers(NOT_SURE_COVERAGE), CLINIC, UNKNOWN, ["not-sure"], NO_ESTIMATE),
    ("not-sure-child", answers(NOT_SURE_COVERAGE, age=9), CLINIC, UNKNOWN, ["not-sure"], NO_ESTIMATE),
]  # fmt: skip


def test_the_table_is_long_enough_to_mean_something():
    assert len(SCENARIOS) >= 40


@pytest.mark.parametrize(("name", "visitor", "clinic_facts", "status", "rule_ids", "estimate"), SCENARIOS,
                         ids=[s[0] for s in SCENARIOS])  # fmt: skip
def test_scenario(name, visitor, clinic_facts, status, rule_ids, estimate):
    note = build_note(visitor, clinic_facts)
    assert note.status is status
    assert note.rule_ids == rule_ids
    if estimate is not None:
        assert note.estimate == estimate
