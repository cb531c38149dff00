"""The staff dashboard: sign-in, the request list and detail, export, audit log and team."""

from clinic_app.staff import (  # noqa: F401  (registers the routes on bp)
    account_views,
    availability_views,
    benefits_views,
    booking_views,
    consultation_views,
    owner_views,
    request_views,
)
from clinic_app.staff.blueprint import bp

__all__ = ["bp"]
