"""Every choice people read has words of its own."""

from __future__ import annotations

import clinic_app.answer_fields
import clinic_app.audit  # noqa: F401  (its AuditAction is a LabelledEnum too)
from clinic_app.choices import Coverage, LabelledEnum


def every_labelled_enum(base: type[LabelledEnum] = LabelledEnum) -> list[type[LabelledEnum]]:
    found = []
    for enum in base.__subclasses__():
        found += [enum, *every_labelled_enum(enum)]
    return found


def test_every_member_of_every_labelled_enum_has_a_label():
    enums = every_labelled_enum()
    assert len(enums) >= 15
    for enum in enums:
        for member in enum:
            assert member.label.strip(), f"{enum.__name__}.{member.name} has no label"


def test_a_stored_value_finds_its_member_and_anything_else_finds_none():
    assert Coverage.parse("self_pay") is Coverage.SELF_PAY
    assert Coverage.parse("Self_Pay") is None and Coverage.parse(None) is None and Coverage.parse(3) is None
    assert Coverage("private").label == "Private insurance (through work or bought yourself)"
