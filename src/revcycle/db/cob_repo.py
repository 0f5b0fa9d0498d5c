"""The COB repository: links from a claim to its next payers, and the prior payers'
adjudications kept on secondary claims (tables in ``cob_tables``).

Scoped to one practice like every repository: each query carries ``practice_id``. CAS lists
are stored as JSON with amounts as strings (never floats) and read back as ``Money``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from revcycle.db import tables
from revcycle.db.bulk import insert_rows
from revcycle.db.cob_tables import claim_cob_links, claim_prior_payer_lines, claim_prior_payers
from revcycle.db.mapping import coverage_from
from revcycle.domain.claim import ClaimAdjustment, LineAdjudication
from revcycle.domain.coverage import Coverage
from revcycle.domain.errors import NotFound
from revcycle.domain.money import Money
from revcycle.services.ports import Clock, CobLink, PriorPayerRecord

_ID_CHUNK = 10_000  # ids per IN list: under SQLite's 32,766 and PostgreSQL's 65,535 parameters


def adjustments_json(adjustments: Sequence[ClaimAdjustment]) -> list[dict[str, Any]]:
    return [
        {
            "group": a.group,
            "reason": a.reason,
            "amount": a.amount.to_json(),
            "quantity": str(a.quantity) if a.quantity is not None else None,
        }
        for a in adjustments
    ]


def adjustments_from(doc: Sequence[dict[str, Any]]) -> tuple[ClaimAdjustment, ...]:
    return tuple(
        ClaimAdjustment(
            d["group"],
            d["reason"],
            Money(d["amount"]),
            Decimal(d["quantity"]) if d.get("quantity") is not None else None,
        )
        for d in doc
    )


def _units(d: Decimal) -> Decimal:
    """``1.000`` read back as ``1`` (and ``1.500`` as ``1.5``), never in exponent form."""
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


def _link_from(r: Any) -> CobLink:
    return CobLink(
        source_claim_id=r.source_claim_id,
        payer_id=r.payer_id,
        state=r.state,
        claim_id=r.claim_id,
        crossover_payer_name=r.crossover_payer_name,
        amount_forwarded=Money(r.amount_forwarded) if r.amount_forwarded is not None else None,
        created_at=r.created_at,
        id=r.id,
    )


class CobRepository:
    def __init__(self, conn: Connection, practice_id: int, clock: Clock) -> None:
        self.conn = conn
        self.practice_id = practice_id
        self.clock = clock

    # ---- links -------------------------------------------------------------------------------

    def link(self, source_claim_id: int, payer_id: str) -> CobLink | None:
        t = claim_cob_links
        row = self.conn.execute(
            select(t).where(
                t.c.practice_id == self.practice_id,
                t.c.source_claim_id == source_claim_id,
                t.c.payer_id == payer_id,
            )
        ).first()
        return _link_from(row) if row is not None else None

    def add_link(self, link: CobLink) -> CobLink:
        now = self.clock.now()
        new_id = self.conn.execute(
            insert(claim_cob_links).values(
                practice_id=self.practice_id,
                source_claim_id=link.source_claim_id,
                payer_id=link.payer_id,
                state=link.state,
                claim_id=link.claim_id,
                crossover_payer_name=link.crossover_payer_name[:60],
                amount_forwarded=link.amount_forwarded.amount if link.amount_forwarded else None,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key
        assert new_id is not None
        return dataclasses.replace(link, id=new_id[0], created_at=now)

    def update_link(self, link: CobLink) -> CobLink:
        t = claim_cob_links
        result = self.conn.execute(
            update(t)
            .where(t.c.practice_id == self.practice_id, t.c.id == link.id)
            .values(
                state=link.state,
                claim_id=link.claim_id,
                crossover_payer_name=link.crossover_payer_name[:60],
                amount_forwarded=link.amount_forwarded.amount if link.amount_forwarded else None,
                updated_at=self.clock.now(),
            )
        )
        if result.rowcount == 0:
            raise NotFound("cob link", link.id)
        return link

    def links_from(self, source_claim_id: int) -> Sequence[CobLink]:
        t = claim_cob_links
        rows = self.conn.execute(
            select(t)
            .where(t.c.practice_id == self.practice_id, t.c.source_claim_id == source_claim_id)
            .order_by(t.c.id)
        )
        return [_link_from(r) for r in rows]

    def links_from_many(self, source_claim_ids: Sequence[int]) -> dict[int, list[CobLink]]:
        """``links_from`` for many claims, by source claim id (claims without links are left
        out)."""
        t = claim_cob_links
        wanted = sorted(set(source_claim_ids))
        out: dict[int, list[CobLink]] = {}
        for start in range(0, len(wanted), _ID_CHUNK):
            rows = self.conn.execute(
                select(t)
                .where(
                    t.c.practice_id == self.practice_id,
                    t.c.source_claim_id.in_(wanted[start : start + _ID_CHUNK]),
                )
                .order_by(t.c.id)
            )
            for r in rows:
                out.setdefault(r.source_claim_id, []).append(_link_from(r))
        return out

    def count_links(self, state: str) -> int:
        t = claim_cob_links
        return int(
            self.conn.execute(
                select(func.count()).where(t.c.practice_id == self.practice_id, t.c.state == state)
            ).scalar_one()
        )

    def link_to(self, claim_id: int) -> CobLink | None:
        t = claim_cob_links
        row = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id, t.c.claim_id == claim_id)
        ).first()
        return _link_from(row) if row is not None else None

    # ---- prior payers ------------------------------------------------------------------------

    def prior_payers(self, claim_id: int) -> Sequence[PriorPayerRecord]:
        p = claim_prior_payers
        rows = self.conn.execute(
            select(p)
            .where(p.c.practice_id == self.practice_id, p.c.claim_id == claim_id)
            .order_by(p.c.position)
        ).all()
        if not rows:
            return []
        lines = self._prior_lines([r.id for r in rows])
        return [_prior_from(r, lines.get(r.id, ())) for r in rows]

    def prior_payers_many(self, claim_ids: Sequence[int]) -> dict[int, list[PriorPayerRecord]]:
        """``prior_payers`` for many claims, by claim id, each in COB order (claims without
        prior payers are left out)."""
        out: dict[int, list[PriorPayerRecord]] = {}
        p = claim_prior_payers
        for chunk in _chunks(sorted(set(claim_ids))):
            rows = self.conn.execute(
                select(p)
                .where(p.c.practice_id == self.practice_id, p.c.claim_id.in_(chunk))
                .order_by(p.c.claim_id, p.c.position)
            ).all()
            lines = self._prior_lines([r.id for r in rows])
            for r in rows:
                out.setdefault(r.claim_id, []).append(_prior_from(r, lines.get(r.id, ())))
        return out

    def replace_prior_payers(self, claim_id: int, records: Sequence[PriorPayerRecord]) -> None:
        p, pl = claim_prior_payers, claim_prior_payer_lines
        old = select(p.c.id).where(p.c.practice_id == self.practice_id, p.c.claim_id == claim_id)
        self.conn.execute(
            delete(pl).where(pl.c.practice_id == self.practice_id, pl.c.prior_payer_id.in_(old))
        )
        self.conn.execute(
            delete(p).where(p.c.practice_id == self.practice_id, p.c.claim_id == claim_id)
        )
        now = self.clock.now()
        for rec in records:
            inserted = self.conn.execute(
                insert(p).values(
                    practice_id=self.practice_id,
                    claim_id=claim_id,
                    position=rec.position,
                    source_claim_id=rec.source_claim_id,
                    coverage_id=rec.coverage_id,
                    payer_id=rec.payer_id,
                    payer_claim_control_number=rec.payer_claim_control_number[:50],
                    paid=rec.paid.amount,
                    remaining_patient_liability=rec.remaining_patient_liability.amount,
                    adjudication_date=rec.adjudication_date,
                    adjustments=adjustments_json(rec.claim_adjustments),
                    updated_at=now,
                )
            ).inserted_primary_key
            assert inserted is not None
            if rec.line_adjudications:
                insert_rows(
                    self.conn,
                    pl,
                    [_line_row(self.practice_id, inserted[0], la) for la in rec.line_adjudications],
                )

    # ---- batches (what one 835's secondary claims need, in a few statements) -----------------

    def links_for(self, source_claim_ids: Sequence[int]) -> dict[tuple[int, str], CobLink]:
        """``link`` for several source claims: every link from them, by (source, payer)."""
        return {
            (link.source_claim_id, link.payer_id): link
            for links in self.links_from_many(source_claim_ids).values()
            for link in links
        }

    def add_links(self, links: Sequence[CobLink]) -> None:
        """``add_link`` for several links, in one statement (their ids are not returned)."""
        now = self.clock.now()
        insert_rows(
            self.conn,
            claim_cob_links,
            [
                {
                    "practice_id": self.practice_id,
                    "source_claim_id": link.source_claim_id,
                    "payer_id": link.payer_id,
                    "state": link.state,
                    "claim_id": link.claim_id,
                    "crossover_payer_name": link.crossover_payer_name[:60],
                    "amount_forwarded": link.amount_forwarded.amount
                    if link.amount_forwarded
                    else None,
                    "created_at": now,
                    "updated_at": now,
                }
                for link in links
            ],
        )

    def service_of(self, claim_ids: Sequence[int]) -> dict[int, tuple[int, date]]:
        """Each claim's patient and first date of service (from its encounter)."""
        c, e = tables.claims, tables.encounters
        out: dict[int, tuple[int, date]] = {}
        for chunk in _chunks(sorted(set(claim_ids))):
            for r in self.conn.execute(
                select(c.c.id, e.c.patient_id, e.c.dos_from)
                .select_from(c.join(e, e.c.id == c.c.encounter_id))
                .where(c.c.practice_id == self.practice_id, c.c.id.in_(chunk))
            ):
                out[r.id] = (r.patient_id, r.dos_from)
        return out

    def coverages_of(self, patient_ids: Sequence[int]) -> dict[int, list[Coverage]]:
        """Each patient's coverages (as ``coverages.for_patient`` lists them, by id)."""
        t = tables.coverages
        out: dict[int, list[Coverage]] = {p: [] for p in patient_ids}
        for chunk in _chunks(sorted(set(patient_ids))):
            for r in self.conn.execute(
                select(t)
                .where(t.c.practice_id == self.practice_id, t.c.patient_id.in_(chunk))
                .order_by(t.c.id)
            ):
                out[r.patient_id].append(coverage_from(dict(r._mapping)))
        return out

    def _prior_lines(self, prior_payer_ids: Sequence[int]) -> dict[int, list[LineAdjudication]]:
        pl = claim_prior_payer_lines
        lines: dict[int, list[LineAdjudication]] = {}
        for chunk in _chunks(list(prior_payer_ids)):
            for lr in self.conn.execute(
                select(pl)
                .where(pl.c.practice_id == self.practice_id, pl.c.prior_payer_id.in_(chunk))
                .order_by(pl.c.prior_payer_id, pl.c.line_no, pl.c.id)
            ):
                lines.setdefault(lr.prior_payer_id, []).append(_line_from(lr))
        return lines

    def add_prior_payers(self, records: Sequence[PriorPayerRecord]) -> None:
        """Store the prior payers of claims that have none yet (new secondary claims): one
        statement for the payers, one for their lines."""
        if not records:
            return
        p, pl = claim_prior_payers, claim_prior_payer_lines
        now = self.clock.now()
        rows = [
            {
                "practice_id": self.practice_id,
                "claim_id": rec.claim_id,
                "position": rec.position,
                "source_claim_id": rec.source_claim_id,
                "coverage_id": rec.coverage_id,
                "payer_id": rec.payer_id,
                "payer_claim_control_number": rec.payer_claim_control_number[:50],
                "paid": rec.paid.amount,
                "remaining_patient_liability": rec.remaining_patient_liability.amount,
                "adjudication_date": rec.adjudication_date,
                "adjustments": adjustments_json(rec.claim_adjustments),
                "updated_at": now,
            }
            for rec in records
        ]
        ids: list[int] = []
        for start in range(0, len(rows), _CHUNK):
            result = self.conn.execute(
                insert(p).returning(p.c.id, sort_by_parameter_order=True),
                rows[start : start + _CHUNK],
            )
            ids += [r.id for r in result]
        lines = [
            _line_row(self.practice_id, new_id, la)
            for rec, new_id in zip(records, ids, strict=True)
            for la in rec.line_adjudications
        ]
        insert_rows(self.conn, pl, lines)


