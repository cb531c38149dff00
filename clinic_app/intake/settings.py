"""The clinic settings that intake operations need, taken from the app's configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from clinic_app.coverage import ClinicFacts, RuleBook, load_rules
from clinic_app.coverage.answers import PROGRAMS
from clinic_app.coverage.rules import DEFAULT_RULES_PATH


@dataclass(frozen=True)
class StaffEmailSettings:
    sender: str
    recipients: list[str]
    message_domain: str
    timezone: str
    clinic_name: str
    dashboard_url: str
    phi: str = "full"


def coverage_rules(config: Mapping[str, object]) -> RuleBook:
    """The shipped rules with the clinic's own file, if it names one, merged over them."""
    override = str(config["COVERAGE_RULES_FILE"] or "")
    return load_rules(DEFAULT_RULES_PATH, Path(override) if override else None)


def clinic_facts(config: Mapping[str, object], rules: RuleBook) -> ClinicFacts:
    """The clinic's settings for the coverage note; refuses network names the rules do not know."""
    in_network = frozenset(config["CLINIC_IN_NETWORK"])
    known = {c.value for c in PROGRAMS} | (rules.carriers.keys() - {"other"})
    unknown = sorted(in_network - known)
    if unknown:
        raise RuntimeError(
            f"CLINIC_IN_NETWORK names {', '.join(unknown)}, which are not programs or carriers. "
            f"Use any of: {', '.join(sorted(known))}."
        )
    return ClinicFacts(
        name=str(config["CLINIC_NAME"]),
        phone=str(config["CLINIC_PHONE"]),
        self_pay_visit_fee=config["SELF_PAY_VISIT_FEE"],
        in_network=in_network,
        plan_allowed_amount=config["PLAN_ALLOWED_AMOUNT"],
        medicare_allowed_amount=config["MEDICARE_ALLOWED_AMOUNT"],
        self_pay_package_visits=int(config["SELF_PAY_PACKAGE_VISITS"]),
        self_pay_package_price=config["SELF_PAY_PACKAGE_PRICE"],
        offers_omt=bool(config["CLINIC_OFFERS_OMT"]),
    )


def staff_email_settings(config: Mapping[str, object]) -> StaffEmailSettings:
    sender = str(config["MAIL_FROM"])
    sender_domain = parseaddr(sender)[1].rpartition("@")[2]
    return StaffEmailSettings(
        sender=sender,
        recipients=list(config["STAFF_EMAILS"]),
        message_domain=sender_domain or urlsplit(str(config["PUBLIC_BASE_URL"])).hostname or "localhost",
        timezone=str(config["CLINIC_TIMEZONE"]),
        clinic_name=str(config["CLINIC_NAME"]),
        dashboard_url=f"{config['PUBLIC_BASE_URL']}/staff",
        phi=str(config["MAIL_PHI"]),
    )
