"""X12 code values the mapping reads (005010X279A1), with words for the ones staff see."""

from __future__ import annotations

CHIROPRACTIC = "33"
HEALTH_BENEFIT_PLAN_COVERAGE = "30"

# EB01 (data element 1390): 1 to 5 are the kinds of active coverage, 6 to 8 of inactive.
ACTIVE_CODES = frozenset({"1", "2", "3", "4", "5"})
INACTIVE_CODES = frozenset({"6", "7", "8"})
COINSURANCE = "A"
COPAYMENT = "B"
DEDUCTIBLE = "C"
LIMITATIONS = "F"
OUT_OF_POCKET = "G"
OTHER_PAYER = "R"

# EB06 and HSD05 (data element 615). A year's total comes with any of the yearly periods; payers
# that leave the period out mean the total too, so an empty one is taken last.
YEARLY_PERIODS = ("23", "22", "21", "25", "")
YEAR_TO_DATE = "24"
REMAINING_PERIODS = frozenset({"29", "33"})

# EB09 (data element 673) and HSD01.
VISITS = "VS"
QUANTITY_USED = "99"

# EB02: figures for the patient alone. FAM and the other groupings are shared with others.
INDIVIDUAL_LEVELS = ("IND", "EMP", "")

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
