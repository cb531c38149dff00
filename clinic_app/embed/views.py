from __future__ import annotations

from flask import Response, current_app, render_template, request, send_from_directory, url_for

from clinic_app.embed import bp
from clinic_app.embed.theme import accent_colour, darker
from clinic_app.extensions import csrf, db
from clinic_app.intake.confirmation import request_for_token
from clinic_app.intake.form_flow import own_origins, request_form_limit, request_form_page
from clinic_app.security import content_security_policy

LANGUAGES = {"en"}
VISIT_TYPES = {"consultation", "new_patient"}


def allowed_origins() -> list[str]:
    return list(current_app.config["EMBED_ALLOWED_ORIGINS"])


@bp.after_request
def only_allowed_sites_may_frame(response: Response) -> Response:
    """The embed pages may be framed by the listed sites (and our own preview); nothing else."""
    ancestors = " ".join(["'self'", *allowed_origins()])
    response.headers["Content-Security-Policy"] = content_security_policy(frame_ancestors=ancestors)
    return response


@bp.get("/embed.js")
def embed_script():
    response = send_from_directory(
        current_app.static_folder, "js/embed.js", mimetype="text/javascript", max_age=3600
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


# Protected by its single-use form token and the Origin check: no cookie, which a framed page may not get.
@csrf.exempt
@bp.route("/embed/form", methods=["GET", "POST"])
@request_form_limit
def form():
    chosen = options()
    initial = {"visit_type": chosen["visit_type"]} if "visit_type" in chosen else None
    return request_form_page(
        "public/request.html",
        lambda token: url_for(".confirmation", token=token, **chosen),
        initial=initial,
        **page_context(chosen),
    )


@bp.get("/embed/received/<token>")
def confirmation(token: str):
    config = current_app.config
    found = request_for_token(
        db.session, config["SECRET_KEY"], token, config["CONFIRMATION_LINK_MINUTES"] * 60
    )
    context = page_context(options())
    if found is None:
        return render_template("public/confirmation_expired.html", **context), 404
    return render_template(
        "public/confirmation.html", consultation_request=found, note=found.coverage_note, **context
    )


@bp.get("/embed/theme/<accent>.css")
def theme(accent: str):
    colour = accent_colour(accent)
    if colour is None:
        return Response("/* not a usable colour */", mimetype="text/css", status=404)
    css = f":root {{ --accent: #{colour}; --accent-dark: #{darker(colour)}; }}\n"
    return Response(css, mimetype="text/css", headers={"Cache-Control": "public, max-age=86400"})
