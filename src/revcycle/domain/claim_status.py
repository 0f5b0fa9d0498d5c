"""The lifecycle of a claim: its states and the transitions allowed between them.

::

    draft -> scrubbed_clean | scrubbed_errors
    scrubbed_errors -> scrubbed_clean | scrubbed_errors | draft (edited)
    scrubbed_clean -> ready | scrubbed_errors | draft
    ready -> submitted | draft
    submitted -> accepted | rejected
    accepted -> paid | partially_paid | denied
    rejected -> draft (corrected) | voided
    paid | partially_paid -> closed | corrected | appealed
    denied -> appealed | corrected | closed | voided
    appealed -> paid | partially_paid | denied | closed
    corrected -> draft
    closed (final), voided (final)

Every transition is recorded in the claim's history (who, when, why) by the service that
applies it; an invalid one is refused with ``InvalidTransition``.
"""

from __future__ import annotations

from revcycle.domain.errors import RevcycleError

TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"scrubbed_clean", "scrubbed_errors", "voided"}),
    "scrubbed_errors": frozenset({"scrubbed_clean", "scrubbed_errors", "draft", "voided"}),
    "scrubbed_clean": frozenset({"ready", "scrubbed_errors", "scrubbed_clean", "draft", "voided"}),
    "ready": frozenset({"submitted", "draft", "scrubbed_errors"}),
    "submitted": frozenset({"accepted", "rejected"}),
    "accepted": frozenset({"paid", "partially_paid", "denied", "rejected"}),
    "rejected": frozenset({"draft", "voided"}),
    "paid": frozenset({"closed", "corrected", "appealed"}),
    "partially_paid": frozenset({"closed", "corrected", "appealed", "paid"}),
    "denied": frozenset({"appealed", "corrected", "closed", "voided"}),
    "appealed": frozenset({"paid", "partially_paid", "denied", "closed"}),
    "corrected": frozenset({"draft"}),
    "closed": frozenset(),
    "voided": frozenset(),
}
STATES = tuple(TRANSITIONS)
EDITABLE = frozenset({"draft", "scrubbed_errors", "scrubbed_clean", "rejected", "corrected"})


class InvalidTransition(RevcycleError):
    """A claim cannot move from its state to the one asked for."""

    code = "invalid_transition"

    def __init__(self, current: str, target: str) -> None:
        self.current = current
        self.target = target
        allowed = ", ".join(sorted(TRANSITIONS.get(current, ()))) or "none (final state)"
        super().__init__(f"a claim in state {current} cannot become {target} (allowed: {allowed})")


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise InvalidTransition(current, target)
