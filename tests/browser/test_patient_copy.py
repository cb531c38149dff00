"""The patient's own copy, in Chromium: the form's "Email me a copy" box, the email that follows, and
printing or saving the note from the confirmation page, with and without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.steps import go_to_insurance
from tests.conftest import free_port
from tests.helpers import LiveServer, deliver

# Stands in for the print dialog, which a headless browser cannot show: counts the calls.
COUNT_PRINTS = "window.printed = 0; window.print = () => { window.printed += 1; };"


@pytest.fixture
def served(make_app, smtp_server):
    port = free_port()
    app = make_app(PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", **smtp_server.config())
    server = LiveServer(app, port).start()
    yield server
    server.stop()


def send_the_form(page, url: str, *, copy: bool = True, javascript: bool = True) -> None:
    page.goto(f"{url}/request")
    page.get_by_label("Free 15-minute consultation").check()
    page.get_by_label("Full name").fill("Ana Díaz")
    page.get_by_label("Email address").fill("ana.diaz@example.com")
    box = page.get_by_label("Email me a copy of my reference and next steps")
    assert box.is_checked(), "ticked until the patient unticks it"
    if not copy:
        box.uncheck()
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("No, none of these").check()
    page.get_by_label("Migraine").check()
    page.get_by_label("In a typical month, on how many days").fill("8")
    go_to_insurance(page, javascript)
    page.get_by_label("No insurance, or paying myself").check()
    page.get_by_label("Your age in years").fill("41")
    page.get_by_label("You may contact me about this request.").check()
    page.get_by_role("button", name="Send my request").click()
    try:
        page.get_by_text("Thank you. We got your request.").wait_for(timeout=15_000)
    except PlaywrightTimeoutError:
        pytest.fail(page.locator("main").inner_text()[:1500])


def test_the_patient_prints_the_note_and_gets_their_copy_once(chromium, served, smtp_server):
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.add_init_script(COUNT_PRINTS)
    send_the_form(page, served.url)
    reference = page.locator(".reference").inner_text()

    button = page.get_by_role("button", name="Print or save this note")
    assert button.is_visible()
    assert not page.get_by_text("To keep this note, use Print in your browser's menu.").is_visible()
    button.click()
    assert page.evaluate("window.printed") == 1

    page.emulate_media(media="print")
    assert not button.is_visible(), "no buttons on paper"
    assert not page.locator(".site-footer a[href*='privacy']").is_visible()
    assert page.locator(".site-name").is_visible() and page.locator(".reference").is_visible()
    footer = page.locator(".site-footer").inner_text()
    assert "(503) 555-0142" in footer, "the clinic's number stays"
    colours = page.evaluate(
        """() => [document.body, document.querySelector('.coverage-note h2'), document.querySelector('.reference')]
               .map((el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor])"""
    )
    for colour, background in colours:
        assert colour == "rgb(0, 0, 0)" and background == "rgb(255, 255, 255)"
    context.close()

    assert deliver(served.app).sent == 2
    assert deliver(served.app).sent == 0
    [copy] = smtp_server.patient_copies
    assert copy["To"] == "ana.diaz@example.com"
    assert reference in copy["Subject"]
    text = copy.get_body(preferencelist=("plain",)).get_content()
    assert f"{served.url}/request/received/" in text and "Migraine" not in text


def test_without_javascript_the_page_says_how_to_print(chromium, served, smtp_server):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    send_the_form(page, served.url, copy=False, javascript=False)
    assert page.get_by_text("To keep this note, use Print in your browser's menu.").is_visible()
    assert not page.get_by_role("button", name="Print or save this note").is_visible()
    context.close()

    assert deliver(served.app).sent == 1, "unticked: the staff email alone"
    assert smtp_server.patient_copies == []
