"""Patient data and secrets stay where staff asked for them: not in logs, caches or readable files."""

from __future__ import annotations

import http.cookiejar
import logging
import re
import stat
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from clinic_app.accounts.operations import find_by_email, issue_password_link
from clinic_app.extensions import db
from clinic_app.models import ConsultationRequest
from tests.conftest import free_port, migrate_to
from tests.helpers import (
    STAFF_PASSWORD,
    LiveServer,
    create_account,
    deliver,
    sign_in,
    submit,
    valid_answers,
)

PATIENT = {
    "full_name": "Zebulon Quirke",
    "email": "zebulon.quirke@example.com",
    "phone": "(360) 555-0199",
    "message": "Aura before the pain, worse at dusk.",
}
# What must never show in a log: the patient's details, in the forms they are sent and stored.
NEVER_LOGGED = [*PATIENT.values(), "Zebulon", "Quirke", "3605550199", "zebulon.quirke"]


class Browser:
    """A visitor's or staff member's browser over real HTTP, with cookies."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirects()
        )

    def get(self, path: str) -> tuple[int, str, dict[str, str]]:
        return self._open(urllib.request.Request(self.base_url + path))

    def post(self, path: str, data: dict[str, object], **headers: str) -> tuple[int, str, dict[str, str]]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=body, headers=headers))

    def _open(self, request: urllib.request.Request) -> tuple[int, str, dict[str, str]]:
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def hidden_value(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]+)"', page) or re.search(
        rf'type="hidden" name="{name}" value="([^"]+)"', page
    )
    assert match, f"the page carries {name}"
    return match.group(1)


def test_a_whole_flow_leaves_no_patient_detail_or_token_in_the_logs(make_app, caplog):
    port = free_port()
    app = make_app(PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")
    create_account(app, "desk@clinic.example")
    with app.app_context():
        set_password_token = issue_password_link(
            db.session, find_by_email(db.session, "desk@clinic.example"), actor=None, ip_address="test"
        )
        db.session.commit()
    server = LiveServer(app, port).start()
    caplog.set_level(logging.DEBUG)
    try:
        visitor = Browser(server.url)
        _, page, _ = visitor.get("/request")
        form_token = hidden_value(page, "form_token")
        status, _, headers = visitor.post("/request", {**valid_answers(**PATIENT), "form_token": form_token})
        assert status == 303
        confirmation = urllib.parse.urlsplit(headers["Location"]).path
        confirmation_token = confirmation.rsplit("/", 1)[1]
        assert visitor.get(confirmation)[0] == 200

        staff = Browser(server.url)
        _, page, _ = staff.get("/staff/sign-in")
        credentials = {"email": "desk@clinic.example", "password": STAFF_PASSWORD}
        assert (
            staff.post("/staff/sign-in", {**credentials, "csrf_token": hidden_value(page, "csrf_token")})[0]
            == 302
        )
        for search in ("Quirke", "zebulon.quirke@example.com", "360-555-0199"):
            status, listing, _ = staff.get("/staff/?" + urllib.parse.urlencode({"q": search}))
            assert status == 200 and "Zebulon Quirke" in listing, "the search finds the request"
        assert staff.get(f"/staff/set-password/{set_password_token}")[0] == 200
        deliver(app)
    finally:
        server.stop()

    logged = caplog.text
    assert "GET /request" in logged and "GET /staff/ " in logged, (
        "requests are still logged, without what they carry"
    )
    for secret in [*NEVER_LOGGED, confirmation_token, set_password_token, form_token, "q="]:
        assert secret not in logged, f"{secret!r} reached the log"


REFUSE_NEW_REQUESTS = {
    # The server refuses the row and, on PostgreSQL, quotes it back: "Failing row contains (...)".
    "postgresql": [
        """CREATE FUNCTION lose_reference() RETURNS trigger AS $$
           BEGIN NEW.reference := NULL; RETURN NEW; END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER lose_reference BEFORE INSERT ON consultation_request
           FOR EACH ROW EXECUTE FUNCTION lose_reference()""",
    ],
    "sqlite": [
        """CREATE TRIGGER refuse_requests BEFORE INSERT ON consultation_request
           BEGIN SELECT RAISE(ABORT, 'refused for the test'); END""",
    ],
}
STOP_REFUSING = {
    "postgresql": ["DROP TRIGGER lose_reference ON consultation_request", "DROP FUNCTION lose_reference()"],
    "sqlite": ["DROP TRIGGER refuse_requests"],
}


def test_a_failed_insert_leaves_no_answer_in_the_log_or_on_the_page(make_app, caplog):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        dialect = db.engine.dialect.name
        with db.engine.begin() as connection:
            for statement in REFUSE_NEW_REQUESTS[dialect]:
                connection.execute(sa.text(statement))
    caplog.set_level(logging.DEBUG)
    try:
        response = submit(app.test_client(), **PATIENT)
    finally:
        with app.app_context(), db.engine.begin() as connection:
            for statement in STOP_REFUSING[dialect]:
                connection.execute(sa.text(statement))
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.get_data(as_text=True)
    assert "database error on POST public.send_request_form: IntegrityError" in caplog.text
    for detail in NEVER_LOGGED:
        assert detail not in caplog.text, f"{detail!r} reached the log"
        assert detail not in response.get_data(as_text=True)


def test_sql_is_not_logged_even_when_the_log_level_is_debug(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    submit(client, **PATIENT)
    with app.app_context():
        assert db.session.scalar(sa.select(ConsultationRequest.full_name)) == PATIENT["full_name"]
    assert "INSERT INTO" not in caplog.text and "Zebulon" not in caplog.text


@pytest.mark.parametrize("path", ["/staff/", "/staff/team", "/staff/audit"])
def test_staff_pages_are_never_cached(owner_client, path):
    response = owner_client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_the_confirmation_and_the_set_password_page_are_never_cached(app, client, owner):
    for confirmation in (submit(client).headers["Location"], submit(client).headers["Location"]):
        assert client.get(confirmation).headers["Cache-Control"] == "no-store"
    embedded = client.post(
        "/embed/form",
        data={
            **valid_answers(),
            "form_token": hidden_value(client.get("/embed/form").get_data(as_text=True), "form_token"),
        },
    )
    assert client.get(embedded.headers["Location"]).headers["Cache-Control"] == "no-store"
    with app.app_context():
        token = issue_password_link(
            db.session, find_by_email(db.session, "owner@clinic.example"), actor=None, ip_address="test"
        )
        db.session.commit()
    assert client.get(f"/staff/set-password/{token}").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/request", "/staff/sign-in", "/embed/form", "/privacy", "/nowhere"])
def test_every_page_denies_the_browser_features_it_does_not_use(client, path):
    policy = client.get(path).headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy


def test_a_saved_session_cookie_stops_working_after_sign_out(app, staff):
    client = app.test_client()
    assert sign_in(client, "desk@clinic.example").status_code == 302
    saved = client.get_cookie("session").value
    page = client.get("/staff/").get_data(as_text=True)
    client.post("/staff/sign-out", data={"csrf_token": hidden_value(page, "csrf_token")})

    replayed = app.test_client()
    replayed.set_cookie("session", saved)
    response = replayed.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/sign-in")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_the_secret_key_and_written_emails_are_readable_by_the_app_alone(tmp_path):
    from tests.conftest import build_app

    instance = tmp_path / "private-instance"
    database = instance / "clinic.sqlite3"
    app = build_app(f"sqlite:///{database}", instance, SECRET_KEY="", MAIL_FILE_DIR=instance / "mail")
    migrate_to(f"sqlite:///{database}", instance)
    submit(app.test_client())
    deliver(app)
    emails = list((instance / "mail").glob("*.eml"))
    assert emails, "the staff email was written"
    for private in (database, instance / "secret_key", *emails):
        assert mode(private) == 0o600, f"{private.name} is {oct(mode(private))}"
    assert mode(instance / "mail") == 0o700


def test_after_a_purge_nothing_of_the_request_is_left_in_the_database_files_mail_folder_or_audit_log(
    make_app, tmp_path
):
    from clinic_app.choices import CloseReason, RequestStatus
    from clinic_app.models import AuditEntry, utcnow
    from tests.conftest import build_app

    instance = tmp_path / "purge-instance"
    database = instance / "clinic.sqlite3"
    app = build_app(f"sqlite:///{database}", instance, MAIL_FILE_DIR=instance / "mail")
    migrate_to(f"sqlite:///{database}", instance)
    create_account(app, "desk@clinic.example")
    submit(app.test_client(), **PATIENT)
    deliver(app)
    assert any("Quirke" in path.read_text() for path in (instance / "mail").glob("*.eml"))
    staff = app.test_client()
    sign_in(staff, "desk@clinic.example")
    assert "Zebulon Quirke" in staff.get("/staff/?q=Quirke").get_data(as_text=True)
    # The search index keeps the name as trigrams, each written out in its pages.
    trigrams = [b"qui", b"uir", b"irk", b"rke"]
    assert all(trigram in stored_bytes(instance) for trigram in trigrams)
    with app.app_context():
        found = db.session.scalars(sa.select(ConsultationRequest)).one()
        found.status, found.close_reason = RequestStatus.CLOSED, CloseReason.BOOKED
        found.closed_at = utcnow() - timedelta(days=400)
        db.session.commit()

    assert "Removed 1 requests" in app.test_cli_runner().invoke(args=["requests", "purge"]).output

    stored = stored_bytes(instance)
    assert not [trigram for trigram in trigrams if trigram in stored], "the search index still holds the name"
    for detail in NEVER_LOGGED:
        assert detail.encode() not in stored, f"{detail!r} is still in the database files"
    assert not list((instance / "mail").glob("*.eml")), "the written staff email is gone"
    with app.app_context():
        audit = " ".join(str(entry.detail) for entry in db.session.scalars(sa.select(AuditEntry)))
        # Debian's SQLite zeroes deleted rows by default; the app asks for it on every build.
        assert db.session.execute(sa.text("PRAGMA secure_delete")).scalar() == 1
    assert "Quirke" not in audit and "quirke" not in audit


def stored_bytes(instance: Path) -> bytes:
    return b"".join(path.read_bytes() for path in instance.glob("clinic.sqlite3*"))


def test_an_unexpected_error_on_a_page_with_a_token_logs_the_path_without_it(make_app, caplog):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def broken(token: str):
        raise RuntimeError("a bug")

    app.add_url_rule("/request/received/<token>/broken", view_func=broken)
    caplog.set_level(logging.DEBUG)
    assert app.test_client().get("/request/received/SECRET-TOKEN-123/broken").status_code == 500
    assert "Exception on /request/received/…" in caplog.text
    assert "SECRET-TOKEN-123" not in caplog.text
