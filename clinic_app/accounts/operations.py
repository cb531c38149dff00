"""Creating staff accounts, setting passwords, signing in. Each adds to the session; callers commit."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from clinic_app.accounts.passwords import hash_password, password_matches, spend_a_password_check
from clinic_app.accounts.rules import LOCK_FOR, after_failure, password_problem, wait_left
from clinic_app.audit import AuditAction, record
from clinic_app.choices import Role
from clinic_app.models import SignInThrottle, StaffUser, utcnow
from clinic_app.models.staff import SignInPause
from clinic_app.models.types import DbSession

PASSWORD_LINK_LIFETIME = timedelta(hours=48)


class AccountError(ValueError):
    """Something about an account request is wrong; the message is for the person who asked."""


def normalized_email(raw: str) -> str:
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError(f"{raw!r} is not an email address.") from error


def find_by_email(session: DbSession, email: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower()))


def create_staff(
    session: DbSession, *, email: str, name: str, role: Role, actor: StaffUser | None, ip_address: str
) -> StaffUser:
    address = normalized_email(email)
    if find_by_email(session, address):
        raise AccountError(f"There is already an account for {address}.")
    if not name.strip():
        raise AccountError("Enter the person's name.")
    user = StaffUser(email=address, name=name.strip()[:120], role=role, active=True, created_at=utcnow())
    session.add(user)
    session.flush()
    record(
        session,
        AuditAction.ADDED_STAFF,
        actor=actor,
        ip_address=ip_address,
        detail={"staff_id": user.id, "email": address, "role": role.value},
    )
    return user


def issue_password_link(
    session: DbSession, user: StaffUser, *, actor: StaffUser | None, ip_address: str
) -> str:
    """A one-time token for setting a password; only its hash is stored. Opening the link changes
    nothing: the password is set by posting the form it shows."""
    token = secrets.token_urlsafe(32)
    user.password_token_hash = _token_hash(token)
    user.password_token_expires_at = utcnow() + PASSWORD_LINK_LIFETIME
    record(
        session,
        AuditAction.ISSUED_PASSWORD_LINK,
        actor=actor,
        ip_address=ip_address,
        detail={"staff_id": user.id, "email": user.email},
    )
    return token


def password_link(base_url: str, token: str) -> str:
    """The address to give the person: it shows the set-password form (staff.set_password_page)."""
    return f"{base_url}/staff/set-password/{token}"


def user_for_password_token(session: DbSession, token: str) -> StaffUser | None:
    user = session.scalar(select(StaffUser).where(StaffUser.password_token_hash == _token_hash(token)))
    if user is None or not user.active or user.password_token_expires_at is None:
        return None
    return user if user.password_token_expires_at > utcnow() else None


def set_password(session: DbSession, user: StaffUser, password: str, *, ip_address: str) -> None:
    """Set a new password; the link is used up and other sessions of this account end."""
    problem = password_problem(password, [user.email, user.name, *user.email.split("@")])
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(password)
    user.password_token_hash = None
    user.password_token_expires_at = None
    user.session_version += 1
    _forget_failures(session, user)
    record(session, AuditAction.SET_PASSWORD, actor=user, ip_address=ip_address, detail={"staff_id": user.id})


def end_sessions(user: StaffUser) -> None:
    """Every session signed in as this account stops working (sessions carry the version)."""
    user.session_version += 1


def deactivate(session: DbSession, user: StaffUser, *, actor: StaffUser | None, ip_address: str) -> None:
    if actor is not None and actor.id == user.id:
        raise AccountError("You cannot deactivate your own account.")
    user.active = False
    user.password_token_hash = None
    user.session_version += 1
    record(
        session,
        AuditAction.DEACTIVATED_STAFF,
        actor=actor,
        ip_address=ip_address,
        detail={"staff_id": user.id, "email": user.email},
    )


@dataclass(frozen=True)
class SignIn:
    user: StaffUser | None
    problem: str | None


# The one answer to every failed sign-in, so nobody can tell which staff emails exist or which
# accounts are paused.
REFUSED = (
    "That email and password do not match an active account. After several wrong tries, sign-in"
    " pauses for a few minutes: wait, then try again."
)


def sign_in(
    session: DbSession,
    email: str,
    password: str,
    *,
    ip_address: str,
    now: datetime | None = None,
    notify_lock: Callable[[StaffUser, SignInPause], object] | None = None,
) -> SignIn:
    """Check a password, slowing down and then locking repeated failures. Every outcome is audited.

    Every refusal gives the same message after the same work (one password hash check), whether the
    email is unknown, the account paused or the password wrong. Failures count per account and
    address; when they lock sign-in, ``notify_lock`` tells the account's owner."""
    now = now or utcnow()
    user = find_by_email(session, email)
    if user is None or not user.active or user.password_hash is None:
        spend_a_password_check(password)
        record(
            session,
            AuditAction.SIGN_IN_FAILED,
            actor=None,
            actor_email=email.strip()[:254] or "(blank)",
            ip_address=ip_address,
            detail={"reason": "unknown or inactive account"},
        )
        return SignIn(None, REFUSED)
    throttle = _throttle(session, user, ip_address)
    wait = wait_left(throttle.blocked_until, now)
    if wait is not None:
        spend_a_password_check(password)
        record(
            session,
            AuditAction.SIGN_IN_FAILED,
            actor=user,
            ip_address=ip_address,
            detail={"reason": "waiting", "seconds_left": int(wait.total_seconds())},
        )
        return SignIn(None, REFUSED)
    if not password_matches(user.password_hash, password):
        state = after_failure(throttle.failures, now, throttle.blocked_until)
        throttle.failures, throttle.blocked_until = state.failures, state.blocked_until
        record(
            session,
            AuditAction.SIGN_IN_FAILED,
            actor=user,
            ip_address=ip_address,
            detail={"reason": "wrong password", "failures": state.failures, "locked": state.locked},
        )
        if state.locked and notify_lock is not None:
            notify_lock(user, SignInPause(ip_address, state.failures, LOCK_FOR))
        return SignIn(None, REFUSED)
    session.delete(throttle)
    user.last_sign_in_at = now
    record(session, AuditAction.SIGNED_IN, actor=user, ip_address=ip_address)
    return SignIn(user, None)


