"""The coverage note: insurance answers in, plain-language note out.

Nothing here imports Flask or the rest of the app but the enums in ``clinic_app.choices``; the rules
themselves are data in ``rules.toml``.
"""

from clinic_app.choices import (
    AlsoMedicaid,
    Concern,
    Coverage,
    DeductibleStatus,
    Network,
    NoteStatus,
    PlanType,
    VisitType,
)
from clinic_app.coverage.answers import (
    COST_SHARING_COVERAGE,
    MEDICARE_COVERAGE,
    PROGRAMS,
    ClinicFacts,
    CoverageAnswers,
    CoverageNote,
    Source,
)
from clinic_app.coverage.engine import build_note, default_rules, network_status
from clinic_app.coverage.estimate import EstimateKind, dollars
from clinic_app.coverage.rules import DEFAULT_RULES_PATH, RuleBook, RuleFileError, load_rules

__all__ = [
    "COST_SHARING_COVERAGE",
    "MEDICARE_COVERAGE",
    "PROGRAMS",
    "DEFAULT_RULES_PATH",
    "AlsoMedicaid",
    "ClinicFacts",
    "Concern",
    "Coverage",
    "CoverageAnswers",
    "CoverageNote",
    "DeductibleStatus",
    "EstimateKind",
    "Network",
    "NoteStatus",
    "PlanType",
    "RuleBook",
    "RuleFileError",
    "Source",
    "VisitType",
    "build_note",
    "default_rules",
    "dollars",
    "load_rules",
    "network_status",
]
