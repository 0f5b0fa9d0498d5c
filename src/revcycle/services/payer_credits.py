"""Payer credit balances: overpayments found in the ledger, refunded with a letter, and
Medicare's 60-day rule.

A line has a payer credit when that payer's receivable on it is below zero, or when the payer's
net payments on it exceed its charge (a duplicate payment, a retroactive rate cut). Listing
the credits records each newly found one with the date it was identified; for a payer of class
``medicare`` the deadline to report and return it is 60 days later (section 1128J(d) of the
Social Security Act, 42 CFR 401.305). A credit that the ledger no longer shows (a recoupment
took the money back) is marked ``resolved``.

A refund is one balanced ``refund`` journal entry on the line's payer account (the payer's
receivable is debited back toward zero, ``refunds`` credited), so every line keeps
``charge = payments + adjustments + open``; the letter to the payer is a PDF
(:mod:`revcycle.forms.refund_letter`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from revcycle.domain.errors import Conflict, DomainValidationError, NotFound
from revcycle.domain.ledger import LineRef, Party, refund
from revcycle.domain.money import Money
from revcycle.domain.user import READ_ACCOUNTING, WRITE_ACCOUNTING
from revcycle.forms.refund_letter import RefundLetter, refund_letter_pdf
from revcycle.services.accounting import (
    AccountingStore,
    AccountingStoreFactory,
    CreditLine,
    PayerCredit,
)
from revcycle.services.context import Context
from revcycle.services.ports import UnitOfWork

MEDICARE_RETURN_DAYS = 60
DUE_SOON_DAYS = 14
MEDICARE_CLASS = "medicare"


@dataclass(frozen=True, slots=True)
class CreditView:
    """A recorded credit with what the ledger shows now and how urgent it is."""

    credit: PayerCredit
    payer_name: str
    open_amount: Money
    days_left: int | None  # to the Medicare deadline
    urgency: str  # "overdue", "due" (within DUE_SOON_DAYS), or ""

    def to_json(self) -> dict[str, Any]:
        c = self.credit
        return {
            "id": c.id,
            "claim_id": c.claim_id,
            "line_id": c.line_id,
            "payer_id": c.payer_id,
            "payer_name": self.payer_name,
            "payer_class": c.payer_class,
            "amount": c.amount.to_json(),
            "open_amount": self.open_amount.to_json(),
            "refunded_amount": c.refunded_amount.to_json(),
            "overpaid_on": c.overpaid_on.isoformat() if c.overpaid_on else None,
            "identified_on": c.identified_on.isoformat(),
            "deadline": c.deadline.isoformat() if c.deadline else None,
            "days_left": self.days_left,
            "urgency": self.urgency,
            "status": c.status,
        }


@dataclass(frozen=True, slots=True)
class RefundResult:
    credit: PayerCredit
    entry_id: str
    amount: Money
    letter_pdf: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "credit_id": self.credit.id,
            "entry_id": self.entry_id,
            "amount": self.amount.to_json(),
            "status": self.credit.status,
        }


def medicare_deadline(payer_class: str, identified_on: date) -> date | None:
    """60 days after identification for Medicare; no statutory deadline for other payers."""
    if payer_class != MEDICARE_CLASS:
        return None
    return identified_on + timedelta(days=MEDICARE_RETURN_DAYS)


def _key(item: CreditLine | PayerCredit) -> tuple[str, str, str]:
    return (item.claim_id, item.line_id, item.payer_id)


def _urgency(credit: PayerCredit, today: date) -> tuple[int | None, str]:
    if credit.deadline is None or credit.status != "open":
        return None, ""
    left = (credit.deadline - today).days
    if left < 0:
        return left, "overdue"
    return left, "due" if left <= DUE_SOON_DAYS else ""


def _payer(uow: UnitOfWork, payer_id: str) -> tuple[str, str]:
    """(name, class) of the practice's payer with this payer ID."""
    payer = uow.payers.by_payer_id(payer_id)
    return (payer.name, payer.payer_class) if payer else (payer_id, "other")


