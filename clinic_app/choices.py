"""The choices a request is made of, each with the words people see for it. No Flask, no database.

Every enum that people read is a ``LabelledEnum``: a member is declared with its stored value and its
label together (``MIGRAINE = "migraine", "Migraine"``), so the label lives with the value and one
pattern serves the form, the dashboard, the emails and the export. The enums the form, the models
and the coverage rules share live here, and this module imports nothing of ours; an enum used in one
place only (the audit log's actions, the email's sections) is a LabelledEnum beside its use.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class LabelledEnum(StrEnum):
    """A stored text value with the words people see for it (``member.label``)."""

    _value_: str
    label: str

    # ``label`` has a default only so that type checkers read ``Coverage("private")`` as the lookup it is.
    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def parse(cls, raw: object) -> Self | None:
        """The member stored as ``raw``, or None for anything else (no exception for bad input)."""
        return cls._value2member_map_.get(raw) if isinstance(raw, str) else None  # type: ignore[return-value]


def N_(label: str) -> str:
    """Marks a label for the translators' catalogue (pybabel extract -k N_); the form shows it in the
    visitor's language (``request_form.options``), staff pages in English."""
    return label


# The request form's answers.
class VisitType(LabelledEnum):
    CONSULTATION = "consultation", N_("Free 15-minute consultation")
    NEW_PATIENT = "new_patient", N_("New-patient appointment")


class ContactMethod(LabelledEnum):
    PHONE = "phone", N_("Phone call")
    TEXT = "text", N_("Text message")
    EMAIL = "email", N_("Email")


class Weekday(LabelledEnum):
    MONDAY = "mon", N_("Monday")
    TUESDAY = "tue", N_("Tuesday")
    WEDNESDAY = "wed", N_("Wednesday")
    THURSDAY = "thu", N_("Thursday")
    FRIDAY = "fri", N_("Friday")
    SATURDAY = "sat", N_("Saturday")


class TimeOfDay(LabelledEnum):
    MORNING = "morning", N_("Morning")
    AFTERNOON = "afternoon", N_("Afternoon")
    EVENING = "evening", N_("Evening")


class Concern(LabelledEnum):
    MIGRAINE = "migraine", N_("Migraine")
    TENSION_HEADACHE = "tension_headache", N_("Tension-type headache")
    NECK_HEADACHE = "neck_headache", N_("Headache that starts in the neck")
    NECK_PAIN = "neck_pain", N_("Neck pain")
    NOT_SURE = "not_sure", N_("Not sure")
    OTHER = "other", N_("Something else")


class Coverage(LabelledEnum):
    ORIGINAL_MEDICARE = "original_medicare", N_("Original Medicare")
    MEDICARE_ADVANTAGE = "medicare_advantage", N_("Medicare Advantage plan")
    APPLE_HEALTH = "apple_health", N_("Washington Apple Health (Medicaid)")
    OREGON_HEALTH_PLAN = "oregon_health_plan", N_("Oregon Health Plan (Medicaid)")
    PRIVATE = "private", N_("Private insurance (through work or bought yourself)")
    SELF_PAY = "self_pay", N_("No insurance, or paying myself")
    NOT_SURE = "not_sure", N_("Not sure")


class PlanType(LabelledEnum):
    PPO = "ppo", N_("PPO")
    HMO = "hmo", N_("HMO")
    EPO = "epo", N_("EPO")
    NOT_SURE = "not_sure", N_("Not sure")


class DeductibleStatus(LabelledEnum):
    """The answer to "Have you met this year's deductible?"."""

    MET = "met", N_("Yes")
    NOT_MET = "not_met", N_("No")
    NOT_SURE = "not_sure", N_("Not sure")


class PlanState(LabelledEnum):
    """The state a private plan is from: Washington's insurance laws bind only plans it regulates."""

    WASHINGTON = "wa", N_("Washington")
    OREGON = "or", N_("Oregon")
    OTHER = "other", N_("Another state")
    NOT_SURE = "not_sure", N_("Not sure")


class YesNoNotSure(LabelledEnum):
    """The answer to a yes-or-no question most people cannot be sure of (a state employees' plan, a
    self-funded plan)."""

    YES = "yes", N_("Yes")
    NO = "no", N_("No")
    NOT_SURE = "not_sure", N_("Not sure")


class AlsoMedicaid(LabelledEnum):
    """Whether a Medicare patient also has Medicaid or QMB status, which limits what they can be billed."""

    YES = "yes", N_("Yes")
    NO = "no", N_("No")
    NOT_SURE = "not_sure", N_("Not sure")


class Language(LabelledEnum):
    """The language a visitor used the form in; the label is what staff read ("Prefers Spanish")."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"


# What the coverage note found.
class Network(LabelledEnum):
    IN = "in", "we are in network"
    OUT = "out", "we are not in network"
    UNKNOWN = "unknown", "not known yet: check the plan"
    NOT_APPLICABLE = "not_applicable", "does not apply"


class NoteStatus(StrEnum):
    LIKELY_COVERED = "likely_covered"
    LIMITED = "limited"
    UNLIKELY = "unlikely"
    UNKNOWN = "unknown"


# The staff's work.
class RequestStatus(LabelledEnum):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    SCHEDULED = "scheduled", "Scheduled"
    CLOSED = "closed", "Closed"


class CloseReason(LabelledEnum):
    BOOKED = "booked", "Booked"
    NOT_A_FIT = "not_a_fit", "Not a fit"
    NO_ANSWER = "no_answer", "No answer"
    DUPLICATE_OR_SPAM = "duplicate_or_spam", "Duplicate or spam"


class Role(LabelledEnum):
    OWNER = "owner", "Owner"
    STAFF = "staff", "Staff"


class EmailState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
