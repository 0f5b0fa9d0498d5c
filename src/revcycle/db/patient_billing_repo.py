"""Receipts, account flags, statements, payment plans and settings of one practice.

``billing_store(uow)`` binds both patient-billing ports to the connection of a
``SqlUnitOfWork``: the journal entries of a payment, its receipt and the installments it pays
commit together or not at all. A receipt's idempotency key is unique per practice, so two
concurrent retries of one payment cannot both insert (the second gets ``Conflict``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from revcycle.db.patient_billing_tables import (
    patient_accounts,
    patient_billing_settings,
    patient_receipts,
    patient_statements,
    payment_plan_installments,
    payment_plans,
)
from revcycle.db.patient_ledger_repo import PatientLedgerRepository
from revcycle.db.uow import bound
from revcycle.domain.errors import Conflict
from revcycle.domain.money import Money
from revcycle.services.billing_ports import (
    AccountFlags,
    BillingSettings,
    Installment,
    PaymentPlan,
    Receipt,
    StoredStatement,
)
from revcycle.services.ports import Clock, UnitOfWork


def _money(value: Any) -> Money:
    return Money(Decimal(value))


class PatientBillingRepository:
    """The patient-billing tables of one practice, on one connection."""

    def __init__(self, conn: Connection, practice_id: int, clock: Clock) -> None:
        self.conn = conn
        self.practice_id = practice_id
        self.clock = clock

    # -- settings -----------------------------------------------------------------------------

    def settings(self) -> BillingSettings:
        t = patient_billing_settings
        row = self.conn.execute(select(t).where(t.c.practice_id == self.practice_id)).first()
        if row is None:
            return BillingSettings()
        return BillingSettings(
            statement_minimum=_money(row.statement_minimum),
            small_balance_threshold=_money(row.small_balance_threshold),
            collection_statements=row.collection_statements,
            collection_days=row.collection_days,
            plan_grace_days=row.plan_grace_days,
        )

    def save_settings(self, settings: BillingSettings) -> None:
        t = patient_billing_settings
        values = {
            "statement_minimum": settings.statement_minimum.amount,
            "small_balance_threshold": settings.small_balance_threshold.amount,
            "collection_statements": settings.collection_statements,
            "collection_days": settings.collection_days,
            "plan_grace_days": settings.plan_grace_days,
            "updated_at": self.clock.now(),
        }
        done = self.conn.execute(
            update(t).where(t.c.practice_id == self.practice_id).values(values)
        )
        if done.rowcount == 0:
            self.conn.execute(insert(t).values(practice_id=self.practice_id, **values))

    # -- account flags ------------------------------------------------------------------------

    @staticmethod
    def _flags(row: Any) -> AccountFlags:
        return AccountFlags(
            patient_id=row.patient_id,
            hold=row.hold,
            do_not_send=row.do_not_send,
            collection_status=row.collection_status,
            collection_flagged_on=row.collection_flagged_on,
            collection_referred_on=row.collection_referred_on,
        )

    def flags(self, patient_id: int) -> AccountFlags:
        t = patient_accounts
        row = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id, t.c.patient_id == patient_id)
        ).first()
        return AccountFlags(patient_id) if row is None else self._flags(row)

    def all_flags(self) -> dict[int, AccountFlags]:
        t = patient_accounts
        rows = self.conn.execute(select(t).where(t.c.practice_id == self.practice_id))
        return {r.patient_id: self._flags(r) for r in rows}

    def save_flags(self, flags: AccountFlags) -> None:
        t = patient_accounts
        values = {
            "hold": flags.hold,
            "do_not_send": flags.do_not_send,
            "collection_status": flags.collection_status,
            "collection_flagged_on": flags.collection_flagged_on,
            "collection_referred_on": flags.collection_referred_on,
            "updated_at": self.clock.now(),
        }
        done = self.conn.execute(
            update(t)
            .where(t.c.practice_id == self.practice_id, t.c.patient_id == flags.patient_id)
            .values(values)
        )
        if done.rowcount == 0:
            self.conn.execute(
                insert(t).values(
                    practice_id=self.practice_id, patient_id=flags.patient_id, **values
                )
            )

    # -- receipts -----------------------------------------------------------------------------

    @staticmethod
    def _receipt(row: Any) -> Receipt:
        return Receipt(
            patient_id=row.patient_id,
            receipt_number=row.receipt_number,
            kind=row.kind,
            amount=_money(row.amount),
            applied=_money(row.applied),
            unapplied=_money(row.unapplied),
            tenders=tuple(dict(t) for t in row.tenders),
            received_on=row.received_on,
            entry_id=row.entry_id,
            actor=row.actor,
            idempotency_key=row.idempotency_key,
            service_date=row.service_date,
            id=row.id,
        )

    def receipt_by_key(self, key: str) -> Receipt | None:
        t = patient_receipts
        row = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id, t.c.idempotency_key == key)
        ).first()
        return None if row is None else self._receipt(row)

    def add_receipt(self, receipt: Receipt) -> Receipt:
        t = patient_receipts
        values = {
            "practice_id": self.practice_id,
            "patient_id": receipt.patient_id,
            "receipt_number": receipt.receipt_number,
            "idempotency_key": receipt.idempotency_key,
            "kind": receipt.kind,
            "amount": receipt.amount.amount,
            "applied": receipt.applied.amount,
            "unapplied": receipt.unapplied.amount,
            "tenders": [dict(x) for x in receipt.tenders],
            "received_on": receipt.received_on,
            "service_date": receipt.service_date,
            "entry_id": receipt.entry_id,
            "actor": receipt.actor[:80],
            "created_at": self.clock.now(),
        }
        try:
            with self.conn.begin_nested():
                new_id = self.conn.execute(insert(t).values(values)).inserted_primary_key
        except IntegrityError:
            raise Conflict(
                "idempotency_key",
                f"receipt {receipt.receipt_number} or its idempotency key is already recorded",
            ) from None
        assert new_id is not None
        return replace(receipt, id=int(new_id[0]))

    def receipts(self, patient_id: int) -> list[Receipt]:
        t = patient_receipts
        rows = self.conn.execute(
            select(t)
            .where(t.c.practice_id == self.practice_id, t.c.patient_id == patient_id)
            .order_by(t.c.id)
        )
        return [self._receipt(r) for r in rows]

    def last_payment_dates(self) -> dict[int, date]:
        t = patient_receipts
        rows = self.conn.execute(
            select(t.c.patient_id, func.max(t.c.received_on))
            .where(t.c.practice_id == self.practice_id, t.c.kind.in_(("payment", "copay")))
            .group_by(t.c.patient_id)
        )
        return {r[0]: r[1] for r in rows}

    # -- statements ---------------------------------------------------------------------------

    @staticmethod
    def _statement(row: Any, with_pdf: bool) -> StoredStatement:
        return StoredStatement(
            patient_id=row.patient_id,
            number=row.number,
            statement_date=row.statement_date,
            balance=_money(row.balance),
            credit=_money(row.credit),
            amount_due=_money(row.amount_due),
            aging=dict(row.aging),
            detail=dict(row.detail),
            message=row.message,
            installment_due=None if row.installment_due is None else _money(row.installment_due),
            pdf=bytes(row.pdf) if with_pdf else b"",
            id=row.id,
        )

    def add_statement(self, statement: StoredStatement) -> StoredStatement:
        return self.add_statements([statement])[0]

    def add_statements(self, statements: Sequence[StoredStatement]) -> list[StoredStatement]:
        if not statements:
            return []
        t = patient_statements
        now = self.clock.now()
        result = self.conn.execute(
            insert(t).returning(t.c.id, sort_by_parameter_order=True),
            [
                {
                    "practice_id": self.practice_id,
                    "patient_id": s.patient_id,
                    "number": s.number,
                    "statement_date": s.statement_date,
                    "balance": s.balance.amount,
                    "credit": s.credit.amount,
                    "amount_due": s.amount_due.amount,
                    "installment_due": None
                    if s.installment_due is None
                    else s.installment_due.amount,
                    "aging": dict(s.aging),
                    "detail": dict(s.detail),
                    "message": s.message[:200],
                    "pdf": s.pdf,
                    "created_at": now,
                }
                for s in statements
            ],
        )
        ids = [int(r.id) for r in result]
        return [replace(s, id=i) for s, i in zip(statements, ids, strict=True)]

    def statements(self, patient_id: int | None = None) -> list[StoredStatement]:
        t = patient_statements
        cols = [c for c in t.c if c.name != "pdf"]
        query = select(*cols).where(t.c.practice_id == self.practice_id)
        if patient_id is not None:
            query = query.where(t.c.patient_id == patient_id)
        rows = self.conn.execute(query.order_by(t.c.statement_date.desc(), t.c.id.desc()))
        return [self._statement(r, with_pdf=False) for r in rows]

    def statement(self, number: str) -> StoredStatement | None:
        t = patient_statements
        row = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id, t.c.number == number)
        ).first()
        return None if row is None else self._statement(row, with_pdf=True)

    # -- payment plans ------------------------------------------------------------------------

    def add_plan(self, plan: PaymentPlan) -> PaymentPlan:
        t, i = payment_plans, payment_plan_installments
        now = self.clock.now()
        result = self.conn.execute(
            insert(t).values(
                practice_id=self.practice_id,
                patient_id=plan.patient_id,
                total=plan.total.amount,
                frequency=plan.frequency,
                start_date=plan.start_date,
                status=plan.status,
                missed_on=plan.missed_on,
                completed_on=plan.completed_on,
                created_at=now,
                updated_at=now,
            )
        )
        assert result.inserted_primary_key is not None
        plan_id = int(result.inserted_primary_key[0])
        self.conn.execute(
            insert(i),
            [
                {
                    "practice_id": self.practice_id,
                    "plan_id": plan_id,
                    "seq": x.seq,
                    "due_date": x.due_date,
                    "amount": x.amount.amount,
                    "paid": x.paid.amount,
                }
                for x in plan.installments
            ],
        )
        return replace(plan, id=plan_id)

    def _installments(self, plan_ids: Sequence[int]) -> dict[int, list[Installment]]:
        i = payment_plan_installments
        out: dict[int, list[Installment]] = {pid: [] for pid in plan_ids}
        if not plan_ids:
            return out
        rows = self.conn.execute(
            select(i)
            .where(i.c.practice_id == self.practice_id, i.c.plan_id.in_(plan_ids))
            .order_by(i.c.plan_id, i.c.seq)
        )
        for r in rows:
            out[r.plan_id].append(Installment(r.seq, r.due_date, _money(r.amount), _money(r.paid)))
        return out

    def plans(
        self,
        *,
        status: str | None = None,
        patient_id: int | None = None,
        plan_id: int | None = None,
    ) -> list[PaymentPlan]:
        t = payment_plans
        query = select(t).where(t.c.practice_id == self.practice_id)
        if plan_id is not None:
            query = query.where(t.c.id == plan_id)
        if status is not None:
            query = query.where(t.c.status == status)
        if patient_id is not None:
            query = query.where(t.c.patient_id == patient_id)
        rows = self.conn.execute(query.order_by(t.c.id)).all()
        installments = self._installments([r.id for r in rows])
        return [
            PaymentPlan(
                patient_id=r.patient_id,
                total=_money(r.total),
                start_date=r.start_date,
                installments=tuple(installments[r.id]),
                frequency=r.frequency,
                status=r.status,
                missed_on=r.missed_on,
                completed_on=r.completed_on,
                id=r.id,
            )
            for r in rows
        ]

    def plan(self, plan_id: int) -> PaymentPlan | None:
        found = self.plans(plan_id=plan_id)
        return found[0] if found else None

    def save_plan(self, plan: PaymentPlan) -> None:
        t, i = payment_plans, payment_plan_installments
        self.conn.execute(
            update(t)
            .where(t.c.practice_id == self.practice_id, t.c.id == plan.id)
            .values(
                status=plan.status,
                missed_on=plan.missed_on,
                completed_on=plan.completed_on,
                updated_at=self.clock.now(),
            )
        )
        for x in plan.installments:
            self.conn.execute(
                update(i)
                .where(
                    i.c.practice_id == self.practice_id,
                    i.c.plan_id == plan.id,
                    i.c.seq == x.seq,
                )
                .values(paid=x.paid.amount)
            )


@dataclass(frozen=True)
class SqlBillingStore:
    ledger: PatientLedgerRepository
    records: PatientBillingRepository


def billing_store(uow: UnitOfWork) -> SqlBillingStore:
    """Both patient-billing ports on ``uow``'s connection (inside its transaction)."""
    b = bound(uow, "billing_store")
    return SqlBillingStore(
        PatientLedgerRepository(b.conn, b.practice_id),
        PatientBillingRepository(b.conn, b.practice_id, b.clock),
    )
