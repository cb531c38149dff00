"""The request's answers, declared once: where each is stored, what staff call it, how it is written,
and where it is shown (the staff email, the request's page, the CSV export).

``submit_request`` copies the answers to the tables by this list, and the email, the staff page and
the export render their rows from it. Adding a question means: the form field, a migration and a
column, the answers dataclass, and one line here (the README's checklist). A unit test checks that
every column of the request tables is either listed here or named in ``NOT_ANSWERS``. The order here
is the order of the email's and the staff page's rows, and of the CSV export's first columns. Clinics
may read the export by position, so an answer added later is exported after all the others: name it
at the end of ``EXPORTED_LATER``. No Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from clinic_app.choices import LabelledEnum, Language, TimeOfDay, Weekday
from clinic_app.coverage import dollars
from clinic_app.formatting import phone_for_people


class Table(Enum):
    REQUEST = "consultation_request"
    INSURANCE = "insurance_answers"


class Section(LabelledEnum):
    """The staff email's headings. MAIL_PHI=summary sends only the contact section, so nothing about
    health or insurance may be filed under it (a unit test holds the contact section to its list)."""

    CONTACT = "contact", "Contact"
    HEALTH = "health", "Health"
    INSURANCE = "insurance", "Insurance"


class Kind(Enum):
    TEXT = "text"
    MESSAGE = "message"
    PHONE = "phone"
    EMAIL = "email"
    CHOICE = "choice"
    DAYS = "days"
    TIMES = "times"
    NUMBER = "number"
    YES_NO = "yes_no"
    MONEY = "money"
    PERCENT = "percent"
    CARRIER = "carrier"
    LANGUAGE = "language"


class Place(Enum):
    EMAIL = "email"
    STAFF_PAGE = "staff_page"
    EXPORT = "export"


EVERYWHERE = frozenset(Place)
EMAIL_AND_PAGE = frozenset({Place.EMAIL, Place.STAFF_PAGE})


@dataclass(frozen=True)
class AnswerField:
    name: str
    label: str
    table: Table
    section: Section
    kind: Kind
    places: frozenset[Place] = EVERYWHERE
    # What the email and the staff page say for an empty answer; None leaves the row out there.
    when_empty: str | None = None


ANSWER_FIELDS: tuple[AnswerField, ...] = (
    AnswerField("visit_type", "Visit type", Table.REQUEST, Section.CONTACT, Kind.CHOICE,
                frozenset({Place.STAFF_PAGE, Place.EXPORT})),
    AnswerField("full_name", "Name", Table.REQUEST, Section.CONTACT, Kind.TEXT,
                frozenset({Place.EMAIL, Place.EXPORT})),
    AnswerField("phone_e164", "Phone", Table.REQUEST, Section.CONTACT, Kind.PHONE, when_empty="not given"),
    AnswerField("email", "Email", Table.REQUEST, Section.CONTACT, Kind.EMAIL, when_empty="not given"),
    AnswerField("preferred_contact", "Prefers", Table.REQUEST, Section.CONTACT, Kind.CHOICE),
    AnswerField("best_days", "Best days", Table.REQUEST, Section.CONTACT, Kind.DAYS, EMAIL_AND_PAGE, "any"),
    AnswerField("best_times", "Best times", Table.REQUEST, Section.CONTACT, Kind.TIMES, EMAIL_AND_PAGE, "any"),
    AnswerField("main_concern", "Main concern", Table.REQUEST, Section.HEALTH, Kind.CHOICE),
    AnswerField("headache_days_per_month", "Headache days a month", Table.REQUEST, Section.HEALTH, Kind.NUMBER),
    AnswerField("has_warning_signs", "Warning signs", Table.REQUEST, Section.HEALTH, Kind.YES_NO),
    AnswerField("message", "Message", Table.REQUEST, Section.HEALTH, Kind.MESSAGE, EMAIL_AND_PAGE, "none"),
    AnswerField("coverage", "Coverage", Table.INSURANCE, Section.INSURANCE, Kind.CHOICE),
    AnswerField("carrier", "Carrier", Table.INSURANCE, Section.INSURANCE, Kind.CARRIER),
    AnswerField("plan_type", "Plan type", Table.INSURANCE, Section.INSURANCE, Kind.CHOICE),
    AnswerField("plan_state", "Plan's state", Table.INSURANCE, Section.INSURANCE, Kind.CHOICE),
    AnswerField("state_employee_plan", "Washington state or school employees' plan", Table.INSURANCE,
                Section.INSURANCE, Kind.CHOICE),
    AnswerField("self_funded", "Self-funded employer plan", Table.INSURANCE, Section.INSURANCE, Kind.CHOICE),
    AnswerField("also_medicaid", "Also Medicaid or QMB", Table.INSURANCE, Section.INSURANCE, Kind.CHOICE,
                EMAIL_AND_PAGE),
    AnswerField("age", "Age", Table.INSURANCE, Section.INSURANCE, Kind.NUMBER),
    AnswerField("deductible_status", "Deductible met", Table.INSURANCE, Section.INSURANCE, Kind.CHOICE,
                EMAIL_AND_PAGE),
    AnswerField("deductible_remaining", "Deductible left", Table.INSURANCE, Section.INSURANCE, Kind.MONEY,
                EMAIL_AND_PAGE),
    AnswerField("copay", "Copay", Table.INSURANCE, Section.INSURANCE, Kind.MONEY, EMAIL_AND_PAGE),
    AnswerField("coinsurance_percent", "Coinsurance", Table.INSURANCE, Section.INSURANCE, Kind.PERCENT,
                EMAIL_AND_PAGE),
    AnswerField("language", "Language", Table.REQUEST, Section.CONTACT, Kind.LANGUAGE),
)  # fmt: skip

# The export's last columns, after its "Coverage note" and "Assigned to": the answers it gained after
# clinics began to read it by position, in the order they were added. A new exported answer goes at
# the end of this list, so no column before it moves.
EXPORTED_LATER = ("language", "plan_state", "state_employee_plan", "self_funded")

# Columns of the request tables that are not answers: the request's own state, kept by the app.
NOT_ANSWERS = {
    Table.REQUEST: {
        "id", "reference", "created_at", "status", "consented_at", "search_text", "close_reason",
        "closed_at", "spam_reason", "assigned_to_id", "phone_display",
        # The patient's choice of an emailed copy: shown with the emails on the staff page.
        "wants_email_copy",
    },
    Table.INSURANCE: {"request_id"},
}  # fmt: skip


@dataclass(frozen=True)
class AnswerRow:
    field: AnswerField
    text: str
    # The stored value, for links (tel:, mailto:) on the staff page.
    value: Any


def columns(answers: Any, table: Table) -> dict[str, Any]:
    """The listed answers stored in ``table``, read by name: from RequestAnswers for the request
    table, from its CoverageAnswers for the insurance table."""
    return {field.name: getattr(answers, field.name) for field in ANSWER_FIELDS if field.table is table}


def rows(request: Any, place: Place, carriers: Mapping[str, str]) -> list[AnswerRow]:
    """The request's answers as staff read them in ``place`` (the email or the staff page; the export
    reads its columns alone, in ``casework.export``). Empty answers are written with their
    ``when_empty`` text, or left out where they have none."""
    found = []
    for field in ANSWER_FIELDS:
        if place not in field.places:
            continue
        stored = request.insurance if field.table is Table.INSURANCE else request
        value = getattr(stored, field.name)
        if value is None or value == "" or value == []:
            if field.when_empty is not None:
                found.append(AnswerRow(field, field.when_empty, value))
        else:
            found.append(AnswerRow(field, written(field, value, carriers), value))
    return found


def written(field: AnswerField, value: Any, carriers: Mapping[str, str]) -> str:
    """One answer in words."""
    match field.kind:
        case Kind.CHOICE:
            return str(value.label)
        case Kind.DAYS:
            return ", ".join(Weekday(day).label for day in value)
        case Kind.TIMES:
            return ", ".join(TimeOfDay(time).label for time in value)
        case Kind.PHONE:
            return phone_for_people(value)
        case Kind.YES_NO:
            return "Yes" if value else "No"
        case Kind.MONEY:
            return dollars(Decimal(value))
        case Kind.PERCENT:
            return f"{value}%"
        case Kind.LANGUAGE:
            return str(value.label) if value is Language.ENGLISH else f"Prefers {value.label}"
        case Kind.CARRIER:
            return carriers.get(value, value)
        case _:
            return str(value)


def sections(found: list[AnswerRow]) -> list[tuple[Section, list[AnswerRow]]]:
    """The rows grouped under their section headings, in the order of the list."""
    grouped: dict[Section, list[AnswerRow]] = {}
    for row in found:
        grouped.setdefault(row.field.section, []).append(row)
    return list(grouped.items())
