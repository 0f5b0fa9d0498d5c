"""Cost estimates and Good Faith Estimates of one practice, on one connection.

``estimate_store(uow)`` binds :class:`EstimateRecords` to the connection of a
``SqlUnitOfWork``, so an estimate, its number and its audit entry commit together. Every query
carries the practice id; listings leave the PDFs out (they are read one at a time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select

from revcycle.db.estimate_tables import estimates, good_faith_estimates
from revcycle.db.uow import bound
from revcycle.domain.money import Money
from revcycle.services.estimate_ports import StoredEstimate, StoredGfe
from revcycle.services.ports import Clock, UnitOfWork


def _money(value: Any) -> Money:
    return Money(Decimal(value))


class EstimateRepository:
    """The estimate tables of one practice."""

    def __init__(self, conn: Connection, practice_id: int, clock: Clock) -> None:
        self.conn = conn
        self.practice_id = practice_id
        self.clock = clock

    # -- cost estimates -----------------------------------------------------------------------

    @staticmethod
    def _estimate(row: Any, with_pdf: bool) -> StoredEstimate:
        return StoredEstimate(
            patient_id=row.patient_id,
            number=row.number,
            estimate_date=row.estimate_date,
            service_date=row.service_date,
            coverage_id=row.coverage_id,
            basis=row.basis,
            flagged=row.flagged,
            allowed=_money(row.allowed),
            patient_share=_money(row.patient_share),
            inputs=row.inputs,
            result=row.result,
            pdf=bytes(row.pdf) if with_pdf else b"",
            created_by=row.created_by,
            created_at=row.created_at,
            id=row.id,
        )

    def add_estimate(self, item: StoredEstimate) -> StoredEstimate:
        at = self.clock.now()
        new_id = self.conn.execute(
            insert(estimates)
            .values(
                practice_id=self.practice_id,
                patient_id=item.patient_id,
                number=item.number,
                estimate_date=item.estimate_date,
                service_date=item.service_date,
                coverage_id=item.coverage_id,
                basis=item.basis,
                flagged=item.flagged,
                allowed=item.allowed.amount,
                patient_share=item.patient_share.amount,
                inputs=dict(item.inputs),
                result=dict(item.result),
                pdf=item.pdf,
                created_by=item.created_by,
                created_at=at,
            )
            .returning(estimates.c.id)
        ).scalar_one()
        return replace(item, id=new_id, created_at=at)

    def estimate(self, number: str) -> StoredEstimate | None:
        t = estimates
        row = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id, t.c.number == number)
        ).first()
        return None if row is None else self._estimate(row, True)

    def estimates(self, patient_id: int | None = None) -> Sequence[StoredEstimate]:
        t = estimates
        cols = [c for c in t.c if c.name != "pdf"]
        q = select(*cols).where(t.c.practice_id == self.practice_id)
        if patient_id is not None:
            q = q.where(t.c.patient_id == patient_id)
        rows = self.conn.execute(q.order_by(t.c.id.desc()))
        return [self._estimate(r, False) for r in rows]

    # -- Good Faith Estimates -----------------------------------------------------------------

    @staticmethod
    def _gfe(row: Any, with_pdf: bool) -> StoredGfe:
        return StoredGfe(
            patient_id=row.patient_id,
            number=row.number,
            issued_on=row.issued_on,
            scheduled_on=row.scheduled_on,
            scheduled_date=row.scheduled_date,
            requested=row.requested,
            deadline_rule=row.deadline_rule,
            due_date=row.due_date,
            met=row.met,
            total=_money(row.total),
            retain_until=row.retain_until,
            content=row.content,
            pdf=bytes(row.pdf) if with_pdf else b"",
            created_by=row.created_by,
            created_at=row.created_at,
            id=row.id,
        )

    def add_gfe(self, item: StoredGfe) -> StoredGfe:
        at = self.clock.now()
        new_id = self.conn.execute(
            insert(good_faith_estimates)
            .values(
                practice_id=self.practice_id,
                patient_id=item.patient_id,
                number=item.number,
                issued_on=item.issued_on,
                scheduled_on=item.scheduled_on,
                scheduled_date=item.scheduled_date,
                requested=item.requested,
                deadline_rule=item.deadline_rule,
                due_date=item.due_date,
                met=item.met,
                total=item.total.amount,
                retain_until=item.retain_until,
                content=dict(item.content),
                pdf=item.pdf,
                created_by=item.created_by,
                created_at=at,
            )
            .returning(good_faith_estimates.c.id)
        ).scalar_one()
        return replace(item, id=new_id, created_at=at)

    def gfe(self, number: str) -> StoredGfe | None:
        t = good_faith_estimates
        row = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id, t.c.number == number)
        ).first()
        return None if row is None else self._gfe(row, True)

    def gfes(self, patient_id: int | None = None, *, late: bool = False) -> Sequence[StoredGfe]:
        t = good_faith_estimates
        cols = [c for c in t.c if c.name != "pdf"]
        q = select(*cols).where(t.c.practice_id == self.practice_id)
        if patient_id is not None:
            q = q.where(t.c.patient_id == patient_id)
        if late:
            q = q.where(t.c.met.is_(False))
        rows = self.conn.execute(q.order_by(t.c.id.desc()))
        return [self._gfe(r, False) for r in rows]


def estimate_store(uow: UnitOfWork) -> EstimateRepository:
    """The estimate records on ``uow``'s connection (inside its transaction)."""
    b = bound(uow, "estimate_store")
    return EstimateRepository(b.conn, b.practice_id, b.clock)
