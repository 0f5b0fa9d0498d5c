"""Deposits, ERA payments, reconciliation matches, payer credits and accounting periods in SQL.

- :func:`record_era_payments` keeps the BPR/TRN of each 835 of a posted file; the ledger store
  calls it inside the posting transaction, so a file's payments exist exactly when the file
  is recorded as posted.
- :func:`into_open_periods` is the period-close hook of ``LedgerRepository.add_entries``: an
  entry dated inside a closed month is moved to the first day of the first open month after
  it, its original date kept in the memo. One query per call, however many entries.
- :class:`AccountingRepository` implements ``revcycle.services.accounting.AccountingStore``
  for one practice on one connection; :func:`accounting_store` binds it to a unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, func, insert, or_, select, update

from revcycle.db.accounting_tables import (
    accounting_periods,
    deposit_files,
    deposit_matches,
    deposits,
    era_payments,
    payer_credits,
)
from revcycle.db.ledger_repo import LedgerRepository
from revcycle.db.ledger_tables import journal_entries, postings
from revcycle.db.uow import bound
from revcycle.domain.ledger import AccountKind, EntryKind, JournalEntry
from revcycle.domain.money import Money
from revcycle.domain.remittance import Remittance
from revcycle.posting.bank import BankDeposit
from revcycle.services.accounting import (
    CreditLine,
    Deposit,
    DepositMatch,
    EraPayment,
    JournalLine,
    PayerCredit,
    Period,
    next_month,
    period_of,
)
from revcycle.services.ports import UnitOfWork

_CHUNK = 500


def record_era_payments(
    conn: Connection, practice_id: int | None, sha256: str, remittances: Sequence[Remittance]
) -> None:
    """One ``era_payments`` row per 835 of the file ``sha256``; a file already recorded is
    left as it is (the same file posted twice records its payments once)."""
    t = era_payments
    if conn.execute(select(t.c.id).where(t.c.era_sha256 == sha256).limit(1)).first():
        return
    rows = []
    for seq, r in enumerate(remittances):
        payee_npi = r.payee.identifier if r.payee.id_qualifier == "XX" else ""
        payee_tin = r.payee.tax_id or (r.payee.identifier if r.payee.id_qualifier == "FI" else "")
        rows.append(
            {
                "practice_id": practice_id,
                "era_sha256": sha256,
                "seq": seq,
                "payer_id": r.payer.identifier[:80],
                "payer_name": r.payer.name[:60],
                "trace_number": r.payment.trace_number[:60],
                "originating_company": r.payment.payer_identifier[:20],
                "amount": r.payment.amount.amount,
                "method": r.payment.method[:3],
                "payment_date": r.payment.date,
                "payee_npi": payee_npi[:10],
                "payee_tin": payee_tin[:9],
            }
        )
    if rows:
        conn.execute(insert(t), rows)


def into_open_periods(
    conn: Connection, practice_id: int, entries: Sequence[JournalEntry]
) -> Sequence[JournalEntry]:
    """``entries`` with every effective date inside a closed month moved to the first day of
    the first open month after it (the original date goes into the memo)."""
    t = accounting_periods
    closed = set(
        conn.execute(
            select(t.c.period).where(t.c.practice_id == practice_id, t.c.status == "closed")
        ).scalars()
    )
    if not closed:
        return entries
    out: list[JournalEntry] = []
    for e in entries:
        day = e.effective_date
        if day is None or period_of(day) not in closed:
            out.append(e)
            continue
        moved = day.replace(day=1)
        while period_of(moved) in closed:
            moved = next_month(moved)
        note = f" [dated {day.isoformat()}; {period_of(day)} is closed]"
        out.append(replace(e, effective_date=moved, memo=e.memo[: 400 - len(note)] + note))
    return out


def _party_payer(party: str) -> str:
    return party.removeprefix("payer:")


class AccountingRepository:
    """The accounting tables of one practice on one connection (one transaction)."""

    def __init__(self, conn: Connection, practice_id: int) -> None:
        self.conn = conn
        self.practice_id = practice_id

    # -- deposits --------------------------------------------------------------------------------

    def deposit_file_seen(self, sha256: str) -> bool:
        t = deposit_files
        query = select(t.c.id).where(t.c.practice_id == self.practice_id, t.c.sha256 == sha256)
        return self.conn.execute(query.limit(1)).first() is not None

    def add_deposit_file(
        self, sha256: str, name: str, fmt: str, count: int, total: Money, at: datetime, by: str
    ) -> int:
        new_id = self.conn.execute(
            insert(deposit_files)
            .returning(deposit_files.c.id)
            .values(
                practice_id=self.practice_id,
                sha256=sha256,
                name=name[:200],
                format=fmt,
                deposit_count=count,
                total=total.amount,
                imported_at=at,
                imported_by=by[:80],
            )
        ).scalar_one()
        return int(new_id)

    def known_deposit_keys(
        self, keys: Sequence[tuple[str, date, Money]]
    ) -> set[tuple[str, date, Money]]:
        t = deposits
        found: set[tuple[str, date, Money]] = set()
        refs = sorted({k[0][:120] for k in keys})
        for i in range(0, len(refs), _CHUNK):
            query = select(t.c.reference, t.c.deposit_date, t.c.amount).where(
                t.c.practice_id == self.practice_id, t.c.reference.in_(refs[i : i + _CHUNK])
            )
            found.update((r, d, Money(a)) for r, d, a in self.conn.execute(query))
        return found

    def add_deposits(self, file_id: int, items: Sequence[BankDeposit]) -> None:
        if not items:
            return
        self.conn.execute(
            insert(deposits),
            [
                {
                    "practice_id": self.practice_id,
                    "file_id": file_id,
                    "deposit_date": d.deposit_date,
                    "amount": d.amount.amount,
                    "reference": d.reference[:120],
                    "description": d.description[:400],
                    "type_code": d.type_code[:20],
                    "method": d.method[:8],
                    "account": d.account[:40],
                    "trace_number": d.trace_number[:60],
                    "payer_identifier": d.payer_identifier[:20],
                }
                for d in items
            ],
        )

    def deposits(self) -> list[Deposit]:
        t = deposits
        rows = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id).order_by(t.c.deposit_date, t.c.id)
        )
        return [
            Deposit(
                id=r.id,
                file_id=r.file_id,
                deposit_date=r.deposit_date,
                amount=Money(r.amount),
                reference=r.reference,
                description=r.description,
                type_code=r.type_code,
                method=r.method,
                account=r.account,
                trace_number=r.trace_number,
                payer_identifier=r.payer_identifier,
            )
            for r in rows
        ]

    # -- reconciliation ----------------------------------------------------------------------

    def era_payments(self) -> list[EraPayment]:
        t = era_payments
        rows = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id).order_by(t.c.id)
        )
        return [
            EraPayment(
                id=r.id,
                era_sha256=r.era_sha256,
                payer_id=r.payer_id,
                payer_name=r.payer_name,
                trace_number=r.trace_number,
                originating_company=r.originating_company,
                amount=Money(r.amount),
                method=r.method,
                payment_date=r.payment_date,
                payee_npi=r.payee_npi,
                payee_tin=r.payee_tin,
            )
            for r in rows
        ]

    def matches(self) -> list[DepositMatch]:
        t = deposit_matches
        rows = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id).order_by(t.c.id)
        )
        return [
            DepositMatch(r.era_payment_id, r.deposit_id, r.kind, Money(r.difference)) for r in rows
        ]

    def add_matches(self, matches: Sequence[DepositMatch], at: datetime) -> None:
        if not matches:
            return
        self.conn.execute(
            insert(deposit_matches),
            [
                {
                    "practice_id": self.practice_id,
                    "era_payment_id": m.era_payment_id,
                    "deposit_id": m.deposit_id,
                    "kind": m.kind,
                    "difference": m.difference.amount,
                    "matched_at": at,
                }
                for m in matches
            ],
        )

    # -- payer credits -----------------------------------------------------------------------

    def credit_lines(self) -> list[CreditLine]:
        p, j = postings, journal_entries
        money_kinds = (
            AccountKind.INSURANCE_PAYMENTS.value,
            AccountKind.REFUNDS.value,
            AccountKind.RECOUPMENTS.value,
        )
        receivable = func.sum(
            case((p.c.account_kind == AccountKind.RECEIVABLE.value, p.c.amount), else_=0)
        )
        paid = func.sum(case((p.c.account_kind.in_(money_kinds), p.c.amount), else_=0))
        by_payer = (
            select(
                p.c.claim_id,
                p.c.line_id,
                p.c.party,
                func.max(p.c.patient_id).label("patient_id"),
                receivable.label("receivable"),
                paid.label("paid"),
                func.max(j.c.effective_date).label("last_activity"),
            )
            .select_from(
                p.join(j, and_(j.c.practice_id == p.c.practice_id, j.c.entry_id == p.c.entry_id))
            )
            .where(
                p.c.practice_id == self.practice_id,
                p.c.line_id != "",
                p.c.party.like("payer:%"),
                p.c.account_kind.in_((AccountKind.RECEIVABLE.value, *money_kinds)),
            )
            .group_by(p.c.claim_id, p.c.line_id, p.c.party)
            .subquery()
        )
        charges = (
            select(p.c.claim_id, p.c.line_id, (-func.sum(p.c.amount)).label("charge"))
            .where(
                p.c.practice_id == self.practice_id,
                p.c.account_kind == AccountKind.CHARGES.value,
            )
            .group_by(p.c.claim_id, p.c.line_id)
            .subquery()
        )
        g, c = by_payer, charges
        query = (
            select(g, c.c.charge)
            .select_from(g.join(c, and_(c.c.claim_id == g.c.claim_id, c.c.line_id == g.c.line_id)))
            .where(or_(g.c.receivable < 0, g.c.paid > c.c.charge))
            .order_by(g.c.claim_id, g.c.line_id, g.c.party)
        )
        return [
            CreditLine(
                claim_id=r.claim_id,
                line_id=r.line_id,
                patient_id=r.patient_id,
                payer_id=_party_payer(r.party),
                receivable=Money(r.receivable),
                payer_payments=Money(r.paid),
                charge=Money(r.charge),
                last_activity=r.last_activity,
            )
            for r in self.conn.execute(query)
        ]

    def payer_credits(self) -> list[PayerCredit]:
        t = payer_credits
        rows = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id).order_by(t.c.id)
        )
        return [
            PayerCredit(
                id=r.id,
                claim_id=r.claim_id,
                line_id=r.line_id,
                patient_id=r.patient_id,
                payer_id=r.payer_id,
                payer_class=r.payer_class,
                amount=Money(r.amount),
                overpaid_on=r.overpaid_on,
                identified_on=r.identified_on,
                deadline=r.deadline,
                status=r.status,
                refunded_amount=Money(r.refunded_amount),
                refunded_on=r.refunded_on,
                refund_entry_id=r.refund_entry_id,
                reason=r.reason,
            )
            for r in rows
        ]

    def add_payer_credits(self, credits: Sequence[PayerCredit]) -> None:
        if credits:
            self.conn.execute(insert(payer_credits), [self._credit_row(c) for c in credits])

    def update_payer_credit(self, credit: PayerCredit) -> None:
        t = payer_credits
        self.conn.execute(
            update(t)
            .where(t.c.practice_id == self.practice_id, t.c.id == credit.id)
            .values(**self._credit_row(credit))
        )

    def _credit_row(self, c: PayerCredit) -> dict[str, Any]:
        return {
            "practice_id": self.practice_id,
            "claim_id": c.claim_id,
            "line_id": c.line_id,
            "patient_id": c.patient_id,
            "payer_id": c.payer_id[:80],
            "payer_class": c.payer_class[:30],
            "amount": c.amount.amount,
            "overpaid_on": c.overpaid_on,
            "identified_on": c.identified_on,
            "deadline": c.deadline,
            "status": c.status,
            "refunded_amount": c.refunded_amount.amount,
            "refunded_on": c.refunded_on,
            "refund_entry_id": c.refund_entry_id,
            "reason": c.reason[:400],
        }

    def claim_references(self, claim_id: str) -> list[str]:
        j = journal_entries
        query = (
            select(j.c.reference)
            .where(
                j.c.practice_id == self.practice_id,
                j.c.claim_id == claim_id,
                j.c.kind == EntryKind.INSURANCE_PAYMENT.value,
                j.c.reference != "",
            )
            .order_by(j.c.id)
        )
        return list(dict.fromkeys(self.conn.execute(query).scalars()))

    def payer_paid_on_line(self, claim_id: str, line_id: str, payer_id: str) -> Money:
        p = postings
        query = select(func.coalesce(func.sum(p.c.amount), 0)).where(
            p.c.practice_id == self.practice_id,
            p.c.claim_id == claim_id,
            p.c.line_id == line_id,
            p.c.party == f"payer:{payer_id}",
            p.c.account_kind == AccountKind.INSURANCE_PAYMENTS.value,
        )
        return Money(self.conn.execute(query).scalar_one())

    def add_entries(self, entries: Sequence[JournalEntry], at: datetime) -> None:
        LedgerRepository(self.conn).add_entries(self.practice_id, entries, at)

    # -- periods and the journal -------------------------------------------------------------

    def periods(self) -> list[Period]:
        t = accounting_periods
        rows = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id).order_by(t.c.period)
        )
        return [
            Period(r.period, r.status, r.closed_at, r.closed_by, r.reopened_at, r.reopened_by)
            for r in rows
        ]

    def save_period(self, period: Period) -> None:
        t = accounting_periods
        values = {
            "status": period.status,
            "closed_at": period.closed_at,
            "closed_by": period.closed_by[:80],
            "reopened_at": period.reopened_at,
            "reopened_by": period.reopened_by[:80],
        }
        changed = self.conn.execute(
            update(t)
            .where(t.c.practice_id == self.practice_id, t.c.period == period.period)
            .values(**values)
        ).rowcount
        if not changed:
            self.conn.execute(
                insert(t).values(practice_id=self.practice_id, period=period.period, **values)
            )

    def journal_lines(self, start: date, end: date) -> list[JournalLine]:
        p, j = postings, journal_entries
        first = datetime.combine(start, time(), tzinfo=UTC)
        after = datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC)
        query = (
            select(
                p.c.entry_id,
                j.c.effective_date,
                j.c.kind,
                p.c.account_kind,
                p.c.party,
                p.c.patient_id,
                p.c.claim_id,
                p.c.line_id,
                p.c.amount,
                p.c.reason,
                j.c.memo,
            )
            .select_from(
                p.join(j, and_(j.c.practice_id == p.c.practice_id, j.c.entry_id == p.c.entry_id))
            )
            .where(
                p.c.practice_id == self.practice_id,
                or_(
                    j.c.effective_date.between(start, end),
                    and_(
                        j.c.effective_date.is_(None),
                        j.c.created_at >= first,
                        j.c.created_at < after,
                    ),
                ),
            )
            .order_by(j.c.effective_date, j.c.id, p.c.id)
        )
        return [
            JournalLine(
                entry_id=r.entry_id,
                effective_date=r.effective_date,
                entry_kind=r.kind,
                account_kind=r.account_kind,
                party=r.party,
                patient_id=r.patient_id,
                claim_id=r.claim_id,
                line_id=r.line_id,
                amount=Money(r.amount),
                reason=r.reason,
                memo=r.memo,
            )
            for r in self.conn.execute(query)
        ]


def accounting_store(uow: UnitOfWork) -> AccountingRepository:
    """The accounting repository of ``uow``'s practice on its connection (its transaction)."""
    b = bound(uow, "accounting_store")
    return AccountingRepository(b.conn, b.practice_id)
