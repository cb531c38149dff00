"""A sample clinic and answer builders for the coverage tests."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

from clinic_app.coverage import (
    AlsoMedicaid,
    ClinicFacts,
    Concern,
    Coverage,
    CoverageAnswers,
    CoverageNote,
    DeductibleStatus,
    PlanState,
    PlanType,
    RuleBook,
    VisitType,
    YesNoNotSure,
    build_note,
)

CLINIC = ClinicFacts(
    name="Cascade Clinic",
    phone="(503) 555-0142",
    self_pay_visit_fee=Decimal(85),
    in_network=frozenset(
        {"original_medicare", "medicare_advantage", "apple_health", "premera", "regence", "aetna", "cigna"}
    ),
    plan_allowed_amount=Decimal(65),
    medicare_allowed_amount=Decimal(46),
    self_pay_package_visits=6,
    self_pay_package_price=Decimal(450),
)


def clinic(**changes) -> ClinicFacts:
    return replace(CLINIC, **changes)


def clinic_in_network(*keys: str, **changes) -> ClinicFacts:
    return clinic(in_network=CLINIC.in_network | set(keys), **changes)


def clinic_without(*keys: str, **changes) -> ClinicFacts:
    return clinic(in_network=CLINIC.in_network - set(keys), **changes)


def answers(coverage: Coverage, **changes) -> CoverageAnswers:
    values: dict = {
        "visit_type": VisitType.NEW_PATIENT,
        "coverage": coverage,
        "age": 45,
        "main_concern": Concern.NECK_HEADACHE,
        "headache_days": 8,
    }
    values.update(changes)
    return CoverageAnswers(**values)


def text_of(note) -> str:
    return " ".join([note.headline + ".", *note.paragraphs, *note.caveats, *note.estimate, note.closing])


def dollars(value) -> Decimal:
    return Decimal(str(value))


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text)


def every_note(rules: RuleBook | None = None) -> Iterator[CoverageNote]:
    """Every reachable note: each coverage with every answer and clinic setting that can change it,
    written from these rules (the shipped English ones by default)."""
    clinics = [
        CLINIC,
        clinic(offers_omt=True),
        clinic(offers_omt=True, in_network=frozenset()),
        clinic_in_network("oregon_health_plan"),
    ]
    deductibles = [
        (DeductibleStatus.MET, None, Decimal(30), None),
        (DeductibleStatus.NOT_MET, Decimal(500), None, 20),
        (DeductibleStatus.NOT_SURE, None, None, None),
    ]
    carriers = ["premera", "kaiser", "other"]
    for coverage, age, plan, concern, visit, deductible, medicaid, carrier, days, facts in itertools.product(
        Coverage,
        (12, 21, 70),
        PlanType,
        Concern,
        VisitType,
        deductibles,
        AlsoMedicaid,
        carriers,
        (4, 20),
        clinics,
    ):
        private = coverage is Coverage.PRIVATE
        medicare = coverage in (Coverage.ORIGINAL_MEDICARE, Coverage.MEDICARE_ADVANTAGE)
        if (not private and (plan is not PlanType.PPO or carrier != "premera")) or (
            not medicare and medicaid is not AlsoMedicaid.NO
        ):
            continue
        status, left, copay, percent = deductible
        yield build_note(
            CoverageAnswers(
                visit_type=visit,
                coverage=coverage,
                age=age,
                main_concern=concern,
                headache_days=days,
                carrier=carrier if private else None,
                plan_type=plan if private else None,
                deductible_status=status,
                deductible_remaining=left,
                copay=copay,
                coinsurance_percent=percent,
                also_medicaid=medicaid if medicare else None,
            ),
            facts,
            rules,
        )
    yield from _private_plan_notes(rules)
    yield from _notes_checked_with_the_payer(rules)


def _private_plan_notes(rules: RuleBook | None) -> Iterator[CoverageNote]:
    """Private plans by the state they are from, a state employees' plan and a self-funded plan, with
    the visit types and costs that lengthen a note, before and after the plan's own answer."""
    costs = [
        {"deductible_status": DeductibleStatus.NOT_SURE},
        {
            "deductible_status": DeductibleStatus.NOT_MET,
            "deductible_remaining": Decimal(1650),
            "copay": Decimal(35),
        },
        {"deductible_status": DeductibleStatus.MET, "coinsurance_percent": 20},
    ]
    checked = [
        {},
        {
            "payer_checked": True,
            "prior_authorization": True,
            "visit_limit": 20,
            "visits_used": 12,
            "out_of_pocket_remaining": Decimal(2300),
        },
        # Every visit of the year used: the plan pays for no more.
        {"payer_checked": True, "visit_limit": 20, "visits_used": 20},
    ]
    for plan, carrier, concern, state, state_employees, self_funded, visit, cost, payer in itertools.product(
        (PlanType.HMO, PlanType.PPO),
        # Regence runs the state employees' own plan (UMP); Kaiser sells HMO and PPO plans.
        ("premera", "regence", "kaiser", "other"),
        (Concern.MIGRAINE, Concern.NECK_PAIN),
        PlanState,
        YesNoNotSure,
        YesNoNotSure,
        VisitType,
        costs,
        checked,
    ):
        visitor = answers(
            Coverage.PRIVATE,
            visit_type=visit,
            carrier=carrier,
            plan_type=plan,
            main_concern=concern,
            headache_days=20,
            plan_state=state,
            state_employee_plan=state_employees,
            self_funded=self_funded,
            **cost,
            **payer,
        )
        yield build_note(visitor, CLINIC, rules)


def _notes_checked_with_the_payer(rules: RuleBook | None) -> Iterator[CoverageNote]:
    """Medicare notes rebuilt from the plan's answer to an eligibility check, every figure it can give."""
    for coverage, deductible, copay, before, visit, used in itertools.product(
        (Coverage.MEDICARE_ADVANTAGE, Coverage.ORIGINAL_MEDICARE),
        ((DeductibleStatus.MET, None), (DeductibleStatus.NOT_MET, Decimal(120))),
        (None, Decimal(20)),
        (None, True),
        VisitType,
        (3, 12),
    ):
        status, left = deductible
        advantage = coverage is Coverage.MEDICARE_ADVANTAGE
        # Original Medicare has no out-of-pocket maximum, no copay and no visit limit for manipulation.
        # A plan's 12 visits all used: it pays for no more this year.
        plan_only = {"visit_limit": 12, "visits_used": used, "out_of_pocket_remaining": Decimal(4100)}
        visitor = answers(
            coverage,
            visit_type=visit,
            age=70,
            also_medicaid=AlsoMedicaid.NO,
            deductible_status=status,
            deductible_remaining=left,
            copay=copay if advantage else None,
            copay_before_deductible=before if advantage and copay else None,
            coinsurance_percent=None if copay and advantage else 20,
            payer_checked=True,
            prior_authorization=True if advantage else None,
            **(plan_only if advantage else {}),
        )
        yield build_note(visitor, clinic(offers_omt=True), rules)
