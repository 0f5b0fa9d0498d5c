"""The patient side of posting: payments with tenders, credits, refunds, small balances.

A payment is recorded with its tenders (cash, check, card: recorded, never processed) and is
applied to the patient's open lines oldest service date first; what is left becomes a patient
credit (a copay collected at check-in is a payment with no open line yet). Applying a credit
later moves the money from the patient level onto lines; a refund pays a credit back.

Every entry keeps the ledger's per-line balance: money applied to a line is posted as a patient
payment *on that line*, so ``charge = payments + adjustments + open`` holds throughout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from revcycle.domain.errors import RevcycleError
from revcycle.domain.ledger import (
    PATIENT,
    Account,
    AccountKind,
    EntryBuilder,
    EntryKind,
    JournalEntry,
    LineRef,
)
from revcycle.domain.money import Money

TenderMethod = Literal["cash", "check", "card"]


class PatientPostingError(RevcycleError):
    """A patient posting that cannot be made (no tender, refund above the credit)."""

    code = "patient_posting_invalid"


@dataclass(frozen=True, slots=True)
class Tender:
    """How the patient paid: method, amount and a reference (check number, card last four)."""

    method: TenderMethod
    amount: Money
    reference: str = ""


@dataclass(frozen=True, slots=True)
class OpenLine:
    """A line on which the patient owes ``open`` (from ``Ledger.line_balance``)."""

    line: LineRef
    open: Money
    service_date: date


@dataclass(frozen=True, slots=True)
class PatientPaymentResult:
    entry: JournalEntry
    applied: tuple[tuple[LineRef, Money], ...]
    unapplied: Money


def _credit(practice_id: str, patient_id: str) -> Account:
    return Account(AccountKind.PATIENT_CREDIT, practice_id, patient_id, party=PATIENT)


def _unapplied(practice_id: str, patient_id: str) -> Account:
    return Account(AccountKind.PATIENT_PAYMENTS, practice_id, patient_id, party=PATIENT)


def allocate_oldest_first(amount: Money, lines: Sequence[OpenLine]) -> list[tuple[LineRef, Money]]:
    """Apply ``amount`` to the lines with a positive open balance, oldest service first."""
    left = amount
    out: list[tuple[LineRef, Money]] = []
    for ol in sorted(lines, key=lambda o: (o.service_date, o.line.claim_id, o.line.line_id)):
        if not left or left.is_negative():
            break
        if ol.open.is_negative() or not ol.open:
            continue
        part = min(left, ol.open)
        out.append((ol.line, part))
        left -= part
    return out


def patient_payment(
    practice_id: str,
    patient_id: str,
    tenders: Sequence[Tender],
    open_lines: Sequence[OpenLine] = (),
    when: date | None = None,
) -> PatientPaymentResult:
    """One payment of one or more tenders, applied oldest first; the rest becomes a credit."""
    if not tenders or any(not t.amount or t.amount.is_negative() for t in tenders):
        raise PatientPostingError("a payment needs at least one tender of a positive amount")
    total = Money.sum(t.amount for t in tenders)
    applied = allocate_oldest_first(total, open_lines)
    b = EntryBuilder(
        EntryKind.PATIENT_PAYMENT,
        effective_date=when,
        reference="+".join(
            f"{t.method}:{t.reference}" if t.reference else t.method for t in tenders
        ),
        memo="patient payment",
    )
    for line, part in applied:
        b.move(line.account(AccountKind.PATIENT_PAYMENTS, PATIENT), line.receivable(PATIENT), part)
    rest = total - Money.sum(p for _, p in applied)
    b.move(_unapplied(practice_id, patient_id), _credit(practice_id, patient_id), rest)
    claims = {line.claim_id for line, _ in applied}
    if len(claims) == 1:
        b.claim_id = next(iter(claims))
    return PatientPaymentResult(b.build(), tuple(applied), rest)


def apply_credit(
    practice_id: str,
    patient_id: str,
    credit: Money,
    open_lines: Sequence[OpenLine],
    when: date | None = None,
) -> JournalEntry | None:
    """Move up to ``credit`` of the patient's credit onto open lines (None if nothing to do)."""
    applied = allocate_oldest_first(credit, open_lines)
    if not applied:
        return None
    b = EntryBuilder(EntryKind.CREDIT_APPLICATION, effective_date=when, memo="credit applied")
    for line, part in applied:
        b.move(_credit(practice_id, patient_id), _unapplied(practice_id, patient_id), part)
        b.move(line.account(AccountKind.PATIENT_PAYMENTS, PATIENT), line.receivable(PATIENT), part)
    return b.build()


def refund_credit(
    practice_id: str,
    patient_id: str,
    amount: Money,
    available_credit: Money,
    tender: Tender,
    when: date | None = None,
) -> JournalEntry:
    """Pay back ``amount`` of the patient's credit (never more than the credit)."""
    if not amount or amount.is_negative() or available_credit < amount:
        raise PatientPostingError(
            f"a refund must be positive and at most the credit ({available_credit})"
        )
    b = EntryBuilder(
        EntryKind.REFUND,
        effective_date=when,
        reference=f"{tender.method}:{tender.reference}",
        memo="patient refund",
    )
    refunds = Account(AccountKind.REFUNDS, practice_id, patient_id, party=PATIENT)
    return b.move(_credit(practice_id, patient_id), refunds, amount).build()


def small_balance_write_offs(
    open_lines: Sequence[OpenLine], threshold: Money, when: date | None = None
) -> list[JournalEntry]:
    """Write off the patient's open lines when their total is positive and at most
    ``threshold`` (the practice's small-balance policy); otherwise nothing."""
    owed = [o for o in open_lines if o.open and not o.open.is_negative()]
    total = Money.sum(o.open for o in owed)
    if not total or threshold < total:
        return []
    out = []
    for o in owed:
        b = EntryBuilder(
            EntryKind.WRITE_OFF, effective_date=when, claim_id=o.line.claim_id, memo="small balance"
        )
        b.move(
            o.line.account(AccountKind.WRITE_OFFS, PATIENT),
            o.line.receivable(PATIENT),
            o.open,
            "small_balance",
        )
        out.append(b.build())
    return out
