"""The free consultation's time picker in Chromium at 390x844: with JavaScript it shows only for the
consultation; without it, it is on the page. A visitor picks a time and sees it on the confirmation;
axe finds nothing on the picker, its error and the confirmation, in both colour schemes. With and
without JavaScript, the confirmation email reaches a real SMTP server with its calendar invite, which
icalendar reads back to the time picked, in the clinic's zone."""

from __future__ import annotations

from datetime import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe

from clinic_app.booking.invite import parse_invite
from tests.browser.steps import fill_in, go_to_insurance
from tests.conftest import free_port
from tests.helpers import LiveServer, deliver
from tests.web.test_booking_form import give_hours

PATIENT = "ana.diaz@example.com"


@pytest.fixture
def served(make_app, smtp_server):
    port = free_port()
    app = make_app(PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", **smtp_server.config())
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


def invite_in_the_email(served, smtp_server) -> datetime:
    """The time the confirmation email's invite gives, read back with icalendar."""
    deliver(served.app)
    [confirmation] = [m for m in smtp_server.patient_copies if "free consultation" in m["Subject"]]
    assert confirmation["To"] == PATIENT
    [ics] = [part for part in confirmation.iter_attachments() if part.get_filename() == "invite.ics"]
    invite = parse_invite(
        ics.get_content() if isinstance(ics.get_content(), bytes) else ics.get_content().encode()
    )
    assert str(invite.starts_at.tzinfo) == "America/Los_Angeles"
    return invite.starts_at


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_picked_time_reaches_the_patient_as_a_calendar_invite(chromium, served, smtp_server, javascript):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=javascript)
    page = context.new_page()
    try:
        page.goto(f"{served.url}/request")
        page.get_by_label("Free 15-minute consultation").check()
        page.get_by_label("Email address").fill(PATIENT)
        picker = page.get_by_role("group", name="Pick a time for your free consultation")
        choice = picker.locator("fieldset.time-day").nth(2).get_by_role("radio").first
        picked = datetime.fromisoformat(choice.get_attribute("value"))
        choice.check()
        fill_in(page, javascript=javascript)
        page.get_by_role("button", name="Send my request").click()
        page.get_by_text("Thank you. We got your request.").wait_for()
        assert page.locator(".booked-time").inner_text().startswith("Your free consultation: ")
    finally:
        context.close()
    starts = invite_in_the_email(served, smtp_server)
    assert starts == picked
    assert (starts.hour, starts.minute) == (picked.hour, picked.minute), "the same wall time, Pacific"
