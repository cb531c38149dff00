"""read_271 over the corpus of real public 271s that no one here wrote (tests/samples/x12_271/real/):
each file is read as a person read it by hand (the [reading] of the .toml beside it, with its origin),
or refused with the true reason, and no file yields a figure that is not in it."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clinic_app.benefits import BenefitsFileError, EligibilityBenefits, read_271
from clinic_app.benefits import reading as reading_module
from clinic_app.benefits.checked import medicare_advantage_plan

REAL = Path(__file__).resolve().parent.parent / "samples" / "x12_271" / "real"
FILES = sorted(REAL.glob("*.271"))

MONEY = ("deductible_year", "deductible_remaining", "copay", "out_of_pocket_remaining")
COUNTS = ("coinsurance_percent", "visit_limit", "visits_used", "visits_remaining")
# Said only when the file says so: absent from a hand reading, the reader must not say it either.
FLAGS = ("chiropractic_not_covered", "deductible_waived")
OTHERS = ("active", "insurance_type", "prior_authorization")


def hand_reading(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.with_suffix(".toml").read_text(encoding="utf-8"))


def pasted(path: Path) -> str:
    # As the staff view reads an upload: UTF-8, anything else replaced (and then refused as binary).
    return path.read_bytes().decode("utf-8", errors="replace")


def test_the_corpus_is_at_least_twenty_files_each_with_its_origin():
    assert len(FILES) >= 20
    for path in FILES:
        origin = hand_reading(path)["origin"]
        assert origin["repository"].count("/") == 1, path.name
        assert origin["path"] and len(origin["commit"]) == 40, path.name


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_each_real_271_reads_as_its_hand_reading(path: Path):
    expected = hand_reading(path)["reading"]
    if "refused" in expected:
        with pytest.raises(BenefitsFileError) as raised:
            read_271(pasted(path))
        reason = getattr(reading_module, expected["refused"])
        # A reason that names what it found ("uses “^” as both …") is compared up to its first blank.
        assert raised.value.message.startswith(reason.partition("{")[0]), raised.value.message
        return
    if "rejected" in expected:
        with pytest.raises(BenefitsFileError) as raised:
            read_271(pasted(path))
        message = raised.value.message
        assert message.startswith("The payer turned the question down")
        for code in expected["rejected"]:
            assert f"(reason {code})" in message
        return
    benefits = read_271(pasted(path))
    assert figures(benefits) == expected_figures(expected)


def figures(benefits: EligibilityBenefits) -> dict[str, Any]:
    found: dict[str, Any] = {name: getattr(benefits, name) for name in MONEY + COUNTS + FLAGS + OTHERS}
    found["medicare_advantage"] = (
        benefits.insurance_type == "HN" or medicare_advantage_plan(benefits) is not None
    )
    return found


def expected_figures(reading: dict[str, Any]) -> dict[str, Any]:
    expected: dict[str, Any] = {name: None for name in MONEY + COUNTS + FLAGS + OTHERS}
    for name in MONEY:
        if name in reading:
            expected[name] = Decimal(str(reading[name]))
    for name in COUNTS + OTHERS:
        if name in reading:
            expected[name] = reading[name]
    for name in FLAGS:
        expected[name] = True if reading.get(name) else None
    expected["medicare_advantage"] = bool(reading.get("medicare_advantage"))
    return with_arithmetic(expected)


def with_arithmetic(expected: dict[str, Any]) -> dict[str, Any]:
    """The figures the reader works out from figures the file gives, and only from them: no
    deductible leaves $0 to meet, and visits used and left make up the limit."""
    if expected["deductible_remaining"] is None and expected["deductible_year"] == 0:
        expected["deductible_remaining"] = Decimal(0)
    limit, used, left = expected["visit_limit"], expected["visits_used"], expected["visits_remaining"]
    if limit is not None and used is not None and left is None:
        expected["visits_remaining"] = max(limit - used, 0)
    if limit is not None and left is not None and used is None:
        expected["visits_used"] = max(limit - left, 0)
    return expected
