"""Denial records: one claim or claim line a payer or clearinghouse refused, tracked to the end.

A ``Denial`` comes from an 835 (claim or line level), a 277CA rejection or a 999 rejection. It
carries the codes as received (CARCs as ``"GROUP-CODE"``, e.g. ``"CO-16"``; RARCs bare), the
root cause (``category``, one of ``revcycle.codesets.reference.ROOT_CAUSES``) and the
recommended ``action``, the dollars at stake, the deadlines, the owner and a status that moves
only along ``TRANSITIONS``. ``source_ref`` names the source document (835: file hash + CLP
index; 277CA / 999: inbound file id + set index): with the claim and the line it makes the
record unique, so applying a source twice creates nothing new.

Priority orders the work queue: dollars at stake weighted by the urgency of the nearest
deadline (``priority``), stored so that a queue over a million records pages by keyset.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from revcycle.domain.errors import DomainValidationError
from revcycle.domain.money import Money

SOURCES: tuple[str, ...] = ("835", "277CA", "999")
ACTIONS: tuple[str, ...] = ("correct", "appeal", "reroute", "bill_patient", "write_off", "none")
STATUSES: tuple[str, ...] = (
    "open",
    "in_progress",
    "corrected",
    "appealed",
    "rerouted",
    "billed_patient",
    "written_off",
    "resolved",
    "closed",
)
#: Statuses a person still has to work.
OPEN_STATUSES: frozenset[str] = frozenset({"open", "in_progress"})
#: Statuses that end the record (nothing may follow but ``closed``).
FINAL_STATUSES: frozenset[str] = frozenset({"written_off", "resolved", "closed"})

_WORKING = frozenset(
    {"in_progress", "corrected", "appealed", "rerouted", "billed_patient", "written_off"}
)
#: Allowed status changes.  An action taken (corrected, appealed, ...) waits for the payer's
#: answer: a new denial reopens the record (``open``), a payment resolves it.
TRANSITIONS: dict[str, frozenset[str]] = {
    "open": _WORKING | {"resolved", "closed"},
    "in_progress": (_WORKING - {"in_progress"}) | {"open", "resolved", "closed"},
    "corrected": frozenset({"open", "in_progress", "resolved", "closed", "appealed"}),
    "appealed": frozenset({"open", "in_progress", "appealed", "resolved", "closed", "written_off"}),
    "rerouted": frozenset({"open", "in_progress", "resolved", "closed"}),
    "billed_patient": frozenset({"open", "in_progress", "resolved", "closed"}),
    "written_off": frozenset({"closed"}),
    "resolved": frozenset({"closed", "open"}),
    "closed": frozenset({"open"}),
}

#: Aging buckets by days since the denial: name -> (first day, last day or None).
AGING_BUCKETS: dict[str, tuple[int, int | None]] = {
    "0-30": (0, 30),
    "31-60": (31, 60),
    "61-90": (61, 90),
    "91-120": (91, 120),
    "121+": (121, None),
}


@dataclass(frozen=True, slots=True)
class Denial:
    """One denied claim (``line_id`` None) or claim line."""

    claim_id: int
    source: str
    source_ref: str
    category: str
    action: str
    amount: Money
    denied_on: date
    line_id: int | None = None
    payer_id: int | None = None
    payer_claim_number: str | None = None
    carcs: tuple[str, ...] = ()
    rarcs: tuple[str, ...] = ()
    timely_filing_deadline: date | None = None
    appeal_deadline: date | None = None
    appeal_level: int = 0
    status: str = "open"
    owner: str | None = None
    follow_up: date | None = None
    resolution: str | None = None
    priority: int = 0
    id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def deadline(self) -> date | None:
        """The deadline that matters for the recommended action (the nearest one)."""
        return nearest_deadline(self.action, self.timely_filing_deadline, self.appeal_deadline)

    @property
    def carc_codes(self) -> tuple[str, ...]:
        """The CARCs without their group code."""
        return tuple(c.split("-", 1)[-1] for c in self.carcs)

    def moved_to(self, status: str, today: date | None = None) -> Denial:
        """This denial in ``status``; raises ``DomainValidationError`` if not allowed."""
        if status not in STATUSES:
            raise DomainValidationError.single("status", "unknown", f"unknown status {status!r}")
        if status != self.status and status not in TRANSITIONS[self.status]:
            raise DomainValidationError.single(
                "status", "transition", f"a denial cannot go from {self.status} to {status}"
            )
        moved = replace(self, status=status)
        return moved if today is None else replace(moved, priority=priority(moved, today))


@dataclass(frozen=True, slots=True)
class DenialEvent:
    """One step of a denial's history (created, assigned, note, follow_up, status, ...)."""

    denial_id: int
    action: str
    actor: str
    note: str | None = None
    at: datetime | None = None
    id: int | None = None


def nearest_deadline(action: str, timely_filing: date | None, appeal: date | None) -> date | None:
    """The appeal deadline for appeals, else the earliest of the two known deadlines."""
    if action == "appeal" and appeal is not None:
        return appeal
    known = [d for d in (timely_filing, appeal) if d is not None]
    return min(known) if known else None


def urgency(deadline: date | None, today: date) -> int:
    """A weight from 1 (no deadline, or far) to 5 (due within a week); 1 once expired."""
    if deadline is None:
        return 1
    days = (deadline - today).days
    if days < 0:
        return 1
    if days <= 7:
        return 5
    if days <= 30:
        return 4
    if days <= 60:
        return 3
    if days <= 120:
        return 2
    return 1


def priority(denial: Denial, today: date) -> int:
    """Dollars at stake (cents) times the urgency of the nearest deadline; 0 once worked."""
    if denial.status not in OPEN_STATUSES:
        return 0
    cents = int(denial.amount.amount * 100)
    return max(cents, 1) * urgency(denial.deadline, today)


def aging_bucket(denied_on: date, today: date) -> str:
    """The aging bucket name of a denial received on ``denied_on``."""
    days = max((today - denied_on).days, 0)
    for name, (first, last) in AGING_BUCKETS.items():
        if days >= first and (last is None or days <= last):
            return name
    return "121+"
