"""The clinic's own pages: the request form, its confirmation, the privacy and nondiscrimination notices."""

from __future__ import annotations

from flask import make_response, redirect, render_template, url_for
from werkzeug.wrappers import Response

from clinic_app.extensions import csrf
from clinic_app.public.blueprint import bp
from clinic_app.web.form_flow import request_for_confirmation, request_form_limit, request_form_page
from clinic_app.web.responses import Page
from clinic_app.web.security_headers import never_stored


@bp.get("/")
def home() -> Response:
    return redirect(url_for(".request_form"))


@bp.get("/request")
def request_form() -> Page:
    return _request_form_page()


# Only sending is rate-limited: the limit's decorator costs a quarter of the page's time even when
# it lets a request through. Protected by its single-use form token and the Origin check instead of
# a session CSRF token.
@csrf.exempt
@bp.post("/request")
@request_form_limit
def send_request_form() -> Page:
    return _request_form_page()


def _request_form_page() -> Page:
    return request_form_page("public/request.html", lambda token: url_for(".confirmation", token=token))


@bp.get("/request/received/<token>")
def confirmation(token: str) -> Page:
    found = request_for_confirmation(token)
    if found is None:
        return render_template("public/confirmation_expired.html"), 404
    page = render_template("public/confirmation.html", consultation_request=found, note=found.coverage_note)
    # The note is health information: no cache may keep it after the link closes.
    return never_stored(make_response(page))


@bp.get("/privacy")
def privacy() -> str:
    return render_template("public/privacy.html")


@bp.get("/nondiscrimination")
def nondiscrimination() -> str:
    return render_template("public/nondiscrimination.html")
