"""The underpayment tables of one practice, on the connection of a ``SqlUnitOfWork``.

``underpayment_store(uow)`` is the ``UnderpaymentStoreFactory`` of
``revcycle.services.underpayments``: lines are written in the same transaction as the 835's
journal entries and work items. Every query is scoped by ``practice_id``. The fee-schedule
tables (RVU, GPCI) are the active loaded versions, read on the same connection.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from revcycle.codesets.pfs import GpciTable, RvuTable
from revcycle.db.bulk import insert_with_ids
from revcycle.db.codeset_store import _read, _version
from revcycle.db.codeset_tables import codeset_versions
from revcycle.db.submission_tables import submission_claims, submissions
from revcycle.db.tables import claims, encounters, payers
from revcycle.db.underpayment_tables import underpayment_lines, underpayment_settings
from revcycle.db.uow import bound
from revcycle.denials.underpayments import DEFAULT_TOLERANCE
from revcycle.domain.money import Money
from revcycle.services.ports import Clock, UnitOfWork
from revcycle.services.underpayments import ClaimFacts, SubmittedClaim, UnderpaymentLine

_AMOUNTS = (
    "charge",
    "allowed",
    "paid",
    "patient_responsibility",
    "sequestration",
)
_OPTIONAL = ("expected_allowed", "expected_paid", "variance")
_ID_CHUNK = 10_000  # ids per IN list: under SQLite's 32,766 and PostgreSQL's 65,535 parameters


def _row(line: UnderpaymentLine) -> dict[str, Any]:
    out: dict[str, Any] = {
        "claim_id": line.claim_id,
        "claim_line_id": line.claim_line_id,
        "payer_ref": line.payer_ref,
        "status_code": line.status_code,
        "payer_claim_number": line.payer_claim_number,
        "trace_number": line.trace_number,
        "paid_on": line.paid_on,
        "service_date": line.service_date,
        "procedure": line.procedure,
        "modifiers": ",".join(line.modifiers),
        "units": line.units,
        "place_of_service": line.place_of_service,
        "mult_proc": line.mult_proc,
        "term": line.term[:200],
        "outcome": line.outcome,
        "contract_id": line.contract_id,
        "work_item_id": line.work_item_id,
    }
    for name in _AMOUNTS:
        out[name] = getattr(line, name).amount
    for name in _OPTIONAL:
        value = getattr(line, name)
        out[name] = None if value is None else value.amount
    return out


def _line(row: Any) -> UnderpaymentLine:
    def opt(value: Any) -> Money | None:
        return None if value is None else Money(Decimal(value))

    return UnderpaymentLine(
        id=row.id,
        claim_id=row.claim_id,
        claim_line_id=row.claim_line_id,
        payer_ref=row.payer_ref,
        status_code=row.status_code,
        payer_claim_number=row.payer_claim_number,
        trace_number=row.trace_number,
        paid_on=row.paid_on,
        service_date=row.service_date,
        procedure=row.procedure,
        modifiers=tuple(m for m in row.modifiers.split(",") if m),
        units=Decimal(row.units),
        place_of_service=row.place_of_service,
        mult_proc=row.mult_proc,
        charge=Money(Decimal(row.charge)),
        allowed=Money(Decimal(row.allowed)),
        paid=Money(Decimal(row.paid)),
        patient_responsibility=Money(Decimal(row.patient_responsibility)),
        sequestration=Money(Decimal(row.sequestration)),
        expected_allowed=opt(row.expected_allowed),
        expected_paid=opt(row.expected_paid),
        variance=opt(row.variance),
        term=row.term,
        outcome=row.outcome,
        contract_id=row.contract_id,
        work_item_id=row.work_item_id,
    )


class UnderpaymentRepository:
    """Checked lines and the tolerance of one practice, on one connection."""

    def __init__(self, conn: Connection, practice_id: int, clock: Clock) -> None:
        self.conn = conn
        self.practice_id = practice_id
        self.clock = clock

    def tolerance(self) -> Money:
        t = underpayment_settings
        value = self.conn.execute(
            select(t.c.tolerance).where(t.c.practice_id == self.practice_id)
        ).scalar()
        return DEFAULT_TOLERANCE if value is None else Money(Decimal(value))

    def set_tolerance(self, tolerance: Money) -> None:
        t = underpayment_settings
        values = {"tolerance": tolerance.amount, "updated_at": self.clock.now()}
        done = self.conn.execute(
            update(t).where(t.c.practice_id == self.practice_id).values(values)
        )
        if not done.rowcount:
            self.conn.execute(insert(t).values(practice_id=self.practice_id, **values))

    def claim_facts(self, claim_ids: Sequence[int]) -> dict[int, ClaimFacts]:
        if not claim_ids:
            return {}
        q = (
            select(
                claims.c.id, claims.c.payer_ref, payers.c.payer_class, encounters.c.place_of_service
            )
            .join(payers, payers.c.id == claims.c.payer_ref)
            .join(encounters, encounters.c.id == claims.c.encounter_id)
            .where(claims.c.practice_id == self.practice_id, claims.c.id.in_(list(claim_ids)))
        )
        return {
            r.id: ClaimFacts(r.payer_ref, r.payer_class, r.place_of_service)
            for r in self.conn.execute(q)
        }

    def fee_schedule(self) -> tuple[RvuTable | None, GpciTable | None]:
        found: dict[str, Any] = {}
        for system in ("rvu", "gpci"):
            q = (
                select(codeset_versions)
                .where(codeset_versions.c.system == system, codeset_versions.c.active.is_(True))
                .order_by(codeset_versions.c.id.desc())
                .limit(1)
            )
            row = self.conn.execute(q).mappings().first()
            if row is not None:
                found[system] = _read(self.conn, _version(row))
        rvu, gpci = found.get("rvu"), found.get("gpci")
        return (
            rvu if isinstance(rvu, RvuTable) else None,
            gpci if isinstance(gpci, GpciTable) else None,
        )

    def add(self, lines: Sequence[UnderpaymentLine]) -> list[int]:
        if not lines:
            return []
        t = underpayment_lines
        now = self.clock.now()
        rows = [
            {"practice_id": self.practice_id, "checked_at": now, **_row(line)} for line in lines
        ]
        return insert_with_ids(self.conn, t, rows)

    def update(self, line: UnderpaymentLine) -> None:
        t = underpayment_lines
        self.conn.execute(
            update(t)
            .where(t.c.practice_id == self.practice_id, t.c.id == line.id)
            .values(checked_at=self.clock.now(), **_row(line))
        )

    def get(self, line_id: int) -> UnderpaymentLine | None:
        t = underpayment_lines
        row = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id, t.c.id == line_id)
        ).first()
        return None if row is None else _line(row)

    def lines(
        self, date_from: date | None, date_to: date | None, outcome: str | None = None
    ) -> list[UnderpaymentLine]:
        t = underpayment_lines
        q = select(t).where(t.c.practice_id == self.practice_id).order_by(t.c.id)
        if date_from is not None:
            q = q.where(t.c.paid_on >= date_from)
        if date_to is not None:
            q = q.where(t.c.paid_on <= date_to)
        if outcome is not None:
            q = q.where(t.c.outcome == outcome)
        return [_line(r) for r in self.conn.execute(q)]

    def first_submissions(self, claim_ids: Sequence[int]) -> dict[int, date]:
        if not claim_ids:
            return {}
        s, sc = submissions, submission_claims
        wanted = sorted(set(claim_ids))
        out: dict[int, date] = {}
        for start in range(0, len(wanted), _ID_CHUNK):  # a statement's parameters are limited
            q = (
                select(sc.c.claim_id, func.min(s.c.created_at))
                .join(s, s.c.id == sc.c.submission_id)
                .where(
                    sc.c.practice_id == self.practice_id,
                    sc.c.claim_id.in_(wanted[start : start + _ID_CHUNK]),
                )
                .group_by(sc.c.claim_id)
            )
            out.update((claim_id, _day(at)) for claim_id, at in self.conn.execute(q))
        return out

    def submitted(self, date_from: date | None, date_to: date | None) -> list[SubmittedClaim]:
        s, sc = submissions, submission_claims
        first = (
            select(sc.c.claim_id, func.min(s.c.created_at).label("at"))
            .join(s, s.c.id == sc.c.submission_id)
            .where(sc.c.practice_id == self.practice_id)
            .group_by(sc.c.claim_id)
            .subquery()
        )
        q = select(claims.c.id, claims.c.payer_ref, claims.c.total_charge, first.c.at).join(
            first, first.c.claim_id == claims.c.id
        )
        q = q.where(claims.c.practice_id == self.practice_id)
        if date_from is not None:
            q = q.where(first.c.at >= datetime.combine(date_from, time(), UTC))
        if date_to is not None:
            q = q.where(first.c.at < datetime.combine(date_to + timedelta(days=1), time(), UTC))
        return [
            SubmittedClaim(r.id, r.payer_ref, Money(Decimal(r.total_charge)), _day(r.at))
            for r in self.conn.execute(q)
        ]

    def payer_classes(self) -> dict[int, tuple[str, str, str]]:
        q = select(payers.c.id, payers.c.name, payers.c.payer_class, payers.c.payer_id).where(
            payers.c.practice_id == self.practice_id
        )
        return {r.id: (r.name, r.payer_class, r.payer_id) for r in self.conn.execute(q)}


def _day(at: datetime) -> date:
    return (at if at.tzinfo is None else at.astimezone(UTC)).date()


def underpayment_store(uow: UnitOfWork) -> UnderpaymentRepository:
    """The underpayment store on ``uow``'s connection (inside its transaction)."""
    b = bound(uow, "underpayment_store")
    return UnderpaymentRepository(b.conn, b.practice_id, b.clock)
