"""read_271 on the ways real payers' 271s differ from the guide's tidy examples (issue 22): Medicare's
Part A lines beside Part B, a Medicare Advantage plan named only by its contract, chiropractic not
covered, a question turned down (AAA), a waiver said in words, separators given twice, and pastes
too large to be one patient's."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from clinic_app.benefits import codes, read_271
from clinic_app.benefits.checked import coverage_from_271, medicare_advantage_plan
from clinic_app.choices import Coverage
from tests.unit.test_benefits_271 import ISA, interchange, refusal, subscriber


def hets(*benefits: str) -> str:
    """Medicare's own 271 (CMS HETS) for one beneficiary, with ``benefits`` after Part A and B."""
    return interchange(
        subscriber(
            "EB*1**30^42^45^48^49^69^76^83^A5^A7^AG^BT^BU^BV*MA",
            "EB*1**30^2^23^24^25^26^27^28^3^33^36^37^38^39^40^42^50^51^52^53^67^69^73^76^83^86^98*MB",
            *benefits,
        )
    )


# Medicare: only Part B is chiropractic's.


def test_medicare_figures_come_from_part_b_lines_only():
    text = hets(
        "EB*C**30*MA**26*1676",
        "EB*C**30*MA**29*1216",
        "EB*B**AG*MA**7*209.5",
        "EB*C**30*MB**23*283",
        "EB*C**30*MB**29*0",
        "EB*A**30*MB**27**.2",
    )
    benefits = read_271(text)
    assert benefits.insurance_type == "MB"
    assert benefits.deductible_year == Decimal("283")
    assert benefits.deductible_remaining == Decimal("0"), "not Part A's $1,216 left"
    assert benefits.copay is None, "not Part A's skilled nursing copay"
    assert benefits.coinsurance_percent == 20


def test_a_left_larger_than_the_years_total_is_not_shown_and_staff_are_told():
    benefits = read_271(hets("EB*C**30*MB**23*283", "EB*C**30*MB**29*1216"))
    assert benefits.deductible_year == Decimal("283")
    assert benefits.deductible_remaining is None
    assert any("$1,216 left of a $283 deductible" in reply for reply in benefits.payer_replies)


def test_a_medicare_271_with_part_a_alone_says_part_b_is_what_pays():
    text = interchange(subscriber("EB*1**30^42^45^48*MA", "EB*C**30*MA**26*1676"))
    benefits = read_271(text)
    assert benefits.deductible_year is None
    assert any("no active Part B" in reply for reply in benefits.payer_replies)


# Medicare Advantage as HETS names it.


@pytest.mark.parametrize(
    ("insurance_type", "plan_number"),
    [
        ("IN", "H9876 002"),
        ("OT", "R5826 001"),
        ("C1", "E0654 801"),
        ("PS", ""),
        ("HN", ""),
        # The HETS companion guide's own (4010) example: an HMO, with a placeholder for its number.
        ("HM", "PLANNUMBER"),
        ("PR", ""),
    ],
)
def test_every_way_hets_names_a_medicare_advantage_plan(insurance_type: str, plan_number: str):
    reference = [f"REF*18*{plan_number}"] if plan_number else []
    text = hets(
        "EB*C**30*MB**23*283",
        f"EB*R**30*{insurance_type}",
        *reference,
        "DTP*290*D8*20260101",
        "LS*2120",
        "NM1*PRP*2*CASCADE GOLD PLUS*****PI*H9876",
        "LE*2120",
    )
    benefits = read_271(text)
    plan = medicare_advantage_plan(benefits)
    assert plan is not None and plan.payer_name == "CASCADE GOLD PLUS"
    assert coverage_from_271(benefits, Coverage.ORIGINAL_MEDICARE) is Coverage.MEDICARE_ADVANTAGE


def test_a_part_d_plan_a_medigap_plan_or_an_employers_primary_plan_is_not_medicare_advantage():
    text = hets(
        "EB*R*IND*30*12",
        "REF*IG*POLICYNUMBER",
        "LS*2120",
        "NM1*PRP*2*EMPLOYER GROUP PLAN",
        "LE*2120",
        "EB*R**88*OT",
        "REF*18*S4321 010",
        "LS*2120",
        "NM1*PRP*2*NORTHWEST RX PART D PLAN",
        "LE*2120",
        "EB*R**30*MI*MEDIGAP PART B",
    )
    benefits = read_271(text)
    assert medicare_advantage_plan(benefits) is None
    assert coverage_from_271(benefits, Coverage.ORIGINAL_MEDICARE) is Coverage.ORIGINAL_MEDICARE


