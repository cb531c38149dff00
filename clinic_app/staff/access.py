"""Who may see the staff pages: sign-in state, idle time-out, roles, and safe redirects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from clinic_app.audit import AuditAction, record
from clinic_app.extensions import db, login_manager
from clinic_app.models import StaffUser, utcnow
from clinic_app.web import services

SEEN_KEY = "staff_last_seen"


@login_manager.user_loader
def load_staff(user_id: str) -> StaffUser | None:
    """The session names an account and its session version; an old version has been signed out."""
    account_id, _, version = user_id.partition(":")
    if not account_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(StaffUser, int(account_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def safe_next(target: str | None) -> str | None:
    """A redirect target only if it is a path on this site; anything else could send staff elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def enforce_idle_timeout() -> Response | None:
    """Sign out a staff session that has been idle too long (before every staff page)."""
    if not current_user.is_authenticated:
        return None
    now = utcnow()
    last_seen = session.get(SEEN_KEY)
    idle = timedelta(minutes=services.settings().staff_idle_minutes)
    if last_seen and now - datetime.fromisoformat(last_seen) > idle:
        record(
            db.session, AuditAction.TIMED_OUT, actor=current_user, ip_address=client_address(),
            detail={"idle_minutes": idle.seconds // 60},
        )  # fmt: skip
        db.session.commit()
        logout_user()
        session.pop(SEEN_KEY, None)
        flash(f"You were signed out after {idle.seconds // 60} minutes without activity.")
        return redirect(url_for("staff.sign_in_page", next=request.full_path.rstrip("?")))
    session[SEEN_KEY] = now.isoformat()
    return None


def owner_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_owner:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def client_address() -> str:
    return request.remote_addr or "unknown"
