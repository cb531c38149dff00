"""Database tables, one module per kind: requests, staff, outbox, audit, benefits, booking.

Times are stored in UTC; pages and emails show them in the clinic's zone. The models import only the
enums in ``clinic_app.choices`` and the ``db`` instance, so nothing above them is pulled in.
"""

from clinic_app.models.audit import AuditEntry, AuditLogIsAppendOnly
from clinic_app.models.benefits import BenefitCheck
from clinic_app.models.booking import Booking, BookingStatus, ProviderClosedDate, ProviderHours
from clinic_app.models.outbox import OutboxEmail
from clinic_app.models.requests import (
    ConsultationRequest,
    FormSubmission,
    InsuranceAnswers,
    RequestNote,
    RequestStatusCount,
    StoredCoverageNote,
)
from clinic_app.models.staff import SignInThrottle, StaffUser
from clinic_app.models.types import utcnow

__all__ = [
    "AuditEntry",
    "AuditLogIsAppendOnly",
    "BenefitCheck",
    "Booking",
    "BookingStatus",
    "ConsultationRequest",
    "FormSubmission",
    "InsuranceAnswers",
    "OutboxEmail",
    "ProviderClosedDate",
    "ProviderHours",
    "RequestNote",
    "RequestStatusCount",
    "SignInThrottle",
    "StaffUser",
    "StoredCoverageNote",
    "utcnow",
]
