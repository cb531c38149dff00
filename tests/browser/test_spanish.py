"""The form in Spanish, in a real Chromium: filled by its Spanish labels on the clinic's page and in
the embed, with the note in Spanish, the request stored in Spanish, and staff told so. axe checks the
Spanish pages, and every English word left in Spanish text carries lang="en"."""

from __future__ import annotations

from functools import partial

import pytest
from axe_playwright_python.sync_playwright import Axe

from clinic_app.choices import Language
from tests import helpers
from tests.browser.steps import fill_in, send_as_it_is
from tests.helpers import deliver, stored_request

SNIPPET = (
    '<div data-clinic-request-form data-visit-type="consultation" data-lang="es"></div>'
    '<script src="{url}/embed.js" async></script>'
)
# Every element holding an English insurance word in brackets, "(deductible)", that is not marked English.
UNMARKED_ENGLISH = """terms => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const lang = node.parentElement.closest('[lang]');
    if (lang && lang.getAttribute('lang') === 'en') continue;
    for (const term of terms) {
      if (node.textContent.includes(term) && node.parentElement.closest('[hidden]') === null) found.push(term);
    }
  }
  return found;
}"""


def in_spanish(app):
    return partial(helpers.in_spanish, app)


def english_words(app) -> list[str]:
    with app.app_context():
        from clinic_app.web.services import services

        return list(services(app).rule_books["es"].english_terms)


def violations(page) -> list[str]:
    result = Axe().run(page)
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in result.response["violations"]]


def unmarked_english(page, app) -> list[str]:
    return page.evaluate(UNMARKED_ENGLISH, [f"({word})" for word in english_words(app)])


def staff_told_spanish(smtp_server) -> None:
    [staff] = smtp_server.staff_messages
    text = staff.get_body(preferencelist=("plain",)).get_content()
    assert "Language: Prefers Spanish" in text
    assert "Please call back in Spanish." in text


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


def test_a_visitor_switches_to_spanish_and_sends_the_form_by_its_spanish_labels(page, live_app, smtp_server):
    app = live_app.app
    say = in_spanish(app)
    page.goto(f"{live_app.url}/request")
    page.get_by_role("link", name="Español").click()
    page.get_by_role("heading", name=say("Ask for a visit")).wait_for()
    assert page.locator("html").get_attribute("lang") == "es"
    assert violations(page) == []

    page.get_by_label(say("Free 15-minute consultation")).check()
    fill_in(page, say)
    assert violations(page) == [], "the second step, in Spanish"
    assert unmarked_english(page, app) == []
    page.get_by_role("button", name=say("Send my request")).click()
    page.get_by_text(say("Thank you. We got your request.")).wait_for()

    stored = stored_request(app)
    assert stored.language is Language.SPANISH
    note = page.locator(".coverage-note")
    assert stored.coverage_note.headline in note.inner_text()
    assert note.get_attribute("data-status") == "likely_covered"
    assert "$65" in note.inner_text(), "the plan's allowed amount, written for es_US"
    assert page.locator("html").get_attribute("lang") == "es"
    assert violations(page) == []
    assert unmarked_english(page, app) == []
    assert deliver(app).sent == 1
    staff_told_spanish(smtp_server)


def test_the_embed_with_lang_es_is_in_spanish_from_the_start(page, host_site, live_app, smtp_server):
    app = live_app.app
    say = in_spanish(app)
    page.goto(host_site.page("contacto.html", SNIPPET.format(url=live_app.url)))
    frame = page.locator("iframe")
    frame.wait_for()
    form = page.frame_locator("iframe")
    form.get_by_role("heading", name=say("Ask for a visit")).wait_for()
    assert form.locator("html").get_attribute("lang") == "es"
    page.wait_for_function(
        "title => document.querySelector('iframe').title === title", arg=say("Ask for a visit")
    )
    assert form.get_by_label(say("Free 15-minute consultation")).is_checked()

    fill_in(form, say)
    form.get_by_role("button", name=say("Send my request")).click()
    form.get_by_text(say("Thank you. We got your request.")).wait_for()
    stored = stored_request(app)
    assert stored.language is Language.SPANISH
    assert stored.coverage_note.headline in form.locator(".coverage-note").inner_text()
    assert deliver(app).sent == 1
    staff_told_spanish(smtp_server)


def test_a_spanish_browser_gets_spanish_pages_that_axe_passes(chromium, live_app):
    app = live_app.app
    say = in_spanish(app)
    context = chromium.new_context(locale="es-MX")
    page = context.new_page()
    try:
        for path in ("/request", "/privacy", "/nondiscrimination", "/request/received/expired"):
            page.goto(f"{live_app.url}{path}")
            assert page.locator("html").get_attribute("lang") == "es", path
            assert violations(page) == [], path
            assert unmarked_english(page, app) == [], path
        page.goto(f"{live_app.url}/request")
        send_as_it_is(page, say)
        page.locator("#error-summary").wait_for()
        assert say("Enter your full name.") in page.locator("#error-summary").inner_text()
        assert violations(page) == []
        assert unmarked_english(page, app) == []
    finally:
        context.close()


def test_the_spanish_form_works_without_javascript(chromium, live_app):
    app = live_app.app
    say = in_spanish(app)
    context = chromium.new_context(locale="es-MX", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_app.url}/request")
        page.get_by_label(say("Free 15-minute consultation")).check()
        fill_in(page, say, javascript=False)
        page.get_by_role("button", name=say("Send my request")).click()
        page.get_by_text(say("Thank you. We got your request.")).wait_for()
        assert stored_request(app).language is Language.SPANISH
    finally:
        context.close()
