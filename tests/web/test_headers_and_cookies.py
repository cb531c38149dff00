"""Headers on every answer, and how the session cookie is sent."""

from __future__ import annotations

import re

import pytest

from clinic_app.settings import Settings
from tests.helpers import create_account


@pytest.mark.parametrize(
    "path", ["/request", "/privacy", "/staff/sign-in", "/nowhere", "/healthz", "/embed/form"]
)
def test_every_answer_carries_the_protective_headers(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    for part in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
    ):
        assert part in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/request").headers
    secure = client.get("/request", base_url="https://clinic.test")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    create_account(app, "desk@clinic.example")
    client = app.test_client()
    page = client.get("/staff/sign-in", base_url="https://clinic.test").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/staff/sign-in",
        data={
            "email": "desk@clinic.example",
            "password": "correct horse battery staple",
            "csrf_token": token,
        },
        base_url="https://clinic.test",
        headers={"Referer": "https://clinic.test/staff/sign-in"},
    )
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_cookies_are_secure_by_default_when_the_app_is_served_over_https(tmp_path):
    secure = {"SECRET_KEY": "k" * 32, "PUBLIC_BASE_URL": "https://forms.clinic.example"}
    assert Settings.from_environ(secure, tmp_path).session_cookie_secure
    assert not Settings.from_environ({"SECRET_KEY": "k" * 32}, tmp_path).session_cookie_secure


def test_the_public_form_sets_no_cookie(client):
    assert "Set-Cookie" not in client.get("/request").headers


def test_public_pages_css_and_js_are_compressed_and_staff_pages_are_not(client):
    import gzip

    asked = {"Accept-Encoding": "gzip"}
    page = client.get("/request", headers=asked)
    assert page.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page.headers["Vary"]
    html = gzip.decompress(page.data).decode()
    assert "Send my request" in html
    assert len(page.data) < len(html.encode()) / 2
    # Files are streamed, and streamed answers are compressed with brotli or zstd (as browsers accept).
    for asset in ("/static/css/site.css", "/embed.js"):
        encoded = client.get(asset, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
        assert encoded.headers.get("Content-Encoding") in ("br", "zstd"), asset
    # Staff pages carry a session-long CSRF token beside text a visitor controls: never compressed (BREACH).
    assert "Content-Encoding" not in client.get("/staff/sign-in", headers=asked).headers
    assert "Content-Encoding" not in client.get("/request").headers, "only when asked"


def test_static_files_have_versioned_addresses_kept_a_year_and_there_is_a_favicon(client):
    html = client.get("/request").get_data(as_text=True)
    stylesheet = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]{12})"', html).group(1)
    assert re.search(r'src="/static/js/request-form\.js\?v=[0-9a-f]{12}"', html)
    kept = client.get(stylesheet)
    assert kept.status_code == 200
    assert kept.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # An old or made-up version is not promised to anyone for a year.
    assert "immutable" not in client.get("/static/css/site.css?v=000000000000").headers.get(
        "Cache-Control", ""
    )
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/png"
    assert 'rel="icon"' in html
