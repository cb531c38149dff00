"""The coverage rules as the engine uses them: conditions, rules, caveats and the book that holds them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from clinic_app.choices import (
    AlsoMedicaid,
    Concern,
    Coverage,
    Network,
    NoteStatus,
    PlanState,
    PlanType,
    VisitType,
    YesNoNotSure,
)
from clinic_app.coverage.answers import CoverageAnswers, Source
from clinic_app.coverage.estimate import EstimateKind

# The answers a rule's `when` may name, with the enum each must be a value of.
CHOICE_CONDITIONS: dict[str, type[StrEnum]] = {
    "coverage": Coverage,
    "visit_type": VisitType,
    "plan_type": PlanType,
    "concern": Concern,
    "also_medicaid": AlsoMedicaid,
    "plan_state": PlanState,
    "state_employee_plan": YesNoNotSure,
    "self_funded": YesNoNotSure,
}
# Numbers a `when` may name: bounds on the visitor's answers, and the visits the plan's own answer (a 271)
# leaves this year, matched exactly (visits_left = 0: every visit used).
NUMBER_CONDITIONS = {"min_age", "max_age", "min_headache_days", "visits_left"}
# The languages a note is written in, with the Babel locale its amounts are written for.
LOCALES = {"en": "en_US", "es": "es_US"}


@dataclass(frozen=True)
class Condition:
    """When a rule or caveat applies. Unset parts match anything."""

    choices: dict[str, frozenset[str]]
    carriers: frozenset[str] | None
    numbers: dict[str, int]
    network: frozenset[Network] | None
    offers_omt: bool | None
    # True for notes rebuilt from the plan's answer to an eligibility check (a 271), False for the rest.
    payer_checked: bool | None = None

    def matches(self, answers: CoverageAnswers, network: Network, offers_omt: bool) -> bool:
        given = {
            "coverage": answers.coverage,
            "visit_type": answers.visit_type,
            "plan_type": answers.plan_type,
            "concern": answers.main_concern,
            "also_medicaid": answers.also_medicaid,
            "plan_state": answers.plan_state,
            "state_employee_plan": answers.state_employee_plan,
            "self_funded": answers.self_funded,
        }
        if any(given[key] not in allowed for key, allowed in self.choices.items()):
            return False
        if self.carriers is not None and answers.carrier not in self.carriers:
            return False
        if self.network is not None and network not in self.network:
            return False
        if self.offers_omt is not None and offers_omt is not self.offers_omt:
            return False
        if self.payer_checked is not None and answers.payer_checked is not self.payer_checked:
            return False
        numbers = self.numbers
        if "visits_left" in numbers and answers.visits_left != numbers["visits_left"]:
            return False
        return (
            answers.age >= numbers.get("min_age", 0)
            and answers.age <= numbers.get("max_age", answers.age)
            and answers.headache_days >= numbers.get("min_headache_days", 0)
        )


@dataclass(frozen=True)
class Rule:
    id: str
    when: Condition
    status: NoteStatus
    headline: str
    paragraphs: tuple[str, ...]
    referral: str
    prior_authorization: bool
    visit_limit: int | None
    cost_sharing: bool
    estimate: EstimateKind
    sources: tuple[Source, ...]
    closing: str | None
    # What the front desk must do when this rule gave the note (English: staff pages are): shown to
    # staff in their email and on the request's page, never to the patient.
    staff_action: str | None = None


@dataclass(frozen=True)
class Caveat:
    id: str
    when: Condition
    text: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class RuleBook:
    version: str
    part_b_deductible: Decimal
    consultation: str
    closing: str
    # The closing of a note rebuilt from the plan's own answer: the check is done.
    checked_closing: str
    cost_sharing: dict[str, str]
    flags: dict[str, str]
    estimate: dict[str, str]
    rules: tuple[Rule, ...]
    caveats: tuple[Caveat, ...]
    carriers: dict[str, str]
    sources: dict[str, Source]
    language: str = "en"
    # English words the texts give in brackets, like "deducible (deductible)"; none in the English book.
    english_terms: tuple[str, ...] = ()

    @property
    def locale(self) -> str:
        """The Babel locale the note's amounts are written for: "en_US" or "es_US"."""
        return LOCALES[self.language]

    def staff_actions_for(self, rule_ids: Iterable[str]) -> list[str]:
        """What the front desk must do for a note given by these rules, in the rules' order."""
        wanted = set(rule_ids)
        return [rule.staff_action for rule in self.rules if rule.id in wanted and rule.staff_action]

    def sources_for(self, rule_ids: Iterable[str]) -> list[Source]:
        """The sources cited by these rules and caveats, each once, in order."""
        wanted = set(rule_ids)
        items: tuple[Rule | Caveat, ...] = (*self.rules, *self.caveats)
        cited = {source.id: source for item in items if item.id in wanted for source in item.sources}
        return list(cited.values())
