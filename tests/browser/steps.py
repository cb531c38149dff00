"""The request form's two steps, as a visitor moves through them."""

from __future__ import annotations

from collections.abc import Callable

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


def send_as_it_is(form, say: Callable[[str], str] = str) -> None:
    go_to_insurance(form)
    form.get_by_role("button", name=say("Send my request")).click()


def fill_in(form, say: Callable[[str], str] = str, javascript: bool = True) -> None:
    """Answer the questions by their labels, as a person reads them: in English, or in the language
    ``say`` gives each label in (the catalogue's words, as the page shows them)."""
    form.get_by_label(say("Full name")).fill("Ana Díaz")
    form.get_by_label(say("Phone number")).fill("503 555 0142")
    form.get_by_label(say("Phone call")).check()
    form.get_by_label(say("No, none of these")).check()
    form.get_by_label(say("Headache that starts in the neck")).check()
    form.get_by_label(say("In a typical month, on how many days do you have a headache?")).fill("8")
    go_to_insurance(form, javascript)
    form.get_by_label(say("Private insurance (through work or bought yourself)")).check()
    form.get_by_label(say("Insurance company")).select_option(label="Premera Blue Cross")
    form.get_by_label("PPO", exact=True).check()
    form.get_by_role("group", name=say("Which state is your plan from?")).get_by_label(
        say("Washington"), exact=True
    ).check()
    form.get_by_role(
        "group", name=say("Is it a plan for Washington state or school employees?")
    ).get_by_label(say("No"), exact=True).check()
    form.get_by_role("group", name=say("Does your employer pay the claims itself?")).get_by_label(
        say("No"), exact=True
    ).check()
    form.get_by_label(say("Your age in years")).fill("41")
    form.get_by_role("group", name=say("Have you met this year's deductible?")).get_by_label(
        say("No"), exact=True
    ).check()
    form.get_by_text(say("Add your costs, if you know them (optional)")).click()
    form.get_by_label(say("Your copay for each visit (optional)")).fill("40")
    form.get_by_label(say("You may contact me about this request.")).check()
