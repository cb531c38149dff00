"""Checking a request's benefits with the payer's 271, and emailing the patient the updated note.

The 271 is pasted or uploaded, read in memory and thrown away: it is never stored, logged or written
to disk (uploads stay in memory: web/requests.py). Only the figures are kept (BenefitCheck). A 271
may be up to 1 MB, more than the 64 KiB the rest of the app accepts, so the check raises the limits
for itself, before anything reads the form: that is why CSRFProtect (which reads it first) leaves the
check to the form's own token. A body over them gets the request's page with the reason at the
upload box (413), not the patients' "too much to send" page.

Reading a 271 costs far more than any other staff page, so each signed-in account may check only so
many (RATELIMIT_BENEFITS_CHECK), counted per account: people at one front desk share an address.
Past the limit the body is not read either, and the request's page says how long to wait (429).

And a process reads one 271 at a time. Reading holds the interpreter: several at once in one process
leave its other threads (the public form's visitors among them) waiting behind each other's every
database call, and hold every thread. A check that finds another being read in its process is
refused at once (503, Retry-After) and sent again by hand: a few tenths of a second later, it reads.
"""

from __future__ import annotations

import math
import threading
import time

from flask import abort, flash, redirect, request, url_for
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import Field

from clinic_app.benefits import BenefitsFileError, read_271
from clinic_app.benefits.reading import MAX_BYTES, TOO_LARGE
from clinic_app.casework.benefit_checks import UpdatedNoteRefused, check_benefits, send_updated_note
from clinic_app.extensions import csrf, db, limiter
from clinic_app.models import BenefitCheck, ConsultationRequest
from clinic_app.staff.access import client_address
from clinic_app.staff.benefits_section import BenefitsForm
from clinic_app.staff.blueprint import bp
from clinic_app.staff.detail_page import get_request, render_detail
from clinic_app.staff.forms import ConfirmForm
from clinic_app.web import services
from clinic_app.web.responses import Page

# The 271 and the form's few other parts (the token, the multipart headers).
MAX_POST = MAX_BYTES + 16 * 1024
UNREADABLE = 422
REQUEST_TOO_LARGE = 413
TOO_MANY_CHECKS = 429
BUSY = 503
BUSY_RETRY_SECONDS = 5

BOTH = "Paste the 271 or upload its file, not both."
NEITHER = "Paste the 271 or upload its file."
PROBLEM = "The 271 could not be read:"
CHECKED_TOO_OFTEN = "The 271 was not read: your account has checked many 271s in a short time."
ANOTHER_BEING_READ = "The 271 was not read: the server is reading another one just now."
SEND_AGAIN = "Please paste or upload it again in a few seconds."

_ONE_READING_AT_A_TIME = threading.Lock()


def _signed_in_account() -> str:
    """The key the checks are counted under: the account (the view is for signed-in staff alone)."""
    return f"staff-account:{current_user.id}"


# Counted inside the view, after login_required, so that the key is always an account.
checks_per_account = limiter.limit(
    lambda: services.settings().ratelimit_benefits_check, key_func=_signed_in_account
)


