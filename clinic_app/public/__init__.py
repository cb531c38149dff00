"""The public pages: the request form, its confirmation, the privacy notice, and the open times."""

from clinic_app.public import booking_views, slots_views, views  # noqa: F401  (register the routes on bp)
from clinic_app.public.blueprint import bp

__all__ = ["bp"]
