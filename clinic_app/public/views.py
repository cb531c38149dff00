from __future__ import annotations

from flask import current_app, redirect, render_template, url_for

from clinic_app.extensions import csrf, db
from clinic_app.intake.confirmation import request_for_token
from clinic_app.intake.form_flow import request_form_limit, request_form_page
from clinic_app.public import bp


@bp.get("/")
def home():
    return redirect(url_for(".request_form"))


# Protected by its single-use form token and the Origin check instead of a session CSRF token.
@csrf.exempt
@bp.route("/request", methods=["GET", "POST"])
@request_form_limit
def request_form():
    return request_form_page("public/request.html", lambda token: url_for(".confirmation", token=token))


@bp.get("/request/received/<token>")
def confirmation(token: str):
    config = current_app.config
    found = request_for_token(
        db.session, config["SECRET_KEY"], token, config["CONFIRMATION_LINK_MINUTES"] * 60
    )
    if found is None:
        return render_template("public/confirmation_expired.html"), 404
    return render_template("public/confirmation.html", consultation_request=found, note=found.coverage_note)


@bp.get("/privacy")
def privacy():
    return render_template("public/privacy.html")
