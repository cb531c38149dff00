"""The patient side in Spanish: how the language is chosen and kept, what is stored, and what staff
are told. The words themselves come from the catalogue, so these tests ask the catalogue for them."""

from __future__ import annotations

import csv
import io
import re

import pytest

from clinic_app.choices import Language
from clinic_app.web import services
from tests import helpers
from tests.helpers import deliver, stored_request, submit, visible_text

SPANISH_BROWSER = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}
ENGLISH_BROWSER = {"Accept-Language": "en-US,en;q=0.9"}
PUBLIC_PAGES = ["/request", "/privacy", "/nondiscrimination", "/request/received/expired", "/no-such-page"]


def in_spanish(app, text: str, **values) -> str:
    translated = helpers.in_spanish(app, text, **values)
    assert translated != text, f"{text!r} has a Spanish translation"
    return translated


def html_lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page).group(1)


def test_the_browser_language_chooses_the_page_language_and_caches_key_on_it(app, client):
    spanish = client.get("/request", headers=SPANISH_BROWSER)
    english = client.get("/request", headers=ENGLISH_BROWSER)
    assert html_lang(spanish.get_data(as_text=True)) == "es"
    assert html_lang(english.get_data(as_text=True)) == "en"
    assert in_spanish(app, "Ask for a visit") in visible_text(spanish.get_data(as_text=True))
    assert "Ask for a visit" in visible_text(english.get_data(as_text=True))
    assert "Accept-Language" in spanish.headers["Vary"]
    assert html_lang(client.get("/request").get_data(as_text=True)) == "en", "no preference: English"


def test_a_language_picked_by_hand_rides_in_every_link_and_in_the_form(client):
    page = client.get("/request?lang=es", headers=ENGLISH_BROWSER)
    html = page.get_data(as_text=True)
    assert html_lang(html) == "es"
    assert 'action="/request?lang=es"' in html
    assert 'href="/privacy?lang=es"' in html and 'href="/nondiscrimination?lang=es"' in html
    assert '<input type="hidden" name="lang" value="es">' in html
    assert "Accept-Language" not in page.headers.get("Vary", ""), "the address decides, not the browser"
    # And back: English picked by hand wins over a Spanish browser.
    assert html_lang(client.get("/privacy?lang=en", headers=SPANISH_BROWSER).get_data(as_text=True)) == "en"


def test_a_language_the_app_does_not_have_is_ignored(client):
    assert html_lang(client.get("/request?lang=xx", headers=ENGLISH_BROWSER).get_data(as_text=True)) == "en"
    assert html_lang(client.get("/request?lang=xx", headers=SPANISH_BROWSER).get_data(as_text=True)) == "es"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_has_the_switch_each_language_named_in_itself(client, path):
    html = client.get(path, headers=SPANISH_BROWSER).get_data(as_text=True)
    switch = re.search(r'<nav class="language-switch".*?</nav>', html, re.S).group(0)
    english = re.search(r'<a href="([^"]+)" lang="en" hreflang="en">English</a>', switch)
    spanish = re.search(r'<a href="([^"]+)" lang="es" hreflang="es" aria-current="true">Español</a>', switch)
    assert english and spanish, switch
    assert "lang=en" in english.group(1)
    followed = client.get(english.group(1).replace("&amp;", "&"), headers=SPANISH_BROWSER)
    assert html_lang(followed.get_data(as_text=True)) == "en"


def test_staff_pages_stay_in_english(client):
    html = client.get("/staff/sign-in", headers=SPANISH_BROWSER).get_data(as_text=True)
    assert html_lang(html) == "en" and "language-switch" not in html


