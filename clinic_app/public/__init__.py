"""The public pages: the request form, its confirmation, and the privacy notice."""

from clinic_app.public import views  # noqa: F401  (registers the routes on bp)
from clinic_app.public.blueprint import bp

__all__ = ["bp"]
