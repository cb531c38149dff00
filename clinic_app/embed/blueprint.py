"""The blueprint object alone, so views import it without importing each other through the package."""

from flask import Blueprint

bp = Blueprint("embed", __name__)
