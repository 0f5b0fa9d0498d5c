"""What the accounting use cases (deposits, reconciliation, payer credits, periods, journal
export) share: their records as plain values, and the store port the ``db`` layer implements.

``AccountingStore`` is bound to one unit of work and one practice (``accounting_store(uow)`` in
``revcycle.db.accounting_repo``): everything it reads and writes belongs to the unit of work's
practice and commits or rolls back with it. The services receive the factory, as ``post_era``
receives its ledger store, so this package imports nothing of ``revcycle.db``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from revcycle.domain.errors import DomainValidationError
from revcycle.domain.ledger import JournalEntry
from revcycle.domain.money import Money
from revcycle.posting.bank import BankDeposit
from revcycle.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class Deposit:
    """A stored bank deposit."""

    id: int
    file_id: int
    deposit_date: date
    amount: Money
    reference: str
    description: str = ""
    type_code: str = ""
    method: str = ""
    account: str = ""
    trace_number: str = ""
    payer_identifier: str = ""


@dataclass(frozen=True, slots=True)
class EraPayment:
    """The payment of one posted 835 (BPR / TRN / N1*PR / N1*PE)."""

    id: int
    era_sha256: str
    payer_id: str
    payer_name: str
    trace_number: str
    originating_company: str
    amount: Money
    method: str
    payment_date: date | None
    payee_npi: str = ""
    payee_tin: str = ""


@dataclass(frozen=True, slots=True)
class DepositMatch:
    """An ERA payment matched to a deposit; ``difference`` is deposit minus ERA amount."""

    era_payment_id: int
    deposit_id: int
    kind: str  # "trace" or "amount_date"
    difference: Money


@dataclass(frozen=True, slots=True)
class CreditLine:
    """A claim line on which a payer has paid more than it owed, as the ledger shows it."""

    claim_id: str
    line_id: str
    patient_id: str
    payer_id: str
    receivable: Money  # the payer's open balance on the line (negative: overpaid)
    payer_payments: Money  # the payer's net payments on the line
    charge: Money
    last_activity: date | None

    @property
    def amount(self) -> Money:
        """The credit: the payer's negative balance, or its payments beyond the charge."""
        return max(-self.receivable, self.payer_payments - self.charge, Money.zero())


@dataclass(frozen=True, slots=True)
class PayerCredit:
    """An overpayment as identified (and perhaps refunded). ``deadline`` is set for Medicare:
    60 days after identification (42 CFR 401.305)."""

    id: int
    claim_id: str
    line_id: str
    patient_id: str
    payer_id: str
    payer_class: str
    amount: Money
    overpaid_on: date | None
    identified_on: date
    deadline: date | None
    status: str  # open, refunded, resolved
    refunded_amount: Money
    refunded_on: date | None = None
    refund_entry_id: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Period:
    """A month that was closed (``status`` closed), or closed and then reopened (open)."""

    period: str  # YYYY-MM
    status: str
    closed_at: datetime
    closed_by: str
    reopened_at: datetime | None = None
    reopened_by: str = ""


@dataclass(frozen=True, slots=True)
class JournalLine:
    """One posting with its entry's facts: what the journal export reads."""

    entry_id: str
    effective_date: date | None
    entry_kind: str
    account_kind: str
    party: str
    patient_id: str
    claim_id: str
    line_id: str
    amount: Money
    reason: str
    memo: str


class AccountingStore(Protocol):
    """The accounting tables of the unit of work's practice, in its transaction."""

    # deposits
    def deposit_file_seen(self, sha256: str) -> bool: ...

    def add_deposit_file(
        self, sha256: str, name: str, fmt: str, count: int, total: Money, at: datetime, by: str
    ) -> int: ...

    def known_deposit_keys(
        self, keys: Sequence[tuple[str, date, Money]]
    ) -> set[tuple[str, date, Money]]: ...

    def add_deposits(self, file_id: int, deposits: Sequence[BankDeposit]) -> None: ...

    def deposits(self) -> list[Deposit]: ...

    # reconciliation
    def era_payments(self) -> list[EraPayment]: ...

    def matches(self) -> list[DepositMatch]: ...

    def add_matches(self, matches: Sequence[DepositMatch], at: datetime) -> None: ...

    # payer credits
    def credit_lines(self) -> list[CreditLine]: ...

    def payer_credits(self) -> list[PayerCredit]: ...

    def add_payer_credits(self, credits: Sequence[PayerCredit]) -> None: ...

    def update_payer_credit(self, credit: PayerCredit) -> None: ...

    def claim_references(self, claim_id: str) -> list[str]:
        """The payer claim control numbers of the claim's insurance payments."""
        ...

    def payer_paid_on_line(self, claim_id: str, line_id: str, payer_id: str) -> Money:
        """What the payer paid on the line (its insurance payments, before refunds)."""
        ...

    def add_entries(self, entries: Sequence[JournalEntry], at: datetime) -> None: ...

    # periods and the journal
    def periods(self) -> list[Period]: ...

    def save_period(self, period: Period) -> None: ...

    def journal_lines(self, start: date, end: date) -> list[JournalLine]: ...


AccountingStoreFactory = Callable[[UnitOfWork], AccountingStore]

_PERIOD = re.compile(r"(\d{4})-(\d{2})")


def parse_period(text: str, field: str = "period") -> tuple[date, date]:
    """``"2026-05"`` -> (first day, last day) of the month; anything else is refused."""
    m = _PERIOD.fullmatch(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise DomainValidationError.single(field, "period_format", "a month as YYYY-MM")
    start = date(int(m.group(1)), int(m.group(2)), 1)
    return start, next_month(start) - timedelta(days=1)


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"
