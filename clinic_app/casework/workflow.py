"""How a request moves from arrival to closed. Plain rules, no Flask, tested on their own."""

from __future__ import annotations

from dataclasses import dataclass

from clinic_app.choices import CloseReason, RequestStatus

# Where a request may go next. Scheduled can go back to contacted when a visit must be rebooked;
# a closed request can be reopened as contacted when the person gets back in touch.
NEXT_STATUSES: dict[RequestStatus, tuple[RequestStatus, ...]] = {
    RequestStatus.NEW: (RequestStatus.CONTACTED, RequestStatus.SCHEDULED, RequestStatus.CLOSED),
    RequestStatus.CONTACTED: (RequestStatus.SCHEDULED, RequestStatus.CLOSED),
    RequestStatus.SCHEDULED: (RequestStatus.CONTACTED, RequestStatus.CLOSED),
    RequestStatus.CLOSED: (RequestStatus.CONTACTED,),
}


class TransitionRefused(ValueError):
    """The change makes no sense; the message says why, for the person who asked for it."""


@dataclass(frozen=True)
class Transition:
    before: RequestStatus
    after: RequestStatus
    close_reason: CloseReason | None


def check_transition(current: RequestStatus, target: RequestStatus, reason: CloseReason | None) -> Transition:
    """The change from ``current`` to ``target``, or TransitionRefused with a message."""
    if target is current:
        raise TransitionRefused(f"This request is already {current.label.lower()}.")
    if target not in NEXT_STATUSES[current]:
        allowed = " or ".join(s.label.lower() for s in NEXT_STATUSES[current])
        raise TransitionRefused(
            f"A {current.label.lower()} request cannot become {target.label.lower()}. "
            f"It can become {allowed}."
        )
    if target is RequestStatus.CLOSED and reason is None:
        raise TransitionRefused("Choose why you are closing this request.")
    if target is not RequestStatus.CLOSED and reason is not None:
        raise TransitionRefused("A reason is only given when closing a request.")
    return Transition(current, target, reason)
