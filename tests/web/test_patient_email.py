"""The patient's own copy of their request: by email, received by a real SMTP server on loopback.

It carries the reference, what happens next and the link to their note, and nothing about their
health or insurance. It leaves through the outbox with the staff email, once, and is retried the same
way. Unticking the box, giving no email address, or being a bot means no copy.
"""

from __future__ import annotations

import logging
import re
import smtplib
from contextlib import contextmanager
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa
import textstat

from clinic_app.choices import EmailState, RequestStatus
from clinic_app.extensions import db
from clinic_app.mail.outbox import deliver_due, retry_delay
from clinic_app.models import ConsultationRequest, OutboxEmail, utcnow
from tests.helpers import deliver, staff_post, stored_request, submit, visible_text

CLINIC = "Cascade Headache & Neck Clinic"
PATIENT = "Ana.Diaz@example.com"
# What the patient answered about their health and insurance, as the staff email and the note word it.
HEALTH_AND_INSURANCE = [
    "Headache that starts in the neck", "neck", "migraine", "headache day", "Worse after", "computer",
    "Premera", "PPO", "deductible", "$1,200", "copay", "$40", "coinsurance", "20%", "age 41", "41 years",
    "Likely covered", "spinal manipulation", "warning sign", "Medicare", "Medicaid",
]  # fmt: skip


def outbox_rows(app) -> list[OutboxEmail]:
    with app.app_context():
        found = db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id)).all()
        db.session.expunge_all()
        return found


def parts(message) -> tuple[str, str]:
    return (
        message.get_body(preferencelist=("plain",)).get_content(),
        message.get_body(preferencelist=("html",)).get_content(),
    )


def grade(text: str) -> float:
    return textstat.flesch_kincaid_grade(text)


