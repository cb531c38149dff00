"""The request list's filters, read from the query string; shared by the list and the CSV export."""

from __future__ import annotations

import hmac

from flask import request
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from clinic_app.casework.queries import RequestFilters, active_staff
from clinic_app.choices import Coverage, RequestStatus, VisitType
from clinic_app.extensions import db
from clinic_app.staff.forms import FilterForm
from clinic_app.web import services


def filter_form() -> tuple[FilterForm, RequestFilters]:
    """The list's filters from the query string; a value that makes no sense is ignored, not an error."""
    form = FilterForm(formdata=MultiDict(request.args))
    staff = active_staff(db.session)
    form.assigned.choices = [("", "Anyone"), *((str(s.id), s.name) for s in staff)]
    assigned = form.assigned.data or ""
    # Not validated: filters never show errors. An unparsable date leaves its field empty.
    return form, RequestFilters(
        status=RequestStatus.parse(form.status.data),
        visit_type=VisitType.parse(form.visit_type.data),
        coverage=Coverage.parse(form.coverage.data),
        received_from=form.received_from.data,
        received_to=form.received_to.data,
        search=(form.q.data or "").strip()[:120],
        assigned_to=int(assigned) if assigned.isdigit() else None,
        spam=request.args.get("spam") == "1" and current_user.is_owner,
        email_failed=request.args.get("email") == "failed",
    )


def filters_in_words(filters: RequestFilters) -> dict[str, str]:
    """The filters for the audit log. A search names a patient, so the log keeps a keyed hash of it:
    an auditor can see that two views searched for the same thing, but not what it was."""
    words = {key: str(value) for key, value in vars(filters).items() if value not in (None, "", False)}
    if "search" in words:
        digest = hmac.new(
            services.settings().secret_key.encode(), words["search"].casefold().encode(), "sha256"
        )
        words["search"] = f"hash {digest.hexdigest()[:16]}"
    return words