def test_a_private_ppo_is_not_taken_for_medicare_advantage():
    benefits = read_271(interchange(subscriber("EB*1*IND*30*PR*GOLD PPO", "EB*R**30*PR")))
    assert coverage_from_271(benefits, Coverage.NOT_SURE) is Coverage.PRIVATE


def test_a_limitations_description_is_not_taken_for_the_plans_name():
    text = hets("EB*F*IND**MB*Physical and Speech Therapy*29*1840")
    assert read_271(text).plan_name != "Physical and Speech Therapy"


def test_the_contract_pattern_is_a_letter_and_four_digits():
    assert codes.is_medicare_advantage_contract("h9876-002")
    assert not codes.is_medicare_advantage_contract("S4321 010")
    assert not codes.is_medicare_advantage_contract("HMO PLAN")


# Chiropractic not covered.


def test_a_plan_that_excludes_chiropractic_says_so_first():
    text = interchange(subscriber("EB*1*IND*30*C1*GOLD PPO", "EB*B*IND*98*C1***25*****Y", "EB*I**33*C1"))
    benefits = read_271(text)
    assert benefits.active is True
    assert benefits.chiropractic_not_covered is True


def test_not_covered_out_of_network_only_is_said_in_words_not_as_an_exclusion():
    text = interchange(subscriber("EB*1*IND*30*C1", "EB*B*IND*33*C1***30*****Y", "EB*I*IND*33*C1********N"))
    benefits = read_271(text)
    assert benefits.chiropractic_not_covered is None
    assert benefits.copay == Decimal("30")
    assert any("out of network" in reply for reply in benefits.payer_replies)


# Questions turned down: every reason in words, with what to do.


def test_a_date_of_service_in_the_future_says_so_and_what_to_do():
    message = refusal(interchange(subscriber("AAA*N**63*C"))).message
    assert "the date of service is in the future (reason 63)" in message
    assert "Ask again with today's date as the date of service" in message
    assert "no active plan" not in message


def test_a_part_of_the_question_turned_down_is_shown_before_the_figures():
    text = interchange(subscriber("EB*1*IND*30*C1", "EB*1*IND*33", "AAA*N**63*C"))
    benefits = read_271(text)
    assert benefits.active is True
    assert benefits.payer_replies == (
        "The payer turned down part of the question (chiropractic (33)): the date of service is in the "
        "future (reason 63). Ask again with today's date as the date of service (payers answer for "
        "today and recent dates). Correct the question and send it again.",
    )


def test_every_reason_code_of_the_guide_has_words_and_an_action():
    # AAA03 (data element 901) as 005010X279A1 lists it for the 271's loops.
    guide = (
        "04 15 33 35 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 67 68 "
        "69 70 71 72 73 74 75 76 77 78 79 80 97 98 AA AE AF AG AO CI E8 IA MA T4"
    ).split()
    for code in guide:
        reason = codes.reject_reason(code)
        assert "does not list" not in reason.words, code
        assert reason.action.endswith("."), code


def test_an_unknown_reason_code_is_named_not_dropped():
    message = refusal(interchange(subscriber("AAA*N**ZZ"))).message
    assert "code ZZ" in message and "Call the plan's provider line" in message


# Waivers in words.


def test_a_waiver_in_a_limitations_lines_words_means_the_copay_comes_first():
    """Aetna's words under an EB*F, not under the copay or the deductible."""
    text = interchange(
        subscriber(
            "EB*1*IND*30*PR*OPEN ACCESS AETNA SELECT",
            "EB*C*IND*30*PR**23*1500*****Y",
            "EB*C*IND*30*PR**29*1500*****Y",
            "EB*B*IND*33*PR*OPEN ACCESS AETNA SELECT*27*35*****Y",
            "EB*F*IND*33*PR*OPEN ACCESS AETNA SELECT*23*****VS*20**Y",
            "MSG*MANIPULATION BY CHIROPRACTOR/PLAN DED WAIVED",
        )
    )
    benefits = read_271(text)
    assert benefits.deductible_waived is True
    assert benefits.copay == Decimal("35") and benefits.copay_before_deductible is True