@bp.post("/requests/<int:request_id>/benefits")
@csrf.exempt
@login_required
def benefits_check(request_id: int) -> Page:
    request.max_content_length = MAX_POST
    request.max_form_memory_size = MAX_POST
    found = get_request(request_id)
    if _over_the_limit():
        return _checked_too_often(found)
    try:
        form = BenefitsForm()
    except RequestEntityTooLarge:
        # Over the limit, nothing of the body is read: the staff page says so at the box, not the
        # patients' "too much to send" page.
        return _too_large(found)
    if not form.validate_on_submit():
        return _refused(found, form, None, "", 400, "Please try again.")
    pasted = form.x12.data or ""
    upload = form.upload.data
    uploaded = upload is not None and bool(upload.filename)
    if pasted.strip() and uploaded:
        return _refused(found, form, form.x12, BOTH)
    field = form.upload if uploaded else form.x12
    text = _uploaded_text(upload) if uploaded else pasted
    if not uploaded and not pasted.strip():
        return _refused(found, form, form.x12, NEITHER)
    if not _ONE_READING_AT_A_TIME.acquire(blocking=False):
        body, status = _refused(found, form, field, SEND_AGAIN, BUSY, ANOTHER_BEING_READ)
        return body, status, {"Retry-After": str(BUSY_RETRY_SECONDS)}
    refusal: str | None = None
    try:
        benefits = read_271(text)
    except BenefitsFileError as refused:
        refusal = refused.message
    finally:
        # Before the page is drawn: the next check need not wait for it.
        _ONE_READING_AT_A_TIME.release()
    if refusal is not None:
        return _refused(found, form, field, refusal)
    check_benefits(db.session, found, benefits, actor=current_user, ip_address=client_address())
    db.session.commit()
    flash("Benefits checked with the payer's 271. The figures are below; the 271 itself was not kept.")
    return redirect(url_for(".request_detail", request_id=found.id, _anchor="benefits-title"))


def _refused(
    found: ConsultationRequest,
    form: BenefitsForm,
    field: Field | None,
    message: str,
    status: int = UNREADABLE,
    problem: str = PROBLEM,
) -> tuple[str, int]:
    """The request's page again, with ``message`` at ``field``. The pasted text is never shown
    again, whatever went wrong: the page would hold the 271 once more."""
    if field is not None:
        field.errors = [message]
    form.x12.data, form.x12.raw_data = "", []
    return render_detail(found, status, benefits_form=form, problem=problem)


def _too_large(found: ConsultationRequest) -> Page:
    form = BenefitsForm(formdata=None)
    form.upload.errors = [TOO_LARGE]
    return render_detail(found, REQUEST_TOO_LARGE, benefits_form=form, problem=PROBLEM)


def _over_the_limit() -> bool:
    """Count this check against the account's limit; True when it is over."""
    try:
        with checks_per_account:
            return False
    except RateLimitExceeded:
        return True


def _checked_too_often(found: ConsultationRequest) -> Page:
    """The request's page with how long to wait at the box; Flask-Limiter adds Retry-After."""
    limit = limiter.current_limit
    # reset_at is a whole second, rounded up past the end of the window.
    seconds = limit.reset_at - 1 - time.time() if limit is not None else 60
    minutes = max(1, math.ceil(seconds / 60))
    form = BenefitsForm(formdata=None)
    form.x12.errors = [
        f"Please wait {'a minute' if minutes == 1 else f'{minutes} minutes'}, then paste or upload it again."
    ]
    return render_detail(found, TOO_MANY_CHECKS, benefits_form=form, problem=CHECKED_TOO_OFTEN)


def _uploaded_text(upload) -> str:  # type: ignore[no-untyped-def]
    data = upload.stream.read(MAX_BYTES + 1)
    # Bytes that are not text become U+FFFD, which read_271 refuses as binary.
    return data.decode("utf-8", errors="replace")


@bp.post("/requests/<int:request_id>/benefits/<int:check_id>/send")
@login_required
def benefits_send_note(request_id: int, check_id: int) -> Page:
    found = get_request(request_id)
    check = db.session.get(BenefitCheck, check_id)
    if check is None or check.request_id != found.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        return render_detail(found, 400, problem="Please try again.")
    app_services = services.services()
    try:
        send_updated_note(
            db.session,
            found,
            check,
            app_services.settings,
            app_services.clinic,
            app_services.rule_books,
            actor=current_user,
            ip_address=client_address(),
        )
    except UpdatedNoteRefused as refused:
        db.session.rollback()
        return render_detail(found, 400, problem=str(refused))
    db.session.commit()
    services.wake_outbox_worker()
    flash("The updated note is queued to be emailed to the patient.")
    return redirect(url_for(".request_detail", request_id=found.id, _anchor="benefits-title"))
