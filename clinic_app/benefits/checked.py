"""The patient's answers checked against the payer's own (a 271): the answers the updated note is built
from, the lines staff compare, and whether the 271 is about this patient at all. No Flask, no database.

Where the 271 says nothing, the patient's answer stands: an updated note is never less than the first.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TypeVar

from clinic_app.benefits import codes
from clinic_app.benefits.model import EligibilityBenefits, OtherPayer
from clinic_app.choices import Coverage, DeductibleStatus, PlanType
from clinic_app.coverage import CoverageAnswers, dollars

# EB04 (data element 1336) codes that name the kind of coverage without doubt. Original Medicare
# answers with Part A or Part B; a Medicare Advantage plan with HN (a Medicare risk plan). Medicare's
# own 271 (CMS HETS) gives every beneficiary Part A and B lines, and names a Medicare Advantage plan
# the patient is enrolled in as another payer (EB*R with HN, or with a Medicare Advantage contract as
# its plan number, codes.is_medicare_advantage_contract): that patient is in Medicare Advantage.
ORIGINAL_MEDICARE_TYPES = frozenset({codes.MEDICARE_PART_A, codes.MEDICARE_PART_B})
MEDICARE_ADVANTAGE_TYPES = frozenset({codes.MEDICARE_ADVANTAGE_TYPE})
# A private plan's network kind. An HMO or PPO may also be a Medicare Advantage plan, so these change
# only the plan type of a patient who said private insurance, or who did not know their coverage.
PRIVATE_PLAN_TYPES = {"PR": PlanType.PPO, "HM": PlanType.HMO, "EP": PlanType.EPO}
# Other codes that mean a private plan (commercial, group, individual, COBRA, point of service).
PRIVATE_TYPES = frozenset({"C1", "GP", "IP", "CO", "PS", *PRIVATE_PLAN_TYPES})
# What a patient may have answered that a private-plan code clearly corrects.
UNSURE_OF_COVERAGE = frozenset({Coverage.NOT_SURE, Coverage.SELF_PAY, Coverage.PRIVATE})

T = TypeVar("T")

NOT_GIVEN = "Not given"
NOT_IN_271 = "Not in the 271"

# The kind of coverage a 271's insurance type names, in a few plain words to follow its label
# ("Commercial — private insurance"): the form's own labels carry brackets of their own.
COVERAGE_NAMES = {
    Coverage.ORIGINAL_MEDICARE: "Original Medicare",
    Coverage.MEDICARE_ADVANTAGE: "Medicare Advantage",
    Coverage.PRIVATE: "private insurance",
}


def medicare_advantage_plan(benefits: EligibilityBenefits) -> OtherPayer | None:
    """The Medicare Advantage plan a Medicare 271 (Part A or B) names among the other payers, still
    covering the patient on the 271's date; None for any other 271. A Medigap or Part D plan is none."""
    if (benefits.insurance_type or "") not in ORIGINAL_MEDICARE_TYPES:
        return None
    return next(
        (
            payer
            for payer in benefits.other_payers
            if payer.medicare_advantage and payer.current_on(benefits.checked_on)
        ),
        None,
    )


def _answers_as_medicare_advantage(benefits: EligibilityBenefits) -> bool:
    """A Medicare Advantage plan answering for itself as an HMO or a PPO (HM, PR): its contract is its
    plan number or in its name ("HUMANA GOLD PLUS H1036-077"), or its name says so."""
    if (benefits.insurance_type or "") not in PRIVATE_TYPES:
        return False
    name = benefits.plan_name or ""
    return (
        codes.is_medicare_advantage_contract(benefits.plan_number or "")
        or codes.names_medicare_advantage_contract(name)
        or "MEDICARE ADVANTAGE" in name.upper()
    )


def coverage_from_271(benefits: EligibilityBenefits, answered: Coverage) -> Coverage | None:
    """The coverage the 271's insurance type clearly names, or None where it does not say which."""
    code = benefits.insurance_type or ""
    if code in ORIGINAL_MEDICARE_TYPES:
        if medicare_advantage_plan(benefits) is not None:
            return Coverage.MEDICARE_ADVANTAGE
        return Coverage.ORIGINAL_MEDICARE
    if code in MEDICARE_ADVANTAGE_TYPES or _answers_as_medicare_advantage(benefits):
        return Coverage.MEDICARE_ADVANTAGE
    if code in PRIVATE_TYPES and answered in UNSURE_OF_COVERAGE:
        return Coverage.PRIVATE
    return None