@pytest.mark.parametrize(
    "message",
    ["DEDUCTIBLE WAIVED", "DED DOES NOT APPLY", "NOT SUBJECT TO DEDUCTIBLE", "WAIVES THE DED."],
)
def test_waiver_wordings(message: str):
    text = interchange(subscriber("EB*1*IND*30", "EB*F*IND*33", f"MSG*{message}"))
    assert read_271(text).deductible_waived is True


def test_deduction_or_deductible_applies_is_no_waiver():
    text = interchange(
        subscriber("EB*1*IND*30", "EB*F*IND*33", "MSG*DEDUCTIBLE APPLIES", "MSG*PAYROLL DEDUCTION")
    )
    assert read_271(text).deductible_waived is None


# Limit notes: what concerns chiropractic.


def test_limit_notes_keep_chiropractic_and_drop_the_plans_discount_text():
    discount = [
        f"MSG*DISCOUNT NETWORK PROGRAM LINE {n} SEE MEMBER WEBSITE FOR VISIT DETAILS" for n in range(20)
    ]
    text = interchange(
        subscriber(
            "EB*1*IND*30",
            *discount,
            "MSG*CHIROPRACTIC AND PHYSICAL THERAPY VISITS COMBINED",
            "EB*F*IND*33*****VS*20",
            "MSG*20 VISITS PER CALENDAR YEAR",
        )
    )
    assert read_271(text).limit_notes == (
        "20 VISITS PER CALENDAR YEAR",
        "CHIROPRACTIC AND PHYSICAL THERAPY VISITS COMBINED",
    )


# Separators and size.


def test_an_isa_giving_one_character_to_two_separators_says_which():
    text = interchange(subscriber("EB*1*IND*30"))
    shared = ISA[:82] + ":" + ISA[83:]
    message = refusal(shared + text[len(ISA) :]).message
    assert "uses “:” as both the component separator and the repetition separator" in message
    assert "106 characters" not in message


def test_a_5010_isa_with_4010s_u_as_its_repetition_separator_is_read():
    text = interchange(subscriber("EB*1*IND*30", "EB*B*IND*33***27*25"))
    text = ISA[:82] + "U" + ISA[83:] + text[len(ISA) :]
    assert read_271(text).copay == Decimal("25")


def nested_271(levels: int) -> str:
    """A paste built to hold the server: each level (HL) the child of the one before."""
    return interchange(subscriber("EB*1**30", *(f"HL*{n}*{n - 1}*23*1" for n in range(4, 4 + levels))))


def test_the_nested_paste_of_0_8_mb_is_refused_at_once():
    text = nested_271(40_000)
    assert len(text) > 800_000
    started = time.perf_counter()
    message = refusal(text).message
    assert time.perf_counter() - started < 2
    assert message.startswith("This file holds 40,0")
    assert "paste one patient's response" in message


def test_a_few_hundred_levels_are_refused_too():
    assert refusal(nested_271(60)).message.startswith("This file holds 63 levels (HL segments)")


def aetna_note(*more: str):
    """The note rebuilt from an Aetna 271 with a $1,500 deductible left and a $35 chiropractic copay,
    and ``more`` lines after them."""
    from clinic_app.benefits.checked import checked_answers
    from clinic_app.coverage import build_note
    from tests.unit.coverage_helpers import CLINIC, answers

    text = interchange(
        subscriber(
            "EB*1*IND*30*PR*OPEN ACCESS AETNA SELECT",
            "EB*C*IND*30*PR**23*1500*****Y",
            "EB*C*IND*30*PR**29*1500*****Y",
            "EB*B*IND*33*PR**27*35*****Y",
            *more,
        )
    )
    return build_note(checked_answers(answers(Coverage.PRIVATE), read_271(text)), CLINIC)


def test_the_aetna_waiver_gives_the_copay_from_the_first_visit_in_the_rebuilt_note():
    """The review's Aetna 271: the note rebuilt from it said about $160 for the first visit, the
    deductible first, instead of the copay from the first visit."""
    note = aetna_note("EB*F*IND*33*PR**23*****VS*20**Y", "MSG*MANIPULATION BY CHIROPRACTOR/PLAN DED WAIVED")
    assert any(
        "$35 copay for each visit, even before you meet the deductible" in line for line in note.estimate
    )
    assert not any("goes to your deductible" in line for line in note.estimate)


