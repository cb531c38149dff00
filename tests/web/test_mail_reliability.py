"""The staff email always arrives: outages, refusals, crashes, TLS and login, against a real SMTP server."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.smtp import AuthResult, LoginPassword

from clinic_app.choices import EmailState
from clinic_app.extensions import db
from clinic_app.mail.outbox import CLAIM_LEASE
from clinic_app.models import OutboxEmail, utcnow
from tests.conftest import SMTPServer, free_port
from tests.helpers import audit_actions, deliver, staff_post, submit, visible_text

LATER = timedelta(hours=3)


def rows(app) -> list[OutboxEmail]:
    with app.app_context():
        found = db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id)).all()
        db.session.expunge_all()
        return found


def deliver_all(app, rounds: int = 25) -> None:
    """Run the worker until nothing more is due, moving the clock past each backoff."""
    moment = utcnow()
    for _ in range(rounds):
        deliver(app, now=moment)
        moment += LATER


def test_every_request_sent_while_the_mail_server_is_down_is_emailed_once_it_is_back(
    make_app, stopped_smtp_server
):
    app = make_app(**stopped_smtp_server.config())
    client = app.test_client()
    for number in range(20):
        assert submit(client, full_name=f"Patient {number:02d}").status_code == 303
    report = deliver(app)
    # Each request's staff email and the patient's own copy.
    assert report.retrying == 40 and report.sent == 0
    assert all(row.state is EmailState.QUEUED and row.last_error for row in rows(app))

    stopped_smtp_server.start()
    deliver_all(app)
    names = sorted(m.get_body(preferencelist=("plain",)).get_content().split("Name: ")[1].split("\n")[0].strip()
                   for m in stopped_smtp_server.staff_messages)  # fmt: skip
    assert names == [f"Patient {n:02d}" for n in range(20)]
    assert len(stopped_smtp_server.patient_copies) == 20
    assert {row.state for row in rows(app)} == {EmailState.SENT}


def test_temporary_refusals_are_retried_until_accepted(make_app, smtp_server):
    smtp_server.replies = ["451 4.3.0 Mailbox busy, try later", "421 4.7.0 Too many connections"]
    app = make_app(**smtp_server.config())
    submit(app.test_client(), email_copy=None)  # one email (the copy unticked): the replies are its own
    deliver_all(app, rounds=4)
    [row] = rows(app)
    assert (row.state, row.attempts) == (EmailState.SENT, 3)
    assert len(smtp_server.messages) == 1


def test_permanent_refusals_fail_after_the_last_attempt_and_staff_can_try_again(
    make_app, smtp_server, tmp_path
):
    smtp_server.replies = ["550 5.1.1 No such mailbox"] * 3
    app = make_app(OUTBOX_MAX_ATTEMPTS=3, **smtp_server.config())
    submit(app.test_client(), email_copy=None)  # one email (the copy unticked): the replies are its own
    deliver_all(app, rounds=5)
    [row] = rows(app)
    assert (row.state, row.attempts) == (EmailState.FAILED, 3)
    assert "550" in row.last_error and "No such mailbox" in row.last_error

    status = app.test_cli_runner().invoke(args=["outbox", "status"]).output
    assert "failed 1" in status and f"FAILED #{row.id}" in status and "550" in status

    from tests.helpers import create_account, sign_in

    create_account(app, "desk@clinic.example")
    desk = app.test_client()
    sign_in(desk, "desk@clinic.example")
    listing = desk.get("/staff/").get_data(as_text=True)
    assert "1 staff email not sent" in visible_text(listing, "header")
    assert "1 staff email could not be sent." in visible_text(listing)
    failed_list = desk.get("/staff/?email=failed").get_data(as_text=True)
    request_id = row.request_id
    assert f"/staff/requests/{request_id}" in failed_list
    page = f"/staff/requests/{request_id}"
    assert "Failed for good" in visible_text(desk.get(page).get_data(as_text=True))
    staff_post(desk, f"{page}/emails/{row.id}/retry", {}, page)
    deliver(app)
    assert len(smtp_server.messages) == 1
    assert rows(app)[0].state is EmailState.SENT
    assert "retried_email" in audit_actions(app, request_id)


def test_a_worker_killed_in_the_middle_of_a_send_does_not_lose_the_email(make_app, smtp_server):
    app = make_app(**smtp_server.config())
    submit(app.test_client(), email_copy=None)  # one email (the copy unticked): the stalled one
    smtp_server.stall_next = True
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "test-secret-key-for-the-suite-only-0123456789",
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_server.port), "OUTBOX_POLL_SECONDS": "1",
           "MAIL_ALLOW_PLAIN_SMTP": "true"}  # fmt: skip
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "run"],
                              cwd=Path(__file__).resolve().parents[2], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        assert smtp_server.stalling.wait(30), "the worker started sending"
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    smtp_server.release.set()
    [row] = rows(app)
    assert row.state is EmailState.QUEUED and row.claimed_until is not None

    assert deliver(app).sent == 0, "the dead worker's claim holds until its lease runs out"
    assert deliver(app, now=utcnow() + CLAIM_LEASE + timedelta(seconds=1)).sent == 1
    [delivered] = smtp_server.messages
    assert delivered["Message-ID"] == smtp_server.stalled[0]["Message-ID"] == row.message_id


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def server_context(certificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def only_clinic_login(server, session, envelope, mechanism, auth_data):
    good = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"clinic",
        b"s3cret",
    )
    # handled=False: let aiosmtpd answer the refusal itself (535).
    return AuthResult(success=good, handled=False)


@pytest.fixture
def tls_server(certificate):
    server = SMTPServer(
        tls_context=server_context(certificate),
        require_starttls=True,
        authenticator=only_clinic_login,
        auth_require_tls=True,
    )
    server.start()
    yield server
    server.stop()


def test_starttls_with_a_login(make_app, tls_server, certificate):
    app = make_app(**tls_server.config(), MAIL_USE_TLS=True, MAIL_USERNAME="clinic", MAIL_PASSWORD="s3cret",
                   MAIL_CA_FILE=str(certificate[0]))  # fmt: skip
    submit(app.test_client())
    assert deliver(app).sent == 2, "the staff email and the patient's copy"
    assert len(tls_server.messages) == 2


def test_a_wrong_password_is_recorded_and_retried(make_app, tls_server, certificate):
    app = make_app(**tls_server.config(), MAIL_USE_TLS=True, MAIL_USERNAME="clinic", MAIL_PASSWORD="wrong",
                   MAIL_CA_FILE=str(certificate[0]))  # fmt: skip
    submit(app.test_client())
    assert deliver(app).retrying == 2
    assert "535" in rows(app)[0].last_error


def test_the_servers_certificate_is_checked(make_app, tls_server):
    app = make_app(**tls_server.config(), MAIL_USE_TLS=True, MAIL_USERNAME="clinic", MAIL_PASSWORD="s3cret")
    submit(app.test_client())
    assert deliver(app).retrying == 2
    assert "CERTIFICATE_VERIFY_FAILED" in rows(app)[0].last_error


def test_tls_from_the_first_byte(make_app, certificate):
    server = SMTPServer(ssl_context=server_context(certificate))
    server.start()
    try:
        app = make_app(**server.config(), MAIL_USE_SSL=True, MAIL_CA_FILE=str(certificate[0]))
        submit(app.test_client())
        assert deliver(app).sent == 2
        assert len(server.messages) == 2
    finally:
        server.stop()


def test_a_server_that_never_answers_times_out_and_is_retried(make_app):
    silent = socket.socket()
    silent.bind(("127.0.0.1", free_port()))
    silent.listen()
    try:
        app = make_app(
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=silent.getsockname()[1],
            MAIL_TIMEOUT_SECONDS=1,
            MAIL_ALLOW_PLAIN_SMTP=True,
        )
        submit(app.test_client())
        started = time.monotonic()
        assert deliver(app).retrying == 2, "the staff email and the patient's copy, side by side"
        assert time.monotonic() - started < 5
        assert "timed out" in rows(app)[0].last_error.lower()
    finally:
        silent.close()


@pytest.mark.parametrize(
    ("level", "present", "absent"),
    [
        ("full", ["Ana Díaz", "Headache that starts in the neck", "Premera Blue Cross", "Likely covered"], []),
        ("summary", ["Ana Díaz", "(503) 555-0142", "are in the dashboard"],
         ["Headache that starts", "Headache days", "Premera", "Likely covered", "Worse after", "warning sign", "911"]),
        ("link", ["https://clinic.test/staff/requests/"],
         ["Ana Díaz", "503", "Headache that starts", "Premera", "Likely covered", "Free 15-minute", "warning sign", "911"]),
    ],
)  # fmt: skip
def test_mail_phi_sets_how_much_the_staff_email_carries(make_app, smtp_server, level, present, absent):
    app = make_app(MAIL_PHI=level, **smtp_server.config())
    submit(app.test_client(), warning_signs="yes")
    deliver(app)
    message = smtp_server.staff_messages[0]
    for body in (message.get_body(preferencelist=("plain",)).get_content(),
                 message.get_body(preferencelist=("html",)).get_content()):  # fmt: skip
        assert "URGENT" in body
        for text in present:
            assert text in body, (level, text)
        for text in absent:
            assert text not in body, (level, text)


def test_line_breaks_in_the_answers_cannot_add_email_headers(make_app, smtp_server):
    app = make_app(**smtp_server.config())
    submit(app.test_client(), full_name="Ana\r\nBcc: everyone@example.com", email="a@b.example\r\nBcc: x@y.example",
           preferred_contact="phone")  # fmt: skip
    deliver(app)
    for message in smtp_server.messages:
        assert message["Bcc"] is None
    for _, recipients in smtp_server.envelopes:
        assert "everyone@example.com" not in recipients and "x@y.example" not in recipients


def test_health_details_never_leave_over_plain_smtp_unless_the_owner_allows_it(make_app, smtp_server):
    plain = {**smtp_server.config(), "MAIL_ALLOW_PLAIN_SMTP": False}
    app = make_app(**plain)
    submit(app.test_client())
    report = deliver(app)
    assert (report.sent, report.retrying) == (1, 1), "the patient's copy carries no health details"
    assert smtp_server.staff_messages == [], "nothing with health details left without TLS"
    (email,) = [row for row in rows(app) if not row.to_patient]
    assert "MAIL_USE_TLS=true" in email.last_error and "health details" in email.last_error
    assert email.attempts == 0, "a refusal by the settings uses up none of the email's tries"
    from tests.helpers import create_account, sign_in

    create_account(app, "owner@clinic.example", role="owner")
    staff = app.test_client()
    sign_in(staff, "owner@clinic.example")
    page = staff.get("/staff/").get_data(as_text=True)
    assert "Staff emails are not being sent." in page and "MAIL_USE_TLS=true" in page
    status = app.test_cli_runner().invoke(args=["outbox", "status"]).output
    assert status.startswith("WARNING: new staff emails will not leave.")

    # MAIL_PHI=summary: new emails carry no health details and leave; the one rendered in full still
    # waits for TLS, even once it is due again.
    summary = make_app(**plain, MAIL_PHI="summary")
    submit(summary.test_client())
    report = deliver(summary, now=utcnow() + timedelta(minutes=6))
    assert (report.sent, report.retrying) == (2, 1), "the summary and its patient's copy leave"
    (sent,) = smtp_server.staff_messages
    assert "Headache that starts" not in sent.get_body(preferencelist=("plain",)).get_content()


def test_a_slow_mail_server_gets_several_connections_at_once_each_reused_and_every_email_once(
    make_app, smtp_server
):
    app = make_app(**smtp_server.config(), OUTBOX_SEND_CONNECTIONS=4)
    client = app.test_client()
    for number in range(12):
        submit(client, full_name=f"Patient {number}")
    smtp_server.seconds_per_message = 0.2
    report = deliver(app)
    # Each request's staff email and the patient's own copy.
    assert (report.sent, report.retrying, report.failed) == (24, 0, 0)
    assert len({message["Message-ID"] for message in smtp_server.messages}) == 24 == len(smtp_server.messages)
    assert len(smtp_server.connections) == 4, "one connection per sender, reused for its share"
    assert smtp_server.most_at_once > 1, "the senders worked at the same time"
    assert all(row.state is EmailState.SENT for row in rows(app))