def _sync(
    ctx: Context, uow: UnitOfWork, s: AccountingStore
) -> tuple[list[PayerCredit], dict[tuple[str, str, str], CreditLine]]:
    """Record newly found credits, resolve vanished ones; (all records, lines by key)."""
    today = ctx.clock.today()
    lines = {_key(line): line for line in s.credit_lines() if line.amount}
    records = s.payer_credits()
    open_keys = {_key(c) for c in records if c.status == "open"}
    for c in records:
        if c.status == "open" and _key(c) not in lines:
            s.update_payer_credit(
                replace(c, status="refunded" if c.refunded_amount else "resolved")
            )
    new = []
    for key, line in lines.items():
        if key in open_keys:
            continue
        _name, payer_class = _payer(uow, line.payer_id)
        new.append(
            PayerCredit(
                id=0,
                claim_id=line.claim_id,
                line_id=line.line_id,
                patient_id=line.patient_id,
                payer_id=line.payer_id,
                payer_class=payer_class,
                amount=line.amount,
                overpaid_on=line.last_activity,
                identified_on=today,
                deadline=medicare_deadline(payer_class, today),
                status="open",
                refunded_amount=Money.zero(),
            )
        )
    s.add_payer_credits(new)
    return s.payer_credits(), lines


def payer_credits(
    ctx: Context, *, store: AccountingStoreFactory, include_closed: bool = False
) -> list[CreditView]:
    """The practice's payer credits (open ones unless ``include_closed``); newly found credits
    are recorded as identified today."""
    ctx.require(READ_ACCOUNTING)
    today = ctx.clock.today()
    with ctx.uow() as uow:
        s = store(uow)
        records, lines = _sync(ctx, uow, s)
        names: dict[str, str] = {}
        views = []
        for c in records:
            if c.status != "open" and not include_closed:
                continue
            if c.payer_id not in names:
                names[c.payer_id] = _payer(uow, c.payer_id)[0]
            line = lines.get(_key(c))
            days_left, urgency = _urgency(c, today)
            views.append(
                CreditView(
                    c,
                    names[c.payer_id],
                    line.amount if line and c.status == "open" else Money.zero(),
                    days_left,
                    urgency,
                )
            )
        ctx.audit(uow, "read", "payer_credits", len(views))
        uow.commit()
    return views


def medicare_due(
    ctx: Context, *, store: AccountingStoreFactory, within_days: int = DUE_SOON_DAYS
) -> list[CreditView]:
    """Open Medicare overpayments whose 60-day deadline is past or within ``within_days``."""
    return [
        v
        for v in payer_credits(ctx, store=store)
        if v.days_left is not None and v.days_left <= within_days
    ]


def refund_payer_credit(
    ctx: Context,
    credit_id: int,
    *,
    reason: str,
    amount: Money | None = None,
    store: AccountingStoreFactory,
) -> RefundResult:
    """Refund (all or part of) an open payer credit: a balanced ``refund`` entry, the credit
    updated, and the letter to the payer."""
    ctx.require(WRITE_ACCOUNTING)
    if not reason.strip():
        raise DomainValidationError.single("reason", "required", "say why the money goes back")
    assert ctx.practice_id is not None
    today, now = ctx.clock.today(), ctx.clock.now()
    with ctx.uow() as uow:
        s = store(uow)
        records, lines = _sync(ctx, uow, s)
        credit = next((c for c in records if c.id == credit_id), None)
        if credit is None:
            raise NotFound("payer credit", credit_id)
        line = lines.get(_key(credit))
        if credit.status != "open" or line is None:
            raise Conflict("status", f"payer credit {credit_id} has no open balance to refund")
        value = line.amount if amount is None else amount
        if not value or value.is_negative() or line.amount < value:
            raise DomainValidationError.single(
                "amount", "refund_amount", f"between 0.01 and the open credit {line.amount}"
            )
        ref = LineRef(str(ctx.practice_id), credit.patient_id, credit.claim_id, credit.line_id)
        entry = replace(
            refund(ref, Party.payer(credit.payer_id), value, when=today),
            entry_id=uuid.uuid4().hex,
            source=f"payer_credit:{credit.id}",
            reference=f"refund {credit.payer_id}",
            memo=f"refund to payer {credit.payer_id}: {reason.strip()}",
        )
        s.add_entries([entry], now)
        updated = replace(
            credit,
            refunded_amount=credit.refunded_amount + value,
            refunded_on=today,
            refund_entry_id=entry.entry_id,
            reason=reason.strip(),
            status="refunded" if value == line.amount else "open",
        )
        s.update_payer_credit(updated)
        letter = _letter(ctx, uow, s, updated, value)
        ctx.audit(uow, "refund", "payer_credit", credit.id)
        ctx.audit(uow, "read", "claim", int(credit.claim_id))
        uow.commit()
    return RefundResult(updated, entry.entry_id, value, refund_letter_pdf(letter))


