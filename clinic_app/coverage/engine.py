"""Turning a visitor's insurance answers into the coverage note they see."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from .answers import (
    COST_SHARING_COVERAGE,
    ClinicFacts,
    CoverageAnswers,
    CoverageNote,
    DeductibleStatus,
    VisitType,
)
from .rules import DEFAULT_RULES_PATH, RuleBook, load_rules


@lru_cache(maxsize=1)
def default_rules() -> RuleBook:
    return load_rules(DEFAULT_RULES_PATH)


def build_note(answers: CoverageAnswers, clinic: ClinicFacts, rules: RuleBook | None = None) -> CoverageNote:
    """Return the note for these answers: the first matching rule, the cost-sharing text, the caveats."""
    book = rules or default_rules()
    rule = next(r for r in book.rules if r.when.matches(answers))
    values = {
        "clinic_name": clinic.name,
        "clinic_phone": clinic.phone,
        "self_pay_fee": clinic.self_pay_visit_fee,
    }

    paragraphs = []
    if answers.visit_type is VisitType.CONSULTATION:
        paragraphs.append(book.consultation.format_map(values))
    paragraphs += [p.format_map(values) for p in rule.paragraphs]
    if answers.coverage in COST_SHARING_COVERAGE:
        paragraphs.append(_cost_sharing(answers, book))

    caveats = [c for c in book.caveats if c.when.matches(answers)]
    return CoverageNote(
        status=rule.status,
        headline=rule.headline.format_map(values),
        paragraphs=paragraphs,
        caveats=[c.text.format_map(values) for c in caveats],
        closing=(rule.closing or book.closing).format_map(values),
        rule_ids=[rule.id, *(c.id for c in caveats)],
        rules_version=book.version,
    )


def _cost_sharing(answers: CoverageAnswers, book: RuleBook) -> str:
    texts = book.cost_sharing
    status = answers.deductible_status or DeductibleStatus.NOT_SURE
    sentences = [texts[status.value]]
    if answers.deductible_remaining is not None and status is not DeductibleStatus.MET:
        sentences.append(texts["deductible_left"].format(amount=dollars(answers.deductible_remaining)))
    if answers.copay is not None:
        sentences.append(texts["copay"].format(amount=dollars(answers.copay)))
    if answers.coinsurance_percent is not None:
        sentences.append(texts["coinsurance"].format(percent=answers.coinsurance_percent))
    return " ".join(sentences)


def dollars(amount: Decimal) -> str:
    """Whole dollars where there are no cents ($40), cents otherwise ($42.50)."""
    cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if cents == cents.to_integral_value():
        return f"${int(cents):,}"
    return f"${cents:,.2f}"
