"""The coverage note: insurance answers in, plain-language note out.

Nothing here imports Flask or the rest of the app; the rules themselves are data in ``rules.toml``.
"""

from .answers import (
    COST_SHARING_COVERAGE,
    MEDICARE_COVERAGE,
    AlsoMedicaid,
    ClinicFacts,
    Concern,
    Coverage,
    CoverageAnswers,
    CoverageNote,
    DeductibleStatus,
    Network,
    NoteStatus,
    PlanType,
    Source,
    VisitType,
)
from .engine import build_note, default_rules, network_status
from .estimate import EstimateKind, dollars
from .rules import RuleBook, RuleFileError, load_rules

__all__ = [
    "COST_SHARING_COVERAGE",
    "MEDICARE_COVERAGE",
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
