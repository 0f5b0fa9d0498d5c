"""EFT reconciliation: each posted 835 payment matched to the bank deposit that carried it.

Rules, in order (:func:`match_payments`, pure):

1. **By trace**: the 835's TRN02 equals the deposit's trace (from the ACH CCD+ addenda
   ``TRN*1*<trace>*<payer>\\``), or appears as a whole word in the deposit's reference or text
   (a check number on a lockbox deposit). Among several, the same amount wins, then the
   nearest date. A trace match whose amounts differ is a **variance** (deposit minus ERA).
2. **By amount and date**: an 835 still unmatched, with money (BPR02 > 0, BPR04 not ``NON``),
   matches an unmatched deposit of the same amount dated within 3 business days of BPR16,
   the nearest first, unless both carry traces and the traces differ.

Each ERA payment and each deposit is matched at most once; matches are persisted, so a later
run keeps them and only works on what is still open. What is left is reported: ERAs without a
deposit, deposits without an ERA.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from revcycle.domain.money import Money
from revcycle.domain.user import WRITE_ACCOUNTING
from revcycle.services.accounting import AccountingStoreFactory, Deposit, DepositMatch, EraPayment
from revcycle.services.context import Context

DATE_WINDOW = 3  # business days


def business_days_between(a: date, b: date) -> int:
    """Weekdays stepped over going from the earlier date to the later (holidays not known)."""
    lo, hi = min(a, b), max(a, b)
    if (hi - lo).days > 31:
        return (hi - lo).days
    days, day = 0, lo
    while day < hi:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days += 1
    return days


def _mentions(deposit: Deposit, trace: str) -> bool:
    if not trace:
        return False
    if deposit.trace_number == trace:
        return True
    pattern = rf"(?<![0-9A-Za-z]){re.escape(trace)}(?![0-9A-Za-z])"
    return bool(re.search(pattern, f"{deposit.reference} {deposit.description}"))


def _distance(era: EraPayment, deposit: Deposit) -> int:
    if era.payment_date is None:
        return 0
    return business_days_between(era.payment_date, deposit.deposit_date)


def match_payments(
    eras: Sequence[EraPayment],
    deposits: Sequence[Deposit],
    existing: Sequence[DepositMatch] = (),
    window: int = DATE_WINDOW,
) -> list[DepositMatch]:
    """The new matches between the ERA payments and deposits not matched yet."""
    used_eras = {m.era_payment_id for m in existing}
    used_deposits = {m.deposit_id for m in existing}
    new: list[DepositMatch] = []

    def take(era: EraPayment, deposit: Deposit, kind: str) -> None:
        used_eras.add(era.id)
        used_deposits.add(deposit.id)
        new.append(DepositMatch(era.id, deposit.id, kind, deposit.amount - era.amount))

    for era in eras:
        if era.id in used_eras or not era.trace_number:
            continue
        found = [
            d for d in deposits if d.id not in used_deposits and _mentions(d, era.trace_number)
        ]
        if found:
            best = min(found, key=lambda d: (d.amount != era.amount, _distance(era, d), d.id))
            take(era, best, "trace")
    for era in eras:
        if era.id in used_eras or era.method == "NON" or not era.amount or era.amount.is_negative():
            continue
        near = [
            d
            for d in deposits
            if d.id not in used_deposits
            and d.amount == era.amount
            and era.payment_date is not None
            and _distance(era, d) <= window
            and not (d.trace_number and era.trace_number and d.trace_number != era.trace_number)
        ]
        if near:
            take(era, min(near, key=lambda d: (_distance(era, d), d.id)), "amount_date")
    return new


@dataclass(frozen=True, slots=True)
class Reconciliation:
    matched: tuple[tuple[EraPayment, Deposit, DepositMatch], ...]
    eras_without_deposit: tuple[EraPayment, ...]
    deposits_without_era: tuple[Deposit, ...]
    new_matches: int

    @property
    def variances(self) -> tuple[tuple[EraPayment, Deposit, DepositMatch], ...]:
        return tuple(m for m in self.matched if m[2].difference)

    def to_json(self) -> dict[str, Any]:
        return {
            "matched": [_pair(e, d, m) for e, d, m in self.matched],
            "variances": [_pair(e, d, m) for e, d, m in self.variances],
            "eras_without_deposit": [_era(e) for e in self.eras_without_deposit],
            "deposits_without_era": [_deposit(d) for d in self.deposits_without_era],
            "new_matches": self.new_matches,
            "totals": {
                "matched_era": Money.sum(e.amount for e, _d, _m in self.matched).to_json(),
                "matched_deposits": Money.sum(d.amount for _e, d, _m in self.matched).to_json(),
                "eras_without_deposit": Money.sum(
                    e.amount for e in self.eras_without_deposit
                ).to_json(),
                "deposits_without_era": Money.sum(
                    d.amount for d in self.deposits_without_era
                ).to_json(),
            },
        }


def _era(e: EraPayment) -> dict[str, Any]:
    return {
        "era_payment_id": e.id,
        "trace_number": e.trace_number,
        "payer_id": e.payer_id,
        "payer_name": e.payer_name,
        "amount": e.amount.to_json(),
        "method": e.method,
        "payment_date": e.payment_date.isoformat() if e.payment_date else None,
    }


def _deposit(d: Deposit) -> dict[str, Any]:
    return {
        "deposit_id": d.id,
        "date": d.deposit_date.isoformat(),
        "amount": d.amount.to_json(),
        "reference": d.reference,
        "trace_number": d.trace_number,
        "method": d.method,
    }


def _pair(e: EraPayment, d: Deposit, m: DepositMatch) -> dict[str, Any]:
    return {
        "kind": m.kind,
        "era": _era(e),
        "deposit": _deposit(d),
        "difference": m.difference.to_json(),
    }


def reconcile(ctx: Context, *, store: AccountingStoreFactory) -> Reconciliation:
    """Match what is still open, persist the new matches, and report everything."""
    ctx.require(WRITE_ACCOUNTING)
    with ctx.uow() as uow:
        s = store(uow)
        eras, deposits, existing = s.era_payments(), s.deposits(), s.matches()
        new = match_payments(eras, deposits, existing)
        s.add_matches(new, ctx.clock.now())
        ctx.audit(uow, "deposits.reconcile", "deposits", len(new))
        uow.commit()
    era_by_id = {e.id: e for e in eras}
    deposit_by_id = {d.id: d for d in deposits}
    matches = [*existing, *new]
    matched = tuple(
        (era_by_id[m.era_payment_id], deposit_by_id[m.deposit_id], m)
        for m in matches
        if m.era_payment_id in era_by_id and m.deposit_id in deposit_by_id
    )
    used_eras = {m.era_payment_id for m in matches}
    used_deposits = {m.deposit_id for m in matches}
    return Reconciliation(
        matched=matched,
        eras_without_deposit=tuple(
            e
            for e in eras
            if e.id not in used_eras
            and e.method != "NON"
            and e.amount
            and not e.amount.is_negative()
        ),
        deposits_without_era=tuple(d for d in deposits if d.id not in used_deposits),
        new_matches=len(new),
    )
