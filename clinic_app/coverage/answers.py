"""The insurance answers the coverage note is built from, and the note itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from clinic_app.choices import (
    AlsoMedicaid,
    Concern,
    Coverage,
    DeductibleStatus,
    Network,
    NoteStatus,
    PlanState,
    PlanType,
    VisitType,
    YesNoNotSure,
)

# Coverage answers for which a deductible, copay and coinsurance apply.
COST_SHARING_COVERAGE = frozenset({Coverage.ORIGINAL_MEDICARE, Coverage.MEDICARE_ADVANTAGE, Coverage.PRIVATE})
MEDICARE_COVERAGE = frozenset({Coverage.ORIGINAL_MEDICARE, Coverage.MEDICARE_ADVANTAGE})
# Programs a clinic enrolls in as a whole; private plans are in network carrier by carrier.
PROGRAMS = frozenset(
    {
        Coverage.ORIGINAL_MEDICARE,
        Coverage.MEDICARE_ADVANTAGE,
        Coverage.APPLE_HEALTH,
        Coverage.OREGON_HEALTH_PLAN,
    }
)


@dataclass(frozen=True)
class CoverageAnswers:
    visit_type: VisitType
    coverage: Coverage
    age: int
    main_concern: Concern
    headache_days: int = 0
    carrier: str | None = None
    plan_type: PlanType | None = None
    deductible_status: DeductibleStatus | None = None
    deductible_remaining: Decimal | None = None
    copay: Decimal | None = None
    coinsurance_percent: int | None = None
    also_medicaid: AlsoMedicaid | None = None
    # Private plans only: Washington's laws and its technology committee bind some plans and not others.
    plan_state: PlanState | None = None
    state_employee_plan: YesNoNotSure | None = None
    self_funded: YesNoNotSure | None = None
    # Known only from the payer's own answer (an X12 271), never asked on the form: with payer_checked,
    # the note says "your plan told us" where it would say "you told us".
    payer_checked: bool = False
    copay_before_deductible: bool | None = None
    out_of_pocket_remaining: Decimal | None = None
    visit_limit: int | None = None
    visits_used: int | None = None
    prior_authorization: bool | None = None

    @property
    def visits_left(self) -> int | None:
        """Visits the plan still pays for this year, where its answer says."""
        if self.visit_limit is None or self.visits_used is None:
            return None
        return max(self.visit_limit - self.visits_used, 0)


@dataclass(frozen=True)
class ClinicFacts:
    """What the note needs to know about the clinic: its settings, not its rules."""

    name: str
    phone: str
    self_pay_visit_fee: Decimal
    # Programs (coverage values) and private carriers (carrier keys) the clinic is in network with.
    in_network: frozenset[str] = frozenset()
    plan_allowed_amount: Decimal = Decimal("65")
    medicare_allowed_amount: Decimal = Decimal("46")
    self_pay_package_visits: int = 0
    self_pay_package_price: Decimal = Decimal("0")
    offers_omt: bool = False
    new_patient_exam_fee: Decimal = Decimal("95")
    # The clinic's usual plan of care, in visits: the course total of the estimate.
    plan_of_care_visits: int = 12


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    url: str
    checked: str


@dataclass(frozen=True)
class CoverageNote:
    status: NoteStatus
    headline: str
    paragraphs: list[str]
    caveats: list[str]
    closing: str
    estimate: list[str] = field(default_factory=list)
    network: Network = Network.NOT_APPLICABLE
    rule_ids: list[str] = field(default_factory=list)
    rules_version: str = ""
    sources: list[Source] = field(default_factory=list)
