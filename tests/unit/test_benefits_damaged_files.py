"""read_271 on the real 271s damaged the ways copying, hand-editing and odd senders damage them: it
reads them or refuses them with a sentence for staff, and never raises anything else (a 500)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic_app.benefits import BenefitsFileError, read_271
from clinic_app.benefits.reading import OUT_OF_ORDER
from tests.unit.test_benefits_271 import interchange, subscriber

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "x12_271"
TEXTS = [path.read_bytes().decode("utf-8", errors="replace") for path in sorted(SAMPLES.rglob("*.271"))]


def read_or_refused(text: str) -> None:
    try:
        read_271(text)
    except BenefitsFileError as refused:
        assert refused.message.endswith("."), refused.message


def whole() -> str:
    return interchange(subscriber("EB*1**30*PR*X", "EB*B*IND*33***27*25*****Y"))


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: "\n".join(line for line in text.splitlines() if not line.startswith("GS")),
        lambda text: text.replace("IEA*", "GE*1*909~\nIEA*", 1),
        lambda text: text + "IEA*1*000000909~\n",
        lambda text: text.replace("EB*1**30*PR*X~", "EB*1**30*PR*X~ ~", 1),
        lambda text: text.replace("EB*1**30*PR*X~", "EB*1**30*PR*X~\n \n~", 1),
    ],
    ids=["no GS", "an extra GE", "an extra IEA", "a blank segment", "a blank line as a segment"],
)
def test_an_envelope_out_of_order_is_refused_in_words(damage):
    with pytest.raises(BenefitsFileError) as refused:
        read_271(damage(whole()))
    assert refused.value.message.startswith("This 271 ")


def test_the_out_of_order_sentence_names_what_to_do():
    assert OUT_OF_ORDER.endswith("Ask the eligibility service for it again.")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.sampled_from(TEXTS),
    start=st.integers(min_value=0, max_value=5000),
    length=st.integers(min_value=1, max_value=80),
    insert=st.sampled_from(["", "~", "*", "~~", " ", "\n", "^", ":", "HL*9*9*23*0~", "EB*I*FAM*33~"]),
)
def test_any_cut_or_insertion_in_a_real_271_is_read_or_refused(
    text: str, start: int, length: int, insert: str
):
    start = start % max(len(text), 1)
    read_or_refused(text[:start] + insert + text[start + length :])