def unlock(session: DbSession, user: StaffUser, *, actor: StaffUser, ip_address: str) -> int:
    """Lift every pause on this account's sign-in, from every address; returns how many there were."""
    paused = _forget_failures(session, user)
    record(
        session,
        AuditAction.UNLOCKED,
        actor=actor,
        ip_address=ip_address,
        detail={"staff_id": user.id, "email": user.email, "addresses": paused},
    )
    return paused


def is_paused(session: DbSession, user: StaffUser, now: datetime | None = None) -> bool:
    """Whether sign-in to this account waits now, from any address."""
    return bool(
        session.scalar(
            select(func.count())
            .select_from(SignInThrottle)
            .where(SignInThrottle.staff_id == user.id, SignInThrottle.blocked_until > (now or utcnow()))
        )
    )


def _throttle(session: DbSession, user: StaffUser, ip_address: str) -> SignInThrottle:
    """This account's count at this address, made if need be and locked until the caller commits, so
    that sign-ins at the same moment neither collide on the new row nor lose a failure."""
    address = ip_address[:45]
    dialect = session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        upsert(SignInThrottle)
        .values(staff_id=user.id, ip_address=address, failures=0)
        .on_conflict_do_nothing(index_elements=["staff_id", "ip_address"])
    )
    return session.scalars(
        select(SignInThrottle)
        .where(SignInThrottle.staff_id == user.id, SignInThrottle.ip_address == address)
        .with_for_update()
    ).one()


def _forget_failures(session: DbSession, user: StaffUser) -> int:
    result = session.execute(delete(SignInThrottle).where(SignInThrottle.staff_id == user.id))
    return int(getattr(result, "rowcount", 0) or 0)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
