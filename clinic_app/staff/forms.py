"""Forms for the staff pages. Every change is a POST carrying a CSRF token (Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from clinic_app.accounts.rules import MIN_PASSWORD_LENGTH
from clinic_app.casework.actions import NOTE_MAX
from clinic_app.choices import CloseReason, Coverage, LabelledEnum, RequestStatus, Role, VisitType


def any_of(enum: type[LabelledEnum], everything: str) -> list[SelectChoice]:
    return [SelectChoice("", everything), *(SelectChoice(member.value, member.label) for member in enum)]


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=200)])


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[
            DataRequired("Enter a new password."),
            Length(
                min=MIN_PASSWORD_LENGTH, max=200, message=f"Use at least {MIN_PASSWORD_LENGTH} characters."
            ),
        ],
    )
    confirm = PasswordField(
        "New password again", validators=[EqualTo("password", message="The two passwords are not the same.")]
    )


class FilterForm(FlaskForm):
    """The list's filters, read from the query string: nothing changes, so no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField("Status", choices=any_of(RequestStatus, "Any status"))
    visit_type = SelectField("Visit type", choices=any_of(VisitType, "Any visit type"))
    coverage = SelectField("Coverage", choices=any_of(Coverage, "Any coverage"))
    assigned = SelectField("Assigned to", choices=[SelectChoice("", "Anyone")], validate_choice=False)
    received_from = DateField("Received from", validators=[Optional()])
    received_to = DateField("Received to", validators=[Optional()])
    q = StringField("Search by name, email or phone", validators=[Optional(), Length(max=120)])


class StatusForm(FlaskForm):
    status = SelectField("New status", choices=[SelectChoice(s.value, s.label) for s in RequestStatus])
    # Not checked against the list: an unknown reason counts as none, so closing asks for one.
    reason = SelectField(
        "Reason for closing",
        choices=any_of(CloseReason, "Choose a reason (only when closing)"),
        validate_choice=False,
    )

    def target(self) -> tuple[RequestStatus, CloseReason | None]:
        return RequestStatus(self.status.data), CloseReason.parse(self.reason.data)


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Add an internal note",
        validators=[DataRequired("Write the note first."), Length(max=NOTE_MAX)],
    )


class AssignForm(FlaskForm):
    assignee = SelectField("Assign to", choices=[SelectChoice("", "No one")], validate_choice=False)


class ConfirmForm(FlaskForm):
    """A button that changes something: carries only the CSRF token."""


class AddStaffForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter their email."), Length(max=254)])
    name = StringField("Name", validators=[DataRequired("Enter their name."), Length(max=120)])
    role = SelectField(
        "Role", choices=[SelectChoice(role.value, role.label) for role in (Role.STAFF, Role.OWNER)]
    )


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    person = SelectField("Person", choices=[SelectChoice("", "Everyone")], validate_choice=False)
    reference = StringField("Request reference", validators=[Optional(), Length(max=16)])


class HoursForm(FlaskForm):
    """A provider's hours, in the command line's words; hours.py reads them and names each mistake."""

    staff = SelectField("Staff member", choices=[], validate_choice=False)
    days = StringField(
        "Days", validators=[DataRequired("Name the days, like mon-fri or mon,wed,fri."), Length(max=60)]
    )
    hours = StringField(
        "Hours",
        validators=[DataRequired("Give the hours, like 09:00-12:00,13:00-17:00."), Length(max=200)],
    )


class CloseDateForm(FlaskForm):
    staff = SelectField("Staff member", choices=[], validate_choice=False)
    day = DateField("Date to close", validators=[DataRequired("Choose a date, like 2026-12-24.")])


class ConsultationDayForm(FlaskForm):
    """The day view's date, read from the query string: nothing changes, so no CSRF token."""

    class Meta:
        csrf = False

    day = DateField("Show the day", validators=[Optional()])
