"""The demo's front desk at the visit: copays asked for at check-in, and applied once the
payers have said what each patient owes.

At check-in the desk reads the patient's newest 271 on file. When it names an office-visit
copay (service type 98) and the visit is an office visit, the desk asks for it, and most
patients pay. The copay is recorded as received on the date of service: it is a
point-of-service collection, and it sits on the patient's account as credit until the 835 says
what the patient owes. After the payment cycles, the billing office applies those credits to
the open patient balances, before statements go out.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from revcycle.db.patient_billing_repo import billing_store
from revcycle.domain.money import Money
from revcycle.estimates.engine import E_M_OFFICE
from revcycle.posting.patient import Tender
from revcycle.services.eligibility import latest_eligibilities
from revcycle.services.patient_billing import apply_credit, post_payment

if TYPE_CHECKING:
    from collections.abc import Iterable

    from revcycle.domain.eligibility import EligibilityResponse
    from revcycle.services.context import Context
    from revcycle.services.demo import DemoPractice
    from revcycle.services.demo_charges import PlannedVisit

COPAY_PAID_RATE = 0.85  # the rest forget their wallet and get the copay on a statement
COPAYS_MAX = 1000  # at large N, the desk's copays are a sample: each is its own transaction
OFFICE_VISITS = tuple(f"992{n:02d}" for n in range(2, 16))  # 99202-99215


@dataclass
class Copays:
    """What the desk took at check-in."""

    visits_with_copay: int = 0
    collected: int = 0
    amount: Money = field(default_factory=Money.zero)


def copays_at_checkin(
    ctx: Context, demo: DemoPractice, visits: Iterable[PlannedVisit], seed: int
) -> Copays:
    """Ask for the 271's office-visit copay at each office visit of an insured patient (the
    first ``COPAYS_MAX`` such visits); most patients pay it, received on the date of service."""
    rng = random.Random(seed * 104729 + 3)
    primary = {c.patient_id: c.id for c in demo.coverages if c.order == "primary" and c.id}
    office = [
        (v.data, primary[v.data["patient_id"]])
        for v in visits
        if v.data["patient_id"] in primary
        and any(ln["procedure"] in OFFICE_VISITS for ln in v.data["lines"])
    ]
    with ctx.uow() as uow:  # every coverage's newest 271 in one read, each parsed once
        latest = latest_eligibilities(uow.eligibility, (c for _, c in office))
    copay_of = {c: _office_copay(found.response if found else None) for c, found in latest.items()}
    out = Copays()
    for data, coverage_id in office:
        amount = copay_of[coverage_id]
        if amount is None:
            continue
        if out.visits_with_copay >= COPAYS_MAX:
            break
        out.visits_with_copay += 1
        if rng.random() >= COPAY_PAID_RATE:
            continue
        tender = Tender("card", amount, "4242") if rng.random() < 0.7 else Tender("cash", amount)
        post_payment(
            ctx,
            data["patient_id"],
            [tender],
            store=billing_store,
            copay=True,
            service_date=data["dos_from"],
            received_on=data["dos_from"],
            idempotency_key=f"copay-{data['external_ref']}",
        )
        out.collected += 1
        out.amount += amount
    return out


def _office_copay(benefits: EligibilityResponse | None) -> Money | None:
    """The office-visit copay an active 271 names; None without one (or a zero copay)."""
    if benefits is None or not benefits.is_active():
        return None
    copay = benefits.copay(E_M_OFFICE)
    return copay if copay is not None and copay.amount > 0 else None


def apply_copay_credits(ctx: Context) -> tuple[int, Money]:
    """Apply every patient's credit to that patient's open balance (the copays taken at
    check-in, now that the 835s have set what each patient owes): (patients, amount applied)."""
    with ctx.uow() as uow:
        totals = billing_store(uow).ledger.patient_totals()
    patients, applied = 0, Money.zero()
    for t in totals:
        if t.credit.amount > 0 and t.patient_open.amount > 0:
            done = apply_credit(ctx, t.patient_id, store=billing_store)
            if done.applied:
                patients += 1
                applied += Money.sum(a.amount for a in done.applied)
    return patients, applied
