"""Sign-in and staff sessions: what is refused is audited, tokens from before sign-in die, and a bot's
request is for owners only."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from clinic_app.extensions import db
from clinic_app.models import AuditEntry, ConsultationRequest
from tests.helpers import create_account, page_csrf_token, sign_in, submit


def refused_sign_ins(app) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "sign_in_failed"))
        return [(row.actor_email, row.detail["reason"]) for row in rows]


def test_a_csrf_token_from_before_sign_in_does_not_work_after_it(app, staff):
    client = app.test_client()
    before = page_csrf_token(client, "/staff/sign-in")
    assert sign_in(client, "desk@clinic.example").status_code == 302
    refused = client.post("/staff/sign-out", data={"csrf_token": before})
    assert refused.status_code == 400, "the token planted before sign-in is refused"
    assert client.get("/staff/").status_code == 200, "still signed in"
    fresh = page_csrf_token(client, "/staff/")
    assert client.post("/staff/sign-out", data={"csrf_token": fresh}).status_code == 302


def test_refused_staff_requests_are_audited(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True, RATELIMIT_KEY_PREFIX=uuid.uuid4().hex, RATELIMIT_SIGN_IN="1 per minute"
    )
    create_account(app, "desk@clinic.example")
    client = app.test_client()
    sign_in(client, "desk@clinic.example", "wrong password!")
    assert sign_in(client, "desk@clinic.example", "another try!!").status_code == 429
    assert refused_sign_ins(app) == [
        ("desk@clinic.example", "wrong password"),
        ("desk@clinic.example", "too many tries"),
    ]


def test_a_sign_in_without_its_csrf_token_is_audited(app, staff):
    client = app.test_client()
    response = client.post("/staff/sign-in", data={"email": "desk@clinic.example", "password": "guess"})
    assert response.status_code == 400
    assert refused_sign_ins(app) == [("desk@clinic.example", "form sent without a valid CSRF token")]


def test_an_idle_time_out_is_audited(make_app):
    app = make_app(STAFF_IDLE_MINUTES=0)
    create_account(app, "desk@clinic.example")
    client = app.test_client()
    sign_in(client, "desk@clinic.example")
    assert client.get("/staff/").status_code == 302
    with app.app_context():
        timed_out = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "timed_out")).one()
        assert timed_out.actor_email == "desk@clinic.example"


def test_a_bots_request_is_for_owners_only(app, client, owner_client, staff_client):
    submit(client, website="bot")
    with app.app_context():
        spam_id = db.session.scalar(sa.select(ConsultationRequest.id))
    assert staff_client.get(f"/staff/requests/{spam_id}").status_code == 404
    assert owner_client.get(f"/staff/requests/{spam_id}").status_code == 200
