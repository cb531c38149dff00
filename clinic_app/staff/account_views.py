"""Signing in and out, and setting a password from a one-time link."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from clinic_app.accounts.operations import (
    AccountError,
    end_sessions,
    set_password,
    sign_in,
    user_for_password_token,
)
from clinic_app.audit import AuditAction, record
from clinic_app.extensions import db, limiter
from clinic_app.mail.account_email import queue_sign_in_paused
from clinic_app.models import utcnow
from clinic_app.staff.access import SEEN_KEY, client_address, enforce_idle_timeout, safe_next
from clinic_app.staff.blueprint import bp
from clinic_app.staff.forms import SetPasswordForm, SignInForm
from clinic_app.web import services
from clinic_app.web.responses import Page
from clinic_app.web.security_headers import never_stored


@bp.before_request
def before_staff_page() -> Response | None:
    return enforce_idle_timeout()


# Staff pages hold patients' answers, and the set-password page a secret: none is ever cached.
bp.after_request(never_stored)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: services.settings().ratelimit_sign_in, methods=["POST"])
def sign_in_page() -> Page:
    if current_user.is_authenticated:
        return redirect(url_for(".request_list"))
    form = SignInForm()
    problem = None
    if form.validate_on_submit():
        outcome = sign_in(
            db.session,
            form.email.data,
            form.password.data,
            ip_address=client_address(),
            notify_lock=lambda user, pause: queue_sign_in_paused(
                db.session, user, pause, services.settings()
            ),
        )
        db.session.commit()
        services.wake_outbox_worker()
        if outcome.user is not None:
            login_user(outcome.user)
            # A CSRF token from before sign-in (perhaps planted) must not work after it.
            session.pop("csrf_token", None)
            session[SEEN_KEY] = utcnow().isoformat()
            return redirect(safe_next(request.args.get("next")) or url_for(".request_list"))
        problem = outcome.problem
    status = 400 if form.is_submitted() else 200
    return render_template("staff/sign_in.html", form=form, problem=problem), status


@bp.post("/sign-out")
@login_required
def sign_out() -> Response:
    """End this session on the server too: a copy of the session cookie, saved before, stops working."""
    end_sessions(current_user)
    record(db.session, AuditAction.SIGNED_OUT, actor=current_user, ip_address=client_address())
    db.session.commit()
    logout_user()
    flash("You are signed out.")
    return redirect(url_for(".sign_in_page"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password_page(token: str) -> Page:
    """Opening the link only shows the form; the password changes when the form is posted."""
    user = user_for_password_token(db.session, token)
    if user is None:
        return render_template("staff/set_password.html", form=None), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            set_password(db.session, user, form.password.data, ip_address=client_address())
        except AccountError as error:
            form.password.errors = [str(error)]
        else:
            db.session.commit()
            logout_user()
            flash("Your password is set. Please sign in.")
            return redirect(url_for(".sign_in_page"))
    status = 400 if form.is_submitted() else 200
    return render_template("staff/set_password.html", form=form, user=user), status
