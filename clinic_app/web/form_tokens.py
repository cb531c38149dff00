"""Single-use form tokens: CSRF protection for the request form that needs no cookie.

A form carries a signed, expiring token. The token's nonce is stored with the request it created, in
the same transaction, so sending the same page twice (a double click, or back and send again) finds
the first request instead of making a second. The form works inside another site's iframe, where
browsers block or partition cookies and a session-based CSRF token would fail.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache
from urllib.parse import urlsplit

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from clinic_app.models import ConsultationRequest, FormSubmission, utcnow
from clinic_app.models.types import DbSession

SALT = "request-form"


class FormTokenProblem(ValueError):
    """The token is missing, forged or too old; the visitor should check and send again."""


@cache
def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    # Built once per key: building it for every page cost a tenth of the form page's time.
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def issue_form_token(secret_key: str, first_shown: datetime | None = None) -> str:
    """A fresh token. A form sent back to fix a mistake (a time just taken, a missing answer) carries
    when it was first shown, so its quick second send is not timed as a bot's (spam.MIN_FILL)."""
    nonce = secrets.token_urlsafe(16)
    payload = nonce if first_shown is None else [nonce, int(first_shown.timestamp())]
    return _serializer(secret_key).dumps(payload)


def read_form_token(secret_key: str, token: str | None, max_age_seconds: int) -> tuple[str, datetime]:
    """The token's nonce and when the form was first shown."""
    if not token:
        raise FormTokenProblem("missing")
    try:
        payload, shown_at = _serializer(secret_key).loads(
            token, max_age=max_age_seconds, return_timestamp=True
        )
    except SignatureExpired as error:
        raise FormTokenProblem("expired") from error
    except BadSignature as error:
        raise FormTokenProblem("forged") from error
    nonce = payload
    if isinstance(payload, list) and len(payload) == 2 and isinstance(payload[1], int):
        nonce, first_shown = payload
        shown_at = min(shown_at, datetime.fromtimestamp(first_shown, shown_at.tzinfo))
    if not isinstance(nonce, str) or not 16 <= len(nonce) <= 32:
        raise FormTokenProblem("forged")
    return nonce, shown_at


def request_already_sent(session: DbSession, nonce: str) -> ConsultationRequest | None:
    """The request this form already created, if it was sent before."""
    return session.scalar(
        select(ConsultationRequest).join(FormSubmission).where(FormSubmission.nonce == nonce)
    )


def mark_sent(session: DbSession, nonce: str, request: ConsultationRequest) -> None:
    session.add(FormSubmission(nonce=nonce, request=request, created_at=utcnow()))


def origin_allowed(origin: str | None, own_origins: set[str], embed_origins: set[str]) -> bool:
    """A browser says in Origin which page sent a form. A form sent from another site is refused;
    a request with no Origin (not from a browser page) cannot be a cross-site forgery."""
    if origin is None:
        return True
    return origin in own_origins or origin in embed_origins


LOOPBACK_NAMES = ("localhost", "127.0.0.1")


def same_machine_origins(origin: str) -> set[str]:
    """The origin, and on loopback the same port under the other loopback name."""
    parts = urlsplit(origin)
    if parts.hostname not in LOOPBACK_NAMES:
        return {origin}
    port = f":{parts.port}" if parts.port else ""
    return {f"{parts.scheme}://{name}{port}" for name in LOOPBACK_NAMES}


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