def test_a_real_hets_5010_answer_made_whole_gives_part_b_figures_only():
    """node-x12's HETS 5010 file (tests/samples/x12_271/real/hets-medicare-qmb-5010-cut-short.271,
    refused as it was published: it stops after SE) with its two closing segments put back. Its cost
    lines are a QMB's (EB04 QM), one naming Part A and two Part B; the Part D plan is an S contract."""
    from pathlib import Path

    published = (
        Path(__file__).resolve().parent.parent / "samples/x12_271/real/hets-medicare-qmb-5010-cut-short.271"
    )
    whole = published.read_text(encoding="utf-8").rstrip() + "\nGE*1*123456~\nIEA*1*000031033~\n"
    benefits = read_271(whole)
    assert benefits.active is True and benefits.insurance_type == "MB"
    assert benefits.deductible_year == 0 and benefits.coinsurance_percent == 0
    assert [payer.plan_number for payer in benefits.other_payers] == [None, "S5601"]
    assert medicare_advantage_plan(benefits) is None
    assert coverage_from_271(benefits, Coverage.NOT_SURE) is Coverage.ORIGINAL_MEDICARE


def test_a_271_silent_on_the_copay_and_the_deductible_keeps_the_if_in_the_rebuilt_note():
    note = aetna_note()
    assert "If your plan skips the deductible for visits with a copay, you pay less." in note.estimate


# From a review against the guide (what a front desk could otherwise email).


def test_a_visit_cap_per_day_is_not_the_years_limit():
    text = interchange(
        subscriber("EB*1**30*PR*X", "EB*F*IND*33********Y", "HSD*VS*1***7*1", "HSD*VS*20***22*1")
    )
    assert read_271(text).visit_limit == 20
    monthly = interchange(subscriber("EB*1**30*PR*X", "EB*F*IND*33", "HSD*VS*12***34*1"))
    assert read_271(monthly).visit_limit is None


def test_more_visits_left_than_the_limit_are_not_shown_and_lifetime_ones_are_not_this_years():
    text = interchange(subscriber("EB*1**30", "EB*F*IND*33***23***VS*20", "EB*F*IND*33***29***VS*45"))
    benefits = read_271(text)
    assert benefits.visit_limit == 20 and benefits.visits_remaining is None
    assert any("45 visits left of a limit of 20" in reply for reply in benefits.payer_replies)
    lifetime = interchange(subscriber("EB*1**30", "EB*F*IND*33***33***VS*150"))
    assert read_271(lifetime).visits_remaining is None


@pytest.mark.parametrize(
    "message",
    [
        "PLAN DOES NOT WAIVE DEDUCTIBLE",
        "NO DEDUCTIBLE MET",
        "NO DEDUCTIBLE INFORMATION ON FILE",
        "DEDUCTIBLE DOES NOT APPLY TO OFFICE VISITS",
        "DEDUCTIBLE WAIVED FOR PREVENTIVE CARE ONLY",
        "DED WAIVED IN NETWORK ONLY",
    ],
)
def test_words_that_do_not_waive_the_deductible_for_chiropractic(message: str):
    text = interchange(
        subscriber(
            "EB*1**30*PR*X",
            "EB*C*IND*30***23*1000*****Y",
            "EB*C*IND*30***29*800*****Y",
            "EB*B*IND*33***27*25*****Y",
            f"MSG*{message}",
        )
    )
    benefits = read_271(text)
    assert benefits.deductible_waived is None
    assert benefits.copay_before_deductible is not True


def test_a_waiver_on_the_plans_deductible_for_other_care_or_out_of_network_is_none():
    text = interchange(
        subscriber(
            "EB*1**30*PR*X",
            "EB*C*IND*30***23*1000*****Y",
            "MSG*DEDUCTIBLE WAIVED FOR PREVENTIVE SERVICES",
            "EB*C*IND*33***23*3000*****N",
            "MSG*DED WAIVED",
            "EB*B*IND*33***27*25*****Y",
        )
    )
    benefits = read_271(text)
    assert benefits.deductible_waived is None and benefits.copay_before_deductible is None


