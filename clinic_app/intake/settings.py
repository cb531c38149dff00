"""The clinic settings that intake operations need, taken from the app's configuration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlsplit

from clinic_app.coverage import ClinicFacts


@dataclass(frozen=True)
class StaffEmailSettings:
    sender: str
    recipients: list[str]
    message_domain: str
    timezone: str
    clinic_name: str


def clinic_facts(config: Mapping[str, object]) -> ClinicFacts:
    return ClinicFacts(
        name=str(config["CLINIC_NAME"]),
        phone=str(config["CLINIC_PHONE"]),
        self_pay_visit_fee=int(config["SELF_PAY_VISIT_FEE"]),
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
    )
