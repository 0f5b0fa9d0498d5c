"""The patient's share of planned services: the arithmetic of a cost estimate.

``estimate(priced, benefits)`` walks the priced services in order and, for each, from its
expected allowed amount:

1. applies what is left of the deductible (the 271's remaining amount; when the payer gave
   only the total and the amount met, their difference; only the total: all of it);
2. on the rest, the copay -- once per visit, for service types that carry one
   (``COPAY_SERVICE_TYPES``: E/M office visits, service type 98) -- or else the coinsurance
   (a fraction of the rest, rounded half up to the cent);
3. caps the patient's running total by what is left of the out-of-pocket limit, taking the
   excess back from the coinsurance first, then the copay, then the deductible;
4. the plan pays the rest of the allowed amount.

The service type of a line comes from its procedure (``SERVICE_TYPES``, data); the 271's
answer for it comes from ``EligibilityResponse.summary`` (the type's own benefits, else the
plan-level ones). Deductible and out-of-pocket amounts are tracked per accumulator, so lines
answered by the same plan-level deductible share it.

Without benefits (no 271, a 271 that rejected the request or said coverage is inactive) the
patient's share is the whole allowed amount and the estimate is flagged; so is a self-pay
estimate, where there is no plan at all.

Invariants (tested with hypothesis): on every line patient + plan = allowed and each part is
>= 0; the deductible applied in total is <= the remaining deductible; the patient's total is <=
the out-of-pocket remaining; totals are the sums of the lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from revcycle.domain.eligibility import Accumulator, CostShare, EligibilityResponse
from revcycle.domain.money import Money
from revcycle.estimates.pricing import PricedService

PLAN_LEVEL = "30"
E_M_OFFICE = "98"
MEDICAL_CARE = "1"

# (X12 service type, first code, last code): the first range holding a procedure wins.
SERVICE_TYPES: tuple[tuple[str, str, str], ...] = (
    (E_M_OFFICE, "99202", "99215"),  # professional (physician) visit - office
    ("86", "99281", "99285"),  # emergency services
    ("5", "36415", "36416"),  # diagnostic lab (venipuncture)
    ("5", "80047", "89398"),  # diagnostic lab
    ("4", "70010", "79999"),  # diagnostic X-ray
    ("PT", "97010", "97799"),  # physical therapy
    ("2", "10004", "69990"),  # surgery
)
COPAY_SERVICE_TYPES = frozenset({E_M_OFFICE})
SERVICE_TYPE_NAMES = {
    E_M_OFFICE: "Office visit",
    "86": "Emergency services",
    "5": "Laboratory",
    "4": "Imaging",
    "PT": "Physical therapy",
    "2": "Surgery",
    MEDICAL_CARE: "Medical care",
}

# Why an estimate has the basis it has.
BENEFITS = "benefits"
NO_BENEFITS = "no_benefits"
REJECTED = "benefits_rejected"
INACTIVE = "coverage_inactive"
SELF_PAY = "self_pay"

ZERO = Money.zero()


def service_type(procedure: str) -> str:
    for kind, lo, hi in SERVICE_TYPES:
        if len(procedure) == len(lo) and lo <= procedure <= hi:
            return kind
    return MEDICAL_CARE


@dataclass(frozen=True, slots=True)
class EstimateLine:
    """One service with its arithmetic: ``patient = deductible + copay + coinsurance`` and
    ``plan = allowed - patient``; ``out_of_pocket_cap`` is what the out-of-pocket limit already
    took off those three (coinsurance first, then copay, then deductible)."""

    priced: PricedService
    service_type: str
    deductible: Money
    copay: Money
    coinsurance: Money
    coinsurance_rate: Decimal | None
    out_of_pocket_cap: Money  # taken off the patient's share by the out-of-pocket limit
    patient: Money
    plan: Money

    @property
    def charge(self) -> Money:
        return self.priced.charge

    @property
    def allowed(self) -> Money:
        return self.priced.allowed


@dataclass(frozen=True, slots=True)
class Estimate:
    """An itemized estimate. ``deductible_remaining`` / ``out_of_pocket_remaining`` are the
    plan-level amounts left before these services (``None``: not known); ``notes`` say in
    words what the numbers rest on."""

    lines: tuple[EstimateLine, ...]
    basis: str  # benefits, no_benefits, benefits_rejected, coverage_inactive, self_pay
    in_network: bool = True
    deductible_remaining: Money | None = None
    out_of_pocket_remaining: Money | None = None
    notes: tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        """The patient's share is not reduced by any benefit: check before quoting it."""
        return self.basis != BENEFITS

    def _sum(self, attr: str) -> Money:
        return Money.sum(getattr(ln, attr) for ln in self.lines)

    @property
    def charge(self) -> Money:
        return self._sum("charge")

    @property
    def allowed(self) -> Money:
        return self._sum("allowed")

    @property
    def deductible(self) -> Money:
        return self._sum("deductible")

    @property
    def copay(self) -> Money:
        return self._sum("copay")

    @property
    def coinsurance(self) -> Money:
        return self._sum("coinsurance")

    @property
    def out_of_pocket_cap(self) -> Money:
        return self._sum("out_of_pocket_cap")

    @property
    def patient(self) -> Money:
        return self._sum("patient")

    @property
    def plan(self) -> Money:
        return self._sum("plan")


