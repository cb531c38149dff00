"""Showing and receiving the request form, the same way on the clinic's page and inside an iframe."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import current_app, redirect, render_template, request
from sqlalchemy.exc import IntegrityError

from clinic_app.extensions import db, limiter
from clinic_app.intake.confirmation import confirmation_token
from clinic_app.intake.form import EXPIRED_FORM, RequestForm
from clinic_app.intake.form_tokens import (
    FormTokenProblem,
    issue_form_token,
    mark_sent,
    origin_allowed,
    origin_of,
    read_form_token,
    request_already_sent,
)
from clinic_app.intake.operations import submit_request
from clinic_app.intake.settings import staff_email_settings
from clinic_app.intake.spam import spam_reason
from clinic_app.models import ConsultationRequest

# One count per client address for the public and the embedded form together.
request_form_limit = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_FORM"], scope="request-form", methods=["POST"]
)

FOREIGN_ORIGIN = (
    "This form was sent from a page we do not know. Please open the form on our website and send it again."
)


def request_form_page(template: str, confirmation_url: Callable[[str], str], **context):
    """GET shows the form with a fresh token; POST stores the request once, then redirects to its
    confirmation. Problems show beside the kept answers, with a 400."""
    form = RequestForm(data=context.pop("initial", None))
    if request.method == "POST":
        problem = _refuse(form)
        if problem is None:
            sent = _store_once(form)
            if sent is not None:
                return redirect(
                    confirmation_url(confirmation_token(current_app.config["SECRET_KEY"], sent)), 303
                )
        status = 400
    else:
        status = 200
    form.form_token.data = issue_form_token(current_app.config["SECRET_KEY"])
    return render_template(template, form=form, **context), status


def own_origins() -> set[str]:
    """This app's origins: the public address, and the one this request came to."""
    return {origin_of(current_app.config["PUBLIC_BASE_URL"]), origin_of(request.host_url)}


def _refuse(form: RequestForm) -> str | None:
    config = current_app.config
    if not origin_allowed(request.headers.get("Origin"), own_origins(), set(config["EMBED_ALLOWED_ORIGINS"])):
        form.form_token.errors = [FOREIGN_ORIGIN]
        return FOREIGN_ORIGIN
    return None


def _store_once(form: RequestForm) -> ConsultationRequest | None:
    config = current_app.config
    try:
        nonce, shown_at = read_form_token(
            config["SECRET_KEY"], form.form_token.data, config["FORM_TOKEN_MINUTES"] * 60
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
    extensions = current_app.extensions
    bot = spam_reason(
        form.website.data, shown_at, datetime.now(UTC), timedelta(seconds=config["MIN_FILL_SECONDS"])
    )
    sent = submit_request(
        db.session,
        form.to_answers(),
        extensions["clinic_facts"],
        extensions["coverage_rules"],
        staff_email_settings(config),
        spam_reason=bot,
    )
    mark_sent(db.session, nonce, sent)
    try:
        db.session.commit()
    except IntegrityError:
        # The same form, sent twice at once: the other copy was stored first.
        db.session.rollback()
        return request_already_sent(db.session, nonce)
    extensions["outbox_worker"].wake()
    return sent
