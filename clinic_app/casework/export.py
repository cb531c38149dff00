"""The CSV export: its columns, the query that reads them, and its rows, every cell safe to open in a
spreadsheet. No Flask.

The answers' columns come from ``answer_fields.ANSWER_FIELDS``; the rest is the request's state. The
query selects these columns alone, with no ORM objects and no JSON decoding, and the phone is read as
it was written when the request was stored, so a million rows stream in well under a minute.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import sqlalchemy as sa

from clinic_app.answer_fields import ANSWER_FIELDS, EXPORTED_LATER, AnswerField, Kind, Place, Table, written
from clinic_app.formatting import clinic_time
from clinic_app.models import ConsultationRequest, InsuranceAnswers, StaffUser, StoredCoverageNote

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST_CHARACTERS = frozenset(FORMULA_STARTS)
# Text kept as the export prints it: what people typed, and the phone as written when stored.
WRITTEN_AS_STORED = {Kind.TEXT, Kind.EMAIL, Kind.MESSAGE, Kind.PHONE}

_EXPORTED = {field.name: field for field in ANSWER_FIELDS if Place.EXPORT in field.places}
# Clinics may read the export by position: the answers added later follow the columns they read.
EXPORTED_ANSWERS = tuple(field for name, field in _EXPORTED.items() if name not in EXPORTED_LATER)
LATER_ANSWERS = tuple(_EXPORTED[name] for name in EXPORTED_LATER)


def export_columns() -> list[str]:
    return [
        "Reference", "Received", "Status", "Closing reason", *(field.label for field in EXPORTED_ANSWERS),
        "Coverage note", "Assigned to", *(field.label for field in LATER_ANSWERS),
    ]  # fmt: skip


def export_query(where: list[sa.ColumnElement[bool]]) -> sa.Select[Any]:
    """The export's columns for the requests that match ``where``, newest first."""
    request = ConsultationRequest
    return (
        sa.select(
            request.reference,
            request.created_at,
            request.status,
            request.close_reason,
            *(_stored(field) for field in EXPORTED_ANSWERS),
            StoredCoverageNote.headline,
            StaffUser.name.label("assigned_to"),
            *(_stored(field) for field in LATER_ANSWERS),
        )
        .join(InsuranceAnswers, InsuranceAnswers.request_id == request.id)
        .join(StoredCoverageNote, StoredCoverageNote.request_id == request.id)
        .outerjoin(StaffUser, StaffUser.id == request.assigned_to_id)
        .where(*where)
        .order_by(request.created_at.desc(), request.id.desc())
    )


def _stored(field: AnswerField) -> sa.ColumnElement[Any]:
    if field.kind is Kind.PHONE:
        return ConsultationRequest.phone_display.label(field.name)
    table = InsuranceAnswers if field.table is Table.INSURANCE else ConsultationRequest
    column: sa.ColumnElement[Any] = getattr(table, field.name)
    return column.label(field.name)


def row_writer(timezone: str, carriers: Mapping[str, str]) -> Callable[[sa.Row[Any]], list[str]]:
    """Turns an exported row into its cells. Each column's way of writing is chosen once here, not
    for each of a million rows."""
    answers = [(field.name, _cell_writer(field, carriers)) for field in EXPORTED_ANSWERS]
    later = [(field.name, _cell_writer(field, carriers)) for field in LATER_ANSWERS]

    def cells_of(row: sa.Row[Any]) -> list[str]:
        values = row._mapping
        cells = [
            row.reference,
            clinic_time(row.created_at, timezone),
            row.status.label,
            row.close_reason.label if row.close_reason else "",
            *[write(values[name]) for name, write in answers],
            row.headline,
            row.assigned_to or "",
            *[write(values[name]) for name, write in later],
        ]
        return [safe_cell(cell) if cell[:1] in FORMULA_FIRST_CHARACTERS else cell for cell in cells]

    return cells_of


def _cell_writer(field: AnswerField, carriers: Mapping[str, str]) -> Callable[[Any], str]:
    if field.kind in WRITTEN_AS_STORED:
        return lambda value: value or ""
    if field.kind is Kind.CHOICE:
        return lambda value: value.label if value is not None else ""
    return lambda value: (
        "" if value is None or value == "" or value == [] else written(field, value, carriers)
    )


def csv_chunks(header: list[str], rows: Iterable[list[str]]) -> Iterator[tuple[str, int]]:
    """The CSV in pieces of about 64 KB, each with the number of rows written so far."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    written = 0
    for row in rows:
        writer.writerow(row)
        written += 1
        if buffer.tell() > 64_000:
            yield buffer.getvalue(), written
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue(), written


def safe_cell(value: object) -> str:
    """The value as text, with a leading apostrophe where a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
