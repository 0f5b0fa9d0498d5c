"""What the patient-billing use cases need from storage, and the records they exchange.

Two ports, both bound to the unit of work's transaction by a factory the ``db`` layer provides
(``revcycle.db.patient_billing_repo.billing_store``), so this package imports nothing of
``revcycle.db``:

- :class:`PatientLedger` reads the patient's side of the ledger (open patient responsibility
  per line, credit, history) with ``SUM(amount)`` over the postings, and writes balanced
  journal entries;
- :class:`BillingRecords` keeps what the ledger does not: receipts (with idempotency keys),
  account flags, statements, payment plans and the practice's settings.

Every method is scoped to the practice the store was built for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from revcycle.domain.ledger import JournalEntry
from revcycle.domain.money import Money
from revcycle.services.ports import UnitOfWork

FIVE_DOLLARS = Money("5.00")
NOTHING = Money.zero()

# ---- the ledger, seen from the patient -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineTotals:
    """One claim line of a patient, summed from its postings.

    ``insurance_paid`` and ``patient_paid`` are net of refunds and recoupments on the line;
    ``adjustments`` are contractual, other and write-offs; ``patient_open`` is the patient's
    receivable (negative: the patient overpaid the line), ``payer_open`` what payers still owe.
    """

    claim_id: str
    line_id: str
    charge: Money
    insurance_paid: Money
    patient_paid: Money
    adjustments: Money
    patient_open: Money
    payer_open: Money


@dataclass(frozen=True, slots=True)
class PatientTotals:
    """A patient's open patient responsibility (sum over lines) and unapplied credit."""

    patient_id: int
    patient_open: Money
    credit: Money


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """A journal entry touching the patient, with its effect on what the patient owes
    (receivable minus credit: a payment is negative)."""

    entry_id: str
    kind: str
    effective_date: date | None
    claim_id: str
    reference: str
    memo: str
    patient_effect: Money
    created_at: datetime


class PatientLedger(Protocol):
    def line_totals(self, patient_id: int) -> Sequence[LineTotals]: ...

    def line_totals_many(self, patient_ids: Sequence[int]) -> Mapping[int, Sequence[LineTotals]]:
        """``line_totals`` of many patients at once, by patient id (those without lines are
        left out)."""
        ...

    def credit(self, patient_id: int) -> Money:
        """Unapplied patient money (``patient_credit``), shown positive."""
        ...

    def patient_totals(self) -> Sequence[PatientTotals]:
        """Every patient of the practice with a non-zero patient receivable or credit."""
        ...

    def history(self, patient_id: int, limit: int = 200) -> Sequence[HistoryItem]: ...

    def entries_for_patient(self, patient_id: int) -> Sequence[JournalEntry]:
        """Every entry with a posting on the patient's accounts, oldest first."""
        ...

    def add_entries(self, entries: Sequence[JournalEntry], at: datetime) -> list[str]:
        """Write balanced entries; returns their ids."""
        ...


# ---- what the ledger does not hold -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BillingSettings:
    """The practice's patient-billing policy (defaults until it sets its own)."""

    statement_minimum: Money = FIVE_DOLLARS
    small_balance_threshold: Money = FIVE_DOLLARS
    collection_statements: int = 4
    collection_days: int = 120
    plan_grace_days: int = 10


@dataclass(frozen=True, slots=True)
class AccountFlags:
    patient_id: int
    hold: bool = False
    do_not_send: bool = False
    collection_status: str = ""  # "", "flagged", "referred"
    collection_flagged_on: date | None = None
    collection_referred_on: date | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    """One payment, check-in copay or refund as recorded; tenders as JSON-ready dicts."""

    patient_id: int
    receipt_number: str
    kind: str  # payment, copay, refund
    amount: Money
    applied: Money
    unapplied: Money
    tenders: tuple[Mapping[str, str], ...]
    received_on: date
    entry_id: str
    actor: str
    idempotency_key: str | None = None
    service_date: date | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class StoredStatement:
    patient_id: int
    number: str
    statement_date: date
    balance: Money
    credit: Money
    amount_due: Money
    aging: Mapping[str, str]
    detail: Mapping[str, Any]
    message: str
    installment_due: Money | None = None
    pdf: bytes = field(default=b"", repr=False)
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Installment:
    seq: int
    due_date: date
    amount: Money
    paid: Money = NOTHING

    @property
    def remaining(self) -> Money:
        return self.amount - self.paid


@dataclass(frozen=True, slots=True)
class PaymentPlan:
    patient_id: int
    total: Money
    start_date: date
    installments: tuple[Installment, ...]
    frequency: str = "monthly"
    status: str = "active"  # active, missed, completed
    missed_on: date | None = None
    completed_on: date | None = None
    id: int | None = None

    @property
    def paid(self) -> Money:
        return Money.sum(i.paid for i in self.installments)

    @property
    def remaining(self) -> Money:
        return self.total - self.paid


class BillingRecords(Protocol):
    def settings(self) -> BillingSettings: ...

    def save_settings(self, settings: BillingSettings) -> None: ...

    def flags(self, patient_id: int) -> AccountFlags: ...

    def all_flags(self) -> Mapping[int, AccountFlags]: ...

    def save_flags(self, flags: AccountFlags) -> None: ...

    def receipt_by_key(self, key: str) -> Receipt | None: ...

    def add_receipt(self, receipt: Receipt) -> Receipt:
        """Insert; ``Conflict`` when the idempotency key is already taken."""
        ...

    def receipts(self, patient_id: int) -> Sequence[Receipt]: ...

    def last_payment_dates(self) -> Mapping[int, date]: ...

    def add_statement(self, statement: StoredStatement) -> StoredStatement: ...

    def add_statements(self, statements: Sequence[StoredStatement]) -> list[StoredStatement]:
        """``add_statement`` for many in one multi-row insert; returns them with ids."""
        ...

    def statements(self, patient_id: int | None = None) -> Sequence[StoredStatement]:
        """Statements (without their PDFs), newest first."""
        ...

    def statement(self, number: str) -> StoredStatement | None: ...

    def add_plan(self, plan: PaymentPlan) -> PaymentPlan: ...

    def plan(self, plan_id: int) -> PaymentPlan | None: ...

    def plans(
        self, *, status: str | None = None, patient_id: int | None = None
    ) -> Sequence[PaymentPlan]: ...

    def save_plan(self, plan: PaymentPlan) -> None:
        """Store the plan's status and its installments' ``paid``."""
        ...


class BillingStore(Protocol):
    @property
    def ledger(self) -> PatientLedger: ...

    @property
    def records(self) -> BillingRecords: ...


BillingStoreFactory = Callable[[UnitOfWork], BillingStore]
