"""Loading, merging and checking the coverage rules.

The shipped file is ``rules.toml``; a clinic may name its own file, whose entries replace shipped ones
with the same id and whose new rules are tried first. A malformed file is refused at load time with a
message that names the file, the rule and the key, so a clinic that edits its rules finds out when the
app starts, not when a visitor submits the form.
"""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Callable, Iterable
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from string import Formatter
from typing import Any, TypeVar

from clinic_app.choices import Coverage, Network, NoteStatus
from clinic_app.coverage.answers import Source
from clinic_app.coverage.estimate import EstimateKind
from clinic_app.coverage.rules.model import (
    CHOICE_CONDITIONS,
    NUMBER_CONDITIONS,
    Caveat,
    Condition,
    Rule,
    RuleBook,
)

EnumValue = TypeVar("EnumValue", bound=StrEnum)

# The shipped rules sit beside this package, in clinic_app/coverage/rules.toml.
DEFAULT_RULES_PATH = Path(__file__).parent.parent / "rules.toml"

PLACEHOLDERS = {
    "clinic_name",
    "clinic_phone",
    "self_pay_fee",
    "visit_limit",
    "visits_used",
    "part_b_deductible",
}
NETWORK_VALUES = {True: Network.IN, False: Network.OUT, "unknown": Network.UNKNOWN}
REFERRAL_VALUES = {"no", "may", "required"}
TEXT_TABLES = {
    "cost_sharing": {
        "explain", "explain_medicare", "payer_out_of_pocket",
    },
    "flags": {
        "referral_may", "referral_required", "prior_authorization", "visit_limit", "payer_visit_limit",
        "payer_visits_used", "payer_prior_authorization",
    },
    "estimate": {
        "none", "free", "medicaid_too", "deductible_met", "deductible_first", "deductible_unknown",
        "then_share", "then_share_met", "copay_only", "share_copay", "share_percent", "share_unknown", "first_visit",
        "first_visit_range", "medicare_exam", "advantage_exam", "course", "course_range", "medicaid_too_exam",
        "no_visits_left", "past_visit_limit",
        "copay_may_skip_deductible", "disclaimer", "self_pay_visit", "self_pay_exam", "self_pay_package",
        "self_pay_course", "good_faith_estimate",
    },
}  # fmt: skip
MERGED_BY_ID = ("rule", "caveat", "source")


class RuleFileError(ValueError):
    """The rules cannot be used; the message says where and why."""


def load_rules(path: Path = DEFAULT_RULES_PATH, override: Path | None = None) -> RuleBook:
    """The shipped rules, or another file, with a clinic's own file merged over them."""
    data = read_rules_file(Path(path))
    label = str(path)
    if override is not None:
        data = merge_rules(data, read_rules_file(Path(override)))
        label = f"{path} with {override}"
    return parse_rules(data, source=label)


