"""The new-patient appointment's picker (BOOKING_NEW_PATIENT on) in Chromium at 390x844: with
JavaScript it shows only for that visit type, and the consultation's only for the consultation; without
it, both are on the page, each saying when it applies. A visitor books a new-patient time and the
confirmation names it; axe finds nothing."""

from __future__ import annotations

import pytest

from tests.browser.steps import fill_in, go_to_insurance
from tests.browser.test_booking_picker import violations
from tests.conftest import free_port
from tests.helpers import LiveServer
from tests.web.test_booking_form import give_hours

NEW_PATIENT_PICKER = "Pick a time for your new-patient appointment"
CONSULTATION_PICKER = "Pick a time for your free consultation"


@pytest.fixture
def served(make_app):
    port = free_port()
    app = make_app(PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", BOOKING_NEW_PATIENT=True)
    give_hours(app)
    server = LiveServer(app, port).start()
    yield server
    server.stop()


def book_the_first_time(page, picker) -> str:
    """Check the second day's first time; the time as the confirmation should name it."""
    day = picker.locator("fieldset.time-day").nth(1)
    choice = day.get_by_role("radio").first
    label = page.locator(f"label[for='{choice.get_attribute('id')}']").inner_text()
    when = f"{day.locator('legend').inner_text()}, {label} Pacific time"
    choice.check()
    return when


def test_with_javascript_each_picker_follows_its_visit_type(chromium, served):
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{served.url}/request")
        new_patient = page.get_by_role("group", name=NEW_PATIENT_PICKER)
        consultation = page.get_by_role("group", name=CONSULTATION_PICKER)
        assert not new_patient.is_visible() and not consultation.is_visible()
        page.get_by_label("Free 15-minute consultation").check()
        assert consultation.is_visible() and not new_patient.is_visible()
        page.get_by_label("New-patient appointment").check()
        assert new_patient.is_visible() and not consultation.is_visible()
        assert new_patient.locator("fieldset.time-day").count() == 7
        assert violations(page) == []

        fill_in(page)
        go_to_insurance(page)
        page.get_by_role("button", name="Send my request").click()
        page.locator("#new_patient_slot-error").wait_for()
        assert page.locator("#slot-error").count() == 0
        assert violations(page) == []

        when = book_the_first_time(page, new_patient)
        page.get_by_label("You may contact me about this request.").check()
        page.get_by_role("button", name="Send my request").click()
        page.get_by_text("Thank you. We got your request.").wait_for()
        booked = page.locator(".booked-time").inner_text()
        assert booked.startswith(f"Your new-patient appointment: {when}"), booked
        assert violations(page) == []
    finally:
        context.close()


def test_without_javascript_both_pickers_are_on_the_page(chromium, served):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{served.url}/request")
        new_patient = page.get_by_role("group", name=NEW_PATIENT_PICKER)
        consultation = page.get_by_role("group", name=CONSULTATION_PICKER)
        assert new_patient.is_visible() and consultation.is_visible()
        assert new_patient.get_by_text("Only if you want the new-patient appointment.").is_visible()
        assert consultation.get_by_text("Only if you want the free consultation.").is_visible()
        page.get_by_label("New-patient appointment").check()
        when = book_the_first_time(page, new_patient)
        fill_in(page, javascript=False)
        page.get_by_role("button", name="Send my request").click()
        page.get_by_text("Thank you. We got your request.").wait_for()
        booked = page.locator(".booked-time").inner_text()
        assert booked.startswith(f"Your new-patient appointment: {when}"), booked
    finally:
        context.close()
