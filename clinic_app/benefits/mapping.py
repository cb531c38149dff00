"""From the EB, HSD and MSG segments of a 271 to the chiropractic figures staff need.

Which figure wins when a 271 gives several (it usually does): in-network (or network not stated)
before out-of-network, chiropractic (service type 33) before the plan in general (30), in-network
before "network does not matter" before unstated, and the patient's own figures (IND, EMP, or no
level) before none at all. Family figures (FAM and the other groupings) are never the patient's
own, so they are left out of the money and visit figures.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import pyx12.segment  # type: ignore[import-untyped]

from clinic_app.benefits import codes
from clinic_app.benefits.errors import BenefitsFileError
from clinic_app.benefits.model import EligibilityBenefits, OtherPayer
from clinic_app.benefits.reading import Transaction
from clinic_app.coverage import dollars

MORE_THAN_ONE_PATIENT = (
    "This 271 holds the benefits of more than one person. Paste one patient's response, or ask the "
    "eligibility service for this patient alone."
)
NO_BENEFITS = (
    "This 271 says nothing about the patient's benefits (it has no EB segments). "
    "Ask the eligibility service again."
)
TURNED_DOWN = "The payer turned the question down, so the 271 holds no benefits: {reasons}."
PART_TURNED_DOWN = "The payer turned down part of the question ({services}): {reasons}."
NOT_COVERED_OUT_OF_NETWORK = "The plan does not cover chiropractic out of network (EB*I, service type 33)."
CANNOT_PROCESS = "The payer could not answer for {services} (EB*V): call the plan's provider line."
IMPOSSIBLE_VISITS = (
    "The 271 gives {remaining} visits left of a limit of {limit} a year, which cannot be right, so "
    "no visits left are shown. Call the plan to confirm."
)
IMPOSSIBLE_REMAINING = (
    "The 271 gives {remaining} left of a {total} {figure} for the year, which cannot be right, "
    "so neither is shown as what is left. Call the plan to confirm."
)
PART_A_ONLY = (
    "This Medicare 271 has Part A lines but no active Part B: Medicare pays for chiropractic only "
    "under Part B. Ask the patient about Part B."
)

SUBSCRIBER_LEVEL = "22"
DEPENDENT_LEVEL = "23"
PAYER_LEVEL = "20"
# DTP01 (data element 374) in the 2100C or 2100D loop: the date the patient's plan ends (or ended).
PLAN_END = "347"
# REF01 (data element 128) under an EB: the plan number (18) or the plan network ID (N6).
PLAN_NUMBERS = ("18", "N6")
# NM101 in the 2120 loop of an EB*R: the other payer itself (payer, primary, secondary, tertiary
# payer). CMS HETS names a Medicare Advantage plan as NM1*PRP there; the loop may also name a
# provider (P3, 1P), which is no payer.
_OTHER_PAYER_ENTITIES = frozenset({"PR", "PRP", "SEP", "TTP"})

# Free text on a line that is not about chiropractic matters to the front desk only when it names
# chiropractic or the manipulation itself: a plan's general lines carry pages of network and
# discount-programme text.
_ABOUT_CHIROPRACTIC = re.compile(r"CHIRO|MANIPULAT", re.IGNORECASE)
_NAMES_PART_A = re.compile(r"\bPART\s+A\b", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"\d{1,15}(\.\d{0,6})?|\.\d{1,6}")
# More visits than days in a year is no visit count.
MAX_VISITS = 366
# At most this many notes: the staff page shows what concerns service 33, not the whole 271.
MAX_LIMIT_NOTES = 8
# Payers abbreviate: "PLAN DED WAIVED", "DEDUCT WAIVED", "DED DOES NOT APPLY".
_DED = r"DED(?:UCTIBLES?|UCT|\.)?"
_DEDUCTIBLE_WAIVED = re.compile(
    rf"\b{_DED}\s+(IS\s+|ARE\s+)?WAIVED|\bWAIVE[SD]?\s+(THE\s+)?{_DED}(?!\w)"
    rf"|\b(NOT SUBJECT TO|EXEMPT FROM)\s+(THE\s+)?{_DED}(?!\w)"
    rf"|\b{_DED}\s+(DOES\s+NOT|DOESN'T)\s+APPLY",
    re.IGNORECASE,
)
_NOT_WAIVED = re.compile(r"\b(NOT|NEVER)\s+(BE\s+)?WAIVE|\bNO\s+WAIVER", re.IGNORECASE)
# A waiver for something else ("... FOR PREVENTIVE CARE ONLY", "... IN NETWORK ONLY") is no waiver
# for chiropractic unless it names it: such words leave the question open, and the note its "if".
_SCOPED = re.compile(r"\b(FOR|ONLY|EXCEPT|TO|ON|IN|WHEN|IF|WITH|UNTIL)\b", re.IGNORECASE)
# X279A1 has no element for "this copay is owed before the deductible is met", so payers say it in a
# MSG on the copay or the deductible. The "before" wordings are tried first, since "not subject to
# deductible" also holds "subject to deductible".
_COPAY_BEFORE_DEDUCTIBLE = re.compile(
    rf"(CO-?PAY\w*|COPAYMENT).*\b(BEFORE|PRIOR TO|REGARDLESS OF)\b.*{_DED}(?!\w)", re.IGNORECASE
)
_COPAY_AFTER_DEDUCTIBLE = re.compile(
    rf"\bAFTER\s+(THE\s+)?{_DED}(?!\w)|SUBJECT TO\s+(THE\s+)?{_DED}(?!\w)|{_DED}\s+(APPLIES|FIRST)"
    rf"|ONCE\s+(THE\s+)?{_DED}(?!\w)",
    re.IGNORECASE,
)


@dataclass
class _Benefit:
    """One EB segment and the HSD and MSG segments that follow it (its 2110C or 2110D loop)."""

    level: str
    hl_id: str
    information: str
    coverage_level: str
    service_types: tuple[str, ...]
    insurance_type: str
    plan_description: str
    period: str
    amount: Decimal | None
    percent: Decimal | None
    quantity_qualifier: str
    quantity: Decimal | None
    authorization: str
    network: str
    deliveries: list[tuple[str, Decimal | None, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    # AAA segments under this EB (its 2110C or 2110D loop): part of the question turned down.
    rejections: list[tuple[str, str]] = field(default_factory=list)
    # The plan number (REF*18, or REF*N6 on the plan's own line): for an EB*R in HETS, a Medicare
    # Advantage contract and plan. For an EB*R only: the other payer's name (its 2120 loop) and its
    # dates (a DTP).
    plan_number: str | None = None
    related_payer: str | None = None
    started: datetime.date | None = None
    ended: datetime.date | None = None

    def service_rank(self) -> int | None:
        ranks = [
            rank
            for rank, service in enumerate((codes.CHIROPRACTIC, codes.HEALTH_BENEFIT_PLAN_COVERAGE))
            if service in self.service_types
        ]
        return min(ranks) if ranks else None

    def rank(self, *, any_coverage_level: bool = False) -> tuple[int, ...] | None:
        """Smaller is better; None for figures that are not the patient's chiropractic ones."""
        service = self.service_rank()
        if service is None:
            return None
        if self.coverage_level in codes.INDIVIDUAL_LEVELS:
            level = codes.INDIVIDUAL_LEVELS.index(self.coverage_level)
        elif any_coverage_level:
            level = len(codes.INDIVIDUAL_LEVELS)
        else:
            return None
        network = {"Y": 0, "W": 1, "": 2}.get(self.network, 3)
        return (network // 3, service, network, level)

    def answered_service_types(self) -> set[str]:
        return {codes.CHIROPRACTIC, codes.HEALTH_BENEFIT_PLAN_COVERAGE} & set(self.service_types)


@dataclass
class _Person:
    last_name: str | None = None
    birth_date: datetime.date | None = None
    plan_end: datetime.date | None = None


@dataclass
class _Reading:
    checked_on: datetime.date | None = None
    payer_name: str | None = None
    people: dict[str, _Person] = field(default_factory=dict)
    benefits: list[_Benefit] = field(default_factory=list)
    # AAA segments outside any EB (payer, receiver, subscriber or dependent loops), by level (HL03):
    # AAA03 and AAA04.
    rejections: list[tuple[str, str, str]] = field(default_factory=list)
    # The HL03 of every level, in order: a dependent's level (23) says the question was about them.
    levels: list[str] = field(default_factory=list)


def map_benefits(transaction: Transaction) -> EligibilityBenefits:
    reading = _read_loops(transaction)
    # A dependent's 271 carries the subscriber too; the question, and the benefits, are the
    # dependent's, even when the payer found only the subscriber.
    level = DEPENDENT_LEVEL if DEPENDENT_LEVEL in reading.levels else SUBSCRIBER_LEVEL
    benefits = [b for b in reading.benefits if b.level == level]
    if len({b.hl_id for b in benefits}) > 1 or reading.levels.count(level) > 1:
        raise BenefitsFileError(MORE_THAN_ONE_PATIENT, f"{reading.levels.count(level)} levels {level}")
    # Turned down for the payer, the clinic or this patient: whatever else it holds, the answer is
    # the reason. Turned down for the subscriber of a dependent's question: said beside the figures.
    turned_down = [
        (code, follow_up) for at, code, follow_up in reading.rejections if at != _other_person(level)
    ]
    if turned_down or not any(b.information in codes.INFORMATIVE_CODES for b in benefits):
        _refuse_answer_without_benefits(turned_down)
    replies: list[str] = []
    if reading.rejections:
        others = [(code, follow_up) for _at, code, follow_up in reading.rejections]
        replies.append(PART_TURNED_DOWN.format(services="the subscriber", reasons=_reasons(others)))
    return _figures(
        _medicare_part_b(benefits, replies), reading, reading.people.get(level, _Person()), replies
    )


def _other_person(level: str) -> str:
    return SUBSCRIBER_LEVEL if level == DEPENDENT_LEVEL else DEPENDENT_LEVEL


def _medicare_part_b(benefits: list[_Benefit], replies: list[str]) -> list[_Benefit]:
    """Medicare's own 271 (CMS HETS) gives Part A and Part B lines side by side. Chiropractic
    manipulation is a Part B service: the Part A lines (EB04 MA: the inpatient deductible, skilled
    nursing copays) are never the patient's chiropractic figures, nor a line of another kind that
    names Part A (a QMB line, EB04 QM, "Medicare Part A"). Other payers (EB*R) are kept, as named."""
    parts = {b.insurance_type for b in benefits if b.information != codes.OTHER_PAYER}
    if not parts & {codes.MEDICARE_PART_A, codes.MEDICARE_PART_B}:
        return benefits
    part_b = [
        b
        for b in benefits
        if b.information == codes.OTHER_PAYER
        or (b.insurance_type != codes.MEDICARE_PART_A and not _NAMES_PART_A.search(b.plan_description))
    ]
    if not any(
        b.insurance_type == codes.MEDICARE_PART_B and b.information in codes.ACTIVE_CODES for b in part_b
    ):
        replies.append(PART_A_ONLY)
    return part_b


def _read_loops(transaction: Transaction) -> _Reading:
    reading = _Reading()
    hl_level = hl_id = ""
    benefit: _Benefit | None = None
    in_related_entity = False
    for segment in transaction.segments:
        seg_id = segment.get_seg_id()
        # LS/LE wrap the 2120 loop: another payer or a primary care provider named for a benefit.
        # Its NM1 is not the payer of this 271 nor the patient.
        if seg_id == "LS":
            in_related_entity = True
        elif seg_id == "LE":
            in_related_entity = False
        elif in_related_entity:
            # Except the name of the other payer an EB*R speaks of, which is kept as that payer's.
            if seg_id == "NM1" and benefit is not None and benefit.information == codes.OTHER_PAYER:
                if _value(segment, "NM101") in _OTHER_PAYER_ENTITIES and benefit.related_payer is None:
                    benefit.related_payer = _value(segment, "NM103") or None
            continue
        elif seg_id == "REF" and benefit is not None:
            if _value(segment, "REF01") in PLAN_NUMBERS and benefit.plan_number is None:
                benefit.plan_number = _value(segment, "REF02") or None
        elif seg_id == "BHT":
            reading.checked_on = _date(_value(segment, "BHT04"))
        elif seg_id == "HL":
            hl_level, hl_id, benefit = _value(segment, "HL03"), _value(segment, "HL01"), None
            reading.levels.append(hl_level)
        elif seg_id == "NM1":
            benefit = None
            _read_name(segment, hl_level, reading)
        elif seg_id == "DMG" and benefit is None and _value(segment, "DMG01") == "D8":
            reading.people.setdefault(hl_level, _Person()).birth_date = _date(_value(segment, "DMG02"))
        elif seg_id == "DTP" and benefit is None and _value(segment, "DTP01") == PLAN_END:
            reading.people.setdefault(hl_level, _Person()).plan_end = _date_or_end(
                _value(segment, "DTP02"), _value(segment, "DTP03")
            )
        elif seg_id == "DTP" and benefit is not None and benefit.information == codes.OTHER_PAYER:
            # The other payer's dates (DTP*290 in HETS): a day it started, a range, or a plan end date.
            qualifier, text = _value(segment, "DTP02"), _value(segment, "DTP03")
            if _value(segment, "DTP01") == PLAN_END:
                benefit.ended = _date_or_end(qualifier, text) or benefit.ended
            elif qualifier == "RD8":
                benefit.started = _date(text.partition("-")[0]) or benefit.started
                benefit.ended = _date_or_end(qualifier, text) or benefit.ended
            elif qualifier == "D8":
                benefit.started = _date(text) or benefit.started
        elif seg_id == "AAA" and benefit is None:
            reading.rejections.append((hl_level, _value(segment, "AAA03"), _value(segment, "AAA04")))
        elif seg_id == "AAA" and benefit is not None:
            benefit.rejections.append((_value(segment, "AAA03"), _value(segment, "AAA04")))
        elif seg_id == "EB":
            benefit = _benefit(segment, hl_level, hl_id, transaction.repetition_separator)
            reading.benefits.append(benefit)
        elif seg_id == "HSD" and benefit is not None:
            benefit.deliveries.append(
                (_value(segment, "HSD01"), _number(_value(segment, "HSD02")), _value(segment, "HSD05"))
            )
        elif seg_id == "MSG" and benefit is not None and _value(segment, "MSG01"):
            benefit.messages.append(_value(segment, "MSG01"))
    return reading


def _read_name(segment: pyx12.segment.Segment, hl_level: str, reading: _Reading) -> None:
    entity = _value(segment, "NM101")
    if hl_level == PAYER_LEVEL and entity == "PR" and reading.payer_name is None:
        reading.payer_name = _value(segment, "NM103") or None
    elif (hl_level, entity) in ((SUBSCRIBER_LEVEL, "IL"), (DEPENDENT_LEVEL, "03")):
        reading.people.setdefault(hl_level, _Person()).last_name = _value(segment, "NM103") or None


def _benefit(
    segment: pyx12.segment.Segment, hl_level: str, hl_id: str, repetition_separator: str
) -> _Benefit:
    # pyx12's Segment does not split repeated values (EB03 30^33^AL); ISA11 says what separates them.
    service_list = _value(segment, "EB03")
    parts = service_list.split(repetition_separator) if repetition_separator else [service_list]
    services = tuple(s for s in parts if s)
    return _Benefit(
        level=hl_level,
        hl_id=hl_id,
        information=_value(segment, "EB01"),
        coverage_level=_value(segment, "EB02"),
        # An EB without a service type speaks of the plan as a whole.
        service_types=services or (codes.HEALTH_BENEFIT_PLAN_COVERAGE,),
        insurance_type=_value(segment, "EB04"),
        plan_description=_value(segment, "EB05"),
        period=_value(segment, "EB06"),
        amount=_number(_value(segment, "EB07")),
        percent=_number(_value(segment, "EB08")),
        quantity_qualifier=_value(segment, "EB09"),
        quantity=_number(_value(segment, "EB10")),
        authorization=_value(segment, "EB11"),
        network=_value(segment, "EB12"),
    )


def _refuse_answer_without_benefits(rejections: list[tuple[str, str]]) -> None:
    if not rejections:
        raise BenefitsFileError(NO_BENEFITS)
    detail = "AAA03: " + ", ".join(reason for reason, _follow_up in rejections)
    raise BenefitsFileError(TURNED_DOWN.format(reasons=_reasons(rejections)), detail)


def _reasons(rejections: list[tuple[str, str]]) -> str:
    """Each reason the payer gave (AAA03) in words with its code, then what staff should do, once
    each, and what the payer says about asking again (AAA04)."""
    reasons = [codes.reject_reason(code) for code, _follow_up in dict.fromkeys(rejections)]
    words = "; ".join(f"{reason.words} (reason {reason.code})" for reason in reasons)
    actions = list(dict.fromkeys(reason.action for reason in reasons))
    follow_ups = [w for _code, f in rejections if (w := codes.follow_up_words(f))]
    return " ".join([words + ".", *actions, *dict.fromkeys(follow_ups)]).rstrip(".")


class _Chooser:
    """Picks the best-ranked benefit for each figure and remembers which service types answered."""

    def __init__(self, benefits: list[_Benefit], replies: list[str]) -> None:
        self.benefits = benefits
        self.used: list[_Benefit] = []
        self.replies = replies

    def best(
        self, wanted: Callable[[_Benefit], bool], *, any_coverage_level: bool = False
    ) -> _Benefit | None:
        ranked = [
            (rank, index, b)
            for index, b in enumerate(self.benefits)
            if wanted(b) and (rank := b.rank(any_coverage_level=any_coverage_level)) is not None
        ]
        if not ranked:
            return None
        chosen = min(ranked, key=lambda item: (item[0], item[1]))[2]
        self.used.append(chosen)
        return chosen

    def line(self, information: str, periods: Iterable[str], like: _Benefit | None = None) -> _Benefit | None:
        """The line giving an amount for the first of ``periods`` that the 271 gives one for; ``like``
        asks for a line of the same network and service type as that one (a total's "left")."""
        for period in periods:
            chosen = self.best(_gives_amount(information, period, like))
            if chosen is not None:
                return chosen
        return None

    def amount(
        self, information: str, periods: Iterable[str], like: _Benefit | None = None
    ) -> Decimal | None:
        chosen = self.line(information, periods, like)
        return chosen.amount if chosen is not None else None

    def remaining(self, information: str, total_line: _Benefit | None, figure: str) -> Decimal | None:
        """What is left of the year's total, from a line of the total's own network and service type
        (an out-of-network "left" is not what is left of an in-network total)."""
        total = total_line.amount if total_line is not None else None
        remaining = self.amount(information, codes.REMAINING_PERIODS, total_line)
        if remaining is not None and total is not None and remaining > total:
            # More left than the year's total is a misread line (another part's, another period's).
            self.replies.append(
                IMPOSSIBLE_REMAINING.format(remaining=dollars(remaining), total=dollars(total), figure=figure)
            )
            return None
        if remaining is None and total is not None:
            met = self.amount(information, [codes.YEAR_TO_DATE], total_line)
            if met is not None:
                remaining = max(total - met, Decimal(0))
        return remaining


def _gives_amount(information: str, period: str, like: _Benefit | None) -> Callable[[_Benefit], bool]:
    def gives(benefit: _Benefit) -> bool:
        same_kind = like is None or (
            benefit.network == like.network and benefit.service_rank() == like.service_rank()
        )
        return (
            benefit.information == information
            and benefit.period == period
            and benefit.amount is not None
            and same_kind
        )

    return gives


def _figures(
    benefits: list[_Benefit], reading: _Reading, patient: _Person, replies: list[str]
) -> EligibilityBenefits:
    not_covered = _chiropractic_not_covered(benefits, replies)
    _part_turned_down(benefits, replies)
    chooser = _Chooser(benefits, replies)
    deductible_line = chooser.line(codes.DEDUCTIBLE, codes.YEARLY_PERIODS)
    deductible_year = deductible_line.amount if deductible_line is not None else None
    deductible_remaining = chooser.remaining(codes.DEDUCTIBLE, deductible_line, "deductible")
    if deductible_remaining is None and deductible_year == 0:
        deductible_remaining = Decimal(0)
    out_of_pocket_line = _quietly(chooser, lambda: chooser.line(codes.OUT_OF_POCKET, codes.YEARLY_PERIODS))
    out_of_pocket_remaining = chooser.remaining(
        codes.OUT_OF_POCKET, out_of_pocket_line, "out-of-pocket maximum"
    )
    copay_benefit = chooser.best(lambda b: b.information == codes.COPAYMENT and b.amount is not None)
    coinsurance = chooser.best(lambda b: b.information == codes.COINSURANCE and b.percent is not None)
    authorization = chooser.best(lambda b: b.authorization in ("Y", "N"), any_coverage_level=True)
    visit_limit, visits_used, visits_remaining = _visits(chooser, replies)
    in_network = _in_network(chooser.used)
    insurance_type = _coverage(benefits, chooser, lambda b: b.insurance_type)
    plan_name = _coverage(benefits, chooser, lambda b: b.plan_description)
    plan_number = _coverage(benefits, chooser, lambda b: b.plan_number or "")
    copay = copay_benefit.amount if copay_benefit else None
    waived = _deductible_waived(benefits)
    return EligibilityBenefits(
        active=_active(benefits),
        chiropractic_not_covered=not_covered,
        insurance_type=insurance_type,
        insurance_type_label=codes.INSURANCE_TYPE_LABELS.get(insurance_type or ""),
        plan_name=plan_name or reading.payer_name,
        plan_number=plan_number,
        payer_name=reading.payer_name,
        service_types=_service_types(chooser.used),
        in_network=in_network,
        deductible_year=deductible_year,
        deductible_remaining=deductible_remaining,
        copay=copay,
        copay_before_deductible=_copay_before_deductible(copay_benefit, benefits, deductible_year, waived),
        deductible_waived=waived,
        coinsurance_percent=_percent(coinsurance.percent)
        if coinsurance and coinsurance.percent is not None
        else None,
        out_of_pocket_remaining=out_of_pocket_remaining,
        visit_limit=visit_limit,
        visits_used=visits_used,
        visits_remaining=visits_remaining,
        prior_authorization={"Y": True, "N": False}[authorization.authorization] if authorization else None,
        limit_notes=_limit_notes(benefits),
        payer_replies=tuple(dict.fromkeys(replies)),
        checked_on=reading.checked_on,
        coverage_ended=patient.plan_end,
        other_payers=_other_payers(benefits),
        subscriber_last_name=patient.last_name,
        subscriber_birth_date=patient.birth_date,
    )


def _quietly(chooser: _Chooser, pick: Callable[[], _Benefit | None]) -> _Benefit | None:
    """A figure needed only to work out another: the benefit it came from does not count as used."""
    used = list(chooser.used)
    value = pick()
    chooser.used = used
    return value


def _active(benefits: list[_Benefit]) -> bool | None:
    if any(b.information in codes.ACTIVE_CODES for b in benefits):
        return True
    if any(b.information in codes.INACTIVE_CODES for b in benefits):
        return False
    return None


def _coverage(benefits: list[_Benefit], chooser: _Chooser, wanted: Callable[[_Benefit], str]) -> str | None:
    """A value (EB04, EB05) of the EB that states coverage, active or not, for 33 or else 30."""
    states_coverage = codes.ACTIVE_CODES | codes.INACTIVE_CODES
    chosen = chooser.best(
        lambda b: b.information in states_coverage and bool(wanted(b)), any_coverage_level=True
    )
    if chosen is None:
        # EB*R names another payer (a Medigap plan, say): its EB04 and EB05 are that payer's.
        # A line of another service type that states coverage, else a cost-sharing line (the TR3's
        # example gives HM only on its copays). A limitation's EB05 ("Physical and Speech Therapy")
        # names that limit, not the plan, and an EB*R's are another payer's.
        chosen = next(
            (
                b
                for kinds in (states_coverage, _COST_SHARING)
                for b in benefits
                if wanted(b) and b.information in kinds
            ),
            None,
        )
    return wanted(chosen) or None if chosen else None


_COST_SHARING = frozenset({codes.COINSURANCE, codes.COPAYMENT, codes.DEDUCTIBLE, codes.OUT_OF_POCKET})


def _other_payers(benefits: list[_Benefit]) -> tuple[OtherPayer, ...]:
    """What the EB*R lines say of other payers, each once. The figures never come from them."""
    payers = (
        OtherPayer(
            insurance_type=benefit.insurance_type or None,
            insurance_type_label=codes.INSURANCE_TYPE_LABELS.get(benefit.insurance_type),
            plan_name=benefit.plan_description or None,
            payer_name=benefit.related_payer,
            ended=benefit.ended,
            plan_number=benefit.plan_number,
            medicare_advantage=codes.names_medicare_advantage(
                benefit.insurance_type, benefit.plan_number or "", benefit.service_types
            ),
            started=benefit.started,
        )
        for benefit in benefits
        if benefit.information == codes.OTHER_PAYER
    )
    return tuple(dict.fromkeys(payers))


def _visits(chooser: _Chooser, replies: list[str]) -> tuple[int | None, int | None, int | None]:
    """Visits from EB09/EB10 (VS visits, 99 used) and from HSD (HSD01 VS), with their period saying
    whether a count is the year's limit, the visits used (year to date) or the visits remaining. A
    count per day, week or month ("1 visit per day") is no limit of the year's."""
    facts: dict[str, int] = {}
    for kind in ("limit", "used", "remaining"):
        chosen = chooser.best(functools.partial(_counts_visits, kind=kind))
        if chosen is not None:
            facts[kind] = _visit_count(chosen, kind) or 0
    limit, used, remaining = facts.get("limit"), facts.get("used"), facts.get("remaining")
    if limit is not None and remaining is not None and remaining > limit:
        replies.append(IMPOSSIBLE_VISITS.format(remaining=remaining, limit=limit))
        remaining = None
    if remaining is None and limit is not None and used is not None:
        remaining = max(limit - used, 0)
    if used is None and limit is not None and remaining is not None:
        used = max(limit - remaining, 0)
    return limit, used, remaining


def _visit_count(benefit: _Benefit, kind: str) -> int | None:
    if benefit.information != codes.LIMITATIONS:
        return None
    counts: list[tuple[str, Decimal | None]] = []
    if benefit.quantity_qualifier == codes.QUANTITY_USED:
        counts.append(("used", benefit.quantity))
    elif benefit.quantity_qualifier == codes.VISITS:
        counts.append((_visit_kind(benefit.period), benefit.quantity))
    for qualifier, quantity, period in benefit.deliveries:
        if qualifier == codes.VISITS:
            counts.append((_visit_kind(period or benefit.period), quantity))
    return next(
        (
            int(quantity)
            for found, quantity in counts
            if found == kind and quantity is not None and quantity <= MAX_VISITS
        ),
        None,
    )


def _counts_visits(benefit: _Benefit, kind: str) -> bool:
    return _visit_count(benefit, kind) is not None


def _visit_kind(period: str) -> str:
    if period in codes.REMAINING_PERIODS:
        return "remaining"
    if period == codes.YEAR_TO_DATE:
        return "used"
    return "limit" if period in codes.YEARLY_PERIODS else "another period's"


def _copay_before_deductible(
    copay: _Benefit | None, benefits: list[_Benefit], deductible_year: Decimal | None, waived: bool | None
) -> bool | None:
    """True when the copay is owed from the first visit, the deductible not met: a MSG says so
    ("copay applies before deductible", "deductible waived", "not subject to deductible"), or the
    plan's deductible is $0. False when a MSG says the deductible comes first. None otherwise, and
    for no copay or a $0 copay, where the question does not arise."""
    if copay is None or not copay.amount:
        return None
    if waived:
        return True
    related = [
        b
        for b in benefits
        if b.information in (codes.COPAYMENT, codes.DEDUCTIBLE)
        and b.network != "N"
        and b.rank(any_coverage_level=True) is not None
    ]
    for message in copay.messages + [m for b in related if b is not copay for m in b.messages]:
        if _COPAY_BEFORE_DEDUCTIBLE.search(message) or _says_deductible_waived(message):
            return True
        if _COPAY_AFTER_DEDUCTIBLE.search(message):
            return False
    if deductible_year == 0:
        return True
    return None


def _chiropractic_lines(benefits: list[_Benefit]) -> list[_Benefit]:
    """The lines about chiropractic (service type 33) that are the patient's own and not only for
    out-of-network care."""
    return [
        b
        for b in benefits
        if codes.CHIROPRACTIC in b.service_types
        and b.network != "N"
        and b.rank(any_coverage_level=True) is not None
    ]


def _deductible_waived(benefits: list[_Benefit]) -> bool | None:
    """True when the words (MSG) of any chiropractic line, whatever its EB01, say the deductible is
    waived or does not apply (Aetna: "MANIPULATION BY CHIROPRACTOR/PLAN DED WAIVED" under an EB*F)."""
    messages = [m for b in _chiropractic_lines(benefits) for m in b.messages]
    return True if any(_says_deductible_waived(m) for m in messages) else None


def _says_deductible_waived(message: str) -> bool:
    """Whether the payer's words waive the deductible, for chiropractic or for all it is said of: not
    "PLAN DOES NOT WAIVE DEDUCTIBLE", not "DEDUCTIBLE WAIVED FOR PREVENTIVE CARE ONLY"."""
    found = _DEDUCTIBLE_WAIVED.search(message)
    if found is None or _NOT_WAIVED.search(message):
        return False
    before, after = message[: found.start()], message[found.end() :]
    scoped = _SCOPED.search(after) or re.search(r"\bFOR\b", before, re.IGNORECASE)
    return not scoped or bool(_ABOUT_CHIROPRACTIC.search(after) or _ABOUT_CHIROPRACTIC.search(before))


def _chiropractic_not_covered(benefits: list[_Benefit], replies: list[str]) -> bool | None:
    """True when the plan says chiropractic is not covered (EB*I for 33), in network or whatever the
    network; a "not covered" only out of network, and a "cannot process", are said in words."""
    chiropractic = [b for b in benefits if codes.CHIROPRACTIC in b.service_types]
    not_covered = [b for b in chiropractic if b.information in codes.NOT_COVERED_CODES]
    cannot = [b for b in _chiropractic_lines(benefits) if b.information in codes.CANNOT_PROCESS_CODES]
    if cannot:
        replies.append(CANNOT_PROCESS.format(services=_service_words(codes.CHIROPRACTIC)))
    if any(b.network != "N" for b in not_covered):
        return True
    if not_covered:
        replies.append(NOT_COVERED_OUT_OF_NETWORK)
    return None


def _part_turned_down(benefits: list[_Benefit], replies: list[str]) -> None:
    """AAA under an EB: the payer turned down the question for those service types."""
    for benefit in benefits:
        if benefit.rejections:
            services = ", ".join(_service_words(s) for s in benefit.service_types)
            replies.append(PART_TURNED_DOWN.format(services=services, reasons=_reasons(benefit.rejections)))


def _service_words(code: str) -> str:
    words = codes.SERVICE_TYPE_WORDS.get(code)
    return f"{words.lower()} ({code})" if words else f"service type {code}"


def _limit_notes(benefits: list[_Benefit]) -> tuple[str, ...]:
    """The payer's words (MSG) on chiropractic lines, then any other line's that name chiropractic
    or manipulation; each once, at most MAX_LIMIT_NOTES."""
    chiropractic = _chiropractic_lines(benefits)
    about_chiropractic = {id(b) for b in chiropractic}
    messages = [m for b in chiropractic for m in b.messages]
    messages += [
        m
        for b in benefits
        if id(b) not in about_chiropractic
        for m in b.messages
        if _ABOUT_CHIROPRACTIC.search(m)
    ]
    return tuple(dict.fromkeys(messages))[:MAX_LIMIT_NOTES]


def _service_types(used: list[_Benefit]) -> tuple[str, ...]:
    answered = set().union(*(b.answered_service_types() for b in used)) if used else set()
    return tuple(s for s in (codes.CHIROPRACTIC, codes.HEALTH_BENEFIT_PLAN_COVERAGE) if s in answered)


def _in_network(used: list[_Benefit]) -> bool | None:
    """Whether the figures shown are in-network ones: out-of-network ones are shown only when the
    271 gave no others, and staff must know that they are."""
    networks = {b.network for b in used}
    if "Y" in networks:
        return True
    if "N" in networks:
        return False
    return None


def _percent(fraction: Decimal) -> int | None:
    # X12 sends a percent as a fraction (.2 for 20%); some payers send 20 anyway. Above 100 is none.
    percent = int((fraction * 100 if fraction <= 1 else fraction).to_integral_value())
    return percent if percent <= 100 else None


def _value(segment: pyx12.segment.Segment, ref_des: str) -> str:
    return (segment.get_value(ref_des) or "").strip()


def _number(text: str) -> Decimal | None:
    """An amount, percent or count as X12 writes one (a decimal number, at most 15 digits before the
    point), never below zero: "1E+30", "-25" or "NaN" are no figure a patient could be told."""
    if not _PLAIN_NUMBER.fullmatch(text):
        return None
    return Decimal(text)


def _date_or_end(qualifier: str, text: str) -> datetime.date | None:
    """A DTP date: D8 is one day (CCYYMMDD), RD8 a range (CCYYMMDD-CCYYMMDD) whose end is wanted."""
    if qualifier == "RD8":
        return _date(text.rpartition("-")[2])
    return _date(text) if qualifier == "D8" else None


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None
