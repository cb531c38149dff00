"""Helpers shared by the tests: posting the form as a browser would, reading what a person sees."""

from __future__ import annotations

import re
import secrets
import threading
import time
from datetime import datetime
from html import unescape
from html.parser import HTMLParser

import sqlalchemy as sa
from flask_babel import force_locale, gettext
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from werkzeug.serving import make_server

from clinic_app.extensions import db
from clinic_app.mail.outbox import DeliveryReport, deliver_due
from clinic_app.mail.transports import transport_for
from clinic_app.models import ConsultationRequest
from clinic_app.web.services import services


def valid_answers(**changes) -> dict[str, object]:
    """A complete, valid request from a private-insurance patient; change what a test is about."""
    answers: dict[str, object] = {
        "visit_type": "consultation",
        "full_name": "Ana Díaz",
        "phone": "(503) 555-0142",
        "email": "Ana.Diaz@Example.com",
        # Ticked on the form unless the patient unticks it: a browser sends it as it is shown.
        "email_copy": "y",
        "preferred_contact": "phone",
        "best_days": ["mon", "wed"],
        "best_times": ["morning"],
        "main_concern": "neck_headache",
        "headache_days": "8",
        "message": "Worse after long days at the computer.",
        "warning_signs": "no",
        "coverage": "private",
        "carrier": "premera",
        "plan_type": "ppo",
        "plan_state": "wa",
        "state_employee_plan": "no",
        "self_funded": "no",
        "age": "41",
        "deductible_status": "not_met",
        "deductible_remaining": "$1,200",
        "copay": "40",
        "coinsurance_percent": "20",
        "consent": "y",
    }
    answers.update(changes)
    return {key: value for key, value in answers.items() if value is not None}


TEST_SECRET_KEY = "test-secret-key-for-the-suite-only-0123456789"


def signed_earlier(salt: str, seconds_ago: int, payload: object = None) -> str:
    """A token as the app signs it (form token, confirmation link), dated ``seconds_ago`` seconds ago,
    so a test of what happens later needs no waiting and no setting bent out of its range."""

    class SignedEarlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds_ago

    serializer = URLSafeTimedSerializer(TEST_SECRET_KEY, salt=salt, signer=SignedEarlier)
    return serializer.dumps(secrets.token_urlsafe(16) if payload is None else payload)


def form_token(client, path: str = "/request") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)
    assert match, "the form carries its single-use token"
    return match.group(1)


def submit(client, answers: dict[str, object] | None = None, **changes):
    """Open the form, then post the answers with the page's form token, as a browser does."""
    data = dict(answers if answers is not None else valid_answers(**changes))
    data.setdefault("form_token", form_token(client))
    return client.post("/request", data=data)


BLOCKS = {
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "legend",
    "label",
    "div",
    "section",
    "tr",
    "dt",
    "dd",
    "ul",
    "ol",
}
# Marks where a block ends; white space inside a block, newlines included, folds to one space.
BLOCK_END = "\x00"


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self._skip -= 1
        elif tag in BLOCKS:
            self.parts.append(BLOCK_END)

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str, element: str = "main") -> str:
    """The text a person reads inside the first <element>, with white space folded per block."""
    start = html.index(f"<{element}")
    end = html.index(f"</{element}>", start)
    extractor = _TextExtractor()
    extractor.feed(html[start:end])
    lines = (" ".join(line.split()) for line in unescape("".join(extractor.parts)).split(BLOCK_END))
    return "\n".join(line for line in lines if line)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def deliver(app, now: datetime | None = None) -> DeliveryReport:
    """Run one round of the outbox worker, as the background thread does."""
    with app.app_context():
        report = deliver_due(
            db.session,
            transport_for(services(app).settings),
            max_attempts=services(app).settings.outbox_max_attempts,
            connections=services(app).settings.outbox_send_connections,
            now=now,
        )
        db.session.remove()
        return report


STAFF_PASSWORD = "correct horse battery staple"
CHEAP_PASSWORD_HASH = "pbkdf2:sha256:1000"


def create_account(
    app, email: str, role: str = "staff", password: str | None = STAFF_PASSWORD, name: str = ""
):
    """A staff account made the way the app makes them; returns its id."""
    from clinic_app.accounts.operations import create_staff, set_password
    from clinic_app.choices import Role

    with app.app_context():
        user = create_staff(
            db.session,
            email=email,
            name=name or email.split("@")[0].title(),
            role=Role(role),
            actor=None,
            ip_address="test",
        )
        if password:
            set_password(db.session, user, password, ip_address="test")
        db.session.commit()
        return user.id


def page_csrf_token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'type="hidden" name="csrf_token" value="([^"]+)"', page
    )
    assert match, f"{path} carries a CSRF token"
    return match.group(1)


def sign_in(client, email: str, password: str = STAFF_PASSWORD, next_path: str | None = None):
    token = page_csrf_token(client, "/staff/sign-in")
    path = "/staff/sign-in" + (f"?next={next_path}" if next_path else "")
    return client.post(path, data={"email": email, "password": password, "csrf_token": token})


def staff_post(client, path: str, data: dict | None = None, token_from: str = "/staff/"):
    """Post a staff form with the CSRF token from a signed-in page, as the browser does."""
    return client.post(path, data={**(data or {}), "csrf_token": page_csrf_token(client, token_from)})


def audit_actions(app, request_id: int | None = None) -> list[str]:
    from clinic_app.models import AuditEntry

    with app.app_context():
        query = sa.select(AuditEntry.action).order_by(AuditEntry.id)
        if request_id is not None:
            query = query.where(AuditEntry.request_id == request_id)
        return list(db.session.scalars(query))


class LiveServer:
    def __init__(self, app, port: int) -> None:
        self.app = app
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._server = make_server("127.0.0.1", port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()


def stored_request(app) -> ConsultationRequest:
    """The one request stored, with its note, usable after the session lets it go."""
    with app.app_context():
        found = db.session.scalars(sa.select(ConsultationRequest)).one()
        found.coverage_note  # noqa: B018 (loaded before the session lets it go)
        db.session.expunge_all()
        return found


def in_spanish(app, text: str, **values) -> str:
    """The catalogue's Spanish for an English text, as the pages show it."""
    with app.test_request_context(), force_locale("es"):
        return gettext(text, **values)
