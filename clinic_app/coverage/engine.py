"""Turning a visitor's insurance answers into the coverage note they see."""

from __future__ import annotations

from functools import lru_cache

from clinic_app.choices import AlsoMedicaid, Coverage, DeductibleStatus, Network, VisitType
from clinic_app.coverage.answers import (
    COST_SHARING_COVERAGE,
    PROGRAMS,
    ClinicFacts,
    CoverageAnswers,
    CoverageNote,
)
from clinic_app.coverage.estimate import dollars, estimate_lines, plain_dollars
from clinic_app.coverage.rules import DEFAULT_RULES_PATH, Rule, RuleBook, load_rule_books, load_rules


@lru_cache(maxsize=1)
def default_rules() -> RuleBook:
    return load_rules(DEFAULT_RULES_PATH)


@lru_cache(maxsize=1)
def default_rule_books() -> dict[str, RuleBook]:
    """The shipped rules in every language, {"en": ..., "es": ...}."""
    return load_rule_books(DEFAULT_RULES_PATH)


def network_status(answers: CoverageAnswers, clinic: ClinicFacts) -> Network:
    """Whether the clinic is in network with the visitor's program or carrier, as far as we can tell.

    Medicare Advantage plans each have their own network, so a clinic in some of them still has to
    check the visitor's plan; an unlisted ("other") carrier has to be checked too.
    """
    coverage = answers.coverage
    if coverage in PROGRAMS:
        if coverage.value not in clinic.in_network:
            return Network.OUT
        return Network.UNKNOWN if coverage is Coverage.MEDICARE_ADVANTAGE else Network.IN
    if coverage is Coverage.PRIVATE:
        if answers.carrier in (None, "other"):
            return Network.UNKNOWN
        return Network.IN if answers.carrier in clinic.in_network else Network.OUT
    return Network.NOT_APPLICABLE


def build_note(answers: CoverageAnswers, clinic: ClinicFacts, rules: RuleBook | None = None) -> CoverageNote:
    """The note for these answers: the first matching rule, its flags, cost sharing, caveats, estimate."""
    book = rules or default_rules()
    network = network_status(answers, clinic)
    rule = next(r for r in book.rules if r.when.matches(answers, network, clinic.offers_omt))
    values = {
        "clinic_name": clinic.name,
        "clinic_phone": clinic.phone,
        "self_pay_fee": plain_dollars(clinic.self_pay_visit_fee, book.locale),
        "visit_limit": rule.visit_limit or "",
        "part_b_deductible": plain_dollars(book.part_b_deductible, book.locale),
    }

    paragraphs = []
    if answers.visit_type is VisitType.CONSULTATION:
        paragraphs.append(book.consultation.format_map(values))
    paragraphs += [p.format_map(values) for p in rule.paragraphs]
    flags = _flag_sentences(rule, book)
    if flags:
        paragraphs.append(" ".join(flags).format_map(values))
    if (
        rule.cost_sharing
        and answers.coverage in COST_SHARING_COVERAGE
        and answers.also_medicaid is not AlsoMedicaid.YES
    ):
        paragraphs.append(_cost_sharing(answers, book))

    caveats = [c for c in book.caveats if c.when.matches(answers, network, clinic.offers_omt)]
    return CoverageNote(
        status=rule.status,
        headline=rule.headline.format_map(values),
        paragraphs=paragraphs,
        caveats=[c.text.format_map(values) for c in caveats],
        closing=(rule.closing or book.closing).format_map(values),
        estimate=estimate_lines(
            rule.estimate, answers, clinic, book.estimate, book.part_b_deductible, book.locale
        ),
        network=network,
        rule_ids=[rule.id, *(c.id for c in caveats)],
        rules_version=book.version,
        sources=book.sources_for([rule.id, *(c.id for c in caveats)]),
    )


def _flag_sentences(rule: Rule, book: RuleBook) -> list[str]:
    texts = book.flags
    sentences = []
    if rule.referral != "no":
        sentences.append(texts[f"referral_{rule.referral}"])
    if rule.prior_authorization:
        sentences.append(texts["prior_authorization"])
    if rule.visit_limit:
        sentences.append(texts["visit_limit"])
    return sentences


def _cost_sharing(answers: CoverageAnswers, book: RuleBook) -> str:
    texts, locale = book.cost_sharing, book.locale
    status = answers.deductible_status or DeductibleStatus.NOT_SURE
    sentences = [texts[status.value]]
    if answers.deductible_remaining is not None and status is not DeductibleStatus.MET:
        sentences.append(
            texts["deductible_left"].format(amount=dollars(answers.deductible_remaining, locale))
        )
    if answers.copay is not None:
        sentences.append(texts["copay"].format(amount=dollars(answers.copay, locale)))
    if answers.coinsurance_percent is not None:
        sentences.append(texts["coinsurance"].format(percent=answers.coinsurance_percent))
    return " ".join(sentences)
