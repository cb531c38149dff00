"""X12 code values the mapping reads (005010X279A1), with words for the ones staff see."""

from __future__ import annotations

from clinic_app.choices import N_

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
    "12": N_("Medicare secondary: working aged, employer group health plan primary"),
    "13": N_("Medicare secondary: end-stage renal disease, employer plan primary"),
    "14": N_("Medicare secondary: no-fault or auto insurance primary"),
    "15": N_("Medicare secondary: workers' compensation primary"),
    "16": N_("Medicare secondary: Public Health Service or other federal agency primary"),
    "41": N_("Medicare secondary: black lung"),
    "42": N_("Medicare secondary: Veterans Administration primary"),
    "43": N_("Medicare secondary: disabled, large group health plan primary"),
    "47": N_("Medicare secondary: other liability insurance primary"),
    "AP": N_("Auto insurance policy"),
    "C1": N_("Commercial"),
    "CO": N_("COBRA continuation coverage"),
    "CP": N_("Medicare conditionally primary"),
    "D": N_("Disability"),
    "DB": N_("Disability benefits"),
    "EP": N_("Exclusive Provider Organization (EPO)"),
    "FF": N_("Family or friends"),
    "GP": N_("Group policy"),
    "HM": N_("Health Maintenance Organization (HMO)"),
    "HN": N_("Medicare Advantage (Medicare risk HMO)"),
    "HS": N_("Special low-income Medicare beneficiary"),
    "IN": N_("Indemnity"),
    "IP": N_("Individual policy"),
    "LC": N_("Long-term care"),
    "LD": N_("Long-term policy"),
    "LI": N_("Life insurance"),
    "LT": N_("Litigation"),
    "MA": N_("Medicare Part A"),
    "MB": N_("Medicare Part B"),
    "MC": N_("Medicaid"),
    "MH": N_("Medigap Part A"),
    "MI": N_("Medigap Part B"),
    "MP": N_("Medicare primary"),
    "OT": N_("Other"),
    "PE": N_("Personal property insurance"),
    "PL": N_("Personal"),
    "PP": N_("Personal payment (cash, no insurance)"),
    "PR": N_("Preferred Provider Organization (PPO)"),
    "PS": N_("Point of Service (POS)"),
    "QM": N_("Qualified Medicare Beneficiary"),
    "RP": N_("Real property insurance"),
    "SP": N_("Supplemental policy"),
    "TF": N_("TEFRA (Tax Equity and Fiscal Responsibility Act)"),
    "WC": N_("Workers' compensation"),
    "WU": N_("Wrap-up policy"),
}
