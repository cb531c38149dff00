"""The coverage note: insurance answers in, plain-language note out.

Nothing here imports Flask or the rest of the app; the rules themselves are data in ``rules.toml``.
"""

from .answers import (
    COST_SHARING_COVERAGE,
    ClinicFacts,
    Concern,
    Coverage,
    CoverageAnswers,
    CoverageNote,
    DeductibleStatus,
    NoteStatus,
    PlanType,
    VisitType,
)
from .engine import build_note, default_rules
from .rules import RuleBook, RuleFileError, load_rules

__all__ = [
    "COST_SHARING_COVERAGE",
    "ClinicFacts",
    "Concern",
    "Coverage",
    "CoverageAnswers",
    "CoverageNote",
    "DeductibleStatus",
    "NoteStatus",
    "PlanType",
    "RuleBook",
    "RuleFileError",
    "VisitType",
    "build_note",
    "default_rules",
    "load_rules",
]
