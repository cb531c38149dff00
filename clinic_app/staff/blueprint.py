"""The blueprint object alone, so views import it without importing each other through the package."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")
