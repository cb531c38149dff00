"""The request form's two steps, as a visitor moves through them."""

from __future__ import annotations

NEXT = "[data-step-to='step-insurance']"


def go_to_insurance(form, javascript: bool = True) -> None:
    """On to the second step, where the insurance questions and the send button are. Nothing to do
    where the form is one page: without JavaScript, or sent back with mistakes."""
    if javascript:
        # The script marks the form first and sets up the steps in the same run: once the mark is
        # there, the steps are too.
        form.locator("form.request-form--live").wait_for(state="attached")
    next_step = form.locator(NEXT)
    if next_step.is_visible():
        next_step.click()


def send_as_it_is(form) -> None:
    go_to_insurance(form)
    form.get_by_role("button", name="Send my request").click()
