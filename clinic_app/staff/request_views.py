"""The request list and a request's page, and what staff can do to a request."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from clinic_app.audit import AuditAction, record
from clinic_app.coverage import Coverage, VisitType
from clinic_app.extensions import db
from clinic_app.intake.queries import (
    Cursor,
    RequestFilters,
    active_staff,
    counts_by_status,
    page_of_requests,
)
from clinic_app.intake.settings import staff_email_settings
from clinic_app.intake.staff_operations import (
    NoteRefused,
    add_note,
    assign,
    change_status,
    resend_staff_email,
    view_request,
)
from clinic_app.intake.timeline import timeline
from clinic_app.mail.outbox import failed_count, retry_failed
from clinic_app.models import ConsultationRequest, EmailState, OutboxEmail, StaffUser
from clinic_app.staff import bp
from clinic_app.staff.access import client_address
from clinic_app.staff.forms import AssignForm, ConfirmForm, FilterForm, NoteForm, StatusForm
from clinic_app.workflow import RequestStatus, TransitionRefused


def filter_form() -> tuple[FilterForm, RequestFilters]:
    """The list's filters from the query string; a value that makes no sense is ignored, not an error."""
    form = FilterForm(formdata=MultiDict(request.args))
    staff = active_staff(db.session)
    form.assigned.choices = [("", "Anyone"), *((str(s.id), s.name) for s in staff)]

    def value(name: str, kind):
        raw = getattr(form, name).data
        return kind(raw) if raw in kind._value2member_map_ else None

    # Not validated: filters never show errors. An unparsable date leaves its field empty.
    return form, RequestFilters(
        status=value("status", RequestStatus),
        visit_type=value("visit_type", VisitType),
        coverage=value("coverage", Coverage),
        received_from=form.received_from.data,
        received_to=form.received_to.data,
        search=(form.q.data or "").strip()[:120],
        assigned_to=int(form.assigned.data) if (form.assigned.data or "").isdigit() else None,
        spam=request.args.get("spam") == "1" and current_user.is_owner,
        email_failed=request.args.get("email") == "failed",
    )


def filters_in_words(filters: RequestFilters) -> dict[str, str]:
    """The filters for the audit log."""
    return {key: str(value) for key, value in vars(filters).items() if value not in (None, "", False)}


@bp.get("/")
@login_required
def request_list():
    form, filters = filter_form()
    timezone = current_app.config["CLINIC_TIMEZONE"]
    page = page_of_requests(
        db.session,
        filters,
        timezone,
        older_than=Cursor.parse(request.args.get("older")),
        newer_than=Cursor.parse(request.args.get("newer")),
    )
    counts = counts_by_status(db.session, filters, timezone)
    record(
        db.session,
        AuditAction.VIEWED_LIST,
        actor=current_user,
        ip_address=client_address(),
        detail=filters_in_words(filters),
    )
    db.session.commit()
    query = {key: value for key, value in request.args.items() if key not in ("older", "newer") and value}
    return render_template(
        "staff/list.html", form=form, filters=filters, page=page, counts=counts, query=query
    )


def get_request(request_id: int) -> ConsultationRequest:
    found = db.session.get(ConsultationRequest, request_id)
    if found is None:
        abort(404)
    return found


@bp.get("/requests/<int:request_id>")
@login_required
def request_detail(request_id: int):
    found = get_request(request_id)
    view_request(db.session, found, actor=current_user, ip_address=client_address())
    db.session.commit()
    return render_detail(found)


def render_detail(found: ConsultationRequest, status_code: int = 200, **forms):
    assign_form = forms.get("assign_form") or AssignForm()
    assign_form.assignee.choices = [("", "No one"), *((str(s.id), s.name) for s in active_staff(db.session))]
    if not assign_form.is_submitted():
        assign_form.assignee.data = str(found.assigned_to_id or "")
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
        ),
        status_code,
    )


@bp.post("/requests/<int:request_id>/status")
@login_required
def request_status(request_id: int):
    found = get_request(request_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return render_detail(found, 400, status_form=form, problem="Choose a status from the list.")
    try:
        change_status(db.session, found, *form.target(), actor=current_user, ip_address=client_address())
    except TransitionRefused as refused:
        db.session.rollback()
        return render_detail(found, 400, status_form=form, problem=str(refused))
    db.session.commit()
    flash(f"Status changed to {found.status.value}.")
    return redirect(url_for(".request_detail", request_id=found.id))


@bp.post("/requests/<int:request_id>/notes")
@login_required
def request_note(request_id: int):
    found = get_request(request_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            add_note(db.session, found, form.body.data, actor=current_user, ip_address=client_address())
        except NoteRefused as refused:
            form.body.errors = [str(refused)]
        else:
            db.session.commit()
            flash("Note added.")
            return redirect(url_for(".request_detail", request_id=found.id))
    return render_detail(found, 400, note_form=form)


@bp.post("/requests/<int:request_id>/assign")
@login_required
def request_assign(request_id: int):
    found = get_request(request_id)
    form = AssignForm()
    if not form.validate_on_submit():
        return render_detail(found, 400, assign_form=form, problem="Please try again.")
    assignee = None
    if form.assignee.data:
        assignee = (
            db.session.get(StaffUser, int(form.assignee.data)) if form.assignee.data.isdigit() else None
        )
        if assignee is None or not assignee.active:
            return render_detail(found, 400, assign_form=form, problem="Choose someone from the list.")
    assign(db.session, found, assignee, actor=current_user, ip_address=client_address())
    db.session.commit()
    flash(f"Assigned to {assignee.name}." if assignee else "No one is assigned now.")
    return redirect(url_for(".request_detail", request_id=found.id))


@bp.post("/requests/<int:request_id>/resend-email")
@login_required
def request_resend_email(request_id: int):
    found = get_request(request_id)
    if not ConfirmForm().validate_on_submit():
        return render_detail(found, 400, problem="Please try again.")
    resend_staff_email(
        db.session,
        found,
        staff_email_settings(current_app.config),
        current_app.extensions["coverage_rules"],
        actor=current_user,
        ip_address=client_address(),
    )
    db.session.commit()
    current_app.extensions["outbox_worker"].wake()
    flash("The staff email is queued to be sent again.")
    return redirect(url_for(".request_detail", request_id=found.id))


@bp.post("/requests/<int:request_id>/emails/<int:email_id>/retry")
@login_required
def request_retry_email(request_id: int, email_id: int):
    found = get_request(request_id)
    email = db.session.get(OutboxEmail, email_id)
    if email is None or email.request_id != found.id or email.state is not EmailState.FAILED:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        return render_detail(found, 400, problem="Please try again.")
    retry_failed(email)
    record(
        db.session, AuditAction.RETRIED_EMAIL, actor=current_user, ip_address=client_address(), request=found
    )
    db.session.commit()
    current_app.extensions["outbox_worker"].wake()
    flash("The email will be tried again now.")
    return redirect(url_for(".request_detail", request_id=found.id))


@bp.context_processor
def failed_email_badge() -> dict[str, int]:
    """Staff pages show how many staff emails could not be sent, so none is missed."""
    if not current_user.is_authenticated:
        return {}
    return {"failed_emails": failed_count(db.session)}
