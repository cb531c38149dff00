"""The embed: embed.js for the clinic's page, the framed form, its confirmation and its colours."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, make_response, render_template, request, send_from_directory, url_for
from werkzeug.exceptions import HTTPException

from clinic_app.embed.blueprint import bp
from clinic_app.embed.theme import accent_colour, theme_css
from clinic_app.extensions import csrf
from clinic_app.web import services
from clinic_app.web.errors import render_error
from clinic_app.web.form_flow import (
    own_origins,
    request_for_confirmation,
    request_form_limit,
    request_form_page,
)
from clinic_app.web.languages import LANGUAGES
from clinic_app.web.responses import Page
from clinic_app.web.security_headers import content_security_policy, never_stored

VISIT_TYPES = {"consultation", "new_patient"}


def allowed_origins() -> list[str]:
    return list(services.settings().embed_allowed_origins)


@bp.after_request
def only_allowed_sites_may_frame(response: Response) -> Response:
    """The embed pages may be framed by the listed sites (and our own preview); nothing else."""
    ancestors = " ".join(["'self'", *allowed_origins()])
    response.headers["Content-Security-Policy"] = content_security_policy(frame_ancestors=ancestors)
    return response


@bp.get("/embed.js")
def embed_script() -> Response:
    response = send_from_directory(
        str(current_app.static_folder), "js/embed.js", mimetype="text/javascript", max_age=3600
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def options() -> dict[str, str]:
    """The embed options from the iframe's address, each checked; anything else is dropped."""
    chosen: dict[str, str] = {}
    host = request.args.get("host", "")
    if host in allowed_origins() or host in own_origins():
        chosen["host"] = host
    accent = accent_colour(request.args.get("accent"))
    if accent:
        chosen["accent"] = accent
    if request.args.get("lang") in LANGUAGES:
        chosen["lang"] = request.args["lang"]
    if request.args.get("visit_type") in VISIT_TYPES:
        chosen["visit_type"] = request.args["visit_type"]
    return chosen


def page_context(chosen: dict[str, str]) -> dict[str, object]:
    return {
        "embedded": True,
        "parent_origin": chosen.get("host", ""),
        "theme_url": url_for(".theme", accent=chosen["accent"]) if "accent" in chosen else None,
        "query": chosen,
    }


@bp.get("/embed/form")
def form() -> Page:
    return _form_page()


# As on the clinic's own page, only sending is rate-limited. Protected by its single-use form token
# and the Origin check: no cookie, which a framed page may not get.
@csrf.exempt
@bp.post("/embed/form")
@request_form_limit
def send_form() -> Page:
    return _form_page()


def _form_page() -> Page:
    chosen = options()
    initial = {"visit_type": chosen["visit_type"]} if "visit_type" in chosen else None
    # The confirmation keeps the embed's options, so it looks like the form it follows. (Typed as Any:
    # url_for's own keyword arguments would otherwise be matched against these.)
    link_values: dict[str, Any] = dict(chosen)
    return request_form_page(
        "public/request.html",
        lambda token: url_for(".confirmation", token=token, **link_values),
        initial=initial,
        **page_context(chosen),
    )


@bp.errorhandler(HTTPException)
def refused_in_the_frame(error: HTTPException) -> tuple[str, int]:
    """An error inside the iframe (too many tries, too much sent) keeps the frame's look, its height
    reported to the host page, and a way back to the embedded form."""
    return render_error(error.code or 500, **page_context(options()))


@bp.get("/embed/received/<token>")
def confirmation(token: str) -> Page:
    found = request_for_confirmation(token)
    context = page_context(options())
    if found is None:
        return render_template("public/confirmation_expired.html", **context), 404
    page = render_template(
        "public/confirmation.html", consultation_request=found, note=found.coverage_note, **context
    )
    return never_stored(make_response(page))


@bp.get("/embed/theme/<accent>.css")
def theme(accent: str) -> Response:
    colour = accent_colour(accent)
    if colour is None:
        return Response("/* not a usable colour */", mimetype="text/css", status=404)
    # Both colour schemes: the accent, made readable on the light and on the dark page where need be.
    return Response(
        theme_css(colour), mimetype="text/css", headers={"Cache-Control": "public, max-age=86400"}
    )
