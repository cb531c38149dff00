"""The coverage rules: the model the engine matches against, and the loader that reads rules.toml
(and its translations, such as rules.es.toml)."""

from clinic_app.coverage.rules.loading import DEFAULT_RULES_PATH, RuleFileError, load_rules, merge_rules
from clinic_app.coverage.rules.model import LOCALES, Caveat, Condition, Rule, RuleBook
from clinic_app.coverage.rules.translation import load_rule_books, translation_path

__all__ = [
    "DEFAULT_RULES_PATH",
    "LOCALES",
    "Caveat",
    "Condition",
    "Rule",
    "RuleBook",
    "RuleFileError",
    "load_rule_books",
    "load_rules",
    "merge_rules",
    "translation_path",
]
