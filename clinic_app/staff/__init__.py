"""The staff dashboard: sign-in, the request list and detail, export, audit log and team."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from clinic_app.staff import account_views, owner_views, request_views  # noqa: E402,F401  (routes)
