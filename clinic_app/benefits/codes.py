"""X12 code values the mapping reads (005010X279A1), with words for the ones staff see.

The guide's code lists that carry words (EB01, the service types, the reasons a payer turns a question
down and what to do about them, how HETS names a Medicare Advantage plan) are data, in x12_codes.toml.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

_TABLES = tomllib.loads((Path(__file__).with_name("x12_codes.toml")).read_text(encoding="utf-8"))

CHIROPRACTIC = "33"
HEALTH_BENEFIT_PLAN_COVERAGE = "30"


# EB01 (data element 1390), grouped by what the reader does with each.
def _eligibility(kind: str) -> frozenset[str]:
    return frozenset(code for code, entry in _TABLES["eligibility"].items() if entry["kind"] == kind)


ACTIVE_CODES = _eligibility("active")
INACTIVE_CODES = _eligibility("inactive")
NOT_COVERED_CODES = _eligibility("not_covered")
CANNOT_PROCESS_CODES = _eligibility("cannot_process")
# The lines that say something of the patient's coverage: a 271 with none of them but a question
# turned down (AAA) is that refusal, whatever disclaimer (EB*P) it also carries.
INFORMATIVE_CODES = frozenset(
    code for code, entry in _TABLES["eligibility"].items() if entry["kind"] not in ("other", "cannot_process")
)
COINSURANCE = "A"
COPAYMENT = "B"
DEDUCTIBLE = "C"
LIMITATIONS = "F"
OUT_OF_POCKET = "G"
OTHER_PAYER = "R"

SERVICE_TYPE_WORDS: dict[str, str] = dict(_TABLES["service_types"])

# EB06 and HSD05 (data element 615). A year's total comes with any of the yearly periods; payers
# that leave the period out mean the total too, so an empty one is taken last.
YEARLY_PERIODS = ("23", "22", "21", "25", "")
YEAR_TO_DATE = "24"
# 29 is what is left this period; 33, "lifetime remaining", is no figure of the year.
REMAINING_PERIODS = frozenset({"29"})

# EB09 (data element 673) and HSD01.
VISITS = "VS"
QUANTITY_USED = "99"

# EB02: figures for the patient alone. FAM and the other groupings are shared with others.
INDIVIDUAL_LEVELS = ("IND", "EMP", "")

# EB04 of Medicare's own lines: chiropractic manipulation is a Part B service, so in a 271 that gives
# Part A and Part B lines side by side, only the Part B ones are the patient's chiropractic figures.
MEDICARE_PART_A = "MA"
MEDICARE_PART_B = "MB"

# On a 271's own coverage lines, only HN names Medicare Advantage: HM, PR and the others are also
# private plans' kinds. On an EB*R of Medicare's own 271, each of these names one.
MEDICARE_ADVANTAGE_TYPE = "HN"
MEDICARE_ADVANTAGE_OTHER_PAYER_TYPES = frozenset(_TABLES["medicare_advantage"]["insurance_types"])
_CONTRACT = "[" + "".join(_TABLES["medicare_advantage"]["contract_prefixes"]) + r"]\d{4}"
# A contract, then perhaps its plan and segment numbers: "H9876", "H9876 002", "H1036-077-001".
_MEDICARE_ADVANTAGE_CONTRACT = re.compile(rf"{_CONTRACT}(?:[ -]?\d{{3}}){{0,2}}")
# In a plan's own name: with its plan number, so that a word never passes for one.
_CONTRACT_IN_WORDS = re.compile(rf"\b{_CONTRACT}[ -]\d{{3}}\b")
_MEDICARE_SECONDARY_TYPES = frozenset(_TABLES["medicare_advantage"]["medicare_secondary_types"])
_DRUG_SERVICE_TYPES = frozenset(_TABLES["medicare_advantage"]["drug_service_types"])


def is_medicare_advantage_contract(plan_number: str) -> bool:
    """Whether a plan number (REF*18, "H9876 002") is a Medicare Advantage contract's."""
    return bool(_MEDICARE_ADVANTAGE_CONTRACT.fullmatch(plan_number.strip().upper()))


