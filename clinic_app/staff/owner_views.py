"""Pages for owners only: the CSV export, the audit log and the team."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from clinic_app.accounts.operations import (
    AccountError,
    create_staff,
    deactivate,
    is_paused,
    issue_password_link,
    password_link,
    unlock,
)
from clinic_app.audit import AuditAction, record
from clinic_app.casework.export import csv_chunks, export_columns, row_writer
from clinic_app.casework.queries import RequestFinder
from clinic_app.choices import Role
from clinic_app.extensions import db
from clinic_app.models import AuditEntry, StaffUser
from clinic_app.settings import SettingsError, embed_origins
from clinic_app.staff.access import client_address, owner_required
from clinic_app.staff.blueprint import bp
from clinic_app.staff.filters import filter_form, filters_in_words
from clinic_app.staff.forms import AddStaffForm, AuditFilterForm, ConfirmForm
from clinic_app.web import services
from clinic_app.web.responses import Page

AUDIT_PAGE_SIZE = 200


@bp.get("/export.csv")
@login_required
@owner_required
def export_csv() -> Response:
    """The current filtered list as CSV, streamed, every cell safe to open in a spreadsheet.

    The audit log says when an export starts, and then either that it finished, with its number of
    rows, or that it stopped before its end (the download was cut off), with the rows sent by then.
    """
    _, filters = filter_form()
    timezone = services.settings().clinic_timezone
    carriers = services.rules().carriers
    asked_for = filters_in_words(filters)
    actor_id, address = current_user.id, client_address()
    record(db.session, AuditAction.EXPORT_STARTED, actor=current_user, ip_address=address, detail=asked_for)
    db.session.commit()

    def streamed() -> Iterator[str]:
        sent, finished = 0, False
        try:
            found = RequestFinder(db.session, filters, timezone).export_rows()
            rows = map(row_writer(timezone, carriers), found)
            for chunk, rows_in_chunks in csv_chunks(export_columns(), rows):
                sent = rows_in_chunks
                yield chunk
            finished = True
        finally:
            db.session.rollback()
            outcome = AuditAction.EXPORTED if finished else AuditAction.EXPORT_STOPPED
            actor = db.session.get(StaffUser, actor_id)
            record(db.session, outcome, actor=actor, ip_address=address, detail={**asked_for, "rows": sent})
            db.session.commit()

    return Response(
        stream_with_context(streamed()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="requests.csv"', "Cache-Control": "no-store"},
    )


@bp.get("/audit")
@login_required
@owner_required
def audit_log() -> Page:
    form = AuditFilterForm(formdata=MultiDict(request.args))
    staff = list(db.session.scalars(sa.select(StaffUser).order_by(StaffUser.name)))
    form.person.choices = [("", "Everyone"), *((str(s.id), f"{s.name} ({s.email})") for s in staff)]
    query = sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(AUDIT_PAGE_SIZE)
    if (form.person.data or "").isdigit():
        query = query.where(AuditEntry.actor_id == int(form.person.data))
    reference = (form.reference.data or "").strip().upper()
    if reference:
        query = query.where(AuditEntry.request_reference == reference)
    entries = list(db.session.scalars(query))
    record(
        db.session,
        AuditAction.VIEWED_AUDIT,
        actor=current_user,
        ip_address=client_address(),
        detail={
            key: value for key, value in (("person", form.person.data), ("reference", reference)) if value
        },
    )
    db.session.commit()
    return render_template(
        "staff/audit.html",
        form=form,
        entries=entries,
        labels={action.value: action.label for action in AuditAction},
        limit=AUDIT_PAGE_SIZE,
    )


@bp.route("/team", methods=["GET", "POST"])
@login_required
@owner_required
def team() -> Page:
    form = AddStaffForm()
    new_link = None
    status = 200
    if form.validate_on_submit():
        try:
            user = create_staff(
                db.session,
                email=form.email.data,
                name=form.name.data,
                role=Role(form.role.data),
                actor=current_user,
                ip_address=client_address(),
            )
        except AccountError as error:
            db.session.rollback()
            form.email.errors = [str(error)]
            status = 400
        else:
            token = issue_password_link(db.session, user, actor=current_user, ip_address=client_address())
            db.session.commit()
            new_link = link_for(token)
            flash(f"Added {user.name}. Give them the link below to set their password.")
            form = AddStaffForm(formdata=None)
    elif form.is_submitted():
        status = 400
    return render_team(form, new_link, status)


@bp.post("/team/<int:staff_id>/deactivate")
@login_required
@owner_required
def team_deactivate(staff_id: int) -> Page:
    user = db.session.get(StaffUser, staff_id)
    if user is None or not ConfirmForm().validate_on_submit():
        flash("Please try again.")
        return redirect(url_for(".team"))
    try:
        deactivate(db.session, user, actor=current_user, ip_address=client_address())
    except AccountError as error:
        db.session.rollback()
        flash(str(error))
    else:
        db.session.commit()
        flash(f"{user.name} can no longer sign in.")
    return redirect(url_for(".team"))


@bp.post("/team/<int:staff_id>/password-link")
@login_required
@owner_required
def team_password_link(staff_id: int) -> Page:
    user = db.session.get(StaffUser, staff_id)
    if user is None or not user.active or not ConfirmForm().validate_on_submit():
        flash("Please try again.")
        return redirect(url_for(".team"))
    token = issue_password_link(db.session, user, actor=current_user, ip_address=client_address())
    db.session.commit()
    flash(f"New set-password link for {user.name}.")
    return render_team(AddStaffForm(formdata=None), link_for(token))


@bp.post("/team/<int:staff_id>/unlock")
@login_required
@owner_required
def team_unlock(staff_id: int) -> Page:
    """Lift the pause that wrong passwords put on someone's sign-in, from every address."""
    user = db.session.get(StaffUser, staff_id)
    if user is None or not ConfirmForm().validate_on_submit():
        flash("Please try again.")
        return redirect(url_for(".team"))
    unlock(db.session, user, actor=current_user, ip_address=client_address())
    db.session.commit()
    flash(f"{user.name} can sign in again now.")
    return redirect(url_for(".team"))


def render_team(form: AddStaffForm, new_link: str | None = None, status: int = 200) -> tuple[str, int]:
    members = list(db.session.scalars(sa.select(StaffUser).order_by(StaffUser.active.desc(), StaffUser.name)))
    paused = {member.id for member in members if is_paused(db.session, member)}
    page = render_template(
        "staff/team.html",
        form=form,
        members=members,
        paused=paused,
        new_link=new_link,
        confirm_form=ConfirmForm(formdata=None),
    )
    return page, status


def link_for(token: str) -> str:
    return password_link(services.settings().public_base_url, token)


@bp.get("/embed")
@login_required
@owner_required
def embed_snippets() -> Page:
    """The snippets to paste into the clinic's website, with this app's address filled in, and a check
    of whether a site may show the form (a site not on the list shows an empty 'refused' box)."""
    allowed = services.settings().embed_allowed_origins
    site = (request.args.get("site") or "").strip()[:200]
    try:
        checked = embed_origins([site])[0] if site else None
    except SettingsError:
        checked = None
    return render_template(
        "staff/embed.html",
        base=services.settings().public_base_url,
        allowed=allowed,
        site=site,
        site_origin=checked,
        site_allowed=checked in allowed,
        script_bytes=(Path(str(current_app.static_folder)) / "js" / "embed.js").stat().st_size,
    )
