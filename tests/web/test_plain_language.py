"""Every page a visitor reads is at grade 8 or below (Flesch-Kincaid, by textstat)."""

from __future__ import annotations

import pytest
import textstat

from tests.helpers import submit, visible_text


def grade(html: str) -> float:
    return textstat.flesch_kincaid_grade(visible_text(html).replace("\n", ". "))


@pytest.mark.parametrize("path", ["/request", "/privacy", "/request/received/expired"])
def test_public_pages_read_at_grade_eight_or_below(client, path):
    assert grade(client.get(path).get_data(as_text=True)) <= 8


@pytest.mark.parametrize(
    "answers",
    [
        {"coverage": "original_medicare", "age": "70", "also_medicaid": "no", "warning_signs": "yes"},
        {"coverage": "apple_health", "age": "30", "carrier": None, "plan_type": None},
        {"coverage": "private", "plan_type": "hmo", "deductible_status": "met"},
        {"coverage": "self_pay"},
    ],
)
def test_confirmation_reads_at_grade_eight_or_below(client, answers):
    html = client.get(submit(client, **answers).headers["Location"]).get_data(as_text=True)
    assert grade(html) <= 8


def test_error_messages_read_at_grade_eight_or_below(client):
    assert grade(client.post("/request", data={}).get_data(as_text=True)) <= 8


# ---------------------------------------------------------------- Issue 22: words that fit a self-pay visitor


def confirmation_text(client, **answers) -> str:
    html = client.get(submit(client, **answers).headers["Location"]).get_data(as_text=True)
    return visible_text(html)


@pytest.mark.parametrize("warning_signs", ["no", "yes"])
def test_a_self_pay_confirmation_speaks_of_no_plan_and_no_insurance_check(client, warning_signs):
    text = confirmation_text(client, coverage="self_pay", warning_signs=warning_signs)
    assert "Your plan decides what it pays" not in text
    assert "insurance benefits" not in text
    assert "This is a general guide, not a bill." in text
    if warning_signs == "yes":
        assert "When you are well, we talk about a visit." in text


def test_an_insured_confirmation_still_says_the_plan_decides_and_benefits_are_checked(client):
    text = confirmation_text(client, coverage="private", plan_type="ppo")
    assert "This is a general guide, not a promise of payment. Your plan decides what it pays." in text
    assert "We check your insurance benefits before your first visit." in text


def test_the_age_hint_fits_each_coverage_and_shows_whole_without_javascript(client):
    html = client.get("/request").get_data(as_text=True)
    hint = html[html.index('id="age-hint"') : html.index("</div>", html.index('id="age-hint"'))]
    plans = '<span data-show-when="coverage=,original_medicare,medicare_advantage,apple_health,'
    assert plans in hint and "self_pay" not in hint.split("</span>")[0]
    assert "Some plans cover care only up to a certain age.</span>" in hint
    assert (
        '<span data-show-when="coverage=self_pay">If you pay for yourself, your age does not change our prices.'
        in hint
    )
    # Without the script, both parts show, one after the other.
    text = visible_text(html)
    assert (
        "Some plans cover care only up to a certain age. If you pay for yourself, your age does not change "
        "our prices." in text
    )


def test_the_age_hint_and_the_self_pay_confirmation_are_in_spanish(client):
    html = client.get("/request?lang=es").get_data(as_text=True)
    assert "Si usted paga por su cuenta, su edad no cambia nuestros precios." in html
    text = confirmation_text(client, lang="es", coverage="self_pay")
    assert "Esto es una guía general, no una factura." in text
