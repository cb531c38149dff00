"""Links to a request's confirmation page that need no cookie and stop working after a while.

The confirmation shows the coverage note, which is health information, so its address is a signed,
expiring token rather than a guessable number. It works inside a cross-site iframe, where cookies may
be blocked.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from clinic_app.models import ConsultationRequest
from clinic_app.models.types import DbSession
from clinic_app.settings import Settings

SALT = "request-confirmation"


def confirmation_token(secret_key: str, request: ConsultationRequest) -> str:
    return URLSafeTimedSerializer(secret_key, salt=SALT).dumps(request.reference)


def confirmation_address(settings: Settings, request: ConsultationRequest) -> str:
    """The full address of the request's confirmation page, for the patient's emailed copy: on the
    clinic's own site (PUBLIC_BASE_URL), whichever page the form was sent from."""
    return f"{settings.public_base_url}/request/received/{confirmation_token(settings.secret_key, request)}"


def request_for_token(
    session: DbSession, secret_key: str, token: str, max_age_seconds: int
) -> ConsultationRequest | None:
    """The request the token names, or None when the token is forged, damaged or expired."""
    try:
        reference = URLSafeTimedSerializer(secret_key, salt=SALT).loads(token, max_age=max_age_seconds)
    except BadSignature:
        return None
    return session.scalar(select(ConsultationRequest).where(ConsultationRequest.reference == reference))
