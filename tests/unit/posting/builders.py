"""Small builders for posting tests: billed claims, and remittances made from the domain
dataclasses with their totals computed so they balance unless a test says otherwise."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from revcycle.domain.ledger import Ledger
from revcycle.domain.money import Money
from revcycle.domain.remittance import (
    Adjustment,
    ClaimPayment,
    Payment,
    ProviderAdjustment,
    RemitParty,
    Remittance,
    ServicePayment,
)
from revcycle.posting import BilledClaim, BilledLine, claim_charge_entry

DOS = date(2026, 5, 4)
PAID_ON = date(2026, 6, 1)
PRACTICE = "pr1"
PRIMARY = "60054"
SECONDARY = "MGAP1"


def m(x: str | int) -> Money:
    return Money(x)


def cas(group: str, reason: str, amount: str) -> Adjustment:
    return Adjustment(group, reason, m(amount))


def billed_line(
    n: int, procedure: str, charge: str, *, lcn: str | None = None, mods: tuple[str, ...] = ()
) -> BilledLine:
    return BilledLine(
        line_id=f"L{n}",
        line_number=n,
        line_control_number=f"LCN{n}" if lcn is None else lcn,
        procedure=procedure,
        charge=m(charge),
        service_date=DOS,
        modifiers=mods,
    )


def claim(
    pcn: str,
    *lines: BilledLine,
    coverages: tuple[str, ...] = (PRIMARY,),
    claim_id: str | None = None,
    patient_id: str = "pat1",
) -> BilledClaim:
    return BilledClaim(
        claim_id=claim_id or f"C-{pcn}",
        practice_id=PRACTICE,
        patient_id=patient_id,
        patient_control_number=pcn,
        lines=lines,
        coverages=coverages,
    )


def svc(
    procedure: str,
    charge: str,
    paid: str,
    *adjustments: Adjustment,
    lcn: str = "",
    mods: tuple[str, ...] = (),
    remarks: tuple[str, ...] = (),
) -> ServicePayment:
    return ServicePayment(
        procedure=procedure,
        charge=m(charge),
        paid=m(paid),
        modifiers=mods,
        line_control_number=lcn,
        service_date=DOS,
        adjustments=adjustments,
        remarks=remarks,
    )


def clp(
    pcn: str,
    status: str,
    *lines: ServicePayment,
    adjustments: Sequence[Adjustment] = (),
    icn: str = "ICN1",
    remarks: tuple[str, ...] = (),
    charge: str | None = None,
    paid: str | None = None,
    crossover_payer: str = "",
) -> ClaimPayment:
    all_adj = [*adjustments, *(a for s in lines for a in s.adjustments)]
    pr = Money.sum(a.amount for a in all_adj if a.group == "PR")
    total_charge = m(charge) if charge is not None else Money.sum(s.charge for s in lines)
    total_paid = (
        m(paid) if paid is not None else total_charge - Money.sum(a.amount for a in all_adj)
    )
    return ClaimPayment(
        patient_control_number=pcn,
        status=status,
        charge=total_charge,
        paid=total_paid,
        patient_responsibility=pr,
        payer_claim_control_number=icn,
        adjustments=tuple(adjustments),
        lines=lines,
        remarks=remarks,
        crossover_payer=crossover_payer,
    )


def remit(
    *claims: ClaimPayment,
    plb: Sequence[ProviderAdjustment] = (),
    amount: str | None = None,
    payer_id: str = PRIMARY,
    trace: str = "TRACE1",
) -> Remittance:
    net = Money.sum(c.paid for c in claims) - Money.sum(p.amount for p in plb)
    return Remittance(
        payment=Payment(
            amount=m(amount) if amount is not None else net,
            method="ACH",
            date=PAID_ON,
            trace_number=trace,
        ),
        payer=RemitParty("PAYER", identifier=payer_id),
        payee=RemitParty("CLINIC", identifier="1234567893", id_qualifier="XX"),
        claims=claims,
        provider_adjustments=tuple(plb),
    )


def charged_ledger(*claims: BilledClaim) -> Ledger:
    led = Ledger()
    for c in claims:
        led.post(claim_charge_entry(c, DOS))
    return led
