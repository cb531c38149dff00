"""The rules file is checked when it loads, so a broken edit stops the app with a clear message."""

from __future__ import annotations

import pytest

from clinic_app.coverage import Coverage, RuleFileError, load_rules
from clinic_app.coverage.rules import DEFAULT_RULES_PATH


def test_shipped_rules_load_and_cover_every_coverage_answer():
    book = load_rules()
    covered = {value for rule in book.rules for value in rule.when.choices.get("coverage", set())}
    assert covered == {c.value for c in Coverage}
    assert "other" in book.carriers


def broken(tmp_path, old: str, new: str):
    text = DEFAULT_RULES_PATH.read_text()
    assert old in text, "the test edits a line that exists"
    path = tmp_path / "rules.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('status = "limited"', 'status = "maybe"', "status must be one of"),
        (
            'when = { coverage = "not_sure" }',
            'when = { coverage = "notsure" }',
            "coverage cannot be 'notsure'",
        ),
        (
            'when = { coverage = "not_sure" }',
            'when = { coverage = "not_sure", colour = "red" }',
            "unknown keys: colour",
        ),
        ("costs ${self_pay_fee}", "costs ${self_pay_price}", "unknown placeholders: self_pay_price"),
        ('id = "self-pay"', 'id = "not-sure"', "id 'not-sure' is used twice"),
        ("max_age = 20", 'max_age = "twenty"', "max_age must be a whole number"),
        ('other = "Other"', "", "needs an 'other' entry"),
        ("version = ", "versions = ", "version must be a non-empty text"),
        ('[[rule]]\nid = "not-sure"', '[[skipped]]\nid = "not-sure"', "no [[rule]] for coverage not_sure"),
        ('copay = "You told us', 'copy = "You told us', "[cost_sharing] is missing copay"),
        ('version = "', 'version = """', "cannot read the rules file"),
    ],
)
def test_malformed_rules_are_refused_with_a_clear_message(tmp_path, old, new, message):
    with pytest.raises(RuleFileError) as refused:
        load_rules(broken(tmp_path, old, new))
    assert message in str(refused.value)
    assert str(tmp_path) in str(refused.value)


def test_missing_rules_file_is_refused(tmp_path):
    with pytest.raises(RuleFileError, match="cannot read the rules file"):
        load_rules(tmp_path / "absent.toml")
