"""The coverage rules: the model the engine matches against, and the loader that reads rules.toml."""

from clinic_app.coverage.rules.loading import DEFAULT_RULES_PATH, RuleFileError, load_rules, merge_rules
from clinic_app.coverage.rules.model import Caveat, Condition, Rule, RuleBook

__all__ = [
    "DEFAULT_RULES_PATH",
    "Caveat",
    "Condition",
    "Rule",
    "RuleBook",
    "RuleFileError",
    "load_rules",
    "merge_rules",
]
