"""The free consultation's time picker in Chromium at 390x844: with JavaScript it shows only for the
consultation; without it, it is on the page. A visitor picks a time and sees it on the confirmation;
axe finds nothing on the picker, its error and the confirmation, in both colour schemes."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.steps import fill_in, go_to_insurance
from tests.conftest import free_port
from tests.helpers import LiveServer
from tests.web.test_booking_form import give_hours


@pytest.fixture
def served(make_app):
    port = free_port()
    app = make_app(PUBLIC_BASE_URL=f"http://127.0.0.1:{port}")
    give_hours(app)
    server = LiveServer(app, port).start()
    yield server
    server.stop()


def violations(page) -> list[str]:
    result = Axe().run(page)
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in result.response["violations"]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_with_javascript_the_picker_follows_the_visit_type_and_books_a_time(chromium, served, scheme):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme)
    page = context.new_page()
    try:
        page.goto(f"{served.url}/request")
        picker = page.get_by_role("group", name="Pick a time for your free consultation")
        assert not picker.is_visible(), "hidden until the consultation is chosen"
        page.get_by_label("New-patient appointment").check()
        assert not picker.is_visible()
        page.get_by_label("Free 15-minute consultation").check()
        assert picker.is_visible()
        days = picker.locator("fieldset.time-day")
        assert days.count() == 7
        assert violations(page) == []

        # Sent without a time: the error is at the picker, and axe is still content.
        fill_in(page)
        go_to_insurance(page)
        page.get_by_role("button", name="Send my request").click()
        page.locator("#slot-error").wait_for()
        assert violations(page) == []

        second_day = days.nth(1)
        day_name = second_day.locator("legend").inner_text()
        choice = second_day.get_by_role("radio").first
        time_label = page.locator(f"label[for='{choice.get_attribute('id')}']").inner_text()
        choice.check()
        page.get_by_label("You may contact me about this request.").check()
        page.get_by_role("button", name="Send my request").click()
        page.get_by_text("Thank you. We got your request.").wait_for()
        booked = page.locator(".booked-time").inner_text()
        assert booked.startswith(f"Your free consultation: {day_name}, {time_label} Pacific time"), booked
        assert violations(page) == []
    finally:
        context.close()


def test_without_javascript_the_picker_is_on_the_page(chromium, served):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{served.url}/request")
        picker = page.get_by_role("group", name="Pick a time for your free consultation")
        assert picker.is_visible()
        assert picker.get_by_text("Only if you want the free consultation.").is_visible()
        page.get_by_label("Free 15-minute consultation").check()
        picker.get_by_label("None of these times work, call me").check()
        fill_in(page, javascript=False)
        page.get_by_role("button", name="Send my request").click()
        page.get_by_text("Thank you. We got your request.").wait_for()
        assert page.locator(".booked-time").count() == 0
        assert page.get_by_text("We find a time that works for you.").is_visible()
    finally:
        context.close()
