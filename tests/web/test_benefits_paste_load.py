"""Issue 22: a hostile 271 cannot hold the server. Each staff account's checks are rate-limited, and
8 of the issue's nested pastes at once, served as in production (gunicorn with
deploy/gunicorn.conf.py, the limits in Redis), are each answered within 2 s while the public form
keeps answering within 1 s. The paste and its timing are the benchmark's (bench/benefits_paste.py)."""

from __future__ import annotations

import sys

import pytest

from bench.benefits_paste import PASTES, check_token, paste, while_pasting
from bench.list_speed import signed_in_opener
from tests.conftest import free_port
from tests.helpers import STAFF_PASSWORD, create_account, sign_in, visible_text
from tests.web.test_benefits_check import new_request
from tests.web.test_benefits_check import paste as paste_in_process
from tests.web.test_production_serving import app_environ, redis_server, serving  # noqa: F401 (a fixture)
from tests.web.test_rate_limits import limited_app

NOT_A_271 = "This is not a 271."
READ, REFUSED, ANOTHER_BEING_READ = 200, 422, 503


def test_each_account_checks_a_limited_number_of_271s_however_many_share_its_address(make_app):
    app = limited_app(make_app, RATELIMIT_BENEFITS_CHECK="2 per minute")
    for email in ("desk@clinic.example", "second@clinic.example"):
        create_account(app, email)
    rid = new_request(app)
    desk, second = app.test_client(), app.test_client()
    assert sign_in(desk, "desk@clinic.example").status_code == 302
    assert sign_in(second, "second@clinic.example").status_code == 302

    assert [paste_in_process(desk, rid, NOT_A_271).status_code for _ in range(2)] == [REFUSED, REFUSED]
    limited = paste_in_process(desk, rid, NOT_A_271)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) <= 60
    text = visible_text(limited.get_data(as_text=True))
    assert "your account has checked many 271s in a short time" in text
    assert "Please wait a minute, then paste or upload it again." in text
    assert "Please wait a moment" not in text, "the request's page, not the patients' error page"
    # The same address, another account: its own count.
    assert paste_in_process(second, rid, NOT_A_271).status_code == REFUSED


def test_a_check_while_another_is_read_in_the_process_is_refused_at_once(app, staff_client):
    from clinic_app.staff.benefits_views import _ONE_READING_AT_A_TIME

    rid = new_request(app)
    with _ONE_READING_AT_A_TIME:
        busy = paste_in_process(staff_client, rid, NOT_A_271)
    assert busy.status_code == ANOTHER_BEING_READ
    assert busy.headers["Retry-After"] == "5"
    text = visible_text(busy.get_data(as_text=True))
    assert "the server is reading another one just now" in text
    assert "Please paste or upload it again in a few seconds." in text
    assert paste_in_process(staff_client, rid, NOT_A_271).status_code == REFUSED


# The nested paste (refused before pyx12 reads it), and the costliest paste the bounds let
# through (read in full).
@pytest.mark.parametrize("shape", ["nested", "widest"])
def test_eight_hostile_pastes_at_once_leave_the_public_form_answering(
    shape,
    make_app,
    test_database,
    tmp_path,
    redis_server,  # noqa: F811 (the fixture imported above)
):
    app = make_app()
    emails = [f"desk{number}@clinic.example" for number in range(8)]
    for email in emails:
        create_account(app, email)
    rid = new_request(app)
    port = free_port()
    env = app_environ(
        test_database,
        tmp_path,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        RATELIMIT_ENABLED="true",
        RATELIMIT_STORAGE_URI=redis_server,
        # Eight people at one front desk sign in from one address.
        RATELIMIT_SIGN_IN="8 per minute",
    )
    command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"]
    hostile = PASTES[shape]()
    with serving(command, env, port, tmp_path / "gunicorn.out") as base:
        page_url = f"{base}/staff/requests/{rid}"
        openers = [signed_in_opener(base, email, STAFF_PASSWORD) for email in emails]
        sessions = [(opener, page_url, check_token(opener, page_url)) for opener in openers]
        # Each session pastes once, all at the same moment; the form is timed until the last answer.
        form, answered = while_pasting(base, sessions, hostile, seconds=0)

        assert max(form) < 1.0, f"a visitor waited {max(form):.1f} s for the public form (of {len(form)})"
        assert len(answered) == len(sessions)
        for status, seconds in answered:
            assert status in (READ, REFUSED, ANOTHER_BEING_READ), f"a paste answered {status or 'nothing'}"
            assert seconds < 2.0, f"a paste was answered after {seconds:.1f} s"

        # The limit counts per account across both processes (Redis): one account's sixth check in
        # a minute is refused, by default.
        statuses = [paste(*sessions[0], NOT_A_271)[0] for _ in range(5)]
        assert statuses == [REFUSED] * 4 + [429]
        assert paste(*sessions[1], NOT_A_271)[0] == REFUSED