def test_a_request_sent_in_spanish_is_stored_with_its_language_and_a_spanish_note(app, client):
    response = submit(client, lang="es", coverage="self_pay")
    assert response.status_code == 303
    request = stored_request(app)
    assert request.language is Language.SPANISH
    spanish_rules = services.services(app).rule_books["es"]
    rule = next(r for r in spanish_rules.rules if r.id == request.coverage_note.rule_ids[0])
    assert request.coverage_note.headline == rule.headline
    confirmation = client.get(response.headers["Location"])
    page = confirmation.get_data(as_text=True)
    assert html_lang(page) == "es" and rule.headline in visible_text(page)
    assert "$85" in visible_text(page), "the clinic's fee, written by Babel for es_US"


def test_a_request_sent_in_english_is_stored_in_english(app, client):
    submit(client, lang="en")
    assert stored_request(app).language is Language.ENGLISH


def test_a_mistake_in_spanish_comes_back_in_spanish_with_the_answers_kept(app, client):
    response = submit(client, lang="es", full_name="")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and html_lang(page) == "es"
    assert in_spanish(app, "Enter your full name.") in visible_text(page)
    assert '<input type="hidden" name="lang" value="es">' in page


def test_staff_are_told_the_patient_prefers_spanish_in_the_email(make_app, smtp_server):
    app = make_app(**smtp_server.config())
    submit(app.test_client(), lang="es", email="ana@example.com")
    assert deliver(app).sent == 2
    [staff] = smtp_server.staff_messages
    text = staff.get_body(preferencelist=("plain",)).get_content()
    html = staff.get_body(preferencelist=("html",)).get_content()
    assert "Language: Prefers Spanish" in text
    assert "Prefers Spanish: they used the form in Spanish. Please call back in Spanish." in text
    assert "COVERAGE NOTE SHOWN TO THE VISITOR, IN SPANISH" in text
    assert '<div lang="es">' in html
    assert "Spanish" not in staff["Subject"], "the subject stays as it was: reference and visit type"
    [copy] = smtp_server.patient_copies
    request = stored_request(app)
    clinic = services.services(app).settings.clinic_name
    subject = in_spanish(
        app, "Your request to %(clinic)s: reference %(reference)s", clinic=clinic, reference=request.reference
    )
    assert copy["Subject"] == subject
    assert '<html lang="es">' in copy.get_body(preferencelist=("html",)).get_content()


def test_staff_see_prefers_spanish_in_the_list_the_request_page_and_the_export(app, client, owner_client):
    submit(client, lang="es")
    request = stored_request(app)
    listing = owner_client.get("/staff/").get_data(as_text=True)
    assert '<span class="badge badge--language">Prefers Spanish</span>' in listing
    detail = owner_client.get(f"/staff/requests/{request.id}").get_data(as_text=True)
    assert "Prefers Spanish" in visible_text(detail)
    assert "Coverage note, as the patient saw it, in Spanish" in visible_text(detail)
    assert 'data-status="' in detail and 'lang="es"' in detail
    export = owner_client.get("/staff/export.csv").get_data(as_text=True)
    [row] = list(csv.DictReader(io.StringIO(export)))
    assert row["Language"] == "Prefers Spanish"


@pytest.mark.parametrize(("path", "english"), [("/no-such-page", "Page not found")])
def test_error_pages_are_in_the_visitors_language(app, client, path, english):
    response = client.get(path, headers=SPANISH_BROWSER)
    assert response.status_code == 404
    assert in_spanish(app, english) in visible_text(response.get_data(as_text=True))


def test_the_embed_takes_lang_es_and_keeps_it(app, client):
    html = client.get("/embed/form?lang=es&visit_type=consultation", headers=ENGLISH_BROWSER).get_data(
        as_text=True
    )
    assert html_lang(html) == "es"
    assert re.search(r'action="/embed/form\?[^"]*lang=es', html)
    assert in_spanish(app, "Ask for a visit") in visible_text(html)


def test_spanish_note_marks_its_english_words(app, client):
    response = submit(client, lang="es", coverage="private", deductible_status="not_met")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '(<span lang="en">deductible</span>)' in page
