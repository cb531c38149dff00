"""Turning a visitor's insurance answers into the coverage note they see."""

from __future__ import annotations

from functools import lru_cache

from clinic_app.choices import AlsoMedicaid, Coverage, Network, VisitType
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
        "visit_limit": answers.visit_limit or rule.visit_limit or "",
        "visits_used": answers.visits_used if answers.visits_used is not None else "",
        "part_b_deductible": plain_dollars(book.part_b_deductible, book.locale),
    }

    paragraphs = []
    if answers.visit_type is VisitType.CONSULTATION:
        paragraphs.append(book.consultation.format_map(values))
    paragraphs += [p.format_map(values) for p in rule.paragraphs]
    flags = _flag_sentences(rule, answers, book)
    if flags:
        paragraphs.append(" ".join(flags).format_map(values))
    if (
        rule.cost_sharing
        and answers.coverage in COST_SHARING_COVERAGE
        and answers.also_medicaid is not AlsoMedicaid.YES
    ):
        paragraphs.append(_cost_sharing(answers, book).format_map(values))

    caveats = [c for c in book.caveats if c.when.matches(answers, network, clinic.offers_omt)]
    return CoverageNote(
        status=rule.status,
        headline=rule.headline.format_map(values),
        paragraphs=paragraphs,
        caveats=[c.text.format_map(values) for c in caveats],
        closing=(book.checked_closing if answers.payer_checked else rule.closing or book.closing).format_map(
            values
        ),
        estimate=estimate_lines(
            rule.estimate, answers, clinic, book.estimate, book.part_b_deductible, book.locale
        ),
        network=network,
        rule_ids=[rule.id, *(c.id for c in caveats)],
        rules_version=book.version,
        sources=book.sources_for([rule.id, *(c.id for c in caveats)]),
    )


def _flag_sentences(rule: Rule, answers: CoverageAnswers, book: RuleBook) -> list[str]:
    texts = book.flags
    sentences = []
    if rule.referral != "no":
        sentences.append(texts[f"referral_{rule.referral}"])
    # The plan's own answer on prior authorization, where it gave one, replaces the rule's "may".
    if answers.prior_authorization:
        sentences.append(texts["payer_prior_authorization"])
    elif answers.prior_authorization is None and rule.prior_authorization:
        sentences.append(texts["prior_authorization"])
    if answers.visit_limit:
        sentences.append(texts["payer_visit_limit" if answers.visits_used is None else "payer_visits_used"])
    elif rule.visit_limit:
        sentences.append(texts["visit_limit"])
    return sentences


def _cost_sharing(answers: CoverageAnswers, book: RuleBook) -> str:
    """What the deductible and the visitor's share mean (Medicare's deductible in its own words), and the
    plan's out-of-pocket figure where its answer gave one. The other figures are the estimate's."""
    texts, locale = book.cost_sharing, book.locale
    medicare = answers.coverage is Coverage.ORIGINAL_MEDICARE
    sentences = [texts["explain_medicare" if medicare else "explain"]]
    if answers.out_of_pocket_remaining is not None and not medicare:
        left = dollars(answers.out_of_pocket_remaining, locale)
        sentences.append(texts["payer_out_of_pocket"].format(amount=left))
    return " ".join(sentences)
