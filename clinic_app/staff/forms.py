"""Forms for the staff pages. Every change is a POST carrying a CSRF token (Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from clinic_app.accounts.operations import MIN_PASSWORD_LENGTH
from clinic_app.accounts.rules import Role
from clinic_app.coverage import Coverage, VisitType
from clinic_app.intake.choices import LABELS
from clinic_app.intake.staff_operations import NOTE_MAX
from clinic_app.workflow import CLOSE_REASON_LABELS, STATUS_LABELS, CloseReason, RequestStatus


def any_of(labels: dict, everything: str) -> list[SelectChoice]:
    return [SelectChoice("", everything), *(SelectChoice(str(key), text) for key, text in labels.items())]


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

    status = SelectField("Status", choices=any_of(STATUS_LABELS, "Any status"))
    visit_type = SelectField("Visit type", choices=any_of(LABELS[VisitType], "Any visit type"))
    coverage = SelectField("Coverage", choices=any_of(LABELS[Coverage], "Any coverage"))
    assigned = SelectField("Assigned to", choices=[SelectChoice("", "Anyone")], validate_choice=False)
    received_from = DateField("Received from", validators=[Optional()])
    received_to = DateField("Received to", validators=[Optional()])
    q = StringField("Search by name, email or phone", validators=[Optional(), Length(max=120)])


class StatusForm(FlaskForm):
    status = SelectField(
        "New status", choices=[SelectChoice(s.value, STATUS_LABELS[s]) for s in RequestStatus]
    )
    # Not checked against the list: an unknown reason counts as none, so closing asks for one.
    reason = SelectField(
        "Reason for closing",
        choices=any_of(CLOSE_REASON_LABELS, "Choose a reason (only when closing)"),
        validate_choice=False,
    )

    def target(self) -> tuple[RequestStatus, CloseReason | None]:
        reason = self.reason.data if self.reason.data in CloseReason._value2member_map_ else None
        return RequestStatus(self.status.data), CloseReason(reason) if reason else None


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
        "Role", choices=[SelectChoice(Role.STAFF.value, "Staff"), SelectChoice(Role.OWNER.value, "Owner")]
    )


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    person = SelectField("Person", choices=[SelectChoice("", "Everyone")], validate_choice=False)
    reference = StringField("Request reference", validators=[Optional(), Length(max=16)])
