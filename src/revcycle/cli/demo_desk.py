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

from revcycle.db.eligibility_repo import latest_271
from revcycle.db.patient_billing_repo import billing_store
from revcycle.domain.money import Money
from revcycle.estimates.engine import E_M_OFFICE
from revcycle.posting.patient import Tender
from revcycle.services.patient_billing import apply_credit, post_payment

if TYPE_CHECKING:
    from collections.abc import Iterable

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
    primary = {c.patient_id: c.id for c in demo.coverages if c.order == "primary"}
    copay_of: dict[int, Money | None] = {}
    out = Copays()
    for visit in visits:
        if out.visits_with_copay >= COPAYS_MAX:
            break
        data = visit.data
        patient_id = int(data["patient_id"])
        if not any(ln["procedure"] in OFFICE_VISITS for ln in data["lines"]):
            continue
        if patient_id not in copay_of:
            coverage_id = primary.get(patient_id)
            with ctx.uow() as uow:
                benefits = latest_271(uow, coverage_id) if coverage_id is not None else None
            copay = benefits.copay(E_M_OFFICE) if benefits and benefits.is_active() else None
            copay_of[patient_id] = copay if copay is not None and copay.amount > 0 else None
        amount = copay_of[patient_id]
        if amount is None:
            continue
        out.visits_with_copay += 1
        if rng.random() >= COPAY_PAID_RATE:
            continue
        tender = Tender("card", amount, "4242") if rng.random() < 0.7 else Tender("cash", amount)
        post_payment(
            ctx,
            patient_id,
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