def names_medicare_advantage_contract(words: str) -> bool:
    """Whether a plan's name holds a Medicare Advantage contract and plan ("... H1036-077 ...")."""
    return bool(_CONTRACT_IN_WORDS.search(words.upper()))


def names_medicare_advantage(insurance_type: str, plan_number: str, service_types: tuple[str, ...]) -> bool:
    """Whether an other-payer line (EB*R) of Medicare's own 271 names a Medicare Advantage plan."""
    if insurance_type in _MEDICARE_SECONDARY_TYPES or (
        service_types and set(service_types) <= _DRUG_SERVICE_TYPES
    ):
        return False
    return insurance_type in MEDICARE_ADVANTAGE_OTHER_PAYER_TYPES or is_medicare_advantage_contract(
        plan_number
    )


@dataclass(frozen=True)
class RejectReason:
    """Why the payer turned the question down (AAA03), and what staff should do, in words."""

    code: str
    words: str
    action: str


def reject_reason(code: str) -> RejectReason:
    entry = _TABLES["reject_reasons"].get(code)
    if entry is None:
        return RejectReason(
            code, f"a reason the guide does not list (code {code})", _TABLES["reject_actions"]["call_payer"]
        )
    return RejectReason(code, entry["words"], _TABLES["reject_actions"][entry["do"]])


def follow_up_words(code: str) -> str | None:
    """What the payer says about asking again (AAA04), or None when it says nothing we know."""
    return _TABLES["follow_up"].get(code)


# EB04 (data element 1336), in plain words. Codes not listed keep their code and no label.
INSURANCE_TYPE_LABELS = {
    "12": "Medicare secondary: working aged, employer group health plan primary",
    "13": "Medicare secondary: end-stage renal disease, employer plan primary",
    "14": "Medicare secondary: no-fault or auto insurance primary",
    "15": "Medicare secondary: workers' compensation primary",
    "16": "Medicare secondary: Public Health Service or other federal agency primary",
    "41": "Medicare secondary: black lung",
    "42": "Medicare secondary: Veterans Administration primary",
    "43": "Medicare secondary: disabled, large group health plan primary",
    "47": "Medicare secondary: other liability insurance primary",
    "AP": "Auto insurance policy",
    "C1": "Commercial",
    "CO": "COBRA continuation coverage",
    "CP": "Medicare conditionally primary",
    "D": "Disability",
    "DB": "Disability benefits",
    "EP": "Exclusive Provider Organization (EPO)",
    "FF": "Family or friends",
    "GP": "Group policy",
    "HM": "Health Maintenance Organization (HMO)",
    "HN": "Medicare Advantage (Medicare risk HMO)",
    "HS": "Special low-income Medicare beneficiary",
    "IN": "Indemnity",
    "IP": "Individual policy",
    "LC": "Long-term care",
    "LD": "Long-term policy",
    "LI": "Life insurance",
    "LT": "Litigation",
    "MA": "Medicare Part A",
    "MB": "Medicare Part B",
    "MC": "Medicaid",
    "MH": "Medigap Part A",
    "MI": "Medigap Part B",
    "MP": "Medicare primary",
    "OT": "Other",
    "PE": "Personal property insurance",
    "PL": "Personal",
    "PP": "Personal payment (cash, no insurance)",
    "PR": "Preferred Provider Organization (PPO)",
    "PS": "Point of Service (POS)",
    "QM": "Qualified Medicare Beneficiary",
    "RP": "Real property insurance",
    "SP": "Supplemental policy",
    "TF": "TEFRA (Tax Equity and Fiscal Responsibility Act)",
    "WC": "Workers' compensation",
    "WU": "Wrap-up policy",
}
