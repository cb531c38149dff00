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


# The request form's answers.
class VisitType(LabelledEnum):
    CONSULTATION = "consultation", "Free 15-minute consultation"
    NEW_PATIENT = "new_patient", "New-patient appointment"


class ContactMethod(LabelledEnum):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"


class Weekday(LabelledEnum):
    MONDAY = "mon", "Monday"
    TUESDAY = "tue", "Tuesday"
    WEDNESDAY = "wed", "Wednesday"
    THURSDAY = "thu", "Thursday"
    FRIDAY = "fri", "Friday"
    SATURDAY = "sat", "Saturday"


class TimeOfDay(LabelledEnum):
    MORNING = "morning", "Morning"
    AFTERNOON = "afternoon", "Afternoon"
    EVENING = "evening", "Evening"


class Concern(LabelledEnum):
    MIGRAINE = "migraine", "Migraine"
    TENSION_HEADACHE = "tension_headache", "Tension-type headache"
    NECK_HEADACHE = "neck_headache", "Headache that starts in the neck"
    NECK_PAIN = "neck_pain", "Neck pain"
    NOT_SURE = "not_sure", "Not sure"
    OTHER = "other", "Something else"


class Coverage(LabelledEnum):
    ORIGINAL_MEDICARE = "original_medicare", "Original Medicare"
    MEDICARE_ADVANTAGE = "medicare_advantage", "Medicare Advantage plan"
    APPLE_HEALTH = "apple_health", "Washington Apple Health (Medicaid)"
    OREGON_HEALTH_PLAN = "oregon_health_plan", "Oregon Health Plan (Medicaid)"
    PRIVATE = "private", "Private insurance (through work or bought yourself)"
    SELF_PAY = "self_pay", "No insurance, or paying myself"
    NOT_SURE = "not_sure", "Not sure"


class PlanType(LabelledEnum):
    PPO = "ppo", "PPO"
    HMO = "hmo", "HMO"
    EPO = "epo", "EPO"
    NOT_SURE = "not_sure", "Not sure"


class DeductibleStatus(LabelledEnum):
    """The answer to "Have you met this year's deductible?"."""

    MET = "met", "Yes"
    NOT_MET = "not_met", "No"
    NOT_SURE = "not_sure", "Not sure"


class AlsoMedicaid(LabelledEnum):
    """Whether a Medicare patient also has Medicaid or QMB status, which limits what they can be billed."""

    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_SURE = "not_sure", "Not sure"


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
