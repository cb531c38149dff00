"""A request's staff page, as every view that shows it renders it: the request views, and the benefits
views when they refuse a 271 (so both show the same page)."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template
from flask_login import current_user

from clinic_app.casework.benefit_checks import updated_note_email_ids
from clinic_app.casework.queries import active_staff
from clinic_app.casework.timeline import timeline
from clinic_app.extensions import db
from clinic_app.models import ConsultationRequest
from clinic_app.staff.benefits_section import benefits_section
from clinic_app.staff.forms import AssignForm, ConfirmForm, NoteForm, StatusForm
from clinic_app.web import services


def get_request(request_id: int) -> ConsultationRequest:
    """The request, if this person may see it: a bot's request (kept as spam) is for owners only."""
    found = db.session.get(ConsultationRequest, request_id)
    if found is None or (found.spam_reason is not None and not current_user.is_owner):
        abort(404)
    return found


def render_detail(found: ConsultationRequest, status_code: int = 200, **forms: Any) -> tuple[str, int]:
    # Only the assign form's own refusal shows what was chosen; any other page shows the assignee.
    assign_form = forms.get("assign_form")
    if assign_form is None:
        assign_form = AssignForm(formdata=None)
        assign_form.assignee.data = str(found.assigned_to_id or "")
    assign_form.assignee.choices = [("", "No one"), *((str(s.id), s.name) for s in active_staff(db.session))]
    return (
        render_template(
            "staff/detail.html",
            consultation_request=found,
            note=found.coverage_note,
            status_form=forms.get("status_form") or StatusForm(formdata=None),
            note_form=forms.get("note_form") or NoteForm(formdata=None),
            assign_form=assign_form,
            confirm_form=ConfirmForm(formdata=None),
            events=timeline(db.session, found),
            problem=forms.get("problem"),
            benefits=benefits_section(found, forms.get("benefits_form")),
            updated_notes=updated_note_email_ids(db.session, found),
            staff_actions=services.services()
            .rule_books["en"]
            .staff_actions_for(found.coverage_note.rule_ids),
        ),
        status_code,
    )
