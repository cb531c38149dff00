"""The insurance answers the coverage note is built from, and the note itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Coverage(StrEnum):
    ORIGINAL_MEDICARE = "original_medicare"
    MEDICARE_ADVANTAGE = "medicare_advantage"
    APPLE_HEALTH = "apple_health"
    OREGON_HEALTH_PLAN = "oregon_health_plan"
    PRIVATE = "private"
    SELF_PAY = "self_pay"
    NOT_SURE = "not_sure"


class PlanType(StrEnum):
    PPO = "ppo"
    HMO = "hmo"
    EPO = "epo"
    NOT_SURE = "not_sure"


class DeductibleStatus(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NOT_SURE = "not_sure"


class Concern(StrEnum):
    MIGRAINE = "migraine"
    TENSION_HEADACHE = "tension_headache"
    NECK_HEADACHE = "neck_headache"
    NECK_PAIN = "neck_pain"
    NOT_SURE = "not_sure"
    OTHER = "other"


class VisitType(StrEnum):
    CONSULTATION = "consultation"
    NEW_PATIENT = "new_patient"


class NoteStatus(StrEnum):
    LIKELY_COVERED = "likely_covered"
    LIMITED = "limited"
    UNLIKELY = "unlikely"
    UNKNOWN = "unknown"


# Coverage answers for which a deductible, copay and coinsurance apply.
COST_SHARING_COVERAGE = frozenset({Coverage.ORIGINAL_MEDICARE, Coverage.MEDICARE_ADVANTAGE, Coverage.PRIVATE})


@dataclass(frozen=True)
class CoverageAnswers:
    visit_type: VisitType
    coverage: Coverage
    age: int
    main_concern: Concern
    carrier: str | None = None
    plan_type: PlanType | None = None
    deductible_status: DeductibleStatus | None = None
    deductible_remaining: Decimal | None = None
    copay: Decimal | None = None
    coinsurance_percent: int | None = None


@dataclass(frozen=True)
class ClinicFacts:
    name: str
    phone: str
    self_pay_visit_fee: int


@dataclass(frozen=True)
class CoverageNote:
    status: NoteStatus
    headline: str
    paragraphs: list[str]
    caveats: list[str]
    closing: str
    rule_ids: list[str] = field(default_factory=list)
    rules_version: str = ""
