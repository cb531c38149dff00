"""read_271 on hand-written 005010X279A1 files (tests/samples/x12_271/) and on texts that are not 271s."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from clinic_app.benefits import BenefitsFileError, EligibilityBenefits, read_271
from clinic_app.benefits.model import OtherPayer

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "x12_271"
ISA = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC0001     *260801*0900*^*00501*000000909*0*P*:~"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="ascii")


def interchange(body: list[str], *, transaction: str = "271", group: str = "HB") -> str:
    """An envelope around ``body`` (the segments after ST), its SE01 counted."""
    version = "005010X279A1"
    segments = [f"ST*{transaction}*0001*{version}", *body]
    return (
        "~\n".join(
            [
                ISA[:-1],
                f"GS*{group}*PAYER*CLINIC0001*20260801*0900*909*X*{version}",
                *segments,
                f"SE*{len(segments) + 1}*0001",
                "GE*1*909",
                "IEA*1*000000909",
            ]
        )
        + "~\n"
    )


def subscriber(*benefits: str, level: str = "22") -> list[str]:
    return [
        "BHT*0022*11*TRACE9*20260801*090000",
        "HL*1**20*1",
        "NM1*PR*2*EXAMPLE HEALTH PLAN*****PI*EX01",
        "HL*2*1*21*1",
        "NM1*1P*2*CASCADE HEADACHE AND NECK CLINIC*****XX*1234567893",
        f"HL*3*2*{level}*0",
        "NM1*IL*1*DOE*JANE****MI*EX123",
        "DMG*D8*19800101*F",
        *benefits,
    ]


def refusal(text: str) -> BenefitsFileError:
    with pytest.raises(BenefitsFileError) as raised:
        read_271(text)
    return raised.value


# The samples, one case each.


def test_original_medicare_part_b_deductible_and_coinsurance():
    benefits = read_271(sample("original_medicare.271"))
    assert benefits.active is True
    assert benefits.insurance_type == "MB"
    assert benefits.insurance_type_label == "Medicare Part B"
    assert benefits.payer_name == "CENTERS FOR MEDICARE AND MEDICAID SERVICES"
    # No EB05 on Medicare's coverage lines, so the payer names the plan.
    assert benefits.plan_name == "CENTERS FOR MEDICARE AND MEDICAID SERVICES"
    assert benefits.deductible_year == Decimal("283")
    assert benefits.deductible_remaining == Decimal("120")
    assert benefits.coinsurance_percent == 20
    assert benefits.copay is None and benefits.copay_before_deductible is None
    assert benefits.service_types == ("33", "30")
    assert benefits.limit_notes == (
        "COVERED ONLY FOR MANUAL MANIPULATION OF THE SPINE TO CORRECT A SUBLUXATION",
    )
    assert benefits.checked_on == date(2026, 3, 12)
    assert benefits.subscriber_last_name == "DOE"
    assert benefits.subscriber_birth_date == date(1952, 6, 14)
    assert benefits.missing() == [
        "Out-of-pocket remaining",
        "Visit limit",
        "Visits used",
        "Prior authorization",
        "Network",
    ]


def test_the_medigap_plan_named_in_a_2120_loop_is_not_taken_for_the_payer_or_the_plan_type():
    benefits = read_271(sample("original_medicare.271"))
    assert "MEDIGAP" not in (benefits.payer_name or "")
    assert benefits.insurance_type != "MI"


def test_medicare_advantage_hmo_copay_with_no_deductible_and_prior_authorization():
    benefits = read_271(sample("medicare_advantage.271"))
    assert benefits.active is True
    assert benefits.insurance_type == "HN"
    assert benefits.insurance_type_label == "Medicare Advantage (Medicare risk HMO)"
    assert benefits.plan_name == "CASCADE GOLD PLUS HMO"
    assert benefits.payer_name == "CASCADE MEDICARE ADVANTAGE"
    assert benefits.copay == Decimal("20")
    assert benefits.deductible_year == Decimal("0")
    assert benefits.deductible_remaining == Decimal("0")
    assert benefits.copay_before_deductible is True
    assert benefits.prior_authorization is True
    assert benefits.in_network is True
    assert (benefits.visit_limit, benefits.visits_used, benefits.visits_remaining) == (12, 3, 9)
    assert benefits.service_types == ("33",)
    assert "MANUAL MANIPULATION OF THE SPINE ONLY" in benefits.limit_notes
    assert benefits.subscriber_last_name == "ROE"
    assert benefits.missing() == ["Out-of-pocket remaining"]


def test_the_medigap_plan_is_kept_as_another_payer():
    benefits = read_271(sample("original_medicare.271"))
    assert benefits.other_payers == (
        OtherPayer("MI", "Medigap Part B", "MEDIGAP PART B", "EXAMPLE MEDIGAP INSURANCE CO"),
    )


def test_a_medicare_271_names_the_medicare_advantage_plan_among_the_other_payers():
    """CMS HETS: Part A and B lines for every beneficiary; the Medicare Advantage plan is an EB*R with
    HN, named only in its 2120 loop (NM1*PRP); a Part D plan is an EB*R too, here one that ended."""
    benefits = read_271(sample("medicare_advantage_via_hets.271"))
    assert benefits.active is True and benefits.insurance_type == "MB"
    assert benefits.payer_name == "CENTERS FOR MEDICARE AND MEDICAID SERVICES"
    assert benefits.plan_name == "CENTERS FOR MEDICARE AND MEDICAID SERVICES", "not the other payers'"
    assert benefits.deductible_year == Decimal("283") and benefits.coinsurance_percent == 20
    assert benefits.other_payers == (
        OtherPayer(
            "HN",
            "Medicare Advantage (Medicare risk HMO)",
            None,
            "CASCADE GOLD PLUS HMO",
            None,
            "H9876 002",
            medicare_advantage=True,
            started=date(2026, 1, 1),
        ),
        OtherPayer(
            "OT",
            "Other",
            None,
            "NORTHWEST RX PART D PLAN",
            date(2025, 12, 31),
            "S4321 010",
            started=date(2024, 1, 1),
        ),
    )
    assert benefits.subscriber_last_name == "HALE"


def test_a_provider_in_an_other_payers_loop_is_not_its_name():
    text = interchange(
        subscriber(
            "EB*1**30*MB",
            "EB*R**30*HN",
            "LS*2120",
            "NM1*P3*1*SMITH*ANNA****XX*1234567893",
            "NM1*PRP*2*SOUND ADVANTAGE PPO",
            "LE*2120",
        )
    )
    assert read_271(text).other_payers == (
        OtherPayer(
            "HN",
            "Medicare Advantage (Medicare risk HMO)",
            None,
            "SOUND ADVANTAGE PPO",
            medicare_advantage=True,
        ),
    )


def test_commercial_ppo_in_network_individual_figures_and_the_shared_visit_limit():
    benefits = read_271(sample("commercial_ppo_visit_limit.271"))
    assert benefits.insurance_type == "PR"
    assert benefits.insurance_type_label == "Preferred Provider Organization (PPO)"
    assert benefits.plan_name == "EVERGREEN PPO SELECT"
    # The family ($3,000, $1,200 left) and out-of-network ($3,000, 40%) figures are not these.
    assert benefits.deductible_year == Decimal("1500")
    assert benefits.deductible_remaining == Decimal("0")
    assert benefits.coinsurance_percent == 20
    assert benefits.out_of_pocket_remaining == Decimal("2300")
    assert benefits.in_network is True
    assert (benefits.visit_limit, benefits.visits_used, benefits.visits_remaining) == (20, 8, 12)
    assert benefits.prior_authorization is False
    assert benefits.limit_notes == ("VISIT LIMIT COMBINED WITH PHYSICAL THERAPY AND OCCUPATIONAL THERAPY",)
    assert benefits.missing() == []


def test_deductible_not_met_with_no_copay_and_thirty_percent_coinsurance():
    benefits = read_271(sample("deductible_not_met.271"))
    assert benefits.insurance_type == "C1"
    assert benefits.insurance_type_label == "Commercial"
    assert benefits.plan_name == "RAINIER CHOICE 2000"
    assert benefits.deductible_year == Decimal("2000")
    assert benefits.deductible_remaining == Decimal("1650")
    assert benefits.copay == Decimal("0")
    # With no copay there is nothing to owe before the deductible, whatever the MSG says.
    assert benefits.copay_before_deductible is None
    assert benefits.coinsurance_percent == 30
    assert benefits.missing() == [
        "Out-of-pocket remaining",
        "Visit limit",
        "Visits used",
        "Prior authorization",
    ]


def test_copay_that_applies_before_the_deductible():
    benefits = read_271(sample("copay_before_deductible.271"))
    assert benefits.copay == Decimal("35")
    assert benefits.copay_before_deductible is True
    assert benefits.deductible_year == Decimal("3000")
    assert benefits.deductible_remaining == Decimal("3000")
    assert benefits.out_of_pocket_remaining == Decimal("7150")
    assert benefits.visit_limit == 30
    assert benefits.visits_used is None and benefits.visits_remaining is None
    assert benefits.missing() == ["Visits used", "Prior authorization"]


def test_inactive_coverage():
    benefits = read_271(sample("inactive.271"))
    assert benefits.active is False
    assert benefits.plan_name == "RAINIER CHOICE 2000"
    assert benefits.checked_on == date(2026, 7, 15)
    # DTP*347 in the subscriber's loop: the plan's end date.
    assert benefits.coverage_ended == date(2026, 6, 30)
    assert "Active coverage" not in benefits.missing()
    assert benefits.missing() == [
        "Deductible",
        "Deductible remaining",
        "Copay or coinsurance",
        "Out-of-pocket remaining",
        "Visit limit",
        "Visits used",
        "Prior authorization",
        "Network",
    ]


def test_an_active_plan_without_an_end_date_has_none():
    assert read_271(sample("commercial_ppo_visit_limit.271")).coverage_ended is None


@pytest.mark.parametrize(
    ("dtp", "expected"),
    [
        ("DTP*347*D8*20261231", date(2026, 12, 31)),
        ("DTP*347*RD8*20260101-20261231", date(2026, 12, 31)),
        # A plan's begin date (346) is not its end.
        ("DTP*346*D8*20260101", None),
        ("DTP*347*D8*NOTADATE", None),
    ],
)
def test_the_plan_end_date_comes_from_the_patients_dtp_347(dtp: str, expected: date | None):
    text = interchange(subscriber(dtp, "EB*1*IND*30*C1*EXAMPLE GOLD"))
    assert read_271(text).coverage_ended == expected


def test_a_dtp_347_in_a_benefits_loop_is_not_the_plans_end():
    # A date after an EB speaks of that benefit (2110C), not of the patient's plan (2100C).
    text = interchange(subscriber("EB*1*IND*30*C1*EXAMPLE GOLD", "DTP*347*D8*20261231"))
    assert read_271(text).coverage_ended is None


def test_a_file_cut_off_after_its_benefits_is_refused_as_incomplete():
    error = refusal(sample("malformed.271"))
    assert error.message.startswith("This 271 is incomplete: it stops before its closing segments")
    assert "missing" in (error.detail or "")


# What copay_before_deductible is made of.


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("COPAY APPLIES BEFORE DEDUCTIBLE", True),
        ("DEDUCTIBLE WAIVED", True),
        ("NOT SUBJECT TO DEDUCTIBLE", True),
        ("DEDUCTIBLE DOES NOT APPLY", True),
        ("COPAY APPLIES AFTER DEDUCTIBLE IS MET", False),
        ("SUBJECT TO DEDUCTIBLE", False),
        ("PER VISIT", None),
    ],
)
def test_copay_before_deductible_follows_the_payers_message(message: str, expected: bool | None):
    text = interchange(
        subscriber(
            "EB*1*IND*30*C1*EXAMPLE GOLD",
            "EB*C*IND*30*C1**23*1000*****Y",
            "EB*B*IND*33*C1**27*40*****Y",
            f"MSG*{message}",
        )
    )
    assert read_271(text).copay_before_deductible is expected


def test_a_zero_deductible_means_the_copay_applies_from_the_first_visit():
    text = interchange(
        subscriber("EB*1*IND*30*HM*EXAMPLE HMO", "EB*C*IND*30*HM**23*0", "EB*B*IND*33*HM**27*25")
    )
    benefits = read_271(text)
    assert benefits.copay_before_deductible is True
    assert benefits.insurance_type_label == "Health Maintenance Organization (HMO)"


# Service types, levels and visits.


def test_a_271_answering_only_under_service_type_30_gives_the_plans_figures():
    text = interchange(
        subscriber(
            "EB*1*IND*30*PR*EXAMPLE PPO",
            "EB*C*IND*30*PR**23*500*****Y",
            "EB*C*IND*30*PR**29*125*****Y",
            "EB*B*IND*30*PR**27*30*****Y",
            "EB*A*IND*30*PR**27**.1****Y",
            "EB*G*IND*30*PR**29*3100*****Y",
        )
    )
    benefits = read_271(text)
    assert benefits.service_types == ("30",)
    assert (benefits.deductible_year, benefits.deductible_remaining) == (Decimal("500"), Decimal("125"))
    assert benefits.copay == Decimal("30")
    assert benefits.coinsurance_percent == 10
    assert benefits.out_of_pocket_remaining == Decimal("3100")
    assert benefits.missing() == ["Visit limit", "Visits used", "Prior authorization"]


def test_chiropractic_figures_win_over_the_plans_general_ones():
    text = interchange(
        subscriber(
            "EB*1*IND*30^33*PR*EXAMPLE PPO",
            "EB*B*IND*30*PR**27*30*****Y",
            "EB*B*IND*33*PR**27*45*****Y",
        )
    )
    assert read_271(text).copay == Decimal("45")


def test_out_of_network_figures_are_used_only_when_nothing_else_is_given():
    text = interchange(subscriber("EB*1*IND*30*PR", "EB*A*IND*33*PR**27**.5****N"))
    benefits = read_271(text)
    assert benefits.coinsurance_percent == 50
    assert benefits.in_network is False


def test_zero_coinsurance_is_a_figure_not_a_silence():
    text = interchange(subscriber("EB*1*IND*30*HM", "EB*A*IND*33*HM**27**0****Y"))
    assert read_271(text).coinsurance_percent == 0


def test_family_figures_are_not_the_patients_own():
    text = interchange(subscriber("EB*1*FAM*30*PR", "EB*C*FAM*30*PR**23*6000*****Y"))
    benefits = read_271(text)
    assert benefits.active is True
    assert benefits.deductible_year is None


def test_visits_used_and_remaining_from_the_limit():
    used = interchange(
        subscriber("EB*1*IND*30*C1", "EB*F*IND*33*C1**23***VS*24", "EB*F*IND*33*C1**24***99*10")
    )
    assert (read_271(used).visit_limit, read_271(used).visits_used, read_271(used).visits_remaining) == (
        24,
        10,
        14,
    )
    remaining = interchange(
        subscriber("EB*1*IND*30*C1", "EB*F*IND*33*C1", "HSD*VS*30***23*1", "HSD*VS*5***29")
    )
    benefits = read_271(remaining)
    assert (benefits.visit_limit, benefits.visits_used, benefits.visits_remaining) == (30, 25, 5)


def test_a_dependents_271_gives_the_dependents_benefits_and_name():
    body = [
        *subscriber("EB*1*FAM*30*C1*EXAMPLE PLAN")[:-1],
        "HL*4*3*23*0",
        "NM1*03*1*DOE*TIMMY",
        "DMG*D8*20120505*M",
        "EB*1*IND*30*C1*EXAMPLE PLAN",
        "EB*B*IND*33*C1**27*15*****Y",
    ]
    body[5] = "HL*3*2*22*1"
    benefits = read_271(interchange(body))
    assert benefits.copay == Decimal("15")
    assert benefits.subscriber_last_name == "DOE"
    assert benefits.subscriber_birth_date == date(2012, 5, 5)


# Real files' layout.


def test_windows_line_endings_and_no_newlines_are_both_read():
    text = sample("commercial_ppo_visit_limit.271")
    expected = read_271(text)
    assert read_271(text.replace("\n", "\r\n")) == expected
    assert read_271(text.replace("\n", "")) == expected
    assert read_271("\ufeff\r\n" + text) == expected


def test_other_delimiters_are_read_from_the_isa():
    text = sample("commercial_ppo_visit_limit.271").replace("~", "'").replace("*", "|").replace("^", "}")
    assert read_271(text).visit_limit == 20


def test_repeated_service_types_use_the_isas_repetition_separator():
    text = interchange(subscriber("EB*1*IND*30^33^AL*C1*EXAMPLE", "EB*B*IND*98^33*C1**27*20"))
    assert read_271(text).service_types == ("33", "30")


# Refusals, each with its sentence for the front desk.


@pytest.mark.parametrize("text", ["", "   \r\n\t "])
def test_empty_text(text: str):
    assert refusal(text).message == "The file is empty: paste or upload the 271 eligibility response."


def test_a_270_request_is_not_a_271():
    text = interchange(subscriber("EQ*33"), transaction="270", group="HS")
    assert refusal(text).message == "This file is not a 271 eligibility response: it is a 270 request."


def test_an_835_is_not_a_271():
    text = interchange(["BPR*I*100*C*ACH"], transaction="835", group="HP")
    assert (
        refusal(text).message
        == "This file is not a 271 eligibility response: it is an 835 payment remittance."
    )


def test_plain_text_is_not_x12():
    assert (
        refusal("Member: Jane Doe\nCopay: $20\n").message
        == "This is not an X12 file: it should start with ISA."
    )


def test_binary_junk_is_not_x12():
    assert refusal("%PDF-1.7\x00\x00\ufffd\ufffd").message.startswith(
        "This is not an X12 file: it holds binary data"
    )


def test_over_a_megabyte_is_refused_before_reading():
    text = sample("inactive.271") + "\n" * (1024 * 1024)
    assert refusal(text).message == "This file is too large to be a 271 eligibility response (over 1 MB)."


def test_a_wrong_segment_count_in_se():
    text = sample("inactive.271").replace("SE*14*0001~", "SE*19*0001~")
    error = refusal(text)
    assert error.message.startswith("This 271 is damaged: the number of segments its SE trailer gives")
    assert "SE count of 19" in (error.detail or "")


def test_an_isa_that_lost_its_padding_when_copied():
    text = sample("inactive.271").replace("*ZZ*RAINIERHEALTH  ", "*ZZ*RAINIERHEALTH")
    assert refusal(text).message.startswith("The first segment (ISA) of this file is damaged")


def test_a_4010_response_is_refused_with_the_reason():
    text = sample("inactive.271").replace("*00501*", "*00401*")
    assert refusal(text).message.startswith("This is an old 4010 eligibility response")


def test_an_envelope_whose_trailers_do_not_match():
    text = sample("inactive.271").replace("GE*1*606~", "GE*1*999~")
    assert refusal(text).message.startswith(
        "This 271 is damaged: its closing segments (SE, GE, IEA) do not match"
    )


def test_isa_values_x12_does_not_allow():
    text = sample("inactive.271").replace("ISA*00*", "ISA*99*", 1)
    assert refusal(text).message.startswith("This 271 is damaged: its ISA or GS segment holds values")


def test_a_271_with_no_patient_level():
    text = interchange(["BHT*0022*11*TRACE9*20260801*090000", "HL*1**20*0", "NM1*PR*2*EXAMPLE"])
    assert refusal(text).message.startswith("This 271 is missing parts")


def test_a_payer_that_could_not_find_the_patient_says_so_and_what_to_check():
    text = interchange(subscriber("AAA*Y**75*C"))
    message = refusal(text).message
    assert message.startswith("The payer turned the question down, so the 271 holds no benefits:")
    assert "the payer could not find the member (reason 75)" in message
    assert "Check the member ID, the name and the birth date against the patient's card" in message
    assert "Correct the question and send it again." in message


# What the app stores.


def test_to_dict_round_trips_through_json_without_the_subscriber():
    benefits = read_271(sample("medicare_advantage.271"))
    stored = json.loads(json.dumps(benefits.to_dict()))
    assert "subscriber_last_name" not in stored and "subscriber_birth_date" not in stored
    assert "ROE" not in json.dumps(stored) and "1948" not in json.dumps(stored)
    assert stored["copay"] == "20" and stored["checked_on"] == "2026-04-02"
    restored = EligibilityBenefits.from_dict(stored)
    assert restored == EligibilityBenefits(
        **{**benefits.__dict__, "subscriber_last_name": None, "subscriber_birth_date": None}
    )


def test_the_coverage_end_date_is_kept_and_an_older_check_without_it_reads_as_unsaid():
    benefits = read_271(sample("inactive.271"))
    stored = json.loads(json.dumps(benefits.to_dict()))
    assert stored["coverage_ended"] == "2026-06-30"
    assert EligibilityBenefits.from_dict(stored).coverage_ended == date(2026, 6, 30)
    del stored["coverage_ended"]
    assert EligibilityBenefits.from_dict(stored).coverage_ended is None
    with pytest.raises(ValueError):
        EligibilityBenefits.from_dict({**stored, "coverage_ended": 20260630})


def test_the_other_payers_are_kept_and_an_older_check_without_them_reads_as_none():
    benefits = read_271(sample("medicare_advantage_via_hets.271"))
    stored = json.loads(json.dumps(benefits.to_dict()))
    assert stored["other_payers"][0]["payer_name"] == "CASCADE GOLD PLUS HMO"
    assert stored["other_payers"][1]["ended"] == "2025-12-31"
    assert EligibilityBenefits.from_dict(stored).other_payers == benefits.other_payers
    del stored["other_payers"]
    assert EligibilityBenefits.from_dict(stored).other_payers == ()
    for wrong in ("HN", ["HN"], [{"insurance_type": 7}], [{"ended": 20251231}]):
        with pytest.raises(ValueError):
            EligibilityBenefits.from_dict({**stored, "other_payers": wrong})


def test_from_dict_refuses_a_value_of_the_wrong_kind():
    stored = read_271(sample("deductible_not_met.271")).to_dict()
    with pytest.raises(ValueError):
        EligibilityBenefits.from_dict({**stored, "visit_limit": "twelve"})
    with pytest.raises(ValueError):
        EligibilityBenefits.from_dict({**stored, "copay": "NaN"})
