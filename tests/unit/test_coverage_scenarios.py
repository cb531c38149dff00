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
    PlanType,
    VisitType,
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
PRIVATE, SELF_PAY, NOT_SURE_COVERAGE = Coverage.PRIVATE, Coverage.SELF_PAY, Coverage.NOT_SURE
MEDICARE_CAVEATS = ["medicare-part-b-share", "medicare-second-plan", "medicare-maintenance-notice"]
DISCLAIMER = "These figures are estimates, not a bill. Your plan decides what it pays."
NO_ESTIMATE = ["We will give you a cost estimate after we check your benefits."]
FREE = ["If the plan covers your care, you pay nothing for covered visits."]
BOTH = ["With both Medicare and Medicaid, you may pay nothing for covered visits. We will check."]
SELF_PAY_PACKAGE = [
    "Each treatment visit costs $85.",
    "A package of 6 visits costs $450.",
    "6 visits over six weeks: $450 in all.",
    "12 visits over six weeks: $900 in all.",
    "18 visits over six weeks: $1,350 in all.",
    "Before your care starts, we give you a Good Faith Estimate in writing.",
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
    ("medicare-deductible-unknown", medicare(deductible_status=NOT_MET), CLINIC, LIMITED,
     ["original-medicare", *MEDICARE_CAVEATS], [
         "Until your deductible is met, you pay about $46 a visit. After that, you pay 20% of each visit, about $9.",
         "First treatment visit: between $9 and $46, based on how much of your deductible is left.",
         "6 visits over six weeks: between $55 and $275 in all.",
         "12 visits over six weeks: between $110 and $335 in all.",
         "18 visits over six weeks: between $165 and $390 in all.",
         DISCLAIMER]),
    ("medicare-deductible-met", medicare(deductible_status=MET), CLINIC, LIMITED,
     ["original-medicare", *MEDICARE_CAVEATS], [
         "You have met your deductible. So you pay 20% of each visit, about $9.",
         "First treatment visit: about $9.",
         "6 visits over six weeks: about $55 in all.",
         "12 visits over six weeks: about $110 in all.",
         "18 visits over six weeks: about $165 in all.",
         DISCLAIMER]),
    ("medicare-100-left", medicare(deductible_status=NOT_MET, deductible_remaining=D(100)), CLINIC, LIMITED,
     ["original-medicare", *MEDICARE_CAVEATS], [
         "Your first $100 goes to your deductible. After that, you pay 20% of each visit, about $9.",
         "First treatment visit: about $46.",
         "6 visits over six weeks: about $135 in all.",
         "12 visits over six weeks: about $190 in all.",
         "18 visits over six weeks: about $245 in all.",
         DISCLAIMER]),
    ("medicare-left-above-part-b", medicare(deductible_status=NOT_MET, deductible_remaining=D(900)), CLINIC,
     LIMITED, ["original-medicare", *MEDICARE_CAVEATS], None),
    ("medicare-and-medicaid", medicare(also_medicaid=Medicaid.YES), CLINIC, LIMITED,
     ["original-medicare", "medicare-maintenance-notice", "medicare-and-medicaid"], BOTH),
    ("medicare-medicaid-not-sure", medicare(also_medicaid=Medicaid.NOT_SURE), CLINIC, LIMITED,
     ["original-medicare", *MEDICARE_CAVEATS, "medicare-ask-about-medicaid"], None),
    ("medicare-clinic-not-enrolled", medicare(), clinic_without("original_medicare"), UNKNOWN,
     ["original-medicare-not-enrolled"], NO_ESTIMATE),
    ("medicare-clinic-offers-omt", medicare(), clinic(offers_omt=True), LIMITED,
     ["original-medicare", *MEDICARE_CAVEATS, "medicare-osteopathic-care"], None),
    ("medicare-migraine-consultation", medicare(main_concern=Concern.MIGRAINE, visit_type=VisitType.CONSULTATION),
     CLINIC, LIMITED, ["original-medicare", *MEDICARE_CAVEATS], None),
    ("advantage-copay", advantage(copay=D(20)), CLINIC, UNKNOWN, ["medicare-advantage"], [
        "Until your deductible is met, you pay about $65 a visit. After that, you pay your $20 copay for each visit.",
        "First treatment visit: between $20 and $65, based on how much of your deductible is left.",
        "6 visits over six weeks: between $120 and $390 in all.",
        "12 visits over six weeks: between $240 and $780 in all.",
        "18 visits over six weeks: between $360 and $1,170 in all.",
        "Some plans skip the deductible for visits with a copay. If yours does, you pay less. We will check.",
        DISCLAIMER]),
    ("advantage-and-medicaid", advantage(also_medicaid=Medicaid.YES), CLINIC, UNKNOWN,
     ["medicare-advantage", "medicare-and-medicaid"], BOTH),
    ("advantage-medicaid-not-sure", advantage(also_medicaid=Medicaid.NOT_SURE), CLINIC, UNKNOWN,
     ["medicare-advantage", "medicare-ask-about-medicaid"], None),
    ("advantage-clinic-in-no-plans", advantage(), clinic_without("medicare_advantage"), UNKNOWN,
     ["medicare-advantage-not-in-network"], NO_ESTIMATE),
    ("advantage-omt", advantage(), clinic(offers_omt=True), UNKNOWN,
     ["medicare-advantage", "medicare-osteopathic-care"], None),
    ("apple-health-child", answers(AH, age=12), CLINIC, LIMITED, ["apple-health-under-21"], FREE),
    ("apple-health-20", answers(AH, age=20, main_concern=Concern.NECK_PAIN), CLINIC, LIMITED,
     ["apple-health-under-21"], FREE),
    ("apple-health-21", answers(AH, age=21), CLINIC, UNLIKELY, ["apple-health-adult"], SELF_PAY_PACKAGE),
    ("apple-health-adult-chronic-migraine", answers(AH, age=35, main_concern=Concern.MIGRAINE, headache_days=20),
     CLINIC, UNLIKELY, ["apple-health-adult", "wa-chronic-headache-exclusion"], SELF_PAY_PACKAGE),
    ("apple-health-adult-episodic-migraine", answers(AH, age=35, main_concern=Concern.MIGRAINE, headache_days=6),
     CLINIC, UNLIKELY, ["apple-health-adult"], SELF_PAY_PACKAGE),
    ("apple-health-teen-chronic-tension",
     answers(AH, age=15, main_concern=Concern.TENSION_HEADACHE, headache_days=15), CLINIC, LIMITED,
     ["apple-health-under-21", "wa-chronic-headache-exclusion"], FREE),
    ("apple-health-clinic-not-enrolled", answers(AH, age=12), clinic_without("apple_health"), UNLIKELY,
     ["apple-health-not-enrolled"], SELF_PAY_PACKAGE),
    ("ohp-clinic-not-enrolled", answers(OHP, main_concern=Concern.NECK_PAIN), CLINIC, UNLIKELY,
     ["oregon-health-plan-not-enrolled"], SELF_PAY_PACKAGE),
    ("ohp-neck-pain", answers(OHP, main_concern=Concern.NECK_PAIN), clinic_in_network("oregon_health_plan"),
     LIMITED, ["oregon-health-plan-neck"], FREE),
    ("ohp-neck-headache", answers(OHP), clinic_in_network("oregon_health_plan"), LIMITED,
     ["oregon-health-plan-neck"], FREE),
    ("ohp-migraine", answers(OHP, main_concern=Concern.MIGRAINE), clinic_in_network("oregon_health_plan"),
     UNKNOWN, ["oregon-health-plan"], FREE),
    ("ohp-not-sure-what", answers(OHP, main_concern=Concern.NOT_SURE), clinic_in_network("oregon_health_plan"),
     UNKNOWN, ["oregon-health-plan"], FREE),
    ("private-ppo-200-left-20-percent",
     private(deductible_status=NOT_MET, deductible_remaining=D(200), coinsurance_percent=20), CLINIC, LIKELY,
     ["private-insurance", "private-every-category"], [
         "Your first $200 goes to your deductible. After that, you pay 20% of each visit, about $13.",
         "First treatment visit: about $65.",
         "6 visits over six weeks: about $240 in all.",
         "12 visits over six weeks: about $315 in all.",
         "18 visits over six weeks: about $395 in all.",
         DISCLAIMER]),
    ("private-met-copay-40", private(deductible_status=MET, copay=D(40)), CLINIC, LIKELY,
     ["private-insurance", "private-every-category"], [
         "You have met your deductible. So you pay your $40 copay for each visit.",
         "First treatment visit: about $40.",
         "6 visits over six weeks: about $240 in all.",
         "12 visits over six weeks: about $480 in all.",
         "18 visits over six weeks: about $720 in all.",
         DISCLAIMER]),
    ("private-nothing-known", private(), CLINIC, LIKELY, ["private-insurance", "private-every-category"], [
        "Until your deductible is met, you pay about $65 a visit. We will check what you pay after that.",
        DISCLAIMER]),
    ("private-1000-left-share-unknown", private(deductible_status=NOT_MET, deductible_remaining=D(1000)), CLINIC,
     LIKELY, ["private-insurance", "private-every-category"], [
         "Your first $1,000 goes to your deductible. We will check what you pay after that.",
         "First treatment visit: about $65.",
         "6 visits over six weeks: about $390 in all.",
         "12 visits over six weeks: about $780 in all.",
         DISCLAIMER]),
    ("private-met-no-share", private(deductible_status=MET), CLINIC, LIKELY,
     ["private-insurance", "private-every-category"], [
         "You have met your deductible. We will check what you pay after that.", DISCLAIMER]),
    ("private-copay-above-visit-price", private(deductible_status=MET, copay=D(100)), CLINIC, LIKELY,
     ["private-insurance", "private-every-category"], None),
    ("private-hmo-in-network", private(plan=PlanType.HMO, deductible_status=MET, copay=D(25)), CLINIC, LIKELY,
     ["private-hmo", "private-every-category"], None),
    ("private-epo-in-network", private(carrier="aetna", plan=PlanType.EPO), CLINIC, LIKELY,
     ["private-insurance", "private-every-category"], None),
    ("private-plan-type-not-sure", private(carrier="cigna", plan=PlanType.NOT_SURE), CLINIC, LIKELY,
     ["private-insurance", "private-every-category"], None),
    ("kaiser-hmo-out-of-network", private(carrier="kaiser", plan=PlanType.HMO), CLINIC, UNLIKELY,
     ["private-not-in-network-hmo", "private-every-category", "private-kaiser-network"], SELF_PAY_PACKAGE),
    ("moda-epo-out-of-network", private(carrier="moda", plan=PlanType.EPO), CLINIC, UNLIKELY,
     ["private-not-in-network-hmo", "private-every-category"], SELF_PAY_PACKAGE),
    ("united-ppo-out-of-network", private(carrier="unitedhealthcare", plan=PlanType.PPO), CLINIC, LIMITED,
     ["private-not-in-network", "private-every-category"], NO_ESTIMATE),
    ("kaiser-in-network", private(carrier="kaiser", plan=PlanType.HMO), clinic_in_network("kaiser"), LIKELY,
     ["private-hmo", "private-every-category", "private-kaiser-network"], None),
    ("other-carrier", private(carrier="other"), CLINIC, UNKNOWN,
     ["private-other-carrier", "private-every-category"], NO_ESTIMATE),
    ("self-pay-package", answers(SELF_PAY), CLINIC, UNLIKELY, ["self-pay"], SELF_PAY_PACKAGE),
    ("self-pay-no-package", answers(SELF_PAY), clinic(self_pay_package_visits=0), UNLIKELY, ["self-pay"], [
        "Each treatment visit costs $85.",
        "6 visits over six weeks: $510 in all.",
        "12 visits over six weeks: $1,020 in all.",
        "18 visits over six weeks: $1,530 in all.",
        "Before your care starts, we give you a Good Faith Estimate in writing."]),
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
