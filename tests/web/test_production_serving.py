"""Serving as in production: gunicorn with deploy/gunicorn.conf.py, `make serve`, `make outbox` and
Redis for the rate limits, each a real process on loopback, measured from this one."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.helpers import TEST_SECRET_KEY, valid_answers, visible_text

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Variables of a `make` this test may run under; the makes it starts are its own.
MAKE_VARIABLES = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}
# make, without installing into .venv again (the tests run from it already).
MAKE = ["make", "--no-print-directory", "-o", ".venv/.installed"]


def wait_for(condition: Callable[[], object], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())


def fetch(url: str, opener: urllib.request.OpenerDirector | None = None, **options) -> tuple[int, str, str]:
    """Status, final address and body of a request (redirects followed), 4xx and 5xx included."""
    request = urllib.request.Request(url, **options)
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=30) as response:
            return response.status, response.url, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.url, error.read().decode()


def healthy(base: str) -> bool:
    try:
        return fetch(f"{base}/healthz")[0] == 200
    except OSError:
        return False


@contextmanager
def running(command: list[str], env: dict[str, str], output: Path) -> Iterator[subprocess.Popen]:
    """A process of this test, in a process group of its own, stopped (with its children) at the end."""
    with output.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def serving(command: list[str], env: dict[str, str], port: int, output: Path) -> Iterator[str]:
    """Run a web server; yields its base address once /healthz answers."""
    base = f"http://127.0.0.1:{port}"
    with running(command, env, output) as process:
        wait_for(lambda: healthy(base) or process.poll() is not None)
        assert healthy(base), output.read_text()
        yield base
    # make has ended; gunicorn, its child, finishes shutting down by itself.
    wait_for(lambda: not healthy(base))


def app_environ(database: str, tmp_path: Path, **values: str) -> dict[str, str]:
    environ = {key: value for key, value in os.environ.items() if key not in MAKE_VARIABLES}
    return {
        **environ,
        "DATABASE_URL": database,
        "SECRET_KEY": TEST_SECRET_KEY,
        "OUTBOX_WORKER": "off",
        "MAIL_FILE_DIR": str(tmp_path / "mail"),
        "MIN_FILL_SECONDS": "0",
        **values,
    }


def test_gunicorn_access_log_keeps_paths_but_no_search_terms_or_tokens(test_database, tmp_path):
    port = free_port()
    access_log = tmp_path / "access.log"
    env = app_environ(
        test_database,
        tmp_path,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_ACCESS_LOG=str(access_log),
        RATELIMIT_ENABLED="false",
    )
    command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"]
    with serving(command, env, port, tmp_path / "gunicorn.out") as base:
        # A staff search, signed out: redirected to the sign-in page, whose address carries it on.
        status, final_url, _ = fetch(f"{base}/staff/?q=jane")
        assert (status, urllib.parse.urlsplit(final_url).path) == (200, "/staff/sign-in")
        assert "jane" in final_url
        fetch(f"{base}/request/received/SOMETOKEN")
        fetch(f"{base}/staff/set-password/OTHERTOKEN")
        # A page opened from a confirmation page names it in its Referer header.
        fetch(f"{base}/privacy", headers={"Referer": f"{base}/request/received/REFERRERTOKEN?q=janet"})

        def logged() -> str:
            return access_log.read_text() if access_log.exists() else ""

        lines = [
            '"GET /staff/"',
            '"GET /staff/sign-in"',
            '"GET /request/received/',
            '"GET /staff/set-password/',
        ]
        lines.append('"GET /privacy"')
        assert wait_for(lambda: all(line in logged() for line in lines), 30), logged()

    log = logged()
    for secret in ("jane", "SOMETOKEN", "OTHERTOKEN", "REFERRERTOKEN"):
        assert secret not in log
    assert "?" not in log
    assert re.search(r'"GET /staff/" 302 ', log)
    assert re.search(r'"GET /staff/sign-in" 200 ', log)


@pytest.fixture
def redis_server(tmp_path) -> Iterator[str]:
    """A Redis server of this test's own on a free loopback port, keeping nothing on disk."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    import redis

    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    with running(command, dict(os.environ), tmp_path / "redis.out"):
        client = redis.Redis(host="127.0.0.1", port=port)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        assert wait_for(answers, 30), (tmp_path / "redis.out").read_text()
        yield f"redis://127.0.0.1:{port}"
        client.close()


def post_form(
    opener: urllib.request.OpenerDirector, url: str, data: dict[str, object]
) -> tuple[int, str, str]:
    body = urllib.parse.urlencode(data, doseq=True).encode()
    return fetch(url, opener, data=body, method="POST")


def hidden_value(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]+)"', page) or re.search(
        rf'type="hidden" name="{name}" value="([^"]+)"', page
    )
    assert match, f"the page carries {name}"
    return match.group(1)


