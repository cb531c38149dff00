"""The request list and a request's page, and what staff can do to a request."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from clinic_app.audit import AuditAction, record
from clinic_app.casework.actions import (
    NoteRefused,
    add_note,
    assign,
    change_status,
    resend_staff_email,
    view_request,
)
from clinic_app.casework.queries import MOST_SEARCH_MATCHES, Cursor, RequestFinder
from clinic_app.casework.workflow import TransitionRefused
from clinic_app.choices import EmailState, RequestStatus
from clinic_app.extensions import db
from clinic_app.mail.outbox import failed_count, retry_failed
from clinic_app.mail.transports import plain_smtp_refusal
from clinic_app.models import OutboxEmail, StaffUser
from clinic_app.staff.access import client_address
from clinic_app.staff.blueprint import bp
from clinic_app.staff.detail_page import get_request, render_detail
from clinic_app.staff.filters import filter_form, filters_in_words
from clinic_app.staff.forms import AssignForm, ConfirmForm, NoteForm, StatusForm
from clinic_app.web import services
from clinic_app.web.responses import Page


@bp.get("/")
@login_required
def request_list() -> Page:
    form, filters = filter_form()
    finder = RequestFinder(db.session, filters, services.settings().clinic_timezone)
    page = finder.page(
        older_than=Cursor.parse(request.args.get("older")), newer_than=Cursor.parse(request.args.get("newer"))
    )
    counts = finder.counts()
    record(
        db.session,
        AuditAction.VIEWED_LIST,
        actor=current_user,
        ip_address=client_address(),
        detail=filters_in_words(filters),
    )
    query = {key: value for key, value in request.args.items() if key not in ("older", "newer") and value}
    # Rendered before the audit row's commit: the commit expires the loaded rows, and reading each
    # again afterwards cost one query per row (57 for a page of 50).
    page_html = render_template(
        "staff/list.html",
        form=form,
        filters=filters,
        page=page,
        counts=counts,
        statuses=list(RequestStatus),
        most_search_matches=MOST_SEARCH_MATCHES,
        query=query,
    )
    db.session.commit()
    return page_html


@bp.get("/requests/<int:request_id>")
@login_required
def request_detail(request_id: int) -> Page:
    found = get_request(request_id)
    view_request(db.session, found, actor=current_user, ip_address=client_address())
    db.session.commit()
    return render_detail(found)


@bp.post("/requests/<int:request_id>/status")
@login_required
def request_status(request_id: int) -> Page:
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
def request_note(request_id: int) -> Page:
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
def request_assign(request_id: int) -> Page:
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
def request_resend_email(request_id: int) -> Page:
    found = get_request(request_id)
    if not ConfirmForm().validate_on_submit():
        return render_detail(found, 400, problem="Please try again.")
    resend_staff_email(
        db.session,
        found,
        services.settings(),
        services.services().rule_books,
        actor=current_user,
        ip_address=client_address(),
    )
    db.session.commit()
    services.wake_outbox_worker()
    flash("The staff email is queued to be sent again.")
    return redirect(url_for(".request_detail", request_id=found.id))


@bp.post("/requests/<int:request_id>/emails/<int:email_id>/retry")
@login_required
def request_retry_email(request_id: int, email_id: int) -> Page:
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
    services.wake_outbox_worker()
    flash("The email will be tried again now.")
    return redirect(url_for(".request_detail", request_id=found.id))


@bp.context_processor
def failed_email_badge() -> dict[str, object]:
    """Staff pages show how many staff emails could not be sent, and why none can be sent when the
    mail settings forbid it, so none is missed."""
    if not current_user.is_authenticated:
        return {}
    return {
        "failed_emails": failed_count(db.session),
        "mail_refusal": plain_smtp_refusal(services.settings()),
    }
