"""Who can reach which staff page, and how signing in behaves."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from clinic_app.accounts.passwords import STRONG_METHOD, use_password_hash_method
from clinic_app.extensions import db
from clinic_app.models import ConsultationRequest, SignInThrottle, StaffUser, utcnow
from tests.helpers import (
    CHEAP_PASSWORD_HASH,
    audit_actions,
    create_account,
    page_csrf_token,
    sign_in,
    staff_post,
    submit,
)

STAFF_PAGES = ["/staff/", "/staff/requests/{id}"]
OWNER_PAGES = ["/staff/export.csv", "/staff/audit", "/staff/team"]
POSTS = [
    "/staff/requests/{id}/status",
    "/staff/requests/{id}/notes",
    "/staff/requests/{id}/assign",
    "/staff/requests/{id}/resend-email",
    "/staff/team/{id}/deactivate",
    "/staff/team/{id}/password-link",
    "/staff/sign-out",
]


@pytest.fixture
def one_request(app) -> int:
    submit(app.test_client())
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(ConsultationRequest.id)))


@pytest.mark.parametrize("path", STAFF_PAGES + OWNER_PAGES)
def test_anonymous_visitors_get_the_sign_in_page(client, one_request, path):
    response = client.get(path.format(id=one_request))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/sign-in?next=")


@pytest.mark.parametrize("path", POSTS)
def test_anonymous_posts_change_nothing(app, client, one_request, path):
    response = client.post(
        path.format(id=one_request), data={"status": "closed", "reason": "duplicate_or_spam"}
    )
    assert response.status_code in (302, 400)
    assert "/staff/requests" not in response.headers.get("Location", "")
    assert audit_actions(app) == []


@pytest.mark.parametrize("path", OWNER_PAGES)
def test_staff_cannot_open_owner_pages(staff_client, one_request, path):
    response = staff_client.get(path.format(id=one_request))
    assert response.status_code == 403
    assert "This page is for clinic owners." in response.get_data(as_text=True)


@pytest.mark.parametrize("path", STAFF_PAGES + OWNER_PAGES)
def test_owners_can_open_every_page(owner_client, one_request, path):
    assert owner_client.get(path.format(id=one_request)).status_code == 200


def test_staff_cannot_post_to_owner_actions(app, staff_client, owner):
    assert staff_post(staff_client, f"/staff/team/{owner}/deactivate").status_code == 403
    with app.app_context():
        assert db.session.get(StaffUser, owner).active


def test_sign_in_is_audited_and_failures_get_one_plain_message(app, client, staff):
    wrong = sign_in(client, "desk@clinic.example", "not the password")
    unknown = sign_in(client, "nobody@clinic.example", "whatever it is")
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "That email and password do not match an active account." in response.get_data(as_text=True)
    assert sign_in(client, "desk@clinic.example").status_code == 302
    assert audit_actions(app)[-3:] == ["sign_in_failed", "sign_in_failed", "signed_in"]


def refusal(response) -> str:
    return re.search(r'<div class="error-summary".*?</div>', response.get_data(as_text=True), re.S).group(0)


def test_repeated_failures_slow_down_then_lock_the_account_and_say_nothing_more(app, client, staff):
    unknown = refusal(sign_in(client, "nobody@clinic.example", "whatever it is"))
    for _ in range(3):
        sign_in(client, "desk@clinic.example", "wrong password!")
    waiting = sign_in(client, "desk@clinic.example")
    assert waiting.status_code == 400, "the right password is refused while the account waits"
    with app.app_context():
        throttle = db.session.scalars(sa.select(SignInThrottle)).one()
        throttle.failures, throttle.blocked_until = 9, None
        db.session.commit()
    sign_in(client, "desk@clinic.example", "wrong again!!")
    locked = sign_in(client, "desk@clinic.example")
    assert locked.status_code == 400
    # A paused account answers exactly as an unknown email does: nobody can tell which emails exist.
    assert refusal(waiting) == refusal(locked) == unknown
    assert "wait, then try again" in unknown and "Please wait" not in unknown
    with app.app_context():
        throttle = db.session.scalars(sa.select(SignInThrottle)).one()
        throttle.blocked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert sign_in(client, "desk@clinic.example").status_code == 302


def test_deactivated_accounts_cannot_sign_in_and_lose_their_session(app, owner_client, staff):
    desk = app.test_client()
    assert sign_in(desk, "desk@clinic.example").status_code == 302
    staff_post(owner_client, f"/staff/team/{staff}/deactivate", token_from="/staff/team")
    assert desk.get("/staff/").status_code == 302
    response = sign_in(desk, "desk@clinic.example")
    assert response.status_code == 400
    assert "do not match an active account" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("next_path", "lands_on"),
    [
        ("/staff/audit", "/staff/audit"),
        ("https://evil.example/staff/", "/staff/"),
        ("//evil.example/", "/staff/"),
        ("/\\evil.example", "/staff/"),
        ("javascript:alert(1)", "/staff/"),
    ],
)
def test_next_only_leads_to_our_own_pages(client, owner, next_path, lands_on):
    response = sign_in(client, "owner@clinic.example", next_path=next_path)
    assert response.headers["Location"] == lands_on


def test_an_idle_session_ends(make_app):
    app = make_app(STAFF_IDLE_MINUTES=0)
    create_account(app, "desk@clinic.example")
    client = app.test_client()
    sign_in(client, "desk@clinic.example")
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/sign-in")
    assert "signed out after 0 minutes without activity" in client.get("/staff/sign-in").get_data(
        as_text=True
    )


def test_signing_out_ends_the_session(app, staff_client):
    assert staff_post(staff_client, "/staff/sign-out").status_code == 302
    assert staff_client.get("/staff/").status_code == 302
    assert audit_actions(app)[-1] == "signed_out"


def test_changes_without_a_csrf_token_are_refused(app, staff_client, one_request):
    response = staff_client.post(f"/staff/requests/{one_request}/status", data={"status": "contacted"})
    assert response.status_code == 400
    assert "changed_status" not in audit_actions(app)


def test_staff_pages_cannot_be_framed(staff_client):
    headers = staff_client.get("/staff/").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"


def test_a_set_password_link_works_once_and_opening_it_changes_nothing(app, client):
    from clinic_app.accounts.operations import find_by_email, issue_password_link

    create_account(app, "new@clinic.example", password=None)
    with app.app_context():
        token = issue_password_link(
            db.session, find_by_email(db.session, "new@clinic.example"), actor=None, ip_address="t"
        )
        db.session.commit()
    page = client.get(f"/staff/set-password/{token}")
    assert page.status_code == 200
    with app.app_context():
        assert find_by_email(db.session, "new@clinic.example").password_hash is None
    csrf = page_csrf_token(client, f"/staff/set-password/{token}")
    short = client.post(
        f"/staff/set-password/{token}", data={"password": "short", "confirm": "short", "csrf_token": csrf}
    )
    assert "Use at least 12 characters." in short.get_data(as_text=True)
    repeated = client.post(
        f"/staff/set-password/{token}",
        data={"password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa", "csrf_token": csrf},
    )
    assert "That password is too easy to guess." in repeated.get_data(as_text=True)
    done = client.post(
        f"/staff/set-password/{token}",
        data={"password": "a long new password", "confirm": "a long new password", "csrf_token": csrf},
    )
    assert done.status_code == 302
    assert sign_in(client, "new@clinic.example", "a long new password").status_code == 302
    assert client.get(f"/staff/set-password/{token}").status_code == 404


def test_a_password_link_stops_working_after_48_hours(app, client):
    from clinic_app.accounts.operations import find_by_email, issue_password_link

    create_account(app, "late@clinic.example", password=None)
    with app.app_context():
        user = find_by_email(db.session, "late@clinic.example")
        token = issue_password_link(db.session, user, actor=None, ip_address="t")
        user.password_token_expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert "This link does not work" in client.get(f"/staff/set-password/{token}").get_data(as_text=True)


def test_passwords_are_stored_hashed_with_scrypt(app):
    # The suite hashes with a cheap method (tests/conftest.py); this test puts the app's own back.
    use_password_hash_method(STRONG_METHOD)
    try:
        staff = create_account(app, "desk@clinic.example")
    finally:
        use_password_hash_method(CHEAP_PASSWORD_HASH)
    with app.app_context():
        stored = db.session.scalar(sa.select(StaffUser.password_hash).where(StaffUser.id == staff))
    assert stored.startswith("scrypt:")
    assert "correct horse" not in stored