def test_the_patient_gets_one_copy_with_the_reference_the_link_and_no_health_details(make_app, smtp_server):
    app = make_app(**smtp_server.config())
    client = app.test_client()
    confirmation = submit(client).headers["Location"]
    assert deliver(app).sent == 2
    assert deliver(app).sent == 0, "a second round sends nothing again"
    assert deliver(app, now=utcnow() + timedelta(hours=3)).sent == 0

    [copy] = smtp_server.patient_copies
    assert len(smtp_server.messages) == 2
    request = stored_request(app)
    assert ("requests@clinic.example", [PATIENT]) in smtp_server.envelopes
    assert copy["To"] == PATIENT
    [sender] = copy["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (CLINIC, "requests@clinic.example")
    assert copy["Subject"] == f"Your request to {CLINIC}: reference {request.reference}"
    assert copy["Bcc"] is None and copy["Importance"] is None

    text, html = parts(copy)
    link = f"https://clinic.test{confirmation}"
    assert link.startswith("https://clinic.test/request/received/")
    assert link in text and f'href="{link}"' in html
    for body in (text, html):
        assert request.reference in body
        assert "Ana Díaz" in body, "they are greeted by the name they gave"
        assert "This link works for 2 hours" in body, "CONFIRMATION_LINK_MINUTES is 120"
        assert "Someone from our front desk will call you within one business day." in body
        assert "We check your insurance benefits before your first visit." in body
        assert "911" not in body, "no warning sign, no urgent advice"
    note = request.coverage_note
    for where in (copy["Subject"], text, html):
        # The clinic's name ("Headache & Neck") and the link's token are not the patient's words.
        words_sent = where.replace(CLINIC, "").replace(CLINIC.replace("&", "&amp;"), "").replace(link, "")
        for words in [*HEALTH_AND_INSURANCE, note.headline, *note.paragraphs, note.closing]:
            assert words.lower() not in words_sent.lower(), words

    # The link opens the note they saw.
    page = client.get(link.removeprefix("https://clinic.test")).get_data(as_text=True)
    assert request.reference in visible_text(page) and note.headline in visible_text(page)

    [staff_row, copy_row] = outbox_rows(app)
    assert (staff_row.to_patient, copy_row.to_patient) == (False, True)
    assert copy_row.carries_health_details is False
    assert copy_row.recipients == [PATIENT] and copy_row.request_id == request.id
    assert copy_row.state is EmailState.SENT and copy_row.attempts == 1


def test_the_copy_reads_at_grade_eight_or_below(make_app, smtp_server):
    app = make_app(**smtp_server.config())
    submit(app.test_client(), warning_signs="yes")
    submit(app.test_client(), preferred_contact="email")
    deliver(app)
    assert len(smtp_server.patient_copies) == 2
    for copy in smtp_server.patient_copies:
        text, html = parts(copy)
        # The link is an address, not words to read.
        prose = re.sub(r"https?://\S+", "", text)
        assert grade(prose) <= 8
        assert grade(visible_text(html, "body").replace("\n", ". ")) <= 8


def test_the_link_works_for_as_long_as_the_setting_says(make_app, smtp_server):
    app = make_app(CONFIRMATION_LINK_MINUTES=1440, **smtp_server.config())
    submit(app.test_client())
    deliver(app)
    text, html = parts(smtp_server.patient_copies[0])
    assert "This link works for 1 day" in text and "This link works for 1 day" in html


def test_a_patient_with_a_warning_sign_is_told_again_to_get_help_now(make_app, smtp_server):
    app = make_app(**smtp_server.config())
    client = app.test_client()
    confirmation = client.get(submit(client, warning_signs="yes").headers["Location"]).get_data(as_text=True)
    deliver(app)
    [copy] = smtp_server.patient_copies
    text, html = parts(copy)
    assert "911" not in copy["Subject"] and "urgent" not in copy["Subject"].lower()
    assert copy["Importance"] is None
    steps_on_the_page = re.search(r'id="next-title".*?<ol>(.*?)</ol>', confirmation, re.S).group(1)
    steps = [" ".join(step.split()) for step in re.findall(r"<li>(.*?)</li>", steps_on_the_page, re.S)]
    assert any("911" in step for step in steps)
    for body in (text, " ".join(visible_text(html, "body").split())):
        assert "Call 911 or go to the nearest emergency room now. Do not wait for us to call you." in body
        assert body.index("911") < body.index("Thank you"), "the advice comes first"
        for step in steps:
            assert step in body, "the next steps are the confirmation page's"
        assert "within one business day" not in body
    assert 'href="tel:911"' in html
    assert 'href="tel:+15035550142"' in html, "the clinic's number as a valid tel: link, as on the pages"
    # The advice itself tells a reader of the mail about a warning sign: it leaves only over TLS.
    [_, copy_row] = outbox_rows(app)
    assert copy_row.carries_health_details is True


@pytest.mark.parametrize("warning_signs", ["no", "yes"])
def test_a_self_pay_patients_copy_promises_no_insurance_check_as_the_page_does(
    make_app, smtp_server, warning_signs
):
    app = make_app(**smtp_server.config())
    client = app.test_client()
    answers = dict(coverage="self_pay", carrier=None, plan_type=None, plan_state=None)
    answers.update(state_employee_plan=None, self_funded=None, warning_signs=warning_signs)
    confirmation = client.get(submit(client, **answers).headers["Location"]).get_data(as_text=True)
    deliver(app)
    [copy] = smtp_server.patient_copies
    steps_on_the_page = re.search(r'id="next-title".*?<ol>(.*?)</ol>', confirmation, re.S).group(1)
    steps = [" ".join(step.split()) for step in re.findall(r"<li>(.*?)</li>", steps_on_the_page, re.S)]
    for body in (*parts(copy)[:1], " ".join(visible_text(parts(copy)[1], "body").split())):
        assert "check your insurance benefits" not in body
        for step in steps:
            assert step in body, "the next steps are the confirmation page's"


def test_unticking_the_box_means_no_copy(make_app, smtp_server, stored):
    app = make_app(**smtp_server.config())
    staff_view = app.test_client()
    form = staff_view.get("/request").get_data(as_text=True)
    box = re.search(r"<input[^>]*name=\"email_copy\"[^>]*>", form).group(0)
    assert "checked" in box, "ticked until the patient unticks it"
    assert "Email me a copy of my reference and next steps" in form
    assert "It does not repeat your answers." in form

    submit(app.test_client(), email_copy=None)
    assert deliver(app).sent == 1
    assert smtp_server.patient_copies == [] and len(smtp_server.staff_messages) == 1
    request = stored_request(app)
    assert request.wants_email_copy is False

    from tests.helpers import create_account, sign_in

    create_account(app, "desk@clinic.example")
    sign_in(staff_view, "desk@clinic.example")
    page = visible_text(staff_view.get(f"/staff/requests/{request.id}").get_data(as_text=True))
    assert "Not sent: they chose not to get a copy." in page


def test_no_email_address_means_no_copy(make_app, smtp_server):
    app = make_app(**smtp_server.config())
    assert submit(app.test_client(), email="", preferred_contact="phone").status_code == 303
    assert deliver(app).sent == 1
    assert smtp_server.patient_copies == []
    assert stored_request(app).wants_email_copy is True, "the box was left ticked; there was nowhere to send"
    assert [row.to_patient for row in outbox_rows(app)] == [False]


def test_a_bot_gets_no_copy(make_app, smtp_server, stored):
    app = make_app(**smtp_server.config())
    assert submit(app.test_client(), website="http://cheap-pills.example").status_code == 303
    assert stored() == {"requests": 1, "emails": 0}
    assert deliver(app).sent == 0
    assert smtp_server.messages == []


def test_the_box_is_checked_on_the_server(make_app):
    app = make_app()
    client = app.test_client()
    response = submit(client, email_copy="please")
    assert response.status_code == 400
    assert "Tick the box to get a copy by email, or leave it empty." in visible_text(
        response.get_data(as_text=True)
    )


def test_the_copy_is_retried_after_the_mail_server_was_down(make_app, stopped_smtp_server):
    app = make_app(**stopped_smtp_server.config())
    submit(app.test_client())
    assert deliver(app).retrying == 2
    copy_row = outbox_rows(app)[1]
    assert copy_row.to_patient and copy_row.state is EmailState.QUEUED and copy_row.attempts == 1
    assert copy_row.last_error

    stopped_smtp_server.start()
    assert deliver(app).sent == 0, "not before its backoff is over"
    assert deliver(app, now=utcnow() + retry_delay(1) + timedelta(seconds=1)).sent == 2
    assert deliver(app, now=utcnow() + timedelta(hours=3)).sent == 0
    [copy] = stopped_smtp_server.patient_copies
    assert copy["Message-ID"] == copy_row.message_id
    assert outbox_rows(app)[1].state is EmailState.SENT


def test_staff_see_whether_the_copy_was_sent(app, smtp_server, staff_client):
    submit(app.test_client())
    request_id = stored_request(app).id
    page = f"/staff/requests/{request_id}"
    text = " ".join(visible_text(staff_client.get(page).get_data(as_text=True)).split())
    assert "Patient's copy" in text and f"Queued (to {PATIENT}" in text
    deliver(app)
    text = " ".join(visible_text(staff_client.get(page).get_data(as_text=True)).split())
    assert f"Sent (to {PATIENT}" in text
    assert "Sent the patient's copy" in text and "Sent the staff email" in text

    # Sending the staff email again does not send the patient another copy.
    staff_post(staff_client, f"{page}/resend-email", {}, page)
    deliver(app)
    assert len(smtp_server.staff_messages) == 2 and len(smtp_server.patient_copies) == 1


class RefusingTransport:
    """A mail server that refuses every recipient, quoting the address back, as smtplib reports it."""

    @contextmanager
    def open(self):
        def send(message, *, health_details):
            raise smtplib.SMTPRecipientsRefused({message["To"]: (550, b"5.1.1 No such mailbox")})

        yield send

    def describe(self) -> str:
        return "refusing"


def test_the_patients_address_stays_out_of_the_log(make_app, caplog):
    app = make_app(OUTBOX_MAX_ATTEMPTS=2)
    submit(app.test_client())
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        for moment in (utcnow(), utcnow() + timedelta(hours=3)):
            deliver_due(db.session, RefusingTransport(), max_attempts=2, now=moment)
        db.session.remove()
    copy_row = outbox_rows(app)[1]
    assert copy_row.state is EmailState.FAILED and PATIENT in copy_row.last_error, "staff can read why"
    assert "failed for good" in caplog.text and "[recipient]" in caplog.text
    assert PATIENT.lower() not in caplog.text.lower()
    assert copy_row.subject not in caplog.text and "Ana Díaz" not in caplog.text


def test_a_failed_copy_shows_on_its_request_not_in_the_staff_email_alarm(app, staff_client):
    submit(app.test_client())
    with app.app_context():
        for moment in (utcnow(), utcnow() + timedelta(hours=3)):
            deliver_due(db.session, RefusingTransport(), max_attempts=1, now=moment)
        db.session.remove()
    listing = staff_client.get("/staff/").get_data(as_text=True)
    assert "2 staff emails not sent" not in listing
    assert "1 staff email not sent" in listing, (
        "the staff email's failure raises the alarm; the copy's does not"
    )
    page = staff_client.get(f"/staff/requests/{stored_request(app).id}").get_data(as_text=True)
    assert f"Failed for good: SMTPRecipientsRefused: {{'{PATIENT}'" in " ".join(visible_text(page).split())


def test_purging_a_request_removes_the_written_copy_too(make_app, mail_dir):
    app = make_app(MAIL_SERVER="")
    submit(app.test_client())
    assert deliver(app).sent == 2
    written = [message_from_bytes(eml.read_bytes(), policy=policy.default) for eml in mail_dir.glob("*.eml")]
    assert sorted(message["To"] for message in written) == [PATIENT, "frontdesk@clinic.example"]
    with app.app_context():
        request = db.session.scalars(sa.select(ConsultationRequest)).one()
        request.status = RequestStatus.CLOSED
        request.closed_at = utcnow() - timedelta(days=400)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["requests", "purge"])
    assert result.exit_code == 0 and "Removed 1 requests" in result.output
    assert list(mail_dir.glob("*.eml")) == [], "the staff email and the patient's copy are gone"
    assert outbox_rows(app) == []


def test_the_confirmation_offers_to_print_or_save_the_note(client):
    page = client.get(submit(client).headers["Location"]).get_data(as_text=True)
    button = re.search(r"<button[^>]*>Print or save this note</button>", page)
    assert button and "hidden" in button.group(0), "the script shows the button where it can print"
    assert "To keep this note, use Print in your browser's menu." in visible_text(page)
    script = re.search(r'<script src="(/static/js/print-note\.js[^"]*)" defer></script>', page)
    assert script
    code = client.get(script.group(1)).get_data(as_text=True)
    assert "window.print()" in code
    css = client.get("/static/css/site.css").get_data(as_text=True)
    assert "@media print" in css
