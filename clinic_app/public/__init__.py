"""The public pages: the request form, its confirmation, and the privacy notice."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from clinic_app.public import views  # noqa: E402,F401  (registers the routes on bp)