def test_make_serve_with_the_outbox_process_and_redis_takes_a_request_and_limits_sign_ins(
    test_database, tmp_path, smtp_server, redis_server
):
    port = free_port()
    env = app_environ(
        test_database,
        tmp_path,
        **{key: str(value) for key, value in smtp_server.config().items()},
        STAFF_EMAILS="frontdesk@clinic.example",
        MAIL_FROM="Clinic requests <requests@clinic.example>",
        # The link alone: no health details travel to this test's plain-text SMTP server.
        MAIL_PHI="link",
        OUTBOX_POLL_SECONDS="1",
        RATELIMIT_STORAGE_URI=redis_server,
        RATELIMIT_SIGN_IN="3 per minute",
        GUNICORN_ACCESS_LOG=str(tmp_path / "access.log"),
    )
    for unset in ("OUTBOX_WORKER", "PUBLIC_BASE_URL", "GUNICORN_BIND", "RATELIMIT_ENABLED"):
        env.pop(unset, None)
    serve = [*MAKE, "serve", "HOST=127.0.0.1", f"PORT={port}"]
    with (
        serving(serve, env, port, tmp_path / "serve.out") as base,
        running([*MAKE, "outbox"], env, tmp_path / "outbox.out"),
    ):
        # A patient sends the form to the served app: they see their confirmation.
        browser = urllib.request.build_opener()
        form_page = fetch(f"{base}/request", browser)[2]
        answers = valid_answers(form_token=hidden_value(form_page, "form_token"))
        status, final_url, page = post_form(browser, f"{base}/request", answers)
        assert status == 200
        assert urllib.parse.urlsplit(final_url).path.startswith("/request/received/")
        text = visible_text(page)
        assert "Thank you. We got your request." in text
        reference = re.search(r"Your reference is ([A-Z0-9]{4}-[A-Z0-9]{4})", text)
        assert reference

        # The outbox process, not the web app, sends the staff email; its link is on the served port.
        # The patient's own copy leaves with it.
        assert wait_for(lambda: len(smtp_server.messages) == 2, 60), (tmp_path / "outbox.out").read_text()
        [email] = smtp_server.staff_messages
        assert reference.group(1) in smtp_server.patient_copies[0]["Subject"]
        assert reference.group(1) in email["Subject"]
        text = email.get_body(preferencelist=("plain",)).get_content()
        assert f"http://127.0.0.1:{port}/staff/requests/" in text

        # Sign-in attempts are counted in Redis, so the limit holds across both worker processes.
        statuses = []
        # A new email each time: only the per-address limit applies, not an account's own throttle.
        for attempt_number in range(8):
            staff_browser = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
            )
            sign_in_page = fetch(f"{base}/staff/sign-in", staff_browser)[2]
            attempt = {
                "email": f"nobody{attempt_number}@clinic.example",
                "password": "not the password",
                "csrf_token": hidden_value(sign_in_page, "csrf_token"),
            }
            statuses.append(post_form(staff_browser, f"{base}/staff/sign-in", attempt)[0])
        assert 429 not in statuses[:3]
        assert statuses[3:] == [429] * 5

    serve_output = (tmp_path / "serve.out").read_text()
    assert "Using worker: gthread" in serve_output
    assert serve_output.count("Booting worker") == 2


def test_make_run_on_another_port_links_to_that_port(test_database, tmp_path):
    port = free_port()
    env = app_environ(test_database, tmp_path, MAIL_PHI="link")
    for unset in ("OUTBOX_WORKER", "PUBLIC_BASE_URL"):
        env.pop(unset, None)
    mail_dir = tmp_path / "mail"
    link = f"http://127.0.0.1:{port}/staff/requests/"

    def emailed() -> str:
        return "".join(path.read_text(errors="replace") for path in mail_dir.glob("*.eml"))

    with serving([*MAKE, "run", "HOST=127.0.0.1", f"PORT={port}"], env, port, tmp_path / "run.out") as base:
        browser = urllib.request.build_opener()
        form_page = fetch(f"{base}/request", browser)[2]
        answers = valid_answers(form_token=hidden_value(form_page, "form_token"))
        assert post_form(browser, f"{base}/request", answers)[0] == 200
        # The development server sends from its own thread, as an .eml file with no mail server set.
        assert wait_for(lambda: link in emailed(), 30), emailed()
    assert "http://127.0.0.1:5000" not in emailed()


def test_gunicorn_refuses_to_start_several_processes_that_would_count_limits_apart(test_database, tmp_path):
    env = app_environ(test_database, tmp_path, GUNICORN_BIND=f"127.0.0.1:{free_port()}", WEB_CONCURRENCY="1")
    for unset in ("RATELIMIT_STORAGE_URI", "RATELIMIT_ENABLED"):
        env.pop(unset, None)
    command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"]
    # Asked for two processes every way gunicorn takes it: it stops at once, naming the setting.
    for more in ({"WEB_CONCURRENCY": "2"}, {"GUNICORN_CMD_ARGS": "--workers 2"}):
        refused = subprocess.run(
            command, cwd=PROJECT_ROOT, env={**env, **more}, capture_output=True, text=True, timeout=60
        )
        assert refused.returncode != 0, more
        assert "RATELIMIT_STORAGE_URI: with 2 processes" in refused.stdout + refused.stderr, more
    refused = subprocess.run(
        [*command, "-w", "3"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode != 0 and "with 3 processes" in refused.stdout + refused.stderr
