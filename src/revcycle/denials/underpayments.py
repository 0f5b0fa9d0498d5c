"""Underpayments: what a payer's contract says it should have allowed and paid for each line of
a claim, compared with what its 835 allowed and paid.

Rules, in order, for the lines of one claim payment (pure computation: domain and code sets):

1. **Contract amount** per line: ``Contract.expected`` (a fee-schedule rate times the units, or
   a percentage of the Medicare physician fee schedule priced with the RVUs, the GPCI of the
   contract's carrier + locality and the conversion factor: ``pfs_pricer``).
2. **Multiple procedure reduction (MPPR)**: among the lines of one claim and date of service
   whose PFS multiple-procedure indicator is ``2`` (standard surgical rule), the unit with the
   highest contract amount is expected at 100 % and every other unit at 50 %. Other indicators
   (endoscopy families, imaging, therapy) are not reduced here: they are left at 100 %, which
   never creates a false underpayment.
3. **Lesser of charge**: the expected allowed amount is the contract amount or the line's
   charge, whichever is lower (payers allow the lesser of the billed charge and the rate). So
   the expected allowed amount never exceeds the charge.
4. **Expected payment**: expected allowed less the patient's share the 835 assigned (group
   PR), never below zero; for Medicare (sequestration on) 2 % of that payment is withheld
   (CARC 253), rounded half up to the cent.
5. **Allowed and paid** come from the 835 line: AMT*B6 when present, else the charge less the
   contractual and payer-initiated reductions (CO, PI) other than sequestration (CO-253).
6. A line whose expected payment exceeds its payment by more than the tolerance is
   **underpaid**; a denied line (nothing allowed, nothing paid, nothing to the patient) is the
   denial queue's business, and a line the contract is silent about cannot be judged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from revcycle.codesets.pfs import GpciTable, RvuTable, price_code
from revcycle.domain.fees import Contract, PfsPricer
from revcycle.domain.money import Money
from revcycle.domain.remittance import ServicePayment

DEFAULT_TOLERANCE = Money("1.00")
SEQUESTRATION_PERCENT = Decimal(2)
SEQUESTRATION_CARC = "253"
MPPR_STANDARD = "2"
MPPR_SECOND = Decimal("0.5")

#: Outcomes of a line check.
OK, UNDERPAID, NO_CONTRACT, DENIED = "ok", "underpaid", "no_contract", "denied"
OUTCOMES = (OK, UNDERPAID, NO_CONTRACT, DENIED)

_COMPONENT_MODIFIERS = ("26", "TC", "53")


@dataclass(frozen=True, slots=True)
class LineToCheck:
    """One adjudicated line: what was billed and what the 835 said about it."""

    procedure: str
    modifiers: tuple[str, ...]
    units: Decimal
    service_date: date
    charge: Money
    paid: Money
    allowed: Money
    patient_responsibility: Money
    sequestration: Money = Money(0)  # noqa: RUF009 - immutable; CO-253 reported on the line
    mult_proc: str = ""  # PFS multiple-procedure indicator


def is_denied(line: LineToCheck) -> bool:
    """A denied line: nothing allowed, nothing paid, nothing left to the patient."""
    return not line.paid and not line.allowed and not line.patient_responsibility


@dataclass(frozen=True, slots=True)
class LineCheck:
    """The verdict on one line. ``variance`` is expected payment less payment (``None`` when
    the contract is silent or the line was denied)."""

    outcome: str
    expected_allowed: Money | None
    expected_paid: Money | None
    variance: Money | None
    term: str


def contract_for(contracts: Iterable[Contract], day: date) -> Contract | None:
    """The contract in effect on ``day`` (the latest effective date wins)."""
    live = [
        k
        for k in contracts
        if k.effective <= day and (k.termination is None or day <= k.termination)
    ]
    return max(live, key=lambda k: (k.effective, k.id or 0)) if live else None


def pfs_pricer(rvus: RvuTable, gpcis: GpciTable) -> PfsPricer:
    """A ``PfsPricer`` over loaded RVU and GPCI tables. The contract's locality is the
    5-digit Medicare carrier (MAC) followed by the 2-digit locality, e.g. ``0211201``; the
    conversion factor is the RVU file's own."""

    def price(
        procedure: str, modifiers: tuple[str, ...], locality: str, day: date, facility: bool
    ) -> Money | None:
        component = next((m for m in modifiers if m in _COMPONENT_MODIFIERS), "")
        got = price_code(
            rvus,
            gpcis,
            procedure,
            mac=locality[:5],
            locality=locality[5:] or "00",
            facility=facility,
            modifier=component,
        )
        return None if got.amount is None else Money(got.amount)

    return price


