"""The coverage note: insurance answers in, plain-language note out.

Nothing here imports Flask or the rest of the app but the enums in ``clinic_app.choices`` (and Babel, which
writes the amounts); the rules themselves are data in ``rules.toml``, their Spanish texts in
``rules.es.toml``.
"""

from clinic_app.choices import (
    AlsoMedicaid,
    Concern,
    Coverage,
    DeductibleStatus,
    Network,
    NoteStatus,
    PlanState,
    PlanType,
    VisitType,
    YesNoNotSure,
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
from clinic_app.coverage.engine import build_note, default_rule_books, default_rules, network_status
from clinic_app.coverage.estimate import EstimateKind, dollars
from clinic_app.coverage.rules import (
    DEFAULT_RULES_PATH,
    LOCALES,
    RuleBook,
    RuleFileError,
    load_rule_books,
    load_rules,
)
from clinic_app.coverage.terms import english_term_pieces, english_terms_marked

__all__ = [
    "COST_SHARING_COVERAGE",
    "MEDICARE_COVERAGE",
    "PROGRAMS",
    "DEFAULT_RULES_PATH",
    "LOCALES",
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
    "PlanState",
    "PlanType",
    "RuleBook",
    "RuleFileError",
    "Source",
    "VisitType",
    "YesNoNotSure",
    "build_note",
    "default_rule_books",
    "default_rules",
    "dollars",
    "english_term_pieces",
    "english_terms_marked",
    "load_rule_books",
    "load_rules",
    "network_status",
]
