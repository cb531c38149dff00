"""The request form embedded in a clinic's own site, used in a real Chromium as a person would."""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe

from clinic_app.extensions import db
from clinic_app.models import ConsultationRequest
from tests.helpers import deliver

SNIPPET = '<div data-clinic-request-form data-visit-type="consultation"></div><script src="{url}/embed.js" async></script>'
FORM_FRAME = re.compile(r"/embed/")


def embed_page(page, host_site, live_app):
    page.goto(host_site.page("contact.html", SNIPPET.format(url=live_app.url)))
    frame_element = page.locator("iframe[title='Ask for a visit']")
    frame_element.wait_for()
    form = page.frame_locator("iframe[title='Ask for a visit']")
    form.get_by_role("button", name="Send my request").wait_for()
    return form, page.frame(url=FORM_FRAME)


def fill_in(form) -> None:
    """Answer the questions by their labels, as a person reads them."""
    form.get_by_label("Full name").fill("Ana Díaz")
    form.get_by_label("Phone number").fill("503 555 0142")
    form.get_by_label("Phone call").check()
    form.get_by_label("No, none of these").check()
    form.get_by_label("Headache that starts in the neck").check()
    form.get_by_label("In a typical month, on how many days").fill("8")
    form.get_by_label("Private insurance").check()
    form.get_by_label("Insurance company").select_option(label="Premera Blue Cross")
    form.get_by_label("PPO", exact=True).check()
    form.get_by_label("Your age in years").fill("41")
    form.get_by_role("group", name="Have you met this year's deductible?").get_by_label(
        "No", exact=True
    ).check()
    form.get_by_label("Your copay for each visit").fill("40")
    form.get_by_label("You may contact me about this request.").check()


def fitted_height(page, frame, timeout: float = 10.0) -> float:
    """Wait until the iframe is exactly as tall as the page inside it, and return that height."""
    deadline = time.monotonic() + timeout
    while True:
        outer = page.evaluate("document.querySelector('iframe').getBoundingClientRect().height")
        inner = frame.evaluate("Math.ceil(document.getElementById('main').getBoundingClientRect().height)")
        if abs(outer - inner) <= 1 or time.monotonic() > deadline:
            assert abs(outer - inner) <= 1, f"iframe {outer}px, content {inner}px"
            assert frame.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1"), (
                "no inner scroll bar"
            )
            return outer
        time.sleep(0.05)


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

    form.get_by_role("button", name="Send my request").click()
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


def test_a_site_not_on_the_list_cannot_show_the_form(browser_page, other_site, live_app):
    page = browser_page
    page.goto(other_site.page("elsewhere.html", SNIPPET.format(url=live_app.url)))
    page.locator("iframe").wait_for()
    page.wait_for_timeout(1500)
    frame = page.frame(url=FORM_FRAME)
    forms = frame.locator("form.request-form").count() if frame else 0
    assert forms == 0
    assert page.frame_locator("iframe").get_by_label("Full name").count() == 0


def test_sending_twice_makes_one_request(browser_page, host_site, live_app):
    page = browser_page
    form, _ = embed_page(page, host_site, live_app)
    fill_in(form)
    form.get_by_role("button", name="Send my request").dblclick()
    form.get_by_text("Thank you. We got your request.").wait_for()
    page.evaluate("history.back()")  # the iframe goes back; the host page stays
    form.get_by_role("button", name="Send my request").wait_for()
    assert form.get_by_label("Full name").input_value() == "Ana Díaz", "the browser kept the answers"
    form.get_by_role("button", name="Send my request").click()
    form.get_by_text("Thank you. We got your request.").wait_for()
    with live_app.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsultationRequest)) == 1


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    yield context.new_page()
    context.close()


def violations(target) -> list[str]:
    result = Axe().run(target)
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in result.response["violations"]]


def test_axe_finds_nothing_on_the_standalone_form(page, live_app):
    page.goto(f"{live_app.url}/request")
    assert violations(page) == []
    page.get_by_role("button", name="Send my request").click()
    page.locator("#error-summary").wait_for()
    assert violations(page) == []


def test_axe_finds_nothing_on_the_embedded_form_with_errors_or_the_confirmation(page, host_site, live_app):
    form, frame = embed_page(page, host_site, live_app)
    form.get_by_role("button", name="Send my request").click()
    form.locator("#error-summary").wait_for()
    assert violations(page.frame(url=FORM_FRAME)) == []
    fill_in(form)
    form.get_by_role("button", name="Send my request").click()
    form.get_by_text("Thank you. We got your request.").wait_for()
    assert violations(page.frame(url=FORM_FRAME)) == []
