"""Loading and checking the coverage rules file.

A malformed file is refused at load time with a message that names the rule and the key, so a clinic
that edits its rules finds out when the app starts, not when a visitor submits the form.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from string import Formatter
from typing import Any

from .answers import Concern, Coverage, CoverageAnswers, NoteStatus, PlanType, VisitType

DEFAULT_RULES_PATH = Path(__file__).with_name("rules.toml")

PLACEHOLDERS = {"clinic_name", "clinic_phone", "self_pay_fee"}
CONDITION_VALUES: dict[str, type] = {
    "coverage": Coverage,
    "visit_type": VisitType,
    "plan_type": PlanType,
    "concern": Concern,
}
AGE_CONDITIONS = {"min_age", "max_age"}


class RuleFileError(ValueError):
    """The rules file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Condition:
    """When a rule or caveat applies. Unset parts match anything."""

    choices: dict[str, frozenset[str]]
    min_age: int | None
    max_age: int | None

    def matches(self, answers: CoverageAnswers) -> bool:
        given = {
            "coverage": answers.coverage,
            "visit_type": answers.visit_type,
            "plan_type": answers.plan_type,
            "concern": answers.main_concern,
        }
        if any(given[key] not in allowed for key, allowed in self.choices.items()):
            return False
        if self.min_age is not None and answers.age < self.min_age:
            return False
        return self.max_age is None or answers.age <= self.max_age


@dataclass(frozen=True)
class Rule:
    id: str
    when: Condition
    status: NoteStatus
    headline: str
    paragraphs: tuple[str, ...]
    closing: str | None


@dataclass(frozen=True)
class Caveat:
    id: str
    when: Condition
    text: str


@dataclass(frozen=True)
class RuleBook:
    version: str
    consultation: str
    closing: str
    cost_sharing: dict[str, str]
    rules: tuple[Rule, ...]
    caveats: tuple[Caveat, ...]
    carriers: dict[str, str]


COST_SHARING_KEYS = {"met", "not_met", "not_sure", "deductible_left", "copay", "coinsurance"}


def load_rules(path: Path = DEFAULT_RULES_PATH) -> RuleBook:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise RuleFileError(f"{path}: cannot read the rules file: {error}") from error
    return parse_rules(data, source=str(path))


def parse_rules(data: dict[str, Any], source: str = "rules") -> RuleBook:
    def where(part: str) -> str:
        return f"{source}: {part}"

    cost_sharing = _table(data, "cost_sharing", where("[cost_sharing]"))
    missing = COST_SHARING_KEYS - cost_sharing.keys()
    if missing:
        raise RuleFileError(where(f"[cost_sharing] is missing {', '.join(sorted(missing))}"))
    rules = tuple(_rule(entry, where) for entry in _entries(data, "rule", where))
    caveats = tuple(_caveat(entry, where) for entry in _entries(data, "caveat", where))
    _unique_ids([*rules, *caveats], where)
    book = RuleBook(
        version=_text(data, "version", where("version")),
        consultation=_checked_text(data, "consultation", where("consultation")),
        closing=_checked_text(data, "closing", where("closing")),
        cost_sharing={key: str(value) for key, value in cost_sharing.items()},
        rules=rules,
        caveats=caveats,
        carriers=_carriers(data, where("[carriers]")),
    )
    uncovered = [
        c.value for c in Coverage if not any(c in r.when.choices.get("coverage", {c}) for r in rules)
    ]
    if uncovered:
        raise RuleFileError(where(f"no [[rule]] for coverage {', '.join(uncovered)}"))
    return book


def _carriers(data: dict[str, Any], where: str) -> dict[str, str]:
    carriers = _table(data, "carriers", where)
    if "other" not in carriers:
        raise RuleFileError(f"{where} needs an 'other' entry for carriers not listed")
    return {key: _text(carriers, key, f"{where} {key}") for key in carriers}


def _entries(data: dict[str, Any], key: str, where) -> list[dict[str, Any]]:
    entries = data.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise RuleFileError(where(f"{key} must be written as [[{key}]] tables"))
    return entries


def _rule(entry: dict[str, Any], where) -> Rule:
    rule_id = _text(entry, "id", where("a [[rule]] without an id"))

    def here(key: str) -> str:
        return where(f"rule {rule_id!r}, {key}")

    status = _text(entry, "status", here("status"))
    if status not in NoteStatus._value2member_map_:
        raise RuleFileError(here(f"status must be one of {', '.join(NoteStatus)}, not {status!r}"))
    paragraphs = entry.get("paragraphs")
    if not isinstance(paragraphs, list) or not paragraphs:
        raise RuleFileError(here("paragraphs must be a list of at least one text"))
    return Rule(
        id=rule_id,
        when=_condition(entry.get("when", {}), here("when")),
        status=NoteStatus(status),
        headline=_checked_text(entry, "headline", here("headline")),
        paragraphs=tuple(_checked(p, here("paragraphs")) for p in paragraphs),
        closing=_checked_text(entry, "closing", here("closing")) if "closing" in entry else None,
    )


def _caveat(entry: dict[str, Any], where) -> Caveat:
    caveat_id = _text(entry, "id", where("a [[caveat]] without an id"))

    def here(key: str) -> str:
        return where(f"caveat {caveat_id!r}, {key}")

    return Caveat(
        id=caveat_id,
        when=_condition(entry.get("when", {}), here("when")),
        text=_checked_text(entry, "text", here("text")),
    )


def _condition(when: Any, where: str) -> Condition:
    if not isinstance(when, dict):
        raise RuleFileError(f"{where} must be a table")
    unknown = when.keys() - CONDITION_VALUES.keys() - AGE_CONDITIONS
    if unknown:
        raise RuleFileError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
    choices: dict[str, frozenset[str]] = {}
    for key, enum in CONDITION_VALUES.items():
        if key not in when:
            continue
        values = when[key] if isinstance(when[key], list) else [when[key]]
        wrong = [v for v in values if v not in enum._value2member_map_]
        if wrong:
            raise RuleFileError(f"{where}: {key} cannot be {', '.join(map(repr, wrong))}")
        choices[key] = frozenset(values)
    ages = {}
    for key in AGE_CONDITIONS & when.keys():
        if not isinstance(when[key], int) or when[key] < 0:
            raise RuleFileError(f"{where}: {key} must be a whole number of years")
        ages[key] = when[key]
    return Condition(choices, ages.get("min_age"), ages.get("max_age"))


def _unique_ids(entries, where) -> None:
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise RuleFileError(where(f"id {entry.id!r} is used twice"))
        seen.add(entry.id)


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise RuleFileError(f"{where} is missing or not a table")
    return value


def _text(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RuleFileError(f"{where} must be a non-empty text")
    return value


def _checked_text(data: dict[str, Any], key: str, where: str) -> str:
    return _checked(_text(data, key, where), where)


def _checked(text: Any, where: str) -> str:
    """Refuse placeholders the engine cannot fill, so a typo fails at start-up, not on a visitor."""
    if not isinstance(text, str) or not text.strip():
        raise RuleFileError(f"{where} must be a non-empty text")
    try:
        names = {name for _, name, _, _ in Formatter().parse(text) if name is not None}
    except ValueError as error:
        raise RuleFileError(f"{where}: {error}") from error
    unknown = names - PLACEHOLDERS
    if unknown:
        raise RuleFileError(f"{where} uses unknown placeholders: {', '.join(sorted(unknown))}")
    return text
