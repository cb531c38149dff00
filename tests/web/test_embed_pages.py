"""The embed pages' headers, options and snippets, through Flask's test client."""

from __future__ import annotations

import re

import pytest

from clinic_app.embed.theme import accent_colour, contrast_with_white
from tests.conftest import build_app
from tests.helpers import submit, visible_text

SITE = "https://www.cascadeclinic.example"


@pytest.fixture
def embed_app(make_app):
    return make_app(EMBED_ALLOWED_ORIGINS=[SITE, "http://localhost:8080"])


def test_only_the_listed_sites_may_frame_the_embed_pages(embed_app):
    client = embed_app.test_client()
    for path in ("/embed/form", "/embed/received/not-a-token"):
        headers = client.get(path).headers
        assert f"frame-ancestors 'self' {SITE} http://localhost:8080" in headers["Content-Security-Policy"]
        assert "X-Frame-Options" not in headers
    for path in ("/request", "/privacy", "/staff/sign-in"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"


def test_with_no_sites_listed_only_our_own_preview_may_frame_the_form(client):
    assert "frame-ancestors 'self';" in client.get("/embed/form").headers["Content-Security-Policy"] + ";"


def test_embed_script_is_small_and_talks_only_to_the_form(client):
    response = client.get("/embed.js")
    script = response.get_data(as_text=True)
    assert response.mimetype == "text/javascript"
    assert len(script.encode()) < 4096
    code = re.sub(r"/\*.*?\*/", "", script, flags=re.DOTALL)
    assert "http" not in code, "no address of its own: everything comes from the script's own origin"
    assert "event.origin !== formOrigin" in code


def test_the_framed_form_has_no_site_chrome_and_knows_whom_to_tell_its_height(embed_app):
    html = (
        embed_app.test_client()
        .get(f"/embed/form?host={SITE}&visit_type=new_patient&accent=%23225522")
        .get_data(as_text=True)
    )
    assert (
        f'<html lang="en" class="embedded" data-parent-origin="{SITE}" data-frame-title="Ask for a visit">'
        in html
    )
    assert 'class="site-header"' not in html
    assert '<link rel="stylesheet" href="/embed/theme/225522.css">' in html
    assert re.search(
        r'<input checked id="visit_type-1" name="visit_type" type="radio" value="new_patient">', html
    )
    assert 'target="_blank" rel="noopener">Privacy notice' in html


def test_unlisted_hosts_and_bad_options_are_dropped(embed_app):
    html = (
        embed_app.test_client()
        .get("/embed/form?host=https://evil.example&visit_type=surgery&accent=ffff00&lang=xx")
        .get_data(as_text=True)
    )
    assert 'data-parent-origin=""' in html
    assert "/embed/theme/" not in html
    assert "checked" not in html.split('name="visit_type"')[0][-200:]


def test_an_embedded_request_is_stored_and_confirmed_inside_the_frame(embed_app, stored):
    client = embed_app.test_client()
    page = client.get(f"/embed/form?host={SITE}").get_data(as_text=True)
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(1)
    from tests.helpers import valid_answers

    response = client.post(f"/embed/form?host={SITE}", data={**valid_answers(), "form_token": token},
                           headers={"Origin": "https://clinic.test"})  # fmt: skip
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/embed/received/")
    assert f"host={SITE}" in response.headers["Location"]
    confirmation = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you. We got your request." in confirmation and 'class="embedded"' in confirmation
    assert stored()["requests"] == 1


def test_accent_colours_must_keep_white_text_readable():
    assert accent_colour("#0B5CAB") == "0b5cab"
    assert accent_colour("225522") == "225522"
    assert accent_colour("ffff00") is None  # yellow: white text unreadable
    assert accent_colour("red") is None and accent_colour(None) is None
    assert contrast_with_white("000000") == pytest.approx(21)


def test_theme_stylesheet(client):
    response = client.get("/embed/theme/225522.css")
    assert response.mimetype == "text/css"
    assert "--accent: #225522;" in response.get_data(as_text=True)
    assert client.get("/embed/theme/ffff00.css").status_code == 404


def test_a_malformed_site_address_stops_the_start(tmp_path, migrated_database):
    for wrong in ("https://clinic.example/contact", "*.clinic.example", "clinic.example"):
        with pytest.raises(RuntimeError, match="EMBED_ALLOWED_ORIGINS"):
            from clinic_app.settings import embed_origins

            embed_origins([wrong])
    app = build_app(migrated_database, tmp_path, EMBED_ALLOWED_ORIGINS=["https://Clinic.Example/"])
    assert app is not None


def test_owners_get_the_snippets_with_their_address_filled_in(make_app):
    from tests.helpers import create_account, sign_in

    app = make_app(PUBLIC_BASE_URL="https://forms.cascadeclinic.example", EMBED_ALLOWED_ORIGINS=[SITE])
    create_account(app, "owner@clinic.example", role="owner")
    create_account(app, "desk@clinic.example", role="staff")
    owner, desk = app.test_client(), app.test_client()
    sign_in(owner, "owner@clinic.example")
    sign_in(desk, "desk@clinic.example")
    html = owner.get("/staff/embed").get_data(as_text=True)
    assert "&lt;script src=&#34;https://forms.cascadeclinic.example/embed.js&#34; async&gt;" in html or (
        '&lt;script src="https://forms.cascadeclinic.example/embed.js" async&gt;' in html
    )
    assert "https://forms.cascadeclinic.example/embed/form" in html
    assert SITE in html
    assert "data-clinic-request-form" in html and '<script src="/embed.js" async>' in html
    assert desk.get("/staff/embed").status_code == 403


def test_the_public_form_still_works_on_its_own(client):
    assert submit(client).status_code == 303


def test_owners_can_check_whether_a_site_may_show_the_form(make_app):
    from tests.helpers import create_account, sign_in

    app = make_app(EMBED_ALLOWED_ORIGINS=[SITE])
    create_account(app, "owner@clinic.example", role="owner")
    owner = app.test_client()
    sign_in(owner, "owner@clinic.example")

    def verdict(site: str) -> str:
        return visible_text(owner.get("/staff/embed", query_string={"site": site}).get_data(as_text=True))

    assert f"{SITE} may show the form." in verdict(SITE + "/")
    refused = verdict("https://www.other-clinic.example")
    assert "https://www.other-clinic.example is not on the list." in refused
    assert "refused to connect" in refused and "EMBED_ALLOWED_ORIGINS" in refused
    assert "That is not a site address." in verdict("www.other-clinic.example/contact")
