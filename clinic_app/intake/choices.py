"""What each answer is called on the form, in the email and on the dashboard."""

from __future__ import annotations

from enum import StrEnum

from clinic_app.coverage import AlsoMedicaid, Concern, Coverage, DeductibleStatus, PlanType, VisitType


class ContactMethod(StrEnum):
    PHONE = "phone"
    TEXT = "text"
    EMAIL = "email"


class Weekday(StrEnum):
    MONDAY = "mon"
    TUESDAY = "tue"
    WEDNESDAY = "wed"
    THURSDAY = "thu"
    FRIDAY = "fri"
    SATURDAY = "sat"


class TimeOfDay(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


LABELS: dict[type[StrEnum], dict[str, str]] = {
    VisitType: {
        "consultation": "Free 15-minute consultation",
        "new_patient": "New-patient appointment",
    },
    ContactMethod: {"phone": "Phone call", "text": "Text message", "email": "Email"},
    Weekday: {
        "mon": "Monday",
        "tue": "Tuesday",
        "wed": "Wednesday",
        "thu": "Thursday",
        "fri": "Friday",
        "sat": "Saturday",
    },
    TimeOfDay: {"morning": "Morning", "afternoon": "Afternoon", "evening": "Evening"},
    Concern: {
        "migraine": "Migraine",
        "tension_headache": "Tension-type headache",
        "neck_headache": "Headache that starts in the neck",
        "neck_pain": "Neck pain",
        "not_sure": "Not sure",
        "other": "Something else",
    },
    Coverage: {
        "original_medicare": "Original Medicare",
        "medicare_advantage": "Medicare Advantage plan",
        "apple_health": "Washington Apple Health (Medicaid)",
        "oregon_health_plan": "Oregon Health Plan (Medicaid)",
        "private": "Private insurance (through work or bought yourself)",
        "self_pay": "No insurance, or paying myself",
        "not_sure": "Not sure",
    },
    PlanType: {"ppo": "PPO", "hmo": "HMO", "epo": "EPO", "not_sure": "Not sure"},
    DeductibleStatus: {"met": "Yes", "not_met": "No", "not_sure": "Not sure"},
    AlsoMedicaid: {"yes": "Yes", "no": "No", "not_sure": "Not sure"},
}


def label(value: StrEnum | None) -> str:
    """The words for a stored answer; an empty string for an unanswered one."""
    if value is None:
        return ""
    return LABELS[type(value)][value.value]


def weekday_label(value: str) -> str:
    return LABELS[Weekday][value]


def time_label(value: str) -> str:
    return LABELS[TimeOfDay][value]
