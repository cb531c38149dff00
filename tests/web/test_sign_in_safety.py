"""Sign-in and staff sessions: what is refused is audited, tokens from before sign-in die, and a bot's
request is for owners only."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from clinic_app.extensions import db
from clinic_app.models import AuditEntry, ConsultationRequest, SignInThrottle, utcnow
from tests.helpers import audit_actions, create_account, deliver, page_csrf_token, sign_in, staff_post, submit


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


def test_a_sign_in_without_its_csrf_token_is_audited_once_a_minute_however_many_come(app, staff):
    client = app.test_client()
    for _ in range(20):
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


def paused_from(client_address: str, app, email: str = "desk@clinic.example"):
    """A browser at ``client_address`` that has typed ten wrong passwords for the account."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = client_address
    for number in range(10):
        with app.app_context():
            # Skip the growing waits between tries: only the count and the lock matter here.
            db.session.execute(sa.update(SignInThrottle).values(blocked_until=None))
            db.session.commit()
        sign_in(client, email, f"wrong guess {number}!")
    return client


def test_a_guesser_at_one_address_cannot_lock_the_owner_out_of_their_own(app, staff, smtp_server):
    guesser = paused_from("203.0.113.9", app)
    assert sign_in(guesser, "desk@clinic.example").status_code == 400, "paused at the guesser's address"
    desk = app.test_client()
    desk.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    assert sign_in(desk, "desk@clinic.example").status_code == 302, "the owner's own address still works"

    deliver(app)
    (notice,) = [m for m in smtp_server.messages if m["To"] == "desk@clinic.example"]
    assert notice["Subject"] == "Sign-in to your Cascade Headache & Neck Clinic account is paused"
    text = notice.get_body(preferencelist=("plain",)).get_content()
    assert "10 times from the" in text and "203.0.113.9" in text and "paused for 15 minutes" in text


def test_when_a_pause_ends_the_count_starts_again(app, staff):
    guesser = paused_from("203.0.113.9", app)
    with app.app_context():
        db.session.execute(sa.update(SignInThrottle).values(blocked_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    sign_in(guesser, "desk@clinic.example", "one more wrong guess")
    with app.app_context():
        throttle = db.session.scalars(sa.select(SignInThrottle)).one()
        assert (throttle.failures, throttle.blocked_until) == (1, None), "one wrong try does not lock again"


def test_an_owner_lifts_a_pause_and_it_is_audited(app, staff, owner_client):
    paused_from("203.0.113.9", app)
    team = owner_client.get("/staff/team").get_data(as_text=True)
    assert "Sign-in paused" in team and "Lift the sign-in pause" in team
    staff_post(owner_client, f"/staff/team/{staff}/unlock", token_from="/staff/team")
    assert "Sign-in paused" not in owner_client.get("/staff/team").get_data(as_text=True)
    desk = app.test_client()
    desk.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert sign_in(desk, "desk@clinic.example").status_code == 302
    assert "unlocked" in audit_actions(app)


def test_sign_ins_at_the_same_moment_are_each_counted_and_none_fails(app, staff):
    from concurrent.futures import ThreadPoolExecutor

    def wrong_try(number: int) -> int:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "203.0.113.77"
        return sign_in(client, "desk@clinic.example", f"wrong guess {number}!").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(wrong_try, range(8)))
    assert statuses == [400] * 8, "no 500 when two failures create the same address's count"
    with app.app_context():
        throttle = db.session.scalars(sa.select(SignInThrottle)).one()
        # Three free tries are counted; the tries made while the pause had begun are refused uncounted.
        assert throttle.failures == 3 and throttle.blocked_until is not None