def line_from_835(
    svc: ServicePayment,
    *,
    procedure: str,
    modifiers: tuple[str, ...],
    units: Decimal,
    service_date: date,
    mult_proc: str = "",
) -> LineToCheck:
    """The facts of an 835 service line (rule 5), with the billed line's code and units."""
    reductions = Money.sum(
        a.amount
        for a in svc.adjustments
        if a.group in ("CO", "PI") and a.reason != SEQUESTRATION_CARC
    )
    allowed = svc.allowed if svc.allowed is not None else svc.charge - reductions
    return LineToCheck(
        procedure=procedure,
        modifiers=modifiers,
        units=units,
        service_date=service_date,
        charge=svc.charge,
        paid=svc.paid,
        allowed=allowed,
        patient_responsibility=Money.sum(a.amount for a in svc.adjustments if a.group == "PR"),
        sequestration=Money.sum(
            a.amount for a in svc.adjustments if a.reason == SEQUESTRATION_CARC
        ),
        mult_proc=mult_proc,
    )


def sequestered(payment: Money) -> Money:
    """The 2 % Medicare withholds from a payment (CARC 253), rounded half up."""
    return Money(payment.amount * SEQUESTRATION_PERCENT / 100)


def _mppr_factors(lines: Sequence[LineToCheck], amounts: Sequence[Money | None]) -> list[Decimal]:
    """The share of each line's contract amount expected after MPPR (rule 2)."""
    factors = [Decimal(1)] * len(lines)
    by_day: dict[date, list[int]] = {}
    for i, (ln, amount) in enumerate(zip(lines, amounts, strict=True)):
        if ln.mult_proc == MPPR_STANDARD and amount is not None and ln.units > 0:
            by_day.setdefault(ln.service_date, []).append(i)
    for indexes in by_day.values():
        units = sum((lines[i].units for i in indexes), Decimal(0))
        if units <= 1:
            continue
        per_unit = {i: (amounts[i] or Money.zero()).amount / lines[i].units for i in indexes}
        top = max(indexes, key=lambda i: (per_unit[i], -i))
        for i in indexes:
            full = Decimal(1) if i == top else Decimal(0)
            factors[i] = (full + (lines[i].units - full) * MPPR_SECOND) / lines[i].units
    return factors


def _term(contract: Contract, reduced: bool, sequestration: bool) -> str:
    if contract.kind == "fee_schedule":
        text = f"contract {contract.id or '?'}: fee schedule"
    else:
        text = f"contract {contract.id or '?'}: {contract.percent}% of Medicare {contract.locality}"
    if reduced:
        text += ", MPPR 50%"
    if sequestration:
        text += ", sequestration 2%"
    return text


def check_lines(
    lines: Sequence[LineToCheck],
    contract: Contract | None,
    *,
    pfs: PfsPricer | None = None,
    facility: bool = False,
    sequestration: bool = False,
    tolerance: Money = DEFAULT_TOLERANCE,
) -> list[LineCheck]:
    """Judge the lines of one claim payment against ``contract`` (rules in the docstring)."""
    amounts: list[Money | None] = [
        None
        if contract is None
        else contract.expected(
            ln.procedure, ln.modifiers, ln.units, ln.service_date, facility=facility, pfs=pfs
        )
        for ln in lines
    ]
    factors = _mppr_factors(lines, amounts)
    out: list[LineCheck] = []
    for ln, amount, factor in zip(lines, amounts, factors, strict=True):
        if is_denied(ln):
            out.append(LineCheck(DENIED, None, None, None, ""))
            continue
        if contract is None or amount is None:
            out.append(LineCheck(NO_CONTRACT, None, None, None, ""))
            continue
        reduced = Money(amount.amount * factor) if factor != 1 else amount
        expected_allowed = min(reduced, ln.charge)
        payment = max(Money.zero(), expected_allowed - ln.patient_responsibility)
        expected_paid = payment - sequestered(payment) if sequestration else payment
        variance = expected_paid - ln.paid
        outcome = UNDERPAID if variance > tolerance else OK
        term = _term(contract, factor != 1, sequestration)
        out.append(LineCheck(outcome, expected_allowed, expected_paid, variance, term))
    return out


def with_tolerance(check: LineCheck, tolerance: Money) -> LineCheck:
    """The same verdict under another tolerance."""
    if check.variance is None:
        return check
    return replace(check, outcome=UNDERPAID if check.variance > tolerance else OK)
