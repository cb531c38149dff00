"""A request's answers after validation: plain values, no form or database objects.

The names match the columns they are stored in (see ``answer_fields.ANSWER_FIELDS``).
"""

from __future__ import annotations

from dataclasses import dataclass

from clinic_app.choices import Concern, ContactMethod, Language, TimeOfDay, VisitType, Weekday
from clinic_app.coverage import CoverageAnswers


@dataclass(frozen=True)
class RequestAnswers:
    full_name: str
    email: str | None
    phone_e164: str | None
    preferred_contact: ContactMethod
    best_days: list[Weekday]
    best_times: list[TimeOfDay]
    main_concern: Concern
    headache_days_per_month: int
    message: str | None
    has_warning_signs: bool
    insurance: CoverageAnswers
    # "Email me a copy of my reference and next steps": not an answer staff read, the patient's choice.
    wants_email_copy: bool = False
    # The language the form was filled in: the note is written in it, and staff call back in it.
    language: Language = Language.ENGLISH

    @property
    def visit_type(self) -> VisitType:
        return self.insurance.visit_type
