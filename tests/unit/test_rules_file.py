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
        (
            '[[rule]]\nid = "not-sure"',
            '[[skipped]]\nid = "not-sure"',
            "no [[rule]] applies to every answer for coverage not_sure",
        ),
        (
            'payer_out_of_pocket = "You have',
            'payer_pocket = "You have',
            "[cost_sharing] is missing payer_out_of_pocket",
        ),
        ('version = "', 'version = """', "cannot read the rules file"),
        ('estimate = "medicare"', 'estimate = "guess"', "estimate must be one of"),
        ('referral = "required"', 'referral = "always"', "referral must be one of"),
        (
            'referral = "required"\n',
            'referral = "required"\nvisit_limit = 0\n',
            "visit_limit must be a whole number",
        ),
        ("in_network = false }", 'in_network = "no" }', "in_network must be true, false or"),
        (
            'sources = ["cfr-149-610", "cfr-149-620"]',
            'sources = ["nowhere"]',
            "names unknown sources: nowhere",
        ),
        ('sources = ["cfr-149-610", "cfr-149-620"]', "sources = []", "must cite at least one source"),
        ("checked = 2026-11-22", 'checked = "last week"', "checked must be a date"),
        ('url = "https://www.cms.gov/Reg', 'url = "http://www.cms.gov/Reg', "url must start with https://"),
        ("part_b_deductible = 283", "part_b_deductible = -1", "part_b_deductible must be a whole number"),
        (
            "prior_authorization = true",
            'prior_authorization = "yes"',
            "prior_authorization must be true or false",
        ),
        (
            'when = { coverage = "self_pay" }',
            'when = { coverage = "self_pay", min_age = 18 }',
            "no [[rule]] applies to every answer for coverage self_pay",
        ),
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


def override_file(tmp_path, text: str):
    path = tmp_path / "clinic-rules.toml"
    path.write_text(text)
    return path


def test_a_clinic_file_replaces_a_shipped_rule_with_the_same_id(tmp_path):
    book = load_rules(
        override=override_file(
            tmp_path,
            """
[[rule]]
id = "self-pay"
when = { coverage = "self_pay" }
status = "unlikely"
headline = "Pay as you go"
paragraphs = ["We keep our prices low for people without insurance."]
estimate = "self_pay"
sources = ["cfr-149-610"]
""",
        )
    )
    replaced = [rule for rule in book.rules if rule.id == "self-pay"]
    assert len(replaced) == 1
    assert replaced[0].headline == "Pay as you go"
    shipped = load_rules()
    assert [r.id for r in book.rules] == [r.id for r in shipped.rules]


def test_a_clinic_files_new_rules_come_first_and_new_texts_and_caveats_are_added(tmp_path):
    book = load_rules(
        override=override_file(
            tmp_path,
            """
version = "clinic-2027-01"

[carriers]
first_choice = "First Choice Health"

[flags]
visit_limit = "Your plan pays for {visit_limit} visits each year."

[[rule]]
id = "first-choice"
when = { coverage = "private", carrier = "first_choice" }
status = "likely_covered"
headline = "Likely covered"
paragraphs = ["First Choice Health plans pay for spinal manipulation."]
visit_limit = 12
estimate = "plan"
sources = ["rcw-48-43-045"]

[[caveat]]
id = "parking"
text = "Parking is free behind the building."
""",
        )
    )
    assert book.rules[0].id == "first-choice"
    assert book.caveats[-1].id == "parking"
    assert book.carriers["first_choice"] == "First Choice Health"
    assert "premera" in book.carriers
    assert book.flags["visit_limit"] == "Your plan pays for {visit_limit} visits each year."
    assert book.flags["referral_may"] == load_rules().flags["referral_may"]
    assert book.version == "clinic-2027-01"


def test_a_broken_clinic_file_is_refused_naming_both_files(tmp_path):
    path = override_file(
        tmp_path,
        """
[[rule]]
id = "self-pay"
when = { coverage = "self_pay" }
status = "free"
headline = "x"
paragraphs = ["x"]
estimate = "self_pay"
""",
    )
    with pytest.raises(RuleFileError) as refused:
        load_rules(override=path)
    assert f"with {path}" in str(refused.value)
    assert "rule 'self-pay', status must be one of" in str(refused.value)


def test_the_readme_lists_every_source_with_the_date_it_was_checked():
    readme = (DEFAULT_RULES_PATH.parents[2] / "README.md").read_text()
    for source in load_rules().sources.values():
        assert f"| `{source.id}` | [" in readme
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{source.id}` |"))
        assert f"({source.url})" in row and f"| {source.checked} |" in row
