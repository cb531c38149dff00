"""The CSV export's columns and rows, every cell safe to open in a spreadsheet. No Flask.

The answers' columns come from ``intake.fields.ANSWER_FIELDS``; the rest is the request's state.
"""

from __future__ import annotations

from collections.abc import Mapping

from clinic_app.answer_fields import ANSWER_FIELDS, Place, rows
from clinic_app.formatting import clinic_time
from clinic_app.models import ConsultationRequest

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_columns() -> list[str]:
    answers = [field.label for field in ANSWER_FIELDS if Place.EXPORT in field.places]
    return ["Reference", "Received", "Status", "Closing reason", *answers, "Coverage note", "Assigned to"]


def export_row(request: ConsultationRequest, timezone: str, carriers: Mapping[str, str]) -> list[str]:
    cells = [
        request.reference,
        clinic_time(request.created_at, timezone),
        request.status.label,
        request.close_reason.label if request.close_reason else "",
        *(row.text for row in rows(request, Place.EXPORT, carriers)),
        request.coverage_note.headline,
        request.assigned_to.name if request.assigned_to else "",
    ]
    return [safe_cell(cell) for cell in cells]


def safe_cell(value: object) -> str:
    """The value as text, with a leading apostrophe where a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
