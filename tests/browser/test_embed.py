"""The request form embedded in a clinic's own site, used in a real Chromium as a person would."""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from clinic_app.extensions import db
from clinic_app.models import ConsultationRequest
from tests.browser.steps import NEXT, fill_in, go_to_insurance, send_as_it_is
from tests.helpers import deliver

SNIPPET = '<div data-clinic-request-form data-visit-type="consultation"></div><script src="{url}/embed.js" async></script>'
FORM_FRAME = re.compile(r"/embed/")


def embed_page(page, host_site, live_app):
    page.goto(host_site.page("contact.html", SNIPPET.format(url=live_app.url)))
    frame_element = page.locator("iframe[title='Ask for a visit']")
    frame_element.wait_for()
    form = page.frame_locator("iframe[title='Ask for a visit']")
    form.locator(f"{NEXT}:visible").wait_for()
    return form, page.frame(url=FORM_FRAME)


IFRAME_HEIGHT = "document.querySelector('iframe').getBoundingClientRect().height"
CONTENT_HEIGHT = "Math.ceil(document.getElementById('main').getBoundingClientRect().height)"
# Inside the iframe: the page has been given a viewport exactly as tall as its content.
VIEWPORT_FITS_CONTENT = f"() => Math.abs(window.innerHeight - {CONTENT_HEIGHT}) <= 1"


def fitted_height(page, frame, timeout: float = 10.0) -> float:
    """Wait until the iframe is exactly as tall as the page inside it, and return that height.

    The form is another site, so Chromium renders it in a process of its own. When embed.js sets the
    iframe's height, the host page reports the new height at once, but the page inside gets its new
    viewport (window.innerHeight) only when the browser passes the resize on, a few milliseconds later
    (more on a busy machine). Until then a page that grew still scrolls inside its old, shorter viewport.
    So wait until the page inside has its new size and the host page agrees, then check both.
    """
    deadline = time.monotonic() + timeout
    while True:
        remaining_ms = (deadline - time.monotonic()) * 1000
        try:
            # Poll on a timer: Chromium stops animation frames in another site's iframe out of view.
            frame.wait_for_function(VIEWPORT_FITS_CONTENT, polling=20, timeout=max(remaining_ms, 1))
        except PlaywrightTimeoutError:
            break  # the assertions below say what is wrong
        outer = page.evaluate(IFRAME_HEIGHT)
        inner, viewport = frame.evaluate(f"[{CONTENT_HEIGHT}, window.innerHeight]")
        if (abs(outer - inner) <= 1 and abs(outer - viewport) <= 1) or time.monotonic() > deadline:
            break
        # The host page has already set another height (the content changed again): wait for that one.
    outer = page.evaluate(IFRAME_HEIGHT)
    inner = frame.evaluate(CONTENT_HEIGHT)
    assert abs(outer - inner) <= 1, f"iframe {outer}px, content {inner}px"
    assert frame.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1"), (
        "no inner scroll bar"
    )
    return outer


def test_a_visitor_sends_the_embedded_form_and_reads_the_note(browser_page, host_site, live_app, smtp_server):
    page = browser_page
    form, frame = embed_page(page, host_site, live_app)
    assert form.get_by_label("Free 15-minute consultation").is_checked(), "data-visit-type chose the visit"

    fill_in(form)
    form.get_by_role("button", name="Send my request").click()
    form.get_by_text("Thank you. We got your request.").wait_for()

    note = form.locator(".coverage-note")
    assert note.get_attribute("data-status") == "likely_covered"
    assert "Your coverage: Likely covered" in note.inner_text()
    assert "You have met" not in note.inner_text() and "about $65 a visit" in note.inner_text()
    assert page.context.cookies(live_app.url) == [], "the form works without any cookie"

    with live_app.app.app_context():
        stored = db.session.scalars(sa.select(ConsultationRequest)).one()
        assert (stored.full_name, stored.phone_e164, stored.insurance.carrier) == (
            "Ana Díaz",
            "+15035550142",
            "premera",
        )
    assert deliver(live_app.app).sent == 1
    assert (
        smtp_server.messages[0]["Subject"] == f"New request {stored.reference}: free 15-minute consultation"
    )