def read_rules_file(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise RuleFileError(f"{path}: cannot read the rules file: {error}") from error


def merge_rules(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge a clinic's rules over the shipped ones.

    Entries with a known id replace the shipped entry in place; new rules go first so that they win
    over the shipped ones; new caveats and sources are added. Tables of texts are merged key by key,
    and single values are replaced.
    """
    merged = dict(base)
    for key, value in override.items():
        if key in MERGED_BY_ID and isinstance(value, list):
            merged[key] = _merge_entries(base.get(key, []), value, new_first=key == "rule")
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = {**base[key], **value}
        else:
            merged[key] = value
    return merged


def _merge_entries(base: list[Any], extra: list[Any], new_first: bool) -> list[Any]:
    by_id = {entry.get("id"): entry for entry in extra if isinstance(entry, dict)}
    kept = [by_id.pop(entry.get("id"), entry) if isinstance(entry, dict) else entry for entry in base]
    added = [entry for entry in extra if not isinstance(entry, dict) or entry.get("id") in by_id]
    return added + kept if new_first else kept + added


def parse_rules(data: dict[str, Any], source: str = "rules") -> RuleBook:
    def where(part: str) -> str:
        return f"{source}: {part}"

    texts = {name: _texts(data, name, keys, where) for name, keys in TEXT_TABLES.items()}
    sources = {s.id: s for s in (_source(entry, where) for entry in _entries(data, "source", where))}
    rules = tuple(_rule(entry, where, sources) for entry in _entries(data, "rule", where))
    caveats = tuple(_caveat(entry, where, sources) for entry in _entries(data, "caveat", where))
    _unique_ids(_entries(data, "source", where), "source", where)
    _unique_ids([*_entries(data, "rule", where), *_entries(data, "caveat", where)], "rule or caveat", where)
    part_b = data.get("part_b_deductible")
    if not isinstance(part_b, int) or part_b < 0:
        raise RuleFileError(where("part_b_deductible must be a whole number of dollars"))
    book = RuleBook(
        version=_text(data, "version", where("version")),
        part_b_deductible=Decimal(part_b),
        consultation=_checked_text(data, "consultation", where("consultation")),
        closing=_checked_text(data, "closing", where("closing")),
        checked_closing=_checked_text(data, "checked_closing", where("checked_closing")),
        cost_sharing=texts["cost_sharing"],
        flags=texts["flags"],
        estimate=texts["estimate"],
        rules=rules,
        caveats=caveats,
        carriers=_carriers(data, where("[carriers]")),
        sources=sources,
    )
    uncovered = [c.value for c in Coverage if not any(_catches_all(rule, c) for rule in rules)]
    if uncovered:
        raise RuleFileError(where(f"no [[rule]] applies to every answer for coverage {', '.join(uncovered)}"))
    return book


def _catches_all(rule: Rule, coverage: Coverage) -> bool:
    """Whether the rule matches every answer with this coverage, so no visitor is left without a note."""
    when = rule.when
    only_coverage = set(when.choices) <= {"coverage"} and coverage in when.choices.get("coverage", {coverage})
    return (
        only_coverage
        and when.carriers is None
        and not when.numbers
        and when.network is None
        and when.offers_omt is None
        and when.payer_checked is None
    )


def _texts(data: dict[str, Any], name: str, keys: set[str], where: Callable[[str], str]) -> dict[str, str]:
    table = _table(data, name, where(f"[{name}]"))
    missing = keys - table.keys()
    if missing:
        raise RuleFileError(where(f"[{name}] is missing {', '.join(sorted(missing))}"))
    return {key: _text(table, key, where(f"[{name}] {key}")) for key in table}


def _carriers(data: dict[str, Any], where: str) -> dict[str, str]:
    carriers = _table(data, "carriers", where)
    if "other" not in carriers:
        raise RuleFileError(f"{where} needs an 'other' entry for carriers not listed")
    return {key: _text(carriers, key, f"{where} {key}") for key in carriers}


def _entries(data: dict[str, Any], key: str, where: Callable[[str], str]) -> list[dict[str, Any]]:
    entries = data.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise RuleFileError(where(f"{key} must be written as [[{key}]] tables"))
    return entries


def _source(entry: dict[str, Any], where: Callable[[str], str]) -> Source:
    source_id = _text(entry, "id", where("a [[source]] without an id"))
    here = where(f"source {source_id!r}")
    checked = entry.get("checked")
    if not isinstance(checked, datetime.date):
        raise RuleFileError(f"{here}: checked must be a date, like 2026-11-22")
    url = _text(entry, "url", f"{here}, url")
    if not url.startswith("https://"):
        raise RuleFileError(f"{here}: url must start with https://")
    return Source(
        id=source_id, title=_text(entry, "title", f"{here}, title"), url=url, checked=checked.isoformat()
    )


def _rule(entry: dict[str, Any], where: Callable[[str], str], sources: dict[str, Source]) -> Rule:
    rule_id = _text(entry, "id", where("a [[rule]] without an id"))

    def here(key: str) -> str:
        return where(f"rule {rule_id!r}, {key}")

    status = _one_of(entry.get("status"), NoteStatus, here("status"))
    paragraphs = entry.get("paragraphs")
    if not isinstance(paragraphs, list) or not paragraphs:
        raise RuleFileError(here("paragraphs must be a list of at least one text"))
    referral = entry.get("referral", "no")
    if referral not in REFERRAL_VALUES:
        raise RuleFileError(here(f"referral must be one of {', '.join(sorted(REFERRAL_VALUES))}"))
    visit_limit = entry.get("visit_limit")
    if visit_limit is not None and (not isinstance(visit_limit, int) or visit_limit < 1):
        raise RuleFileError(here("visit_limit must be a whole number of visits"))
    rule_sources = _cited(entry, sources, here("sources"))
    if not rule_sources and status is not NoteStatus.UNKNOWN:
        raise RuleFileError(here("a rule that says what is covered must cite at least one source"))
    return Rule(
        id=rule_id,
        when=_condition(entry.get("when", {}), here("when")),
        status=status,
        headline=_checked_text(entry, "headline", here("headline")),
        paragraphs=tuple(_checked(p, here("paragraphs")) for p in paragraphs),
        referral=referral,
        prior_authorization=_flag(entry, "prior_authorization", False, here),
        visit_limit=visit_limit,
        cost_sharing=_flag(entry, "cost_sharing", True, here),
        estimate=_one_of(entry.get("estimate"), EstimateKind, here("estimate")),
        sources=rule_sources,
        closing=_checked_text(entry, "closing", here("closing")) if "closing" in entry else None,
        staff_action=_text(entry, "staff_action", here("staff_action")) if "staff_action" in entry else None,
    )


def _caveat(entry: dict[str, Any], where: Callable[[str], str], sources: dict[str, Source]) -> Caveat:
    caveat_id = _text(entry, "id", where("a [[caveat]] without an id"))

    def here(key: str) -> str:
        return where(f"caveat {caveat_id!r}, {key}")

    return Caveat(
        id=caveat_id,
        when=_condition(entry.get("when", {}), here("when")),
        text=_checked_text(entry, "text", here("text")),
        sources=_cited(entry, sources, here("sources")),
    )


def _cited(entry: dict[str, Any], sources: dict[str, Source], where: str) -> tuple[Source, ...]:
    ids = entry.get("sources", [])
    if not isinstance(ids, list):
        raise RuleFileError(f"{where} must be a list of source ids")
    unknown = [i for i in ids if i not in sources]
    if unknown:
        raise RuleFileError(f"{where} names unknown sources: {', '.join(map(str, unknown))}")
    return tuple(sources[i] for i in ids)


def _condition(when: Any, where: str) -> Condition:
    if not isinstance(when, dict):
        raise RuleFileError(f"{where} must be a table")
    known = (
        CHOICE_CONDITIONS.keys()
        | NUMBER_CONDITIONS
        | {"carrier", "in_network", "offers_omt", "payer_checked"}
    )
    unknown = when.keys() - known
    if unknown:
        raise RuleFileError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
    choices: dict[str, frozenset[str]] = {}
    for key, enum in CHOICE_CONDITIONS.items():
        if key in when:
            values = _listed(when[key])
            wrong = [v for v in values if v not in enum._value2member_map_]
            if wrong:
                raise RuleFileError(f"{where}: {key} cannot be {', '.join(map(repr, wrong))}")
            choices[key] = frozenset(values)
    numbers = {}
    for key in NUMBER_CONDITIONS & when.keys():
        if not isinstance(when[key], int) or isinstance(when[key], bool) or when[key] < 0:
            raise RuleFileError(f"{where}: {key} must be a whole number")
        numbers[key] = when[key]
    network = None
    if "in_network" in when:
        values = _listed(when["in_network"])
        if not values or not all(isinstance(v, bool) or v == "unknown" for v in values):
            raise RuleFileError(f'{where}: in_network must be true, false or "unknown" (or a list of them)')
        network = frozenset(NETWORK_VALUES[v] for v in values)
    flags = {key: when.get(key) for key in ("offers_omt", "payer_checked")}
    for key, value in flags.items():
        if value is not None and not isinstance(value, bool):
            raise RuleFileError(f"{where}: {key} must be true or false")
    carriers = frozenset(_listed(when["carrier"])) if "carrier" in when else None
    return Condition(choices, carriers, numbers, network, flags["offers_omt"], flags["payer_checked"])


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _one_of(value: Any, enum: type[EnumValue], where: str) -> EnumValue:
    if value not in enum._value2member_map_:
        raise RuleFileError(f"{where} must be one of {', '.join(enum)}, not {value!r}")
    return enum(value)


def _flag(entry: dict[str, Any], key: str, default: bool, here: Callable[[str], str]) -> bool:
    value = entry.get(key, default)
    if not isinstance(value, bool):
        raise RuleFileError(here(f"{key} must be true or false"))
    return value


def _unique_ids(entries: Iterable[dict[str, Any]], kind: str, where: Callable[[str], str]) -> None:
    seen: set[object] = set()
    for entry in entries:
        if entry.get("id") in seen:
            raise RuleFileError(where(f"{kind} id {entry['id']!r} is used twice"))
        seen.add(entry.get("id"))


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
