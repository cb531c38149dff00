"""The email a staff member gets when wrong passwords pause sign-in to their account."""

from __future__ import annotations

from clinic_app.mail.outbox import enqueue
from clinic_app.mail.rendering import render_email
from clinic_app.models import OutboxEmail, StaffUser
from clinic_app.models.staff import SignInPause
from clinic_app.models.types import DbSession
from clinic_app.settings import Settings


def queue_sign_in_paused(
    session: DbSession, user: StaffUser, pause: SignInPause, settings: Settings
) -> OutboxEmail:
    """Tell the account's owner that sign-in is paused, from where, and what to do."""
    context = {
        "user": user,
        "ip_address": pause.ip_address,
        "failures": pause.failures,
        "minutes": int(pause.length.total_seconds() // 60),
        "clinic_name": settings.clinic_name,
        "team_url": f"{settings.dashboard_url}/team",
    }
    return enqueue(
        session,
        sender=settings.mail_from,
        recipients=[user.email],
        subject=" ".join(render_email("sign_in_paused_subject.txt", context).split()),
        body_text=render_email("sign_in_paused.txt", context),
        body_html=render_email("sign_in_paused.html", context),
        message_domain=settings.message_domain,
        carries_health_details=False,
    )
