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