def plan_type_from_271(benefits: EligibilityBenefits) -> PlanType | None:
    return PRIVATE_PLAN_TYPES.get(benefits.insurance_type or "")


def checked_answers(answers: CoverageAnswers, benefits: EligibilityBenefits) -> CoverageAnswers:
    """The patient's answers with the payer's figures in place of theirs, wherever the 271 gives one."""
    coverage = coverage_from_271(benefits, answers.coverage) or answers.coverage
    changes: dict[str, object] = {"coverage": coverage, "payer_checked": True}
    if coverage is not answers.coverage:
        # Answers that belonged to the coverage the patient named do not carry over to another.
        if coverage is not Coverage.PRIVATE:
            changes.update(carrier=None, plan_type=None, plan_state=None, state_employee_plan=None)
            changes.update(self_funded=None)
        if coverage not in (Coverage.ORIGINAL_MEDICARE, Coverage.MEDICARE_ADVANTAGE):
            changes["also_medicaid"] = None
    if medicare_advantage_plan(benefits) is not None:
        # Medicare answered, not the plan: its Part B deductible and coinsurance are Original
        # Medicare's, not the plan's, so the patient's own answers stand and the note is not one the
        # plan checked.
        changes["payer_checked"] = False
        return replace(answers, **changes)  # type: ignore[arg-type]
    if coverage is Coverage.PRIVATE and (plan_type := plan_type_from_271(benefits)) is not None:
        changes["plan_type"] = plan_type
    remaining = benefits.deductible_remaining
    if remaining is not None:
        changes["deductible_status"] = DeductibleStatus.MET if remaining == 0 else DeductibleStatus.NOT_MET
        changes["deductible_remaining"] = remaining
    if benefits.copay is not None:
        # A $0 copay is the plan saying there is none: the patient's guess of one goes.
        changes["copay"] = benefits.copay if benefits.copay > 0 else None
    changes["copay_before_deductible"] = benefits.copay_before_deductible
    if benefits.coinsurance_percent is not None:
        changes["coinsurance_percent"] = benefits.coinsurance_percent
    changes["out_of_pocket_remaining"] = benefits.out_of_pocket_remaining
    changes["visit_limit"] = benefits.visit_limit
    changes["visits_used"] = benefits.visits_used
    changes["prior_authorization"] = benefits.prior_authorization
    return replace(answers, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Difference:
    """One line staff compare: what the patient said, what the 271 says, and whether they differ.

    ``differs`` is true only when both gave a value and the values are not the same: a patient's
    "Not sure" or blank answer is "Not given", and a figure the 271 leaves out is "Not in the 271"."""

    label: str
    patient: str
    payer: str
    differs: bool
    # False when the 271's value does not say which answer it is (an EPO may be Medicare Advantage or
    # a private plan): "Cannot compare", never "Same".
    comparable: bool = True


def differences(answers: CoverageAnswers, benefits: EligibilityBenefits) -> list[Difference]:
    lines = [_coverage_line(answers, benefits)]
    payer_plan_type = plan_type_from_271(benefits)
    if answers.coverage is Coverage.PRIVATE or payer_plan_type is not None:
        patient_plan = None if answers.plan_type in (None, PlanType.NOT_SURE) else answers.plan_type
        lines.append(_line("Plan type", patient_plan, payer_plan_type, lambda plan: plan.label))
    payer_met = None if benefits.deductible_remaining is None else benefits.deductible_remaining == 0
    patient_met = {DeductibleStatus.MET: True, DeductibleStatus.NOT_MET: False}.get(
        answers.deductible_status or DeductibleStatus.NOT_SURE
    )
    lines.append(
        _line("Deductible met this year", patient_met, payer_met, lambda met: "Yes" if met else "No")
    )
    lines.append(
        _line("Deductible left", answers.deductible_remaining, benefits.deductible_remaining, _money)
    )
    payer_copay = benefits.copay
    lines.append(_line("Copay per visit", answers.copay, payer_copay, _copay))
    lines.append(
        _line("Coinsurance", answers.coinsurance_percent, benefits.coinsurance_percent, lambda p: f"{p}%")
    )
    return lines


def _coverage_line(answers: CoverageAnswers, benefits: EligibilityBenefits) -> Difference:
    patient_gave = answers.coverage is not Coverage.NOT_SURE
    patient = answers.coverage.label if patient_gave else NOT_GIVEN
    named = coverage_from_271(benefits, answers.coverage)
    if benefits.insurance_type:
        payer = benefits.insurance_type_label or f"Insurance type {benefits.insurance_type}"
        plan = medicare_advantage_plan(benefits)
        if plan is not None:
            payer = f"{payer}, with a Medicare Advantage plan: {plan.payer_name or plan.plan_name or plan.insurance_type}"
        name = COVERAGE_NAMES.get(named) if named is not None else None
        if name and name.casefold() not in payer.casefold():
            payer = f"{payer} — {name}"
    else:
        payer = NOT_IN_271
    # Original Medicare never answers as a private plan's network (an EPO, a PPO): the patient may be
    # in a Medicare Advantage plan, or the 271 is another plan's.
    private_for_medicare = (
        answers.coverage is Coverage.ORIGINAL_MEDICARE and (benefits.insurance_type or "") in PRIVATE_TYPES
    )
    return Difference(
        "Coverage",
        patient,
        payer,
        patient_gave and ((named is not None and named is not answers.coverage) or private_for_medicare),
        comparable=named is not None or private_for_medicare,
    )


def _line(label: str, patient: T | None, payer: T | None, words: Callable[[T], str]) -> Difference:
    return Difference(
        label,
        NOT_GIVEN if patient is None else words(patient),
        NOT_IN_271 if payer is None else words(payer),
        patient is not None and payer is not None and patient != payer,
    )


def _money(amount: Decimal) -> str:
    return dollars(amount, "en_US")


def _copay(amount: Decimal) -> str:
    return "No copay ($0)" if amount == 0 else _money(amount)


# Whether the 271 is about this patient.


@dataclass(frozen=True)
class SamePerson:
    """``same`` is True when the 271's last name and birth date both fit the request, False when
    either does not, None when the 271 gave too little to tell. ``problems`` says what did not fit,
    in words for staff, without the 271's name or birth date (which are never stored)."""

    same: bool | None
    problems: tuple[str, ...] = ()


NAME_DIFFERS = "The last name in the 271 is not in the name on the request."
AGE_DIFFERS = "The birth date in the 271 does not fit the age on the request."


def same_person(full_name: str, stated_age: int, benefits: EligibilityBenefits) -> SamePerson:
    """Compare the 271's subscriber (or dependent) with the request: its last name, case and accents
    ignored, must be among the words of the request's full name; its birth date must give the stated
    age on the day of the 271 (``checked_on``), or one more, since a birthday may fall between the
    form and the check."""
    problems: list[str] = []
    known = 0
    if benefits.subscriber_last_name:
        known += 1
        if not _name_fits(benefits.subscriber_last_name, full_name):
            problems.append(NAME_DIFFERS)
    if benefits.subscriber_birth_date and benefits.checked_on:
        known += 1
        age = age_on(benefits.subscriber_birth_date, benefits.checked_on)
        if age - stated_age not in (0, 1):
            problems.append(AGE_DIFFERS)
    if problems:
        return SamePerson(False, tuple(problems))
    return SamePerson(True if known == 2 else None)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    return [word for word in re.split(r"[^a-z0-9]+", plain) if word]


def _name_fits(last_name: str, full_name: str) -> bool:
    """The 271's last name is one or more whole words of the full name, spaces and punctuation aside
    ("GARCIA LOPEZ" and "GARCIA" fit "Ana García López", "ONEIL" fits "Sam O'Neil")."""
    wanted, have = "".join(_words(last_name)), _words(full_name)
    return bool(wanted) and any(
        "".join(have[start:end]) == wanted
        for start in range(len(have))
        for end in range(start + 1, len(have) + 1)
    )
