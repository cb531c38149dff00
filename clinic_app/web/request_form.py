"""The request form: every field validated on the server, whatever the browser sent.

Questions that depend on another answer (carrier, plan type, the plan's state, a state employees' plan
and a self-funded plan for private insurance; the deductible questions for plans that have one) are checked against that answer here, and dropped when they do not
apply, so no combination of posted values stores something the visitor was not asked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime, get_timezone_name
from email_validator import EmailNotValidError, validate_email
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from clinic_app.booking.slots import parse_slot
from clinic_app.choices import (
    AlsoMedicaid,
    Concern,
    ContactMethod,
    Coverage,
    DeductibleStatus,
    LabelledEnum,
    Language,
    PlanState,
    PlanType,
    TimeOfDay,
    VisitType,
    Weekday,
    YesNoNotSure,
)
from clinic_app.coverage import COST_SHARING_COVERAGE, MEDICARE_COVERAGE, CoverageAnswers
from clinic_app.formatting import phone_e164
from clinic_app.intake.answers import RequestAnswers
from clinic_app.web import services

MESSAGE_MAX = 1000
EXPIRED_FORM = _l("This page was open for a long time. Please check your answers and press Send again.")
# The free consultation's time picker: the "call me" choice keeps the request-and-call-back flow.
CALL_ME = "call"
TIME_TAKEN = _l("That time was just taken. Here are the nearest open times.")
PICK_A_TIME = _l("Choose a time, or choose the last option so we call you.")
# The age question's hint, in two parts the page's script shows by the coverage answer (without the
# script both show): why a plan asks, and what the age means to a visitor paying for themselves. The
# plans' part also shows before any coverage is chosen (the empty value).
AGE_HINT_PLANS = _l("Some plans cover care only up to a certain age.")
AGE_HINT_SELF_PAY = _l("If you pay for yourself, your age does not change our prices.")
AGE_HINT_PLANS_WHEN = "coverage=," + ",".join(c.value for c in Coverage if c is not Coverage.SELF_PAY)
AGE_HINT_SELF_PAY_WHEN = f"coverage={Coverage.SELF_PAY.value}"
# How a day's legend and a time's label are written, in each language (a day in full, a clock time).
DAY_PATTERN = {"en": "EEEE, MMMM d", "es": "EEEE d 'de' MMMM"}
TIME_PATTERN = "h:mm a"


def _page_locale() -> Locale:
    return get_locale() or Locale("en")


def _zone_words(zone: str, locale: Locale) -> str:
    """The clinic's zone as people say it, the same in summer and winter: "Pacific time"."""
    name = get_timezone_name(ZoneInfo(zone), width="long", zone_variant="generic", locale=locale)
    return name[: -len("Time")] + "time" if locale.language == "en" and name.endswith(" Time") else name


def single_line(value: str | None) -> str | None:
    """Trim, fold runs of white space, and drop control characters (no header or NUL tricks)."""
    if value is None:
        return None
    cleaned = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in value)
    return " ".join(cleaned.split())


def multi_line(value: str | None) -> str | None:
    if value is None:
        return None
    kept = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return kept.strip()


def validated(number: int | None) -> int:
    """A number that validation has already required (``to_answers`` runs only after ``validate``)."""
    if number is None:
        raise ValueError("to_answers() was called on a form that did not validate")
    return number


def options(enum: type[LabelledEnum]) -> list[SelectChoice]:
    """The enum's choices, each label in the page's language (the labels are marked in choices.py)."""
    return [SelectChoice(member.value, _l(member.label)) for member in enum]


class TypedTextField(StringField):
    """Shows what the visitor typed, even after validation stored a normalized value in ``data``."""

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else (self.data or "")


class WholeNumberField(IntegerField):
    """A whole number; anything else leaves no value, so NumberRange gives the one friendly message.

    Rendered as text with a numeric keyboard: number inputs drop what they cannot parse and change
    value when a visitor scrolls over them.
    """

    widget = widgets.TextInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = int(raw) if re.fullmatch(r"\d{1,4}", raw) else None


