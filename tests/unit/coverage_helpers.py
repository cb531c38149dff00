"""A sample clinic and answer builders for the coverage tests."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from clinic_app.coverage import ClinicFacts, Concern, Coverage, CoverageAnswers, VisitType

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
