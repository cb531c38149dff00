"""The declared list of a request's answers covers every column, and every answer has its column."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from types import SimpleNamespace

import sqlalchemy as sa

from clinic_app.answer_fields import ANSWER_FIELDS, NOT_ANSWERS, Place, Section, Table, rows
from clinic_app.casework.export import export_columns
from clinic_app.choices import Coverage, DeductibleStatus, Language, PlanState, TimeOfDay, Weekday
from clinic_app.coverage import CoverageAnswers
from clinic_app.intake.answers import RequestAnswers
from clinic_app.models import ConsultationRequest, InsuranceAnswers

MODELS = {Table.REQUEST: ConsultationRequest, Table.INSURANCE: InsuranceAnswers}
ANSWERS = {Table.REQUEST: RequestAnswers, Table.INSURANCE: CoverageAnswers}


def test_every_column_of_the_request_tables_is_an_answer_or_the_requests_own_state():
    for table, model in MODELS.items():
        column_names = {column.key for column in sa.inspect(model).columns}
        listed = {field.name for field in ANSWER_FIELDS if field.table is table}
        assert column_names - NOT_ANSWERS[table] == listed, (
            f"{model.__tablename__}: list or exclude each column"
        )


def test_every_listed_answer_is_read_from_the_validated_answers():
    for field in ANSWER_FIELDS:
        answers = ANSWERS[field.table]
        names = {f.name for f in dataclasses.fields(answers)} | {
            name for name, value in vars(answers).items() if isinstance(value, property)
        }
        assert field.name in names, f"{answers.__name__} has no {field.name}"


def stored_request(**insurance):
    return SimpleNamespace(
        visit_type=None, full_name="Ana Díaz", phone_e164="+15035550142", email=None,
        preferred_contact=None, best_days=[Weekday.MONDAY.value, "wed"], best_times=[TimeOfDay.EVENING],
        has_warning_signs=True, main_concern=None, headache_days_per_month=8, message="",
        language=Language.SPANISH,
        insurance=SimpleNamespace(
            coverage=Coverage.PRIVATE, carrier="premera", plan_type=None, also_medicaid=None, age=41,
            deductible_status=DeductibleStatus.NOT_MET, deductible_remaining=Decimal("1200.5"), copay=None,
            coinsurance_percent=20, plan_state=PlanState.OREGON, state_employee_plan=None, self_funded=None,
            **insurance,
        ),
    )  # fmt: skip


def test_rows_write_each_answer_in_words_and_say_so_when_one_is_empty():
    found = {row.field.label: row.text for row in rows(stored_request(), Place.EMAIL, {"premera": "Premera"})}
    assert found["Phone"] == "(503) 555-0142"
    assert found["Email"] == "not given"
    assert found["Best days"] == "Monday, Wednesday"
    assert found["Best times"] == "Evening"
    assert found["Warning signs"] == "Yes"
    assert found["Message"] == "none"
    assert found["Carrier"] == "Premera"
    assert found["Deductible met"] == "No"
    assert found["Deductible left"] == "$1,200.50"
    assert found["Coinsurance"] == "20%"
    assert found["Plan's state"] == "Oregon"
    assert "Plan type" not in found and "Copay" not in found and "Self-funded employer plan" not in found
    assert "Visit type" not in found
    assert found["Language"] == "Prefers Spanish"


def test_the_export_columns_keep_their_order():
    # Clinics may read the export by column position: a new answer goes in without moving the others.
    assert export_columns() == [
        "Reference", "Received", "Status", "Closing reason", "Visit type", "Name", "Phone", "Email",
        "Prefers", "Main concern", "Headache days a month", "Warning signs", "Coverage", "Carrier",
        "Plan type", "Age", "Coverage note", "Assigned to", "Language", "Plan's state",
        "Washington state or school employees' plan", "Self-funded employer plan",
    ]  # fmt: skip


def test_only_contact_details_are_filed_under_contact():
    # MAIL_PHI=summary sends the contact section alone: no health or insurance answer may join it.
    contact = [field.name for field in ANSWER_FIELDS if field.section is Section.CONTACT]
    assert contact == [
        "visit_type", "full_name", "phone_e164", "email", "preferred_contact", "best_days", "best_times",
        "language",
    ]  # fmt: skip
