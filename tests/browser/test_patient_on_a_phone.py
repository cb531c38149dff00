"""The form as a patient in pain meets it on a phone: urgent advice the moment it is needed, a count of
what is left to type, and how many screens the form takes."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from tests.browser.steps import go_to_insurance

PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 640}


@contextmanager
def phone_page(chromium, viewport=PHONE, javascript: bool = True):
    context = chromium.new_context(viewport=viewport, java_script_enabled=javascript)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_choosing_yes_on_a_warning_sign_shows_the_urgent_advice_at_once(chromium, live_app):
    with phone_page(chromium) as page:
        page.goto(f"{live_app.url}/request")
        advice = page.locator("#warning-advice")
        assert advice.is_hidden()
        page.get_by_label("Yes, at least one of these").check()
        # Nothing else is filled in: the advice does not wait for a valid form.
        assert advice.is_visible()
        call = advice.get_by_role("link", name="Call 911")
        assert call.is_visible() and call.get_attribute("href") == "tel:911"
        assert advice.get_by_role("link", name="(503) 555-0142").is_visible()
        # Right under the question, where the eye already is.
        question = page.get_by_role("group", name="Do you have any of these warning signs now?")
        below = advice.bounding_box()["y"] - (
            question.bounding_box()["y"] + question.bounding_box()["height"]
        )
        assert 0 <= below < 40
        page.get_by_label("No, none of these").check()
        assert advice.is_hidden()


def test_without_javascript_the_advice_stands_beside_the_question_and_tops_the_next_page(chromium, live_app):
    with phone_page(chromium, javascript=False) as page:
        page.goto(f"{live_app.url}/request")
        advice = page.locator("#warning-advice")
        assert advice.is_visible()
        assert advice.get_by_role("link", name="Call 911").get_attribute("href") == "tel:911"
        page.get_by_label("Yes, at least one of these").check()
        page.get_by_role("button", name="Send my request").click()
        # The form comes back with its mistakes listed, and the advice first of all.
        page.locator("#error-summary").wait_for()
        top = page.locator("#urgent")
        assert top.is_visible() and top.get_by_role("link", name="Call 911").is_visible()
        assert top.bounding_box()["y"] < page.locator("#error-summary").bounding_box()["y"]


def test_the_message_box_counts_the_characters_left(chromium, live_app):
    with phone_page(chromium) as page:
        page.goto(f"{live_app.url}/request")
        page.get_by_text("Add a message for us (optional)").click()
        count = page.locator("#message-count")
        assert count.inner_text() == "1000 characters left"
        page.get_by_label("Anything else you want us to know?").fill("Worse in the morning.")
        page.get_by_text("979 characters left").wait_for()
        assert "message-count" in page.get_by_label("Anything else you want us to know?").get_attribute(
            "aria-describedby"
        )


PRIVATE_ONLY = "Only if you have private insurance."
PRIVATE_HINTS = [
    "It is often printed on your card.",
    "It is often on your card. If your plan is through work, your employer can tell you.",
    "These plans are run by PEBB or SEBB, like the Uniform Medical Plan.",
    "This is called a self-funded plan.",
    "A deductible is the amount you pay each year before your plan starts to pay.",
]


def test_with_javascript_each_hint_shows_without_its_only_if_note(chromium, live_app):
    """With JavaScript a question shows only when it applies, so its "Only if ..." note goes; the rest of
    its hint stays. A hint that is only that note goes whole (the insurance company's)."""
    with phone_page(chromium) as page:
        page.goto(f"{live_app.url}/request")
        go_to_insurance(page)
        page.get_by_label("Private insurance").check()
        expect(page.get_by_label("Insurance company")).to_be_visible()
        for hint in PRIVATE_HINTS:
            expect(page.locator(".hint", has_text=hint)).to_be_visible()
        notes = page.get_by_text(PRIVATE_ONLY, exact=True)
        assert notes.count() == 5
        for note in notes.all():
            expect(note).to_be_hidden()
        expect(page.locator("#carrier-hint")).to_be_hidden()
        page.get_by_label("Original Medicare").check()
        expect(
            page.locator(".hint", has_text="QMB stands for Qualified Medicare Beneficiary.")
        ).to_be_visible()
        expect(page.locator(".hint", has_text=PRIVATE_HINTS[-1])).to_be_visible()
        for note in page.get_by_text("Only if you have Medicare", exact=False).all():
            expect(note).to_be_hidden()


def test_without_javascript_each_hint_says_when_its_question_applies(chromium, live_app):
    with phone_page(chromium, javascript=False) as page:
        page.goto(f"{live_app.url}/request")
        notes = page.get_by_text(PRIVATE_ONLY, exact=True)
        assert notes.count() == 5
        for note in notes.all():
            expect(note).to_be_visible()
        expect(page.locator("#carrier-hint")).to_have_text(PRIVATE_ONLY)
        for hint in [*PRIVATE_HINTS, "QMB stands for Qualified Medicare Beneficiary."]:
            expect(page.locator(".hint", has_text=hint)).to_be_visible()


QUESTIONS_SHOWN = """Array.from(document.querySelectorAll('.request-form .field'))
    .filter(f => f.offsetParent !== null && !f.closest('details:not([open])') && !f.closest('.hp'))
    .map(f => f.classList.contains('field--group') || f.querySelector('input[type=checkbox], select') ? 'tap' : 'type')"""


@pytest.mark.parametrize(
    "coverage", ["Private insurance", "Original Medicare", "Oregon Health Plan", "Not sure"]
)
def test_the_form_has_as_many_questions_as_it_says(chromium, live_app, coverage):
    with phone_page(chromium) as page:
        page.goto(f"{live_app.url}/request")
        assert "It has up to 18 questions, and most take one tap." in page.locator(".lead").inner_text()
        shown = page.evaluate(QUESTIONS_SHOWN)
        go_to_insurance(page)
        page.get_by_role("group", name="What kind of health coverage do you have?").get_by_label(
            coverage
        ).check()
        shown += page.evaluate(QUESTIONS_SHOWN)
        assert len(shown) <= 18 and shown.count("tap") > len(shown) / 2, shown


def test_after_a_warning_sign_the_second_step_opens_with_the_advice(chromium, live_app):
    with phone_page(chromium) as page:
        page.goto(f"{live_app.url}/request")
        page.get_by_label("Yes, at least one of these").check()
        go_to_insurance(page)
        again = page.locator("#urgent-again")
        assert again.is_visible() and again.get_by_role("link", name="Call 911").is_visible()
        assert page.evaluate("document.activeElement.id") == "urgent-again-title"
        page.get_by_role("button", name="Back to your details").click()
        assert page.get_by_label("Yes, at least one of these").is_visible()
        assert page.evaluate("document.activeElement.id") == "visit-heading"


SCREENS = "document.documentElement.scrollHeight / window.innerHeight"


@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE], ids=["390x844", "320x640"])
def test_how_many_screens_the_form_takes(chromium, live_app, viewport):
    """The figures the README and the closing note quote, printed for each size. On a 390x844 phone
    neither step of the consultation with private insurance is longer than 4 screens."""
    screens = {}
    with phone_page(chromium, viewport=viewport, javascript=False) as page:
        page.goto(f"{live_app.url}/request")
        screens["one page, without JavaScript"] = page.evaluate(SCREENS)
    with phone_page(chromium, viewport=viewport) as page:
        page.goto(f"{live_app.url}/request")
        page.get_by_label("Free 15-minute consultation").check()
        screens["step 1, consultation"] = page.evaluate(SCREENS)
        go_to_insurance(page)
        page.get_by_label("Private insurance").check()
        screens["step 2, private insurance"] = page.evaluate(SCREENS)
    print(f"\nform height at {viewport['width']}x{viewport['height']}: " + ", ".join(
        f"{name} {value:.1f} screens" for name, value in screens.items()
    ))  # fmt: skip
    if viewport == PHONE:
        assert screens["step 1, consultation"] <= 4 and screens["step 2, private insurance"] <= 4, screens


def test_the_form_sent_back_after_a_warning_sign_keeps_the_advice_in_view(chromium, live_app):
    with phone_page(chromium, viewport=SMALL_PHONE) as page:
        page.goto(f"{live_app.url}/request")
        page.get_by_label("Yes, at least one of these").check()
        go_to_insurance(page)
        page.get_by_role("button", name="Send my request").click()
        page.locator("#error-summary").wait_for()
        # The list of problems has the focus, to be read first; the advice above it is in view.
        assert page.evaluate("document.activeElement.id") == "error-summary"
        assert page.locator("#urgent").bounding_box()["y"] >= 0


def test_an_answer_left_in_a_question_that_no_longer_applies_is_not_sent(chromium, live_app):
    with phone_page(chromium) as page:
        page.goto(f"{live_app.url}/request")
        go_to_insurance(page)
        page.get_by_label("Private insurance").check()
        page.get_by_text("Add your costs, if you know them (optional)").click()
        page.get_by_label("Your copay for each visit").fill("abc")
        page.get_by_label("No insurance, or paying myself").check()
        page.get_by_role("button", name="Send my request").click()
        summary = page.locator("#error-summary")
        summary.wait_for()
        assert "Enter an amount in dollars" not in summary.inner_text()
