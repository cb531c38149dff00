"""The coverage rules and the clinic's facts that every note needs, made once from the settings.

Both are checked when the app starts: a malformed rules file or a network name the rules do not know
stops the start, not a visitor's request.
"""

from __future__ import annotations

from clinic_app.coverage import PROGRAMS, ClinicFacts, RuleBook, load_rule_books
from clinic_app.coverage.rules import DEFAULT_RULES_PATH
from clinic_app.settings import Settings, SettingsError


def coverage_rule_books(settings: Settings) -> dict[str, RuleBook]:
    """The shipped rules in every language, {"en": ..., "es": ...}, with the clinic's own file (and its
    translation beside it, like clinic-rules.es.toml) merged over them."""
    return load_rule_books(DEFAULT_RULES_PATH, settings.coverage_rules_file)


def coverage_rules(settings: Settings) -> RuleBook:
    """The English rules; loads (and so checks) every language, so a missing translation stops the start."""
    return coverage_rule_books(settings)["en"]


def clinic_facts(settings: Settings, rules: RuleBook) -> ClinicFacts:
    """The clinic's settings for the coverage note; refuses network names the rules do not know."""
    known = {c.value for c in PROGRAMS} | (rules.carriers.keys() - {"other"})
    unknown = sorted(settings.clinic_in_network - known)
    if unknown:
        raise SettingsError(
            f"CLINIC_IN_NETWORK names {', '.join(unknown)}, which are not programs or carriers. "
            f"Use any of: {', '.join(sorted(known))}."
        )
    return ClinicFacts(
        name=settings.clinic_name,
        phone=settings.clinic_phone,
        self_pay_visit_fee=settings.self_pay_visit_fee,
        in_network=settings.clinic_in_network,
        plan_allowed_amount=settings.plan_allowed_amount,
        medicare_allowed_amount=settings.medicare_allowed_amount,
        self_pay_package_visits=settings.self_pay_package_visits,
        self_pay_package_price=settings.self_pay_package_price,
        offers_omt=settings.clinic_offers_omt,
        new_patient_exam_fee=settings.new_patient_exam_fee,
        plan_of_care_visits=settings.plan_of_care_visits,
    )
