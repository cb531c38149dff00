"""Owners manage the team from the dashboard; anyone with shell access can from the command line."""

from __future__ import annotations

import re

import sqlalchemy as sa

from clinic_app.extensions import db
from clinic_app.models import StaffUser
from tests.helpers import audit_actions, sign_in, staff_post, visible_text


def team_post(client, data):
    return staff_post(client, "/staff/team", data, token_from="/staff/team")


def test_an_owner_adds_staff_who_set_their_own_password(app, owner_client):
    response = team_post(
        owner_client, {"name": "Rae Reception", "email": "Rae@Clinic.Example", "role": "staff"}
    )
    html = response.get_data(as_text=True)
    assert "Added Rae Reception." in visible_text(html)
    link = re.search(r"https://clinic\.test(/staff/set-password/[\w-]+)", html).group(1)
    newcomer = app.test_client()
    from tests.helpers import page_csrf_token

    token = page_csrf_token(newcomer, link)
    newcomer.post(
        link, data={"password": "rae's long password", "confirm": "rae's long password", "csrf_token": token}
    )
    assert sign_in(newcomer, "rae@clinic.example", "rae's long password").status_code == 302
    assert newcomer.get("/staff/team").status_code == 403
    assert {"added_staff", "issued_password_link", "set_password"} <= set(audit_actions(app))


def test_adding_someone_twice_or_with_a_bad_email_is_explained(owner_client):
    assert "There is already an account for owner@clinic.example." in team_post(
        owner_client, {"name": "Again", "email": "owner@clinic.example", "role": "owner"}
    ).get_data(as_text=True)
    bad = team_post(owner_client, {"name": "Typo", "email": "typo@", "role": "staff"})
    assert bad.status_code == 400


def test_an_owner_deactivates_staff_but_not_themselves(app, owner_client, owner, staff):
    staff_post(owner_client, f"/staff/team/{staff}/deactivate", token_from="/staff/team")
    staff_post(owner_client, f"/staff/team/{owner}/deactivate", token_from="/staff/team")
    with app.app_context():
        assert not db.session.get(StaffUser, staff).active
        assert db.session.get(StaffUser, owner).active
    text = visible_text(owner_client.get("/staff/team").get_data(as_text=True))
    assert "No, deactivated" in text


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["staff", *args], input=input)


def test_command_line_adds_an_owner_with_a_prompted_password(app):
    result = run(
        app,
        "add",
        "boss@clinic.example",
        "--role",
        "owner",
        input="a secret long enough\na secret long enough\n",
    )
    assert result.exit_code == 0, result.output
    assert "Added boss@clinic.example as owner." in result.output
    client = app.test_client()
    assert sign_in(client, "boss@clinic.example", "a secret long enough").status_code == 302
    assert client.get("/staff/team").status_code == 200


def test_command_line_prints_a_one_time_link(app):
    result = run(app, "add", "temp@clinic.example", "--link")
    assert result.exit_code == 0
    path = re.search(r"https://clinic\.test(/staff/set-password/[\w-]+)", result.output).group(1)
    assert app.test_client().get(path).status_code == 200


def test_command_line_lists_resets_and_deactivates(app, staff):
    listed = run(app, "list").output
    assert "desk@clinic.example\tstaff\tactive" in listed
    reset = run(
        app, "reset-password", "desk@clinic.example", input="another long secret\nanother long secret\n"
    )
    assert reset.exit_code == 0
    assert sign_in(app.test_client(), "desk@clinic.example", "another long secret").status_code == 302
    assert run(app, "deactivate", "desk@clinic.example").exit_code == 0
    assert "desk@clinic.example\tstaff\tdeactivated" in run(app, "list").output
    assert sign_in(app.test_client(), "desk@clinic.example", "another long secret").status_code == 400


def test_command_line_explains_mistakes(app, staff):
    assert "There is already an account" in run(app, "add", "desk@clinic.example", "--link").output
    assert "No account for nobody@clinic.example." in run(app, "deactivate", "nobody@clinic.example").output
    short = run(app, "reset-password", "desk@clinic.example", input="short\nshort\n")
    assert short.exit_code != 0 and "Use at least 12 characters." in short.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffUser)) == 1
