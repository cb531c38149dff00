"""Bots are answered like people but kept out of the staff's way; old personal data is removed."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from clinic_app.choices import CloseReason, RequestStatus
from clinic_app.extensions import db
from clinic_app.models import AuditEntry, ConsultationRequest, OutboxEmail, RequestNote, utcnow
from clinic_app.web.form_tokens import SALT as FORM_TOKEN_SALT
from tests.helpers import audit_actions, create_account, sign_in, signed_earlier, submit, visible_text


def only_request(app) -> ConsultationRequest:
    with app.app_context():
        found = db.session.scalars(sa.select(ConsultationRequest)).one()
        db.session.expunge_all()
        return found


def test_a_bot_filling_the_hidden_field_is_answered_like_a_person_but_kept_as_spam(app, client, stored):
    response = submit(client, website="http://cheap-pills.example")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you. We got your request." in page
    assert only_request(app).spam_reason == "honeypot"
    assert stored() == {"requests": 1, "emails": 0}


def test_a_form_sent_faster_than_a_person_could_is_kept_as_spam(make_app):
    app = make_app(MIN_FILL_SECONDS=60)
    assert submit(app.test_client()).status_code == 303
    assert only_request(app).spam_reason == "too fast"


def test_a_person_who_takes_their_time_is_not_spam(make_app):
    app = make_app(MIN_FILL_SECONDS=3)
    client = app.test_client()
    from tests.helpers import valid_answers

    token = signed_earlier(FORM_TOKEN_SALT, seconds_ago=5)
    assert client.post("/request", data={**valid_answers(), "form_token": token}).status_code == 303
    assert only_request(app).spam_reason is None


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client):
    html = client.get("/request").get_data(as_text=True)
    assert '<div class="hp" aria-hidden="true">' in html
    assert 'id="website" name="website" type="text" tabindex="-1" autocomplete="off"' in html


def test_spam_stays_out_of_the_list_but_owners_can_see_it(app, client):
    submit(client, website="bot")
    submit(client, full_name="Real Person")
    create_account(app, "owner@clinic.example", role="owner")
    create_account(app, "desk@clinic.example")
    owner, desk = app.test_client(), app.test_client()
    sign_in(owner, "owner@clinic.example")
    sign_in(desk, "desk@clinic.example")
    assert "Real Person" in desk.get("/staff/").get_data(as_text=True)
    assert "Ana Díaz" not in desk.get("/staff/").get_data(as_text=True)
    assert "Ana Díaz" not in desk.get("/staff/?spam=1").get_data(as_text=True)
    spam_page = visible_text(owner.get("/staff/?spam=1").get_data(as_text=True))
    assert "Requests kept as spam" in spam_page and "Ana Díaz" in spam_page and "Real Person" not in spam_page


def make_requests(app, **kinds) -> dict[str, int]:
    """Requests of each kind, closed or created when the test says."""
    made = {}
    author = author_id(app)
    for name, (status, days_ago, spam) in kinds.items():
        submit(app.test_client(), full_name=name, website="bot" if spam else "")
        with app.app_context():
            found = db.session.scalars(
                sa.select(ConsultationRequest).where(ConsultationRequest.full_name == name)
            ).one()
            found.created_at = utcnow() - timedelta(days=days_ago + 5)
            if status is RequestStatus.CLOSED:
                found.status, found.close_reason = status, CloseReason.BOOKED
                found.closed_at = utcnow() - timedelta(days=days_ago)
            db.session.add(RequestNote(request=found, author_id=author, body="called back"))
            db.session.commit()
            made[name] = found.id
    return made


def author_id(app) -> int:
    from clinic_app.models import StaffUser

    with app.app_context():
        existing = db.session.scalar(sa.select(StaffUser.id))
    return existing or create_account(app, "writer@clinic.example")


def purge(app, *args):
    return app.test_cli_runner().invoke(args=["requests", "purge", *args])


def test_purge_removes_closed_requests_past_the_retention_period_and_keeps_the_audit_trail(app, staff_client):
    made = make_requests(
        app,
        **{
            "Old Closed": (RequestStatus.CLOSED, 400, False),
            "Recent Closed": (RequestStatus.CLOSED, 30, False),
            "Old But Open": (RequestStatus.NEW, 400, False),
            "Old Bot": (RequestStatus.NEW, 400, True),
        },
    )
    staff_client.get(f"/staff/requests/{made['Old Closed']}")
    views_before = audit_actions(app).count("viewed_request")

    dry = purge(app, "--older-than", "365", "--dry-run")
    assert dry.exit_code == 0 and "Would remove 2 requests" in dry.output
    result = purge(app)
    assert result.exit_code == 0
    assert "Removed 2 requests closed more than 365 days ago" in result.output

    with app.app_context():
        left = set(db.session.scalars(sa.select(ConsultationRequest.full_name)))
        assert left == {"Recent Closed", "Old But Open"}
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(OutboxEmail).where(OutboxEmail.request_id.is_(None))
            )
            == 0
        )
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RequestNote)) == 2
        texts = " ".join(e.body_text for e in db.session.scalars(sa.select(OutboxEmail)))
        assert "Old Closed" not in texts
        purged = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "purged_requests")).one()
        assert purged.detail["count"] == 2
    assert audit_actions(app).count("viewed_request") == views_before, "the audit trail's counts are kept"


def test_the_retention_period_comes_from_the_settings(make_app):
    app = make_app(DATA_RETENTION_DAYS=20)
    make_requests(app, **{"Closed A Month Ago": (RequestStatus.CLOSED, 30, False)})
    assert "Removed 1 requests closed more than 20 days ago" in purge(app).output


def test_closing_and_reopening_sets_and_clears_the_closing_time(app, staff_client):
    from tests.helpers import staff_post

    submit(app.test_client())
    request_id = only_request(app).id
    page = f"/staff/requests/{request_id}"
    staff_post(staff_client, f"{page}/status", {"status": "closed", "reason": "no_answer"}, page)
    assert only_request(app).closed_at is not None
    staff_post(staff_client, f"{page}/status", {"status": "contacted"}, page)
    assert only_request(app).closed_at is None