_CHUNK = 5000


def _chunks(items: list[int]) -> Any:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _line_from(lr: Any) -> LineAdjudication:
    return LineAdjudication(
        line_number=lr.line_no,
        paid=Money(lr.paid),
        procedure_code=lr.procedure,
        units=_units(Decimal(lr.units)),
        adjudication_date=lr.adjudication_date,
        modifiers=tuple(lr.modifiers),
        qualifier=lr.qualifier,
        revenue_code=lr.revenue_code,
        adjustments=adjustments_from(lr.adjustments),
        remaining_patient_liability=Money(lr.remaining_patient_liability)
        if lr.remaining_patient_liability is not None
        else None,
    )


def _prior_from(r: Any, lines: Sequence[LineAdjudication]) -> PriorPayerRecord:
    return PriorPayerRecord(
        claim_id=r.claim_id,
        position=r.position,
        source_claim_id=r.source_claim_id,
        coverage_id=r.coverage_id,
        payer_id=r.payer_id,
        payer_claim_control_number=r.payer_claim_control_number,
        paid=Money(r.paid),
        remaining_patient_liability=Money(r.remaining_patient_liability),
        adjudication_date=r.adjudication_date,
        claim_adjustments=adjustments_from(r.adjustments),
        line_adjudications=tuple(lines),
        id=r.id,
    )


def _line_row(practice_id: int, prior_payer_id: int, la: LineAdjudication) -> dict[str, Any]:
    day: date = la.adjudication_date
    return {
        "practice_id": practice_id,
        "prior_payer_id": prior_payer_id,
        "line_no": la.line_number,
        "paid": la.paid.amount,
        "qualifier": la.qualifier,
        "procedure": la.procedure_code,
        "modifiers": list(la.modifiers),
        "revenue_code": la.revenue_code,
        "units": la.units,
        "adjudication_date": day,
        "adjustments": adjustments_json(la.adjustments),
        "remaining_patient_liability": la.remaining_patient_liability.amount
        if la.remaining_patient_liability is not None
        else None,
    }