def refund_letter(ctx: Context, credit_id: int, *, store: AccountingStoreFactory) -> bytes:
    """The letter of a refunded credit again (for the amount refunded so far)."""
    ctx.require(READ_ACCOUNTING)
    with ctx.uow() as uow:
        s = store(uow)
        credit = next((c for c in s.payer_credits() if c.id == credit_id), None)
        if credit is None:
            raise NotFound("payer credit", credit_id)
        if not credit.refunded_amount:
            raise Conflict("status", f"payer credit {credit_id} has not been refunded")
        letter = _letter(ctx, uow, s, credit, credit.refunded_amount)
        ctx.audit(uow, "read", "claim", int(credit.claim_id))
        uow.commit()
    return refund_letter_pdf(letter)


def _lines(address: Any) -> tuple[str, ...]:
    if address is None:
        return ()
    street = ", ".join(p for p in (address.line1, address.line2) if p)
    return (street, f"{address.city}, {address.state} {address.zip}")


def _letter(
    ctx: Context, uow: UnitOfWork, s: AccountingStore, credit: PayerCredit, value: Money
) -> RefundLetter:
    assert ctx.practice_id is not None
    practice = uow.practices.get(ctx.practice_id)
    payer = uow.payers.by_payer_id(credit.payer_id)
    record = uow.claims.get(int(credit.claim_id))
    claim_line = next((ln for ln in record.lines if str(ln.id) == credit.line_id), None)
    encounter = uow.encounters.get(record.encounter_id)
    source = next(
        (el for el in encounter.lines if claim_line and el.id == claim_line.encounter_line_id),
        None,
    )
    patient = uow.patients.get(int(credit.patient_id)) if credit.patient_id else None
    member_id = uow.coverages.get(record.coverage_id).member_id
    if payer is not None and patient is not None and patient.id is not None:
        for cov in uow.coverages.for_patient(patient.id):
            if uow.plans.get(cov.plan_id).payer_id == payer.id:
                member_id = cov.member_id
    return RefundLetter(
        letter_date=ctx.clock.today(),
        practice_name=practice.legal_name,
        practice_address=_lines(practice.pay_to_address or practice.billing_address),
        practice_phone=str(practice.phone),
        practice_npi=str(practice.group_npi),
        practice_tin=str(practice.tin),
        payer_name=payer.name if payer else credit.payer_id,
        payer_address=_lines(payer.address if payer else None),
        patient_name=patient.display_name if patient else "",
        member_id=member_id,
        patient_control_number=record.patient_control_number,
        payer_claim_numbers=tuple(s.claim_references(credit.claim_id)),
        service_date=(source.dos_from if source and source.dos_from else encounter.dos_from),
        procedure=" ".join([source.procedure, *source.modifiers]) if source else "",
        charge=claim_line.charge if claim_line else record.total_charge,
        paid=s.payer_paid_on_line(credit.claim_id, credit.line_id, credit.payer_id),
        refund=value,
        reason=credit.reason,
        identified_on=credit.identified_on,
        deadline=credit.deadline,
    )


def credits_json(views: Sequence[CreditView]) -> list[dict[str, Any]]:
    return [v.to_json() for v in views]