def test_two_patients_in_one_transaction_are_refused_not_merged():
    text = interchange(
        [
            "BHT*0022*11*TRACE9*20260801*090000",
            "HL*1**20*1",
            "NM1*PR*2*EXAMPLE HEALTH PLAN*****PI*EX01",
            "HL*2*1*21*1",
            "NM1*1P*2*CASCADE HEADACHE AND NECK CLINIC*****XX*1234567893",
            "HL*3*2*22*0",
            "NM1*IL*1*ALPHA*ANN",
            "DMG*D8*19700101*F",
            "EB*1**30*PR*GOLD PPO",
            "EB*B*IND*33***27*25*****Y",
            "HL*4*2*22*0",
            "NM1*IL*1*BETA*BOB",
            "DMG*D8*19900101*M",
            "EB*6**30*PR*OLD PLAN",
        ]
    )
    assert refusal(text).message.startswith("This 271 holds the benefits of more than one person.")


def test_a_dependent_the_payer_did_not_find_is_refused_not_read_as_the_subscriber():
    text = interchange(
        subscriber(
            "EB*1**30*PR*GOLD PPO",
            "EB*B*IND*33***27*25*****Y",
            "HL*4*3*23*0",
            "NM1*03*1*DOE*KID",
            "DMG*D8*20150101*M",
            "AAA*N**67*C",
        )
    )
    message = refusal(text).message
    assert "the payer could not find the patient (reason 67)" in message


@pytest.mark.parametrize(
    "line",
    [
        "EB*C*IND*30***23*1E+30",
        "EB*A*IND*33*****-9E+999999",
        "EB*C*IND*30***23*9E+999999",
        "EB*A*IND*33*****5E+20",
        "EB*B*IND*33***27*-25",
        "EB*A*IND*33*****NaN",
        "EB*F*IND*33***23***VS*-5",
        "EB*A*IND*33*****250",
    ],
)
def test_a_number_x12_would_not_write_is_no_figure(line: str):
    benefits = read_271(interchange(subscriber("EB*1**30*PR*X", line)))
    figures = (benefits.deductible_year, benefits.copay, benefits.coinsurance_percent, benefits.visit_limit)
    assert figures == (None, None, None, None)


def test_a_left_from_another_network_is_not_what_is_left_of_this_total():
    text = interchange(
        subscriber(
            "EB*1**30",
            "EB*C*IND*30***23*500*****Y",
            "EB*C*IND*30***23*2000*****N",
            "EB*C*IND*30***29*400*****N",
        )
    )
    benefits = read_271(text)
    assert benefits.deductible_year == 500 and benefits.deductible_remaining is None


def test_an_enrollment_that_starts_after_the_271s_date_is_not_the_patients_plan_yet():
    text = hets(
        "EB*R**30*HN",
        "REF*18*H1234 001",
        "DTP*290*RD8*20270101-20271231",
    )
    assert medicare_advantage_plan(read_271(text)) is None


@pytest.mark.parametrize(
    ("lines", "why"),
    [
        (["EB*R**88*OT", "REF*18*E4744 001"], "a drug plan"),
        (["EB*R**30*12", "REF*18*R10023456"], "an employer's plan, Medicare secondary"),
    ],
)
def test_lines_that_look_like_a_contract_but_are_no_medicare_advantage_plan(lines: list[str], why: str):
    assert medicare_advantage_plan(read_271(hets(*lines))) is None, why


def test_a_medicare_advantage_plan_answering_as_an_hmo_is_medicare_advantage():
    text = interchange(
        subscriber("EB*1**30*HM*HUMANA GOLD PLUS H1036-077 MEDICARE ADVANTAGE", "REF*N6*H1036-077")
    )
    assert coverage_from_271(read_271(text), Coverage.NOT_SURE) is Coverage.MEDICARE_ADVANTAGE
    plain_hmo = interchange(subscriber("EB*1**30*HM*GOLD 123 PLAN"))
    assert coverage_from_271(read_271(plain_hmo), Coverage.NOT_SURE) is Coverage.PRIVATE


def test_a_chiropractic_line_is_read_in_linear_time():
    pairs = [f"EB*B*IND*33***27*{n}*****Y~EB*B*IND*30***27*{n}*****Y" for n in range(1, 1200)]
    text = interchange(subscriber("EB*1**30", *"~".join(pairs).split("~")))
    started = time.perf_counter()
    read_271(text)
    assert time.perf_counter() - started < 1.5


def test_spine_surgery_words_are_no_chiropractic_note():
    text = interchange(subscriber("EB*1**30", "MSG*SPINAL CORD STIMULATOR PRECERT", "MSG*SPINE SURGERY"))
    assert read_271(text).limit_notes == ()
