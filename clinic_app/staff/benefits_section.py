"""The "Benefits from the payer (271)" section of a request's page: its form, and the latest check
read back in words for staff (English, like every staff page). The routes are in benefits_views.py;
detail_page.render_detail asks this module for the section, so both views show the same page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import Optional

from clinic_app.benefits import EligibilityBenefits
from clinic_app.benefits import codes as x12_codes
from clinic_app.benefits.model import OtherPayer
from clinic_app.casework.benefit_checks import CheckedView, latest_check, read_check, refusal
from clinic_app.coverage import dollars
from clinic_app.extensions import db
from clinic_app.mail.updated_note import updated_note_email
from clinic_app.models import ConsultationRequest
from clinic_app.web import services

NOT_SAID = "Not in the 271"


class BenefitsForm(FlaskForm):
    """A 271, pasted or uploaded: one of them. It is read in memory and never stored."""

    x12 = TextAreaField("Paste the 271", validators=[Optional()])
    upload = FileField("Or upload the 271 file")


@dataclass(frozen=True)
class Row:
    label: str
    value: str


@dataclass(frozen=True)
class EmailPreview:
    subject: str
    text: str


@dataclass(frozen=True)
class BenefitsSection:
    form: BenefitsForm
    view: CheckedView | None = None
    rows: tuple[Row, ...] = ()
    missing: tuple[str, ...] = ()
    # Why the updated note cannot be emailed; None when the button shows.
    send_refusal: str | None = None
    preview: EmailPreview | None = None
    # The 271's own date (BHT04) and the plan's end date (DTP*347), in words; None where it gave none.
    dated: str | None = None
    coverage_ended: str | None = None


def benefits_section(request: ConsultationRequest, form: BenefitsForm | None = None) -> BenefitsSection:
    form = form or BenefitsForm(formdata=None)
    check = latest_check(db.session, request)
    if check is None:
        return BenefitsSection(form)
    app_services = services.services()
    view = read_check(db.session, request, check, app_services.clinic, app_services.rule_books)
    refused = refusal(request, check, view.benefits, view.note)
    preview = None
    # The email as it goes (or went): not one that may not be sent, to someone else's figures.
    if view.patient_note is not None and request.email and (refused is None or view.email is not None):
        terms = app_services.rule_books[request.language.value].english_terms
        subject, text, _html = updated_note_email(request, view.patient_note, app_services.settings, terms)
        preview = EmailPreview(subject, text)
    rows = benefit_rows(view.benefits)
    return BenefitsSection(
        form,
        view,
        tuple(rows),
        not_said(rows),
        refused,
        preview,
        long_date(view.benefits.checked_on) if view.benefits.checked_on else None,
        long_date(view.benefits.coverage_ended) if view.benefits.coverage_ended else None,
    )


def not_said(rows: list[Row]) -> tuple[str, ...]:
    """The "Not in the 271" list: the rows above it that say so, so the two never disagree."""
    return tuple(row.label for row in rows if row.value == NOT_SAID)


def benefit_rows(b: EligibilityBenefits) -> list[Row]:
    """What the 271 says, in the order staff read a benefits summary; "Not in the 271" where silent."""
    insurance_type = None
    if b.insurance_type:
        insurance_type = f"{b.insurance_type_label or 'Code'} ({b.insurance_type})"
    services_asked = {
        x12_codes.CHIROPRACTIC: "chiropractic (33)",
        x12_codes.HEALTH_BENEFIT_PLAN_COVERAGE: "the plan in general (30)",
    }
    return [
        Row("Coverage", _said(b.active, "Active", "Not active")),
        # Shown only when the 271 says so: most plans name what they cover, not what they do not.
        *(
            [Row("Chiropractic", "Not covered (the plan's 271 says so)")]
            if b.chiropractic_not_covered
            else []
        ),
        Row("Plan", b.plan_name or NOT_SAID),
        Row("Payer", b.payer_name or NOT_SAID),
        Row("Insurance type", insurance_type or NOT_SAID),
        Row(
            "Other payers in the 271",
            "; ".join(other_payer(p, b.checked_on) for p in b.other_payers) or "None named",
        ),
        Row("Figures for", ", ".join(services_asked[s] for s in b.service_types) or NOT_SAID),
        Row("Network", _said(b.in_network, "In network", "Out of network")),
        Row("Deductible for the year", _money(b.deductible_year)),
        Row("Deductible left", _money(b.deductible_remaining)),
        Row(
            "Copay",
            f"{_money(b.copay)} per visit" if b.copay else ("No copay ($0)" if b.copay == 0 else NOT_SAID),
        ),
        Row(
            "Copay before the deductible is met",
            _said(
                b.copay_before_deductible,
                "Yes: the copay is owed from the first visit",
                "No: the deductible comes first",
            ),
        ),
        *(
            [Row("Deductible for chiropractic", "Waived (the payer's words on a chiropractic line)")]
            if b.deductible_waived
            else []
        ),
        Row("Coinsurance", NOT_SAID if b.coinsurance_percent is None else f"{b.coinsurance_percent}%"),
        Row("Out-of-pocket left", _money(b.out_of_pocket_remaining)),
        Row("Visit limit", NOT_SAID if b.visit_limit is None else f"{b.visit_limit} visits"),
        Row("Visits used", NOT_SAID if b.visits_used is None else str(b.visits_used)),
        Row("Visits left", NOT_SAID if b.visits_remaining is None else str(b.visits_remaining)),
        Row("Prior authorization", _said(b.prior_authorization, "Required", "Not required")),
        Row("271 dated", long_date(b.checked_on) if b.checked_on else NOT_SAID),
        # Shown only when the 271 gives one: an active plan usually has no end date.
        *([Row("Coverage end date", long_date(b.coverage_ended))] if b.coverage_ended else []),
    ]


def other_payer(payer: OtherPayer, on: datetime.date | None) -> str:
    """One other payer (EB*R) in words: its kind, its names, and its end if it has ended."""
    kind = payer.insurance_type_label or "Code"
    words = f"{kind} ({payer.insurance_type})" if payer.insurance_type else "Kind not given"
    names = [name for name in (payer.payer_name, payer.plan_name) if name]
    if names:
        words += ": " + ", ".join(names)
    if payer.ended is not None:
        words += f" ({'ended' if not payer.current_on(on) else 'ends'} {long_date(payer.ended)})"
    return words


def long_date(day: datetime.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _said(value: bool | None, yes: str, no: str) -> str:
    return NOT_SAID if value is None else (yes if value else no)


def _money(amount: Decimal | None) -> str:
    return NOT_SAID if amount is None else dollars(amount, "en_US")
