"""Friendly error pages: a visitor never sees a bare error or a stack trace."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from clinic_app.audit import AuditAction, record
from clinic_app.extensions import db
from clinic_app.models import AuditEntry, utcnow

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Something went wrong with that page"), _l("Please go back, check your answers and try again.")),
    403: (_l("You cannot open this page"), _l("This page is for clinic owners.")),
    404: (_l("Page not found"), _l("We could not find that page.")),
    405: (_l("Page not found"), _l("We could not find that page.")),
    413: (_l("That was too much to send"), _l("Please shorten your message and try again.")),
    429: (
        _l("Please wait a moment"),
        _l("You have tried many times in a short time. Please try again in a minute."),
    ),
}


# Where the request form is sent: a page refusing it (too many tries, a server error) still leads
# with the urgent advice when the form said yes to a warning sign.
FORM_SENDING = {"public.send_request_form", "embed.send_form"}


def render_error(code: int, **context: object) -> tuple[str, int]:
    """The error page; ``context`` carries the embed's options when the page shows in its iframe."""
    title, text = MESSAGES.get(
        code, (_l("Sorry, something went wrong"), _l("Please try again in a few minutes."))
    )
    page = render_template(
        "errors/error.html",
        title=title,
        text=text,
        code=code,
        warning_sign=warning_sign_reported(),
        **context,
    )
    return page, code


def warning_sign_reported() -> bool:
    if request.method != "POST" or request.endpoint not in FORM_SENDING:
        return False
    try:
        return request.form.get("warning_signs") == "yes"
    except HTTPException:  # a body too large to read
        return False


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        audit_refused_sign_in(400, "form sent without a valid CSRF token")
        return render_error(400)

    @app.errorhandler(SQLAlchemyError)
    def database_error(error: SQLAlchemyError) -> tuple[str, int]:
        db.session.rollback()
        log.error(
            "database error on %s %s: %s", request.method, request.endpoint, database_error_in_words(error)
        )
        return render_error(500)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        if error.code == 429:
            audit_refused_sign_in(429, "too many tries")
        return render_error(error.code or 500)


def database_error_in_words(error: SQLAlchemyError) -> str:
    """What kind of database error this was, without its message: a database server's message can
    quote the row it refused (PostgreSQL: "Failing row contains (...)"), that is, a patient's answers."""
    if isinstance(error, DBAPIError) and error.orig is not None:
        sqlstate = getattr(error.orig, "sqlstate", None)
        return f"{type(error).__name__} ({type(error.orig).__name__}{f', SQLSTATE {sqlstate}' if sqlstate else ''})"
    return type(error).__name__


def audit_refused_sign_in(status: int, reason: str) -> None:
    """A sign-in refused before its password was checked (tries past the limit, a form without its
    CSRF token) goes in the audit log with the email it tried, as a wrong password does."""
    if request.endpoint != "staff.sign_in_page" or request.method != "POST":
        return
    db.session.rollback()
    address = request.remote_addr or "unknown"
    # One row a minute per address and reason is the record; a flood of refused posts must not
    # grow the append-only log without end.
    recent = db.session.scalars(
        sa.select(AuditEntry.detail).where(
            AuditEntry.action == AuditAction.SIGN_IN_FAILED.value,
            AuditEntry.ip_address == address[:45],
            AuditEntry.at > utcnow() - timedelta(minutes=1),
        )
    )
    if any(detail.get("reason") == reason for detail in recent):
        return
    record(
        db.session,
        AuditAction.SIGN_IN_FAILED,
        actor=None,
        actor_email=request.form.get("email", "").strip()[:254] or "(blank)",
        ip_address=address,
        detail={"reason": reason, "status": status},
    )
    db.session.commit()