def test_the_iframe_height_follows_its_content(browser_page, host_site, live_app):
    page = browser_page
    form, frame = embed_page(page, host_site, live_app)
    empty_form = fitted_height(page, frame)

    send_as_it_is(form)
    form.locator("#error-summary").wait_for()
    with_errors = fitted_height(page, frame)
    assert with_errors > empty_form + 200, "the error list and messages make it taller"

    fill_in(form)
    form.get_by_role("button", name="Send my request").click()
    form.get_by_text("Thank you. We got your request.").wait_for()
    confirmation = fitted_height(page, frame)
    assert confirmation < with_errors - 500, "the confirmation is much shorter than the form"


def test_the_form_fits_a_small_phone(browser_page, host_site, live_app):
    page = browser_page
    page.set_viewport_size({"width": 320, "height": 640})
    form, frame = embed_page(page, host_site, live_app)
    fitted_height(page, frame)
    assert frame.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        "no sideways scrolling"
    )


# On the host page, before any of its scripts: note when an iframe has loaded (its page, or the browser's
# error page in its place) and every message posted to the host page. Load events do not bubble to the
# document, so this listens in the capture phase.
WATCH_THE_IFRAME = """
if (window.top === window) {
  window.iframeLoaded = false;
  window.messages = [];
  document.addEventListener("load", (event) => {
    if (event.target.tagName === "IFRAME") { window.iframeLoaded = true; }
  }, true);
  window.addEventListener("message", (event) => { window.messages.push(event.data); });
}
"""


def test_a_site_not_on_the_list_cannot_show_the_form(browser_page, other_site, live_app):
    page = browser_page
    page.add_init_script(WATCH_THE_IFRAME)
    page.goto(other_site.page("elsewhere.html", SNIPPET.format(url=live_app.url)))
    page.locator("iframe").wait_for()
    # The browser has had the form's answer and has loaded what it shows in the iframe: had it shown the
    # form, the form's page would be complete now, its scripts run.
    page.wait_for_function("window.iframeLoaded")
    frame = page.frame(url=FORM_FRAME)
    forms = frame.locator("form.request-form").count() if frame else 0
    assert forms == 0
    assert page.frame_locator("iframe").get_by_label("Full name").count() == 0
    assert page.evaluate("window.messages") == [], "nothing in the iframe spoke to the host page"


def test_sending_twice_makes_one_request(browser_page, host_site, live_app):
    page = browser_page
    form, _ = embed_page(page, host_site, live_app)
    fill_in(form)
    form.get_by_role("button", name="Send my request").dblclick()
    form.get_by_text("Thank you. We got your request.").wait_for()
    page.evaluate("history.back()")  # the iframe goes back; the host page stays
    go_to_insurance(form)
    assert form.get_by_label("Full name").input_value() == "Ana Díaz", "the browser kept the answers"
    form.get_by_role("button", name="Send my request").click()
    form.get_by_text("Thank you. We got your request.").wait_for()
    with live_app.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsultationRequest)) == 1


@pytest.fixture(params=["light", "dark"])
def page(request, chromium):
    """A page in either colour scheme the visitor's system asks for: the low-glare light one, or dark."""
    context = chromium.new_context(color_scheme=request.param)
    yield context.new_page()
    context.close()


def violations(target) -> list[str]:
    result = Axe().run(target)
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in result.response["violations"]]


def test_axe_finds_nothing_on_the_standalone_form(page, live_app):
    page.goto(f"{live_app.url}/request")
    assert violations(page) == []
    go_to_insurance(page)
    assert violations(page) == []
    page.get_by_role("button", name="Send my request").click()
    page.locator("#error-summary").wait_for()
    assert violations(page) == []


def test_axe_finds_nothing_on_the_embedded_form_with_errors_or_the_confirmation(page, host_site, live_app):
    form, frame = embed_page(page, host_site, live_app)
    send_as_it_is(form)
    form.locator("#error-summary").wait_for()
    assert violations(page.frame(url=FORM_FRAME)) == []
    fill_in(form)
    form.get_by_role("button", name="Send my request").click()
    form.get_by_text("Thank you. We got your request.").wait_for()
    assert violations(page.frame(url=FORM_FRAME)) == []
