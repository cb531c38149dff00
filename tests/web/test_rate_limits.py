"""Rate limits per client address on the form and on staff sign-in, with a friendly 429."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.helpers import form_token, sign_in, submit, valid_answers, visible_text


def limited_app(make_app, **settings):
    # A key prefix of its own, so no other test's requests count against these limits.
    return make_app(RATELIMIT_ENABLED=True, RATELIMIT_KEY_PREFIX=uuid.uuid4().hex, **settings)


def test_too_many_form_posts_from_one_address_get_a_friendly_429(make_app, stored):
    app = limited_app(make_app, RATELIMIT_FORM="3 per minute")
    client = app.test_client()
    statuses = [submit(client).status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]
    page = submit(client)
    assert page.status_code == 429
    text = page.get_data(as_text=True)
    assert "Please wait a moment" in text and "(503) 555-0142" in text
    assert "Retry-After" in page.headers
    assert stored()["requests"] == 3
    assert client.get("/request").status_code == 200, "reading the form is never limited"


def test_a_refused_form_that_reported_a_warning_sign_still_leads_with_the_advice(make_app):
    app = limited_app(make_app, RATELIMIT_FORM="1 per minute")
    client = app.test_client()
    assert submit(client, warning_signs="yes").status_code == 303
    refused = submit(client, warning_signs="yes")
    assert refused.status_code == 429
    text = visible_text(refused.get_data(as_text=True))
    assert text.index("Please get help now") < text.index("Please wait a moment")
    assert 'href="tel:911"' in refused.get_data(as_text=True)
    assert "Please get help now" not in submit(client, warning_signs="no").get_data(as_text=True)


def test_a_refused_send_inside_the_iframe_stays_an_embedded_page(make_app):
    app = limited_app(
        make_app, RATELIMIT_FORM="1 per minute", EMBED_ALLOWED_ORIGINS="https://www.clinic.example"
    )
    client = app.test_client()
    options = "?host=https://www.clinic.example&visit_type=consultation"

    def send() -> object:
        token = form_token(client, f"/embed/form{options}")
        answers = {**valid_answers(warning_signs="yes"), "form_token": token}
        return client.post(f"/embed/form{options}", data=answers)

    assert send().status_code == 303
    refused = send()
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429
    # Sized to the host's iframe by its script, with the advice first and a way back to this form.
    assert 'class="embedded" data-parent-origin="https://www.clinic.example"' in html
    assert "embedded-page.js" in html and 'href="tel:911"' in html
    assert 'href="/embed/form?host=https://www.clinic.example&amp;visit_type=consultation"' in html
    assert "frame-ancestors 'self' https://www.clinic.example" in refused.headers["Content-Security-Policy"]


def test_the_public_and_embedded_forms_share_one_limit(make_app):
    app = limited_app(make_app, RATELIMIT_FORM="2 per minute")
    client = app.test_client()
    assert submit(client).status_code == 303
    token = form_token(client, "/embed/form")
    assert client.post("/embed/form", data={**valid_answers(), "form_token": token}).status_code == 303
    assert submit(client).status_code == 429


def test_staff_sign_in_is_limited_per_address(make_app):
    app = limited_app(make_app, RATELIMIT_SIGN_IN="2 per minute")
    client = app.test_client()
    assert [sign_in(client, "nobody@clinic.example", "x").status_code for _ in range(3)] == [400, 400, 429]


def test_forwarded_addresses_are_ignored_unless_a_proxy_is_configured(make_app):
    direct = limited_app(make_app, RATELIMIT_FORM="1 per minute").test_client()
    assert submit(direct, **{}).status_code == 303
    # A client cannot dodge the limit by claiming another address.
    direct.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.9"
    assert submit(direct).status_code == 429


def test_behind_one_proxy_the_forwarded_client_address_counts(make_app):
    app = limited_app(make_app, RATELIMIT_FORM="1 per minute", PROXY_COUNT=1)
    first, second = app.test_client(), app.test_client()
    first.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.1"
    second.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.2"
    assert submit(first).status_code == 303
    assert submit(second).status_code == 303
    assert submit(first).status_code == 429


def redis_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(
    not redis_reachable() and not os.environ.get("CI"), reason="Redis is not running on 127.0.0.1:6379"
)
def test_limits_can_live_in_redis_shared_by_every_process(make_app):
    prefix = uuid.uuid4().hex
    settings = {"RATELIMIT_FORM": "2 per minute", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}
    one = make_app(RATELIMIT_ENABLED=True, RATELIMIT_KEY_PREFIX=prefix, **settings).test_client()
    assert submit(one).status_code == 303
    # A second app (another worker process, in production) shares the count through Redis.
    two = make_app(RATELIMIT_ENABLED=True, RATELIMIT_KEY_PREFIX=prefix, **settings).test_client()
    assert submit(two).status_code == 303
    assert submit(two).status_code == 429
