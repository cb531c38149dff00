"""What a visitor might pay, worked out from the clinic's prices and the visitor's own answers.

Figures are shown only where the answers support them: when the deductible left is not known, a range
is shown between "already met" and "not met at all" (for Medicare the yearly Part B deductible bounds
it); when the visitor's share after the deductible is not known, no course total is shown at all.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import lru_cache

from babel import Locale
from babel.numbers import NumberPattern, format_decimal

from clinic_app.choices import AlsoMedicaid, Coverage, DeductibleStatus
from clinic_app.coverage.answers import ClinicFacts, CoverageAnswers

# The course total comes from the clinic's own plan of care (ClinicFacts.plan_of_care_visits), not from
# a study: in the trial behind manipulation for neck-related headache (Haas et al., Spine J 2018) every
# arm had 18 visits over six weeks, of which 0, 6, 12 or 18 were manipulation.
MEDICARE_SHARE_PERCENT = 20
HUNDRED = Decimal(100)


class EstimateKind(StrEnum):
    PLAN = "plan"
    MEDICARE = "medicare"
    SELF_PAY = "self_pay"
    FREE = "free"
    NONE = "none"


@dataclass(frozen=True)
class Amount:
    """A cost that is known exactly (low == high) or known to lie between two figures."""

    low: Decimal
    high: Decimal

    @property
    def exact(self) -> bool:
        return self.low == self.high

    def plus(self, amount: Decimal) -> Amount:
        return Amount(self.low + amount, self.high + amount)


@dataclass(frozen=True)
class CostSharing:
    allowed: Decimal
    deductible_left: Decimal | None
    deductible_most: Decimal | None
    copay: Decimal | None
    percent: int | None
    # What the plan prices the new-patient exam at, added to the first visit (zero when it does not pay).
    covered_exam: Decimal = Decimal(0)
    copay_before_deductible: bool | None = None
    out_of_pocket_left: Decimal | None = None

    @property
    def share_known(self) -> bool:
        return self.copay is not None or self.percent is not None

    @property
    def copay_only(self) -> bool:
        """A copay the payer says applies before the deductible: the deductible then costs nothing here."""
        return self.copay is not None and self.copay_before_deductible is True

    def share_of(self, amount: Decimal) -> Decimal:
        """What the visitor pays of an amount past the deductible."""
        if self.copay is not None:
            return min(self.copay, amount)
        assert self.percent is not None
        return amount * self.percent / HUNDRED

    def visits_cost(self, visits: int, deductible_left: Decimal) -> Decimal:
        total = Decimal(0)
        left = Decimal(0) if self.copay_only else deductible_left
        for visit in range(visits):
            price = self.allowed + (self.covered_exam if visit == 0 else 0)
            toward_deductible = min(price, left)
            left -= toward_deductible
            total += toward_deductible + self.share_of(price - toward_deductible)
        if self.out_of_pocket_left is not None:
            return min(total, self.out_of_pocket_left)
        return total

    def cost(self, visits: int) -> Amount | None:
        priced = self.allowed * visits + self.covered_exam
        if not self.share_known:
            if self.deductible_left is not None and self.deductible_left >= priced:
                return Amount(priced, priced)
            return None
        if self.deductible_left is not None or self.copay_only:
            exact = self.visits_cost(visits, self.deductible_left or Decimal(0))
            return Amount(exact, exact)
        most = self.deductible_most if self.deductible_most is not None else priced
        return Amount(self.visits_cost(visits, Decimal(0)), self.visits_cost(visits, most))


def cost_sharing(
    kind: EstimateKind, answers: CoverageAnswers, clinic: ClinicFacts, part_b_deductible: Decimal
) -> CostSharing:
    status = answers.deductible_status or DeductibleStatus.NOT_SURE
    if status is DeductibleStatus.MET:
        left: Decimal | None = Decimal(0)
    else:
        left = answers.deductible_remaining
    if kind is EstimateKind.MEDICARE:
        # Medicare does not pay for a chiropractor's exam: the visitor pays it on top (see estimate_lines).
        return CostSharing(
            allowed=clinic.medicare_allowed_amount,
            deductible_left=None if left is None else min(left, part_b_deductible),
            deductible_most=part_b_deductible,
            copay=None,
            percent=MEDICARE_SHARE_PERCENT,
        )
    return CostSharing(
        allowed=clinic.plan_allowed_amount,
        deductible_left=left,
        deductible_most=None,
        copay=answers.copay,
        percent=None if answers.copay is not None else answers.coinsurance_percent,
        covered_exam=clinic.new_patient_exam_fee,
        copay_before_deductible=answers.copay_before_deductible,
        out_of_pocket_left=answers.out_of_pocket_remaining,
    )


def estimate_lines(
    kind: EstimateKind,
    answers: CoverageAnswers,
    clinic: ClinicFacts,
    texts: Mapping[str, str],
    part_b_deductible: Decimal,
    locale: str = "en_US",
) -> list[str]:
    """The estimate as sentences: how the cost is worked out, then the figures, then the caveat.

    Amounts are written for ``locale`` (a Babel locale name such as "en_US" or "es_US")."""
    if kind is EstimateKind.NONE:
        return [texts["none"]]
    if kind is EstimateKind.FREE:
        return [texts["free"]]
    if kind is EstimateKind.SELF_PAY:
        return _self_pay(clinic, texts, locale)
    medicare = kind is EstimateKind.MEDICARE
    exam = clinic.new_patient_exam_fee
    if answers.also_medicaid is AlsoMedicaid.YES:
        # Medicaid's protection covers Medicare's cost sharing; a chiropractor's exam Medicare does not pay.
        lines = [texts["medicaid_too"]]
        if medicare and exam:
            lines.append(texts["medicaid_too_exam"].format(exam_fee=dollars(exam, locale)))
        return lines
    visits_left = answers.visits_left
    if visits_left == 0:
        fee = dollars(clinic.self_pay_visit_fee, locale)
        return [texts["no_visits_left"].format(fee=fee), texts["disclaimer"]]
    # Original Medicare does not pay a chiropractor's exam, so neither need a Medicare Advantage plan:
    # the visitor pays the whole fee. A private plan's visitor pays it through the first visit.
    advantage = answers.coverage is Coverage.MEDICARE_ADVANTAGE
    exam_paid_in_full = exam if medicare or advantage else Decimal(0)
    sharing = cost_sharing(kind, answers, clinic, part_b_deductible)
    if advantage:
        sharing = replace(sharing, covered_exam=Decimal(0))
    lines = [_how_it_works(sharing, texts, locale)]
    first = sharing.cost(1)
    if first is not None:
        lines.append(_figure(texts, locale, "first_visit", first.plus(exam_paid_in_full), visit=True))
    if exam_paid_in_full:
        key = "advantage_exam" if advantage else "medicare_exam"
        lines.append(texts[key].format(exam_fee=dollars(exam, locale)))
    plan_of_care = clinic.plan_of_care_visits
    # A limit without the visits used still caps what the plan pays for.
    plan_pays = visits_left if visits_left is not None else answers.visit_limit
    covered = plan_of_care if plan_pays is None else min(plan_of_care, plan_pays)
    course = sharing.cost(covered)
    if course is not None:
        past_limit = (plan_of_care - covered) * clinic.self_pay_visit_fee
        total = course.plus(exam_paid_in_full + past_limit)
        lines.append(_figure(texts, locale, "course", total, visits=plan_of_care))
        if past_limit:
            fee = dollars(clinic.self_pay_visit_fee, locale)
            lines.append(texts["past_visit_limit"].format(visits_over=plan_of_care - covered, fee=fee))
    # Also after the plan's own answer (a 271): it seldom says whether the copay comes before the
    # deductible, and a note that drops the "if" tells a price the plan never gave.
    copay_unclear = sharing.copay is not None and sharing.copay_before_deductible is None
    if copay_unclear and sharing.deductible_left != 0:
        lines.append(texts["copay_may_skip_deductible"])
    lines.append(texts["disclaimer"])
    return lines


def _how_it_works(sharing: CostSharing, texts: Mapping[str, str], locale: str) -> str:
    if sharing.copay is not None:
        share = texts["share_copay"].format(copay=dollars(sharing.copay, locale))
    elif sharing.percent is not None:
        share = texts["share_percent"].format(
            percent=sharing.percent,
            amount=dollars(_nearest_dollar(sharing.share_of(sharing.allowed)), locale),
        )
    else:
        share = None
    if sharing.copay_only:
        assert sharing.copay is not None
        return texts["copay_only"].format(copay=dollars(sharing.copay, locale))
    then_key = "then_share"
    if sharing.deductible_left == 0:
        start, then_key = texts["deductible_met"], "then_share_met"
    elif sharing.deductible_left is not None:
        start = texts["deductible_first"].format(deductible=dollars(sharing.deductible_left, locale))
    else:
        start = texts["deductible_unknown"].format(allowed=dollars(sharing.allowed, locale))
    then = texts[then_key].format(share=share) if share else texts["share_unknown"]
    return f"{start} {then}"


def _figure(texts: Mapping[str, str], locale: str, key: str, amount: Amount, **values: object) -> str:
    round_to = _nearest_dollar if values.get("visit") else _nearest_five
    if amount.exact:
        return texts[key].format(amount=dollars(round_to(amount.low), locale), **values)
    return texts[f"{key}_range"].format(
        low=dollars(round_to(amount.low), locale), high=dollars(round_to(amount.high), locale), **values
    )


def _self_pay(clinic: ClinicFacts, texts: Mapping[str, str], locale: str) -> list[str]:
    lines = [texts["self_pay_visit"].format(fee=dollars(clinic.self_pay_visit_fee, locale))]
    exam = clinic.new_patient_exam_fee
    if exam:
        lines.append(texts["self_pay_exam"].format(fee=dollars(exam, locale)))
    package = clinic.self_pay_package_visits
    if package:
        lines.append(
            texts["self_pay_package"].format(
                visits=package, price=dollars(clinic.self_pay_package_price, locale)
            )
        )
    visits = clinic.plan_of_care_visits
    packages, single = divmod(visits, package) if package else (0, visits)
    total = exam + packages * clinic.self_pay_package_price + single * clinic.self_pay_visit_fee
    lines.append(texts["self_pay_course"].format(visits=visits, amount=dollars(total, locale)))
    lines.append(texts["good_faith_estimate"])
    return lines


def _nearest_dollar(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def _nearest_five(amount: Decimal) -> Decimal:
    return (amount / 5).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 5


def dollars(amount: Decimal, locale: str = "en_US") -> str:
    """Whole dollars where there are no cents ($40, $1,240), cents otherwise ($42.50), written for the
    locale by Babel."""
    cents, whole = _cents(amount)
    pattern = _currency_pattern(locale, whole)
    return pattern.apply(cents, Locale.parse(locale), currency="USD", currency_digits=False)


def plain_dollars(amount: Decimal, locale: str = "en_US") -> str:
    """The figure of ``dollars`` without the currency sign (for texts that write "$" themselves)."""
    cents, whole = _cents(amount)
    return format_decimal(cents, format="#,##0" if whole else "#,##0.00", locale=locale)


def _cents(amount: Decimal) -> tuple[Decimal, bool]:
    cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return cents, cents == cents.to_integral_value()


@lru_cache(maxsize=16)
def _currency_pattern(locale: str, whole: bool) -> NumberPattern:
    """The locale's own currency pattern; for whole dollars, with no decimals."""
    pattern = Locale.parse(locale).currency_formats["standard"]
    if not whole:
        return pattern
    without_cents = copy.copy(pattern)
    without_cents.frac_prec = (0, 0)
    return without_cents