def remaining(acc: Accumulator) -> Money | None:
    """What is left of a deductible or out-of-pocket limit, as well as the 271 tells it."""
    if acc.remaining is not None:
        return max(acc.remaining, ZERO)
    if acc.total is not None and acc.met is not None:
        return max(acc.total - acc.met, ZERO)
    return acc.total


def _whole_allowed(
    priced: Sequence[PricedService], basis: str, notes: tuple[str, ...], in_network: bool
) -> Estimate:
    lines = tuple(
        EstimateLine(
            p,
            service_type(p.service.procedure),
            ZERO,
            ZERO,
            ZERO,
            None,
            ZERO,
            p.allowed,
            ZERO,
        )
        for p in priced
    )
    return Estimate(lines, basis, in_network, notes=notes)


_NO_BENEFIT_NOTES = {
    NO_BENEFITS: "No eligibility response (271) on file for this coverage: the patient's share "
    "is shown as the whole expected allowed amount. Check eligibility and estimate again.",
    REJECTED: "The payer rejected the eligibility request: the patient's share is shown as the "
    "whole expected allowed amount.",
    INACTIVE: "The payer says the coverage is not active: the patient's share is shown as the "
    "whole expected allowed amount.",
    SELF_PAY: "Self-pay: no insurance benefits apply; the patient pays the expected amount.",
}


def estimate(
    priced: Sequence[PricedService],
    benefits: EligibilityResponse | None,
    *,
    self_pay: bool = False,
    in_network: bool = True,
) -> Estimate:
    """The patient's and the plan's share of each priced service (see the module docstring)."""
    if self_pay:
        return _whole_allowed(priced, SELF_PAY, (_NO_BENEFIT_NOTES[SELF_PAY],), in_network)
    if benefits is None:
        return _whole_allowed(priced, NO_BENEFITS, (_NO_BENEFIT_NOTES[NO_BENEFITS],), in_network)
    if benefits.rejected:
        return _whole_allowed(priced, REJECTED, (_NO_BENEFIT_NOTES[REJECTED],), in_network)
    if benefits.coverage_status(PLAN_LEVEL) == "inactive":
        return _whole_allowed(priced, INACTIVE, (_NO_BENEFIT_NOTES[INACTIVE],), in_network)

    def share_of(stype: str) -> CostShare:
        summary = benefits.summary(stype)
        return summary.in_network if in_network else summary.out_of_network

    notes: list[str] = []
    deductible_left: dict[Accumulator, Money] = {}
    oop_left: dict[Accumulator, Money | None] = {}
    copays_taken: set[str] = set()
    lines: list[EstimateLine] = []
    for p in priced:
        stype = service_type(p.service.procedure)
        share = share_of(stype)
        ded_key, oop_key = share.deductible, share.out_of_pocket
        if ded_key not in deductible_left:
            deductible_left[ded_key] = remaining(ded_key) or ZERO
        if oop_key not in oop_left:
            oop_left[oop_key] = remaining(oop_key)
        allowed = p.allowed
        ded = min(allowed, deductible_left[ded_key])
        rest = allowed - ded
        copay = coins = ZERO
        rate: Decimal | None = None
        if stype in COPAY_SERVICE_TYPES and share.copay is not None:
            if stype not in copays_taken:
                copay = min(share.copay, rest)
                copays_taken.add(stype)
        else:
            rate = share.coinsurance if share.coinsurance is not None else Decimal(0)
            coins = Money(rest.amount * rate)
        cap_left = oop_left[oop_key]
        excess = ZERO
        if cap_left is not None:
            excess = max(ded + copay + coins - cap_left, ZERO)
        cap = excess
        take = min(excess, coins)
        coins, excess = coins - take, excess - take
        take = min(excess, copay)
        copay, excess = copay - take, excess - take
        ded = ded - excess
        patient = ded + copay + coins
        deductible_left[ded_key] -= ded
        if cap_left is not None:
            oop_left[oop_key] = cap_left - patient
        lines.append(
            EstimateLine(p, stype, ded, copay, coins, rate, cap, patient, allowed - patient)
        )
    plan_share = share_of(PLAN_LEVEL)
    ded_before = remaining(plan_share.deductible)
    oop_before = remaining(plan_share.out_of_pocket)
    if ded_before is None:
        notes.append("The payer did not state a deductible: none is applied.")
    if oop_before is None:
        notes.append("The payer did not state an out-of-pocket limit: the share is not capped.")
    if any(ln.out_of_pocket_cap for ln in lines):
        notes.append("The out-of-pocket limit is reached: the plan pays the rest.")
    return Estimate(tuple(lines), BENEFITS, in_network, ded_before, oop_before, tuple(notes))
