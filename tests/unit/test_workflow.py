"""The status workflow: every pair of statuses, and the closing reason."""

from __future__ import annotations

import pytest

from clinic_app.casework.workflow import TransitionRefused, check_transition
from clinic_app.choices import CloseReason, RequestStatus

NEW, CONTACTED, SCHEDULED, CLOSED = RequestStatus

ALLOWED = {
    (NEW, CONTACTED), (NEW, SCHEDULED), (NEW, CLOSED),
    (CONTACTED, SCHEDULED), (CONTACTED, CLOSED),
    (SCHEDULED, CONTACTED), (SCHEDULED, CLOSED),
    (CLOSED, CONTACTED),
}  # fmt: skip


@pytest.mark.parametrize("current", list(RequestStatus))
@pytest.mark.parametrize("target", list(RequestStatus))
def test_each_pair_of_statuses_is_allowed_or_refused_with_a_reason(current, target):
    reason = CloseReason.BOOKED if target is CLOSED else None
    if (current, target) in ALLOWED:
        transition = check_transition(current, target, reason)
        assert (transition.before, transition.after, transition.close_reason) == (current, target, reason)
    else:
        with pytest.raises(TransitionRefused) as refused:
            check_transition(current, target, reason)
        assert str(refused.value).endswith(".")


def test_refusal_says_what_is_possible_instead():
    with pytest.raises(
        TransitionRefused, match="A closed request cannot become scheduled. It can become contacted."
    ):
        check_transition(CLOSED, SCHEDULED, None)


def test_same_status_is_refused_plainly():
    with pytest.raises(TransitionRefused, match="This request is already new."):
        check_transition(NEW, NEW, None)


def test_closing_needs_a_reason():
    with pytest.raises(TransitionRefused, match="Choose why you are closing this request."):
        check_transition(CONTACTED, CLOSED, None)


@pytest.mark.parametrize("reason", list(CloseReason))
def test_every_closing_reason_is_accepted(reason):
    assert check_transition(NEW, CLOSED, reason).close_reason is reason


def test_a_reason_is_only_for_closing():
    with pytest.raises(TransitionRefused, match="only given when closing"):
        check_transition(NEW, CONTACTED, CloseReason.NO_ANSWER)
