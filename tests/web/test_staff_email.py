"""The staff email, received by a real SMTP server on loopback."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from email import message_from_bytes, policy

import sqlalchemy as sa

from clinic_app.choices import EmailState
from clinic_app.extensions import db
from clinic_app.formatting import clinic_time
from clinic_app.mail.outbox import CLAIM_LEASE, retry_delay
from clinic_app.models import ConsultationRequest, OutboxEmail, utcnow
from tests.helpers import deliver, submit, valid_answers


def outbox_rows(app) -> list[OutboxEmail]:
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id)).all()
        db.session.expunge_all()
        return rows


def the_request(app) -> ConsultationRequest:
    with app.app_context():
        request = db.session.scalars(sa.select(ConsultationRequest)).one()
        db.session.expunge_all()
        return request


def parts(message) -> tuple[str, str]:
    return (
        message.get_body(preferencelist=("plain",)).get_content(),
        message.get_body(preferencelist=("html",)).get_content(),
    )


def test_staff_email_arrives_with_the_answers_and_the_note(make_app, smtp_server):
    app = make_app(**smtp_server.config())
    client = app.test_client()
    submit(client, message="Worse after <b>long</b> days.")
    assert deliver(app).sent == 2, "the staff email, and the patient's own copy"

    [message] = smtp_server.staff_messages
    request = the_request(app)
    text, html = parts(message)
    assert ("requests@clinic.example", ["frontdesk@clinic.example"]) in smtp_server.envelopes
    assert len(smtp_server.envelopes) == 2
    assert message["Subject"] == f"New request {request.reference}: free 15-minute consultation"
    assert message["From"] == "Clinic requests <requests@clinic.example>"
    assert message["Message-ID"] == outbox_rows(app)[0].message_id
    received = clinic_time(request.created_at, "America/Los_Angeles")
    assert re.search(r"\d{4} at \d{1,2}:\d\d [AP]M P[SD]T$", received)
    for body in (text, html):
        assert received in body
        assert "Ana Díaz" in body
        assert "(503) 555-0142" in body
        assert "Ana.Diaz@example.com" in body
        assert "Headache that starts in the neck" in body
        assert "Premera Blue Cross" in body
        assert "$1,200" in body
        assert "Likely covered" in body
        assert "Many health plans pay for spinal manipulation." in body
        assert "Monday, Wednesday" in body
    assert "Worse after <b>long</b> days." in text
    assert "Worse after &lt;b&gt;long&lt;/b&gt; days." in html
    assert outbox_rows(app)[0].state is EmailState.SENT


def test_subject_carries_no_health_or_insurance_detail(make_app, smtp_server):
    app = make_app(**smtp_server.config())
    submit(app.test_client(), main_concern="migraine", coverage="apple_health", warning_signs="no")
    deliver(app)
    subject = smtp_server.staff_messages[0]["Subject"].lower()
    for detail in ("migraine", "headache", "apple", "health", "medicaid", "insurance", "neck"):
        assert detail not in subject


def test_urgent_request_is_flagged_without_naming_the_symptom(make_app, smtp_server):
    app = make_app(**smtp_server.config())
    submit(app.test_client(), warning_signs="yes")
    deliver(app)
    [message] = smtp_server.staff_messages
    assert message["Subject"] == f"URGENT: call back today. Request {the_request(app).reference}"
    for symptom in ("headache", "head", "fever", "neck", "weakness", "numb", "worst"):
        assert symptom not in message["Subject"].lower()
    assert message["Importance"] == "high"
    assert "Call them back today." in parts(message)[0]


def test_request_is_kept_while_the_mail_server_is_down_and_the_email_arrives_later(
    make_app, stopped_smtp_server
):
    app = make_app(**stopped_smtp_server.config())
    client = app.test_client()
    assert submit(client).status_code == 303

    first_try = deliver(app)
    # The staff email and the patient's own copy wait alike.
    assert first_try.retrying == 2
    for row in outbox_rows(app):
        assert row.state is EmailState.QUEUED
        assert row.attempts == 1
        assert "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error
    assert the_request(app).full_name == "Ana Díaz"

    stopped_smtp_server.start()
    assert deliver(app).sent == 0, "not retried before its backoff is over"
    assert deliver(app, now=utcnow() + retry_delay(1) + timedelta(seconds=1)).sent == 2
    assert len(stopped_smtp_server.staff_messages) == 1
    assert len(stopped_smtp_server.patient_copies) == 1
    for row in outbox_rows(app):
        assert (row.state, row.attempts, row.last_error) == (EmailState.SENT, 2, None)


def test_email_is_marked_failed_after_the_last_attempt(make_app, stopped_smtp_server):
    app = make_app(OUTBOX_MAX_ATTEMPTS=2, **stopped_smtp_server.config())
    submit(app.test_client())
    deliver(app)
    report = deliver(app, now=utcnow() + timedelta(hours=3))
    assert report.failed == 2, "the staff email and the patient's copy"
    assert {row.state for row in outbox_rows(app)} == {EmailState.FAILED}


def test_an_email_claimed_by_another_worker_is_not_sent_twice(make_app, smtp_server):
    app = make_app(**smtp_server.config())
    submit(app.test_client(), email_copy=None)  # unticked: the staff email alone
    with app.app_context():
        row = db.session.scalars(sa.select(OutboxEmail)).one()
        row.claimed_until = utcnow() + CLAIM_LEASE
        db.session.commit()
    assert deliver(app).sent == 0
    assert smtp_server.messages == []
    # A worker that died mid-send loses its claim when the lease runs out; the email still goes.
    assert deliver(app, now=utcnow() + CLAIM_LEASE + timedelta(seconds=1)).sent == 1
    assert len(smtp_server.messages) == 1


def test_background_worker_delivers_without_anyone_asking(make_app, smtp_server):
    app = make_app(OUTBOX_WORKER="thread", OUTBOX_POLL_SECONDS=30, **smtp_server.config())
    client = app.test_client()
    submit(client)
    deadline = time.monotonic() + 10
    while len(smtp_server.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(smtp_server.staff_messages) == 1, (
        "the commit wakes the worker; it does not wait for the next poll"
    )
    assert len(smtp_server.patient_copies) == 1


def test_without_a_mail_server_emails_are_written_as_files(make_app, mail_dir):
    app = make_app(MAIL_SERVER="")
    submit(app.test_client(), **{k: v for k, v in valid_answers().items() if k == "full_name"})
    assert deliver(app).sent == 2, "the staff email, and the patient's own copy"
    written = [message_from_bytes(eml.read_bytes(), policy=policy.default) for eml in mail_dir.glob("*.eml")]
    assert sorted(message["To"] for message in written) == [
        "Ana.Diaz@example.com",
        "frontdesk@clinic.example",
    ]
    [message] = [message for message in written if message["To"] == "frontdesk@clinic.example"]
    assert "Ana Díaz" in message.get_body(preferencelist=("plain",)).get_content()


def test_an_adult_apple_health_patient_offered_self_pay_tells_the_desk_to_sign_the_form_first(
    app, smtp_server, staff_client
):
    """WAC 182-502-0160: an Apple Health client may be billed only after both sign HCA 13-879."""
    apple_health = dict(coverage="apple_health", carrier=None, plan_type=None, plan_state=None)
    submit(app.test_client(), age="45", **apple_health, state_employee_plan=None, self_funded=None)
    deliver(app)
    [message] = smtp_server.staff_messages
    for body in parts(message):
        assert "for the front desk" in body.lower()
        assert "HCA form 13-879" in body and "WAC 182-502-0160" in body
    page = staff_client.get(f"/staff/requests/{the_request(app).id}").get_data(as_text=True)
    assert "For the front desk:" in page and "HCA form 13-879" in page


def test_a_note_without_a_front_desk_step_shows_none(app, smtp_server, staff_client):
    submit(app.test_client())
    deliver(app)
    [message] = smtp_server.staff_messages
    assert all("for the front desk" not in body.lower() for body in parts(message))
    page = staff_client.get(f"/staff/requests/{the_request(app).id}").get_data(as_text=True)
    assert "For the front desk:" not in page
