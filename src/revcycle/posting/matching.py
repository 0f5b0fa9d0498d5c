"""Finding the claim a CLP pays and the line each SVC pays.

A claim is found by patient control number (CLP01); when several claims share it, the one
whose billed total equals CLP03 wins, and a tie is no match (never guess between patients).
A CLP without service lines must also carry the claim's billed total: with nothing else to
compare, a different total means a different claim.

A line is found in passes, each taking only lines no earlier pass took:

1. REF*6R line control number, as sent in the 837;
2. procedure + modifiers + date + charge;
3. procedure + date + charge (the payer dropped or changed a modifier);
4. date + charge (the payer changed the procedure code);
5. charge alone, when exactly one unmatched line has it;
6. position: the n-th remaining SVC is the n-th remaining line, when as many remain of each
   and the two share their procedure or their charge (a line differing in both is another
   claim's line, not this one's: it stays unmatched).

An SVC without a date (dates given at claim level) matches any date. Reversal amounts are
negative, so charges are compared by absolute value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from revcycle.domain.money import Money
from revcycle.domain.remittance import ClaimPayment, ServicePayment
from revcycle.posting.model import BilledClaim, BilledLine


class ClaimIndex:
    """The claims an 835 may pay, by patient control number."""

    def __init__(self, claims: Iterable[BilledClaim] = ()) -> None:
        self._by_pcn: dict[str, list[BilledClaim]] = {}
        self._by_id: dict[str, BilledClaim] = {}
        for c in claims:
            self.add(c)

    def add(self, claim: BilledClaim) -> None:
        self._by_pcn.setdefault(claim.patient_control_number, []).append(claim)
        self._by_id[claim.claim_id] = claim

    def by_id(self, claim_id: str) -> BilledClaim | None:
        return self._by_id.get(claim_id)

    def find(self, payment: ClaimPayment) -> BilledClaim | None:
        candidates = self._by_pcn.get(payment.patient_control_number, ())
        charge = abs(payment.charge.amount)
        if not payment.lines:
            candidates = [c for c in candidates if c.charge.amount == charge]
        if len(candidates) == 1:
            return candidates[0]
        same = [c for c in candidates if c.charge.amount == charge]
        return same[0] if len(same) == 1 else None


def _abs(m: Money) -> Money:
    return -m if m.is_negative() else m


def _date_ok(svc: ServicePayment, line: BilledLine) -> bool:
    return (
        svc.service_date is None
        or line.service_date is None
        or (svc.service_date == line.service_date)
    )


Predicate = Callable[[ServicePayment, BilledLine], bool]

_PASSES: tuple[Predicate, ...] = (
    lambda s, ln: bool(s.line_control_number) and s.line_control_number == ln.line_control_number,
    lambda s, ln: (
        s.procedure == ln.procedure
        and s.modifiers == ln.modifiers
        and _date_ok(s, ln)
        and _abs(s.charge) == ln.charge
    ),
    lambda s, ln: s.procedure == ln.procedure and _date_ok(s, ln) and _abs(s.charge) == ln.charge,
    lambda s, ln: _date_ok(s, ln) and _abs(s.charge) == ln.charge,
)


def match_lines(
    claim: BilledClaim, services: tuple[ServicePayment, ...]
) -> list[BilledLine | None]:
    """For each SVC, the billed line it pays (``None`` when nothing fits)."""
    result: list[BilledLine | None] = [None] * len(services)
    free: list[BilledLine] = list(claim.lines)
    for predicate in _PASSES:
        for i, svc in enumerate(services):
            if result[i] is not None:
                continue
            for line in free:
                if predicate(svc, line):
                    result[i] = line
                    free.remove(line)
                    break
        if not free or all(r is not None for r in result):
            return result
    for i, svc in enumerate(services):
        if result[i] is None:
            fits = [ln for ln in free if ln.charge == _abs(svc.charge)]
            if len(fits) == 1:
                result[i] = fits[0]
                free.remove(fits[0])
    remaining = [i for i, r in enumerate(result) if r is None]
    if remaining and len(remaining) == len(free):
        for i, line in zip(remaining, sorted(free, key=lambda ln: ln.line_number), strict=True):
            svc = services[i]
            if line.procedure == svc.procedure or line.charge == _abs(svc.charge):
                result[i] = line
    return result
