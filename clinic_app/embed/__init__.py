"""The request form inside the clinic's own website: embed.js, the framed form and its confirmation."""

from flask import Blueprint

bp = Blueprint("embed", __name__)

from clinic_app.embed import views  # noqa: E402,F401  (routes)