class DollarField(TypedTextField):
    """An amount in dollars, written as people write it: 250, $250, 1,200.50."""

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = (valuelist[0] if valuelist else "").strip().replace("$", "").replace(",", "").strip()
        self.data = Decimal(raw) if re.fullmatch(r"\d{1,6}(\.\d{1,2})?", raw) else None


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def required_choice(label: str, enum: type[LabelledEnum], message: str, **kwargs: Any) -> RadioField:
    return RadioField(label, choices=options(enum), invalid_choice_message=message, **kwargs)


class RequestForm(FlaskForm):
    """The request form. Its CSRF protection is the single-use ``form_token`` (see form_tokens.py),
    not a session cookie, so it also works inside another site's iframe. The fields are declared in
    the order the page shows them, which is the order of the list of problems (a test holds it)."""

    class Meta:
        csrf = False

    form_token = HiddenField()
    # A field people never see or fill in; form-filling bots do.
    website = StringField(_l("Leave this empty"), validators=[Optional(), Length(max=200)])
    visit_type = required_choice(
        _l("What would you like to book?"),
        VisitType,
        _l("Choose a free consultation or a new-patient appointment."),
    )
    full_name = StringField(
        _l("Full name"),
        filters=[single_line],
        validators=[
            DataRequired(_l("Enter your full name.")),
            Length(max=120, message=_l("Keep your name under 120 letters.")),
        ],
    )
    phone = TypedTextField(
        _l("Phone number"),
        filters=[single_line],
        validators=[Length(max=40, message=_l("Enter a phone number with area code, like 503-555-0142."))],
    )
    email = TypedTextField(
        _l("Email address"),
        filters=[single_line],
        validators=[Length(max=254, message=_l("Enter an email address like name@example.com."))],
    )
    # Ticked until the patient unticks it; a copy leaves only when an email address is given too.
    email_copy = BooleanField(_l("Email me a copy of my reference and next steps"), default=True)
    preferred_contact = required_choice(
        _l("How should we contact you?"), ContactMethod, _l("Choose how you would like us to contact you.")
    )
    best_days = CheckboxesField(
        _l("Best days to reach you"),
        choices=options(Weekday),
        invalid_choice_message=_l("Choose days from the list."),
    )
    best_times = CheckboxesField(
        _l("Best times to reach you"),
        choices=options(TimeOfDay),
        invalid_choice_message=_l("Choose times from the list."),
    )
    warning_signs = RadioField(
        _l("Do you have any of these warning signs now?"),
        choices=[
            SelectChoice("yes", _l("Yes, at least one of these")),
            SelectChoice("no", _l("No, none of these")),
        ],
        invalid_choice_message=_l("Tell us if you have any of these warning signs."),
    )
    main_concern = required_choice(_l("What is your main concern?"), Concern, _l("Choose your main concern."))
    headache_days = WholeNumberField(
        _l("In a typical month, on how many days do you have a headache?"),
        validators=[NumberRange(0, 31, message=_l("Enter a number of days from 0 to 31."))],
    )
    message = TextAreaField(
        _l("Anything else you want us to know? (optional)"),
        filters=[multi_line],
        validators=[
            Optional(),
            Length(
                max=MESSAGE_MAX,
                message=_l("Keep your message under %(count)s characters.", count=MESSAGE_MAX),
            ),
        ],
    )
    coverage = required_choice(
        _l("What kind of health coverage do you have?"), Coverage, _l("Choose your kind of coverage.")
    )
    carrier = SelectField(_l("Insurance company"), validate_choice=False)
    plan_type = RadioField(_l("Plan type"), choices=options(PlanType), validate_choice=False)
    plan_state = RadioField(
        _l("Which state is your plan from?"), choices=options(PlanState), validate_choice=False
    )
    state_employee_plan = RadioField(
        _l("Is it a plan for Washington state or school employees?"),
        choices=options(YesNoNotSure),
        validate_choice=False,
    )
    self_funded = RadioField(
        _l("Does your employer pay the claims itself?"), choices=options(YesNoNotSure), validate_choice=False
    )
    also_medicaid = RadioField(
        _l("Do you also have Medicaid (Apple Health or Oregon Health Plan), or a QMB card?"),
        choices=options(AlsoMedicaid),
        validate_choice=False,
    )
    age = WholeNumberField(
        _l("Your age in years"),
        validators=[NumberRange(0, 120, message=_l("Enter your age in years, from 0 to 120."))],
    )
    deductible_status = RadioField(
        _l("Have you met this year's deductible?"), choices=options(DeductibleStatus), validate_choice=False
    )
    deductible_remaining = DollarField(
        _l("How much of your deductible is left? (optional)"),
        validators=[Optional(), NumberRange(0, 100_000, message=_l("Enter an amount in dollars, like 250."))],
    )
    copay = DollarField(
        _l("Your copay for each visit (optional)"),
        validators=[Optional(), NumberRange(0, 10_000, message=_l("Enter an amount in dollars, like 40."))],
    )
    coinsurance_percent = WholeNumberField(
        _l("Your coinsurance percent (optional)"),
        validators=[Optional(), NumberRange(0, 100, message=_l("Enter a percent from 0 to 100, like 20."))],
    )
    # Shown (with choices) only when a provider has open times; see offer_times(). The new-patient
    # appointment's picker only when the owner turned its booking on (BOOKING_NEW_PATIENT).
    slot = RadioField(_l("Pick a time for your free consultation"), validate_choice=False)
    new_patient_slot = RadioField(_l("Pick a time for your new-patient appointment"), validate_choice=False)
    consent = BooleanField(
        _l("You may contact me about this request."),
        validators=[DataRequired(_l("Tick this box so we can contact you about your request."))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        carriers = self.carriers()
        self.carrier.choices = [
            SelectChoice("", _("Choose your insurance company")),
            *(SelectChoice(key, name) for key, name in carriers.items()),
        ]
        # No times offered: a picker is not on the page and its answer is never read. Each visit type
        # that can be booked has its own picker (its field, its days, whether it shows).
        self.time_days: list[tuple[str, list[str]]] = []
        self.times_shown = False
        self.new_patient_time_days: list[tuple[str, list[str]]] = []
        self.new_patient_times_shown = False
        self.zone_words = ""
        self.slot.choices = []
        self.new_patient_slot.choices = []

    def slot_field(self, visit: str = VisitType.CONSULTATION) -> RadioField:
        """The picker's field for this visit type."""
        return self.new_patient_slot if visit == VisitType.NEW_PATIENT else self.slot

    def shows_times(self, visit: str | None) -> bool:
        """Whether the picker for this visit type is on the page."""
        if visit == VisitType.NEW_PATIENT:
            return self.new_patient_times_shown
        return visit == VisitType.CONSULTATION and self.times_shown

    # The times of each visit type, offered by the view (form_flow) from its open times.
    def offer_times(
        self, days: Sequence[tuple[Any, Sequence[datetime]]], visit: str = VisitType.CONSULTATION
    ) -> None:
        """Show the visit type's picker with these days' times (each an aware datetime on the clinic's
        clock), in the order given, and the "call me" choice last."""
        locale = _page_locale()
        language = locale.language if locale.language in DAY_PATTERN else "en"
        time_days: list[tuple[str, list[str]]] = []
        if visit == VisitType.NEW_PATIENT:
            self.new_patient_times_shown = True
            self.new_patient_time_days = time_days
        else:
            self.times_shown = True
            self.time_days = time_days
        zone = services.booking_rules().zone
        self.zone_words = _zone_words(zone, locale)
        choices = []
        for _day, moments in days:
            if not moments:
                continue
            legend = format_datetime(moments[0], DAY_PATTERN[language], locale=locale)
            values = [moment.isoformat() for moment in moments]
            time_days.append((legend[:1].upper() + legend[1:], values))
            choices += [
                SelectChoice(value, format_datetime(moment, TIME_PATTERN, locale=locale))
                for value, moment in zip(values, moments, strict=True)
            ]
        choices.append(SelectChoice(CALL_ME, _("None of these times work, call me")))
        self.slot_field(visit).choices = choices

    def time_groups(self, visit: str = VisitType.CONSULTATION) -> tuple[list[tuple[str, list[Any]]], Any]:
        """The picker's radio buttons, one group a day with its legend, and the "call me" one."""
        by_value = {option.data: option for option in self.slot_field(visit)}
        time_days = self.new_patient_time_days if visit == VisitType.NEW_PATIENT else self.time_days
        days = [(legend, [by_value[value] for value in values]) for legend, values in time_days]
        return days, by_value[CALL_ME]

    def wants_a_time(self) -> bool:
        """Whether the visitor picked a time (not "call me") in the picker of the visit type chosen;
        the other picker's answer is never read."""
        chosen = self.visit_type.data
        answer = self.slot_field(chosen).data
        return self.shows_times(chosen) and bool(answer) and answer != CALL_ME

    def _check_picker(self, visit: str, field: RadioField) -> None:
        # Whether the time is still open is the view's to say, when it books; here, only that one of
        # the choices was made, in the picker of the visit type chosen.
        if self.visit_type.data != visit or not self.shows_times(visit):
            return
        if not field.data or field.data == "None":
            raise ValidationError(str(PICK_A_TIME))
        if field.data != CALL_ME and self.picked_time() is None:
            raise ValidationError(str(PICK_A_TIME))

    def validate_slot(self, field: RadioField) -> None:
        self._check_picker(VisitType.CONSULTATION, field)

    def validate_new_patient_slot(self, field: RadioField) -> None:
        self._check_picker(VisitType.NEW_PATIENT, field)

    def picked_time(self) -> datetime | None:
        """The time posted in the chosen visit type's picker, on the clinic's clock; None for anything
        that is not a time."""
        answer = self.slot_field(self.visit_type.data).data
        return parse_slot(answer or "", services.booking_rules().zone)

    # Contact details: the way the visitor asked to be reached must be given.
    def validate_phone(self, field: StringField) -> None:
        if not field.data:
            if self.preferred_contact.data in (ContactMethod.PHONE, ContactMethod.TEXT):
                raise ValidationError(_("Enter your phone number, so we can call or text you."))
            return
        e164 = phone_e164(field.data)
        if e164 is None:
            raise ValidationError(_("Enter a phone number with area code, like 503-555-0142."))
        field.data = e164

    def validate_email(self, field: StringField) -> None:
        if not field.data:
            if self.preferred_contact.data == ContactMethod.EMAIL:
                raise ValidationError(_("Enter your email address, so we can email you."))
            if not self.phone.data:
                raise ValidationError(_("Enter a phone number or an email address, so we can reach you."))
            return
        try:
            field.data = validate_email(field.data, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise ValidationError(_("Enter an email address like name@example.com.")) from error

    def validate_email_copy(self, field: BooleanField) -> None:
        # A ticked box sends "y"; anything else was not sent by this form.
        if field.raw_data and field.raw_data != ["y"]:
            raise ValidationError(_("Tick the box to get a copy by email, or leave it empty."))

    # The age question's hint, each part with the coverage answers it fits (see AGE_HINT_PLANS).
    age_hints = ((AGE_HINT_PLANS, AGE_HINT_PLANS_WHEN), (AGE_HINT_SELF_PAY, AGE_HINT_SELF_PAY_WHEN))

    # Insurance questions that apply only to some coverage answers.
    @staticmethod
    def carriers() -> dict[str, str]:
        return services.rules(str(get_locale())).carriers

    def validate_carrier(self, field: SelectField) -> None:
        if self.coverage.data == Coverage.PRIVATE and field.data not in self.carriers():
            raise ValidationError(_("Choose your insurance company, or Other."))

    def validate_plan_type(self, field: RadioField) -> None:
        if self.coverage.data == Coverage.PRIVATE and PlanType.parse(field.data) is None:
            raise ValidationError(_("Choose your plan type, or Not sure."))

    def validate_plan_state(self, field: RadioField) -> None:
        if self.coverage.data == Coverage.PRIVATE and PlanState.parse(field.data) is None:
            raise ValidationError(_("Choose the state your plan is from, or Not sure."))

    def validate_state_employee_plan(self, field: RadioField) -> None:
        if self.coverage.data == Coverage.PRIVATE and YesNoNotSure.parse(field.data) is None:
            raise ValidationError(
                _("Tell us if it is a plan for state or school employees, or choose Not sure.")
            )

    def validate_self_funded(self, field: RadioField) -> None:
        if self.coverage.data == Coverage.PRIVATE and YesNoNotSure.parse(field.data) is None:
            raise ValidationError(_("Tell us if your employer pays the claims itself, or choose Not sure."))

    def validate_also_medicaid(self, field: RadioField) -> None:
        if self.coverage.data in MEDICARE_COVERAGE and AlsoMedicaid.parse(field.data) is None:
            raise ValidationError(_("Tell us if you also have Medicaid, or choose Not sure."))

    def validate_deductible_status(self, field: RadioField) -> None:
        if self._has_cost_sharing() and DeductibleStatus.parse(field.data) is None:
            raise ValidationError(_("Tell us if you have met your deductible, or choose Not sure."))

    def _has_cost_sharing(self) -> bool:
        return self.coverage.data in COST_SHARING_COVERAGE

    def to_answers(self) -> RequestAnswers:
        """The validated answers, with the questions that did not apply left out."""
        coverage = Coverage(self.coverage.data)
        private = coverage is Coverage.PRIVATE
        cost_sharing = self._has_cost_sharing()
        insurance = CoverageAnswers(
            visit_type=VisitType(self.visit_type.data),
            coverage=coverage,
            age=validated(self.age.data),
            main_concern=Concern(self.main_concern.data),
            headache_days=validated(self.headache_days.data),
            carrier=self.carrier.data if private else None,
            plan_type=PlanType(self.plan_type.data) if private else None,
            plan_state=PlanState(self.plan_state.data) if private else None,
            state_employee_plan=YesNoNotSure(self.state_employee_plan.data) if private else None,
            self_funded=YesNoNotSure(self.self_funded.data) if private else None,
            deductible_status=DeductibleStatus(self.deductible_status.data) if cost_sharing else None,
            deductible_remaining=self.deductible_remaining.data if cost_sharing else None,
            copay=self.copay.data if cost_sharing else None,
            coinsurance_percent=self.coinsurance_percent.data if cost_sharing else None,
            also_medicaid=AlsoMedicaid(self.also_medicaid.data) if coverage in MEDICARE_COVERAGE else None,
        )
        return RequestAnswers(
            full_name=self.full_name.data,
            email=self.email.data or None,
            phone_e164=self.phone.data or None,
            preferred_contact=ContactMethod(self.preferred_contact.data),
            best_days=[Weekday(day) for day in self.best_days.data or []],
            best_times=[TimeOfDay(time) for time in self.best_times.data or []],
            main_concern=insurance.main_concern,
            headache_days_per_month=validated(self.headache_days.data),
            message=self.message.data or None,
            has_warning_signs=self.warning_signs.data == "yes",
            insurance=insurance,
            wants_email_copy=bool(self.email_copy.data),
            language=Language(str(get_locale())),
        )
