from __future__ import annotations

from flask import current_app, redirect, render_template, url_for

from clinic_app.extensions import csrf, db
from clinic_app.intake.confirmation import confirmation_token, request_for_token
from clinic_app.intake.form import RequestForm
from clinic_app.intake.operations import submit_request
from clinic_app.intake.settings import staff_email_settings
from clinic_app.public import bp


@bp.get("/")
def home():
    return redirect(url_for(".request_form"))


# The form checks its own CSRF token, so an expired one shows a message beside the kept answers
# instead of an error page.
@csrf.exempt
@bp.route("/request", methods=["GET", "POST"])
def request_form():
    form = RequestForm()
    if not form.validate_on_submit():
        return render_template("public/request.html", form=form), 400 if form.is_submitted() else 200
    config = current_app.config
    extensions = current_app.extensions
    request = submit_request(
        db.session,
        form.to_answers(),
        extensions["clinic_facts"],
        extensions["coverage_rules"],
        staff_email_settings(config),
    )
    db.session.commit()
    current_app.extensions["outbox_worker"].wake()
    token = confirmation_token(config["SECRET_KEY"], request)
    return redirect(url_for(".confirmation", token=token), code=303)


@bp.get("/request/received/<token>")
def confirmation(token: str):
    config = current_app.config
    request = request_for_token(
        db.session, config["SECRET_KEY"], token, config["CONFIRMATION_LINK_MINUTES"] * 60
    )
    if request is None:
        return render_template("public/confirmation_expired.html"), 404
    return render_template(
        "public/confirmation.html", consultation_request=request, note=request.coverage_note
    )


@bp.get("/privacy")
def privacy():
    return render_template("public/privacy.html")
