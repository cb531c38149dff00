"""What a 271 says about chiropractic benefits, as plain values (no X12 left in them)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

# What missing() names, in the order staff read a benefits summary.
ACTIVE_COVERAGE = "Active coverage"
DEDUCTIBLE = "Deductible"
DEDUCTIBLE_REMAINING = "Deductible remaining"
COPAY_OR_COINSURANCE = "Copay or coinsurance"
OUT_OF_POCKET_REMAINING = "Out-of-pocket remaining"
VISIT_LIMIT = "Visit limit"
VISITS_USED = "Visits used"
PRIOR_AUTHORIZATION = "Prior authorization"
NETWORK = "Network"

_DECIMAL_FIELDS = (
    "deductible_year",
    "deductible_remaining",
    "copay",
    "out_of_pocket_remaining",
)
_INT_FIELDS = ("coinsurance_percent", "visit_limit", "visits_used", "visits_remaining")
_BOOL_FIELDS = (
    "active",
    "chiropractic_not_covered",
    "in_network",
    "copay_before_deductible",
    "deductible_waived",
    "prior_authorization",
)
_TEXT_FIELDS = ("insurance_type", "insurance_type_label", "plan_name", "plan_number", "payer_name")
_TUPLE_FIELDS = ("service_types", "limit_notes", "payer_replies")
_DATE_FIELDS = ("checked_on", "coverage_ended")


@dataclass(frozen=True)
class OtherPayer:
    """Another payer the 271 names for the patient (an ``EB*R`` line): a Medigap plan, a Part D plan,
    or, in a Medicare 271 (CMS HETS), the Medicare Advantage plan the patient is enrolled in. None
    wherever the 271 did not say; ``ended`` is the end of the dates it gives for that payer."""

    insurance_type: str | None = None
    insurance_type_label: str | None = None
    # EB05, the plan's own description ("MEDIGAP PART B"), and the payer's name in the 2120 loop that
    # follows (NM1*PRP or NM1*PR): HETS names a Medicare Advantage plan only there.
    plan_name: str | None = None
    payer_name: str | None = None
    ended: datetime.date | None = None
    # REF*18 of the EB*R: in HETS, a Medicare Advantage plan's contract and plan number ("H9876 002").
    plan_number: str | None = None
    # Whether the line names a Medicare Advantage plan, as the reader judged it from the line's
    # insurance type, plan number and service types (codes.names_medicare_advantage).
    medicare_advantage: bool = False
    started: datetime.date | None = None

    def current_on(self, day: datetime.date | None) -> bool:
        """Whether the payer covers the patient on ``day`` (the 271's date), as far as it says: an
        enrollment that starts later (a January plan checked in November) does not yet."""
        if day is None:
            return True
        return (self.ended is None or self.ended >= day) and (self.started is None or self.started <= day)

    def to_dict(self) -> dict[str, Any]:
        return {
            "insurance_type": self.insurance_type,
            "insurance_type_label": self.insurance_type_label,
            "plan_name": self.plan_name,
            "payer_name": self.payer_name,
            "ended": None if self.ended is None else self.ended.isoformat(),
            "started": None if self.started is None else self.started.isoformat(),
            "plan_number": self.plan_number,
            "medicare_advantage": self.medicare_advantage,
        }

    @classmethod
    def from_dict(cls, data: Any) -> OtherPayer:
        if not isinstance(data, Mapping):
            raise ValueError(f"other_payers must hold objects, not {data!r}")
        texts = {
            name: _typed(data, name, str)
            for name in ("insurance_type", "insurance_type_label", "plan_name", "payer_name", "plan_number")
        }
        ended, started = _typed(data, "ended", str), _typed(data, "started", str)
        # A check stored before the reader judged it: HN was then the one sign of Medicare Advantage.
        advantage = _typed(data, "medicare_advantage", bool)
        return cls(
            **texts,
            ended=None if ended is None else datetime.date.fromisoformat(ended),
            started=None if started is None else datetime.date.fromisoformat(started),
            medicare_advantage=texts["insurance_type"] == "HN" if advantage is None else advantage,
        )


@dataclass(frozen=True)
class EligibilityBenefits:
    """The figures of one 271 for one patient; None wherever the 271 did not say.

    The subscriber's last name and birth date are here only so that staff can be warned that the
    271 may be for someone else; ``to_dict`` leaves them out, so they are never stored.
    """

    active: bool | None = None
    # True when the plan says it does not cover chiropractic (EB*I for service type 33): said first,
    # and no estimate is built from the other figures.
    chiropractic_not_covered: bool | None = None
    insurance_type: str | None = None
    insurance_type_label: str | None = None
    plan_name: str | None = None
    # The plan's number on its own coverage line (REF*18 or REF*N6): a Medicare Advantage plan's
    # contract when it answers for itself as an HMO or PPO.
    plan_number: str | None = None
    payer_name: str | None = None
    service_types: tuple[str, ...] = ()
    in_network: bool | None = None
    deductible_year: Decimal | None = None
    deductible_remaining: Decimal | None = None
    copay: Decimal | None = None
    copay_before_deductible: bool | None = None
    # True when the payer's words on a chiropractic line say the deductible is waived for it.
    deductible_waived: bool | None = None
    coinsurance_percent: int | None = None
    out_of_pocket_remaining: Decimal | None = None
    visit_limit: int | None = None
    visits_used: int | None = None
    visits_remaining: int | None = None
    prior_authorization: bool | None = None
    limit_notes: tuple[str, ...] = ()
    # What staff must read before the figures, in words: the payer turned part of the question down
    # (AAA, with its reason and what to do), or a figure was left out because it cannot be right.
    payer_replies: tuple[str, ...] = ()
    checked_on: datetime.date | None = None
    # The plan's end date (DTP*347 for the patient), given when the coverage has ended or will end.
    coverage_ended: datetime.date | None = None
    # The other payers the 271 names (EB*R), in its order: never the payer of the figures above.
    other_payers: tuple[OtherPayer, ...] = ()
    subscriber_last_name: str | None = None
    subscriber_birth_date: datetime.date | None = None

    def missing(self) -> list[str]:
        """Labels of what the 271 did not say, for a "not in the 271" line."""
        unsaid = [
            (self.active is None, ACTIVE_COVERAGE),
            (self.deductible_year is None, DEDUCTIBLE),
            (self.deductible_remaining is None, DEDUCTIBLE_REMAINING),
            (self.copay is None and self.coinsurance_percent is None, COPAY_OR_COINSURANCE),
            (self.out_of_pocket_remaining is None, OUT_OF_POCKET_REMAINING),
            (self.visit_limit is None, VISIT_LIMIT),
            (self.visits_used is None, VISITS_USED),
            (self.prior_authorization is None, PRIOR_AUTHORIZATION),
            (self.in_network is None, NETWORK),
        ]
        return [label for is_unsaid, label in unsaid if is_unsaid]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe figures (money as strings, dates as ISO text), without the subscriber's name
        and birth date."""
        data: dict[str, Any] = {}
        for name in _BOOL_FIELDS + _TEXT_FIELDS + _INT_FIELDS:
            data[name] = getattr(self, name)
        for name in _DECIMAL_FIELDS:
            amount = getattr(self, name)
            data[name] = None if amount is None else str(amount)
        for name in _TUPLE_FIELDS:
            data[name] = list(getattr(self, name))
        for name in _DATE_FIELDS:
            day = getattr(self, name)
            data[name] = None if day is None else day.isoformat()
        data["other_payers"] = [payer.to_dict() for payer in self.other_payers]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EligibilityBenefits:
        """The figures ``to_dict`` wrote. A key absent (stored by an older version) reads as not
        said; a value of the wrong kind raises ValueError rather than turning into a figure."""
        values: dict[str, Any] = {}
        for name in _BOOL_FIELDS:
            values[name] = _typed(data, name, bool)
        for name in _TEXT_FIELDS:
            values[name] = _typed(data, name, str)
        for name in _INT_FIELDS:
            number = _typed(data, name, int)
            if isinstance(number, bool):
                raise ValueError(f"{name} must be a whole number, not {number!r}")
            values[name] = number
        for name in _DECIMAL_FIELDS:
            values[name] = _decimal(data, name)
        for name in _TUPLE_FIELDS:
            items = data.get(name) or []
            if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
                raise ValueError(f"{name} must be a list of texts, not {items!r}")
            values[name] = tuple(items)
        for name in _DATE_FIELDS:
            day = _typed(data, name, str)
            values[name] = None if day is None else datetime.date.fromisoformat(day)
        payers = data.get("other_payers") or []
        if not isinstance(payers, list | tuple):
            raise ValueError(f"other_payers must be a list, not {payers!r}")
        values["other_payers"] = tuple(OtherPayer.from_dict(payer) for payer in payers)
        return cls(**values)


def _typed(data: Mapping[str, Any], name: str, kind: type) -> Any:
    value = data.get(name)
    if value is not None and not isinstance(value, kind):
        raise ValueError(f"{name} must be {kind.__name__} or null, not {value!r}")
    return value


def _decimal(data: Mapping[str, Any], name: str) -> Decimal | None:
    text = _typed(data, name, str)
    if text is None:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{name} must be an amount, not {text!r}") from None
    if not amount.is_finite():
        raise ValueError(f"{name} must be an amount, not {text!r}")
    return amount
