"""Showing and receiving the request form, the same way on the clinic's page and inside an iframe."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, redirect, render_template, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from clinic_app.extensions import db, limiter
from clinic_app.intake.operations import submit_request
from clinic_app.intake.spam import spam_reason
from clinic_app.models import ConsultationRequest
from clinic_app.web import services
from clinic_app.web.confirmation_links import confirmation_address, confirmation_token, request_for_token
from clinic_app.web.form_tokens import (
    FormTokenProblem,
    issue_form_token,
    mark_sent,
    origin_allowed,
    origin_of,
    read_form_token,
    request_already_sent,
    same_machine_origins,
)
from clinic_app.web.languages import chosen_language
from clinic_app.web.page_cache import rendered_pages
from clinic_app.web.request_form import EXPIRED_FORM, RequestForm
from clinic_app.web.responses import Page

log = logging.getLogger(__name__)

# One count per client address for the public and the embedded form together.
request_form_limit = limiter.shared_limit(
    lambda: services.settings().ratelimit_form, scope="request-form", methods=["POST"]
)

DATABASE_AWAY = _l(
    "We could not save this just now. Your answers are still here: please send it again in a minute."
)
FOREIGN_ORIGIN = _l(
    "This form was sent from a page we do not know. Please open the form on our website and send it again."
)


def request_form_page(template: str, confirmation_url: Callable[[str], str], **context: Any) -> Page:
    """GET shows the form with a fresh token; POST stores the request once, then redirects to its
    confirmation. Problems show beside the kept answers, with a 400 (a 503 when the database is away)."""
    initial = context.pop("initial", None)
    if request.method != "POST":
        return _blank_form_page(template, initial, context), 200
    form = RequestForm(data=initial)
    status = 400
    if _refuse(form) is None:
        try:
            sent = _store_once(form)
        except (OperationalError, InterfaceError):
            # The database is away (restarting, unreachable): nothing was stored, so the visitor
            # keeps every answer and sends again, rather than meeting an error page.
            db.session.rollback()
            log.error("request form: the database could not be reached; the visitor was asked to resend")
            form.form_token.errors = [DATABASE_AWAY]
            sent, status = None, 503
        if sent is not None:
            return redirect(confirmation_url(confirmation_token(services.settings().secret_key, sent)), 303)
    form.form_token.data = issue_form_token(services.settings().secret_key)
    return render_template(template, form=form, **context), status


def _blank_form_page(template: str, initial: dict[str, Any] | None, context: dict[str, Any]) -> str:
    """The form before anything is sent. It is the same page for every visitor but for its token, so
    it is rendered once per process for each set of embed options, and each visit gets it with a
    fresh token put in."""
    token = issue_form_token(services.settings().secret_key)

    def render(form_token: str) -> str:
        form = RequestForm(data=initial)
        form.form_token.data = form_token
        return render_template(template, form=form, **context)

    # A message flashed by a staff page in this browser shows once, on the next page: this visitor's
    # own page, not one to keep. With templates reloaded on change (flask run --debug), a kept page
    # would hide the change.
    if "_flashes" in session or current_app.jinja_env.auto_reload:
        return render(token)
    # Everything the page is rendered from besides the app itself (whose settings, clinic details and
    # static files' versions stay put for the life of the process): the template, what the view
    # passes (the embed's checked options; their order is the order of the form's action's query),
    # the page's language and whether it was picked (then its links carry it), and the prefix the app is served under, which url_for() puts before every address.
    key = (template, str(get_locale()), chosen_language(), request.script_root, repr(initial), repr(context))
    return rendered_pages(current_app._get_current_object()).page(key, render, token)  # type: ignore[attr-defined]


def own_origins() -> set[str]:
    """This app's origin: PUBLIC_BASE_URL's, never the one a request's Host header names, which any
    client can set. On a developer's machine, localhost and 127.0.0.1 are the same place."""
    return same_machine_origins(origin_of(services.settings().public_base_url))


def _refuse(form: RequestForm) -> str | None:
    embed_origins = set(services.settings().embed_allowed_origins)
    if not origin_allowed(request.headers.get("Origin"), own_origins(), embed_origins):
        form.form_token.errors = [FOREIGN_ORIGIN]
        return FOREIGN_ORIGIN
    return None


def _store_once(form: RequestForm) -> ConsultationRequest | None:
    settings = services.settings()
    try:
        nonce, shown_at = read_form_token(
            settings.secret_key, form.form_token.data, settings.form_token_minutes * 60
        )
    except FormTokenProblem:
        form.validate()
        form.form_token.errors = [EXPIRED_FORM]
        return None
    already = request_already_sent(db.session, nonce)
    if already is not None:
        return already
    if not form.validate():
        return None
    bot = spam_reason(
        form.website.data, shown_at, datetime.now(UTC), timedelta(seconds=settings.min_fill_seconds)
    )
    sent = submit_request(
        db.session,
        form.to_answers(),
        services.clinic(),
        services.services().rule_books,
        settings,
        note_url=lambda stored: confirmation_address(settings, stored),
        spam_reason=bot,
    )
    mark_sent(db.session, nonce, sent)
    try:
        db.session.commit()
    except IntegrityError:
        # The same form, sent twice at once: the other copy was stored first.
        db.session.rollback()
        return request_already_sent(db.session, nonce)
    services.wake_outbox_worker()
    return sent


def request_for_confirmation(token: str) -> ConsultationRequest | None:
    """The request a confirmation link names, or None when the link is forged, damaged or too old."""
    settings = services.settings()
    return request_for_token(db.session, settings.secret_key, token, settings.confirmation_link_minutes * 60)
