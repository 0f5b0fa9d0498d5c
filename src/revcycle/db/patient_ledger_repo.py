"""The ledger seen from the patient: open patient responsibility, credit and history.

Balances are derived, never stored: every figure here is ``SUM(amount)`` over ``postings``
grouped along the account key (claim line, account kind, party), scoped to one practice and,
where it says so, one patient. Writes go through :class:`LedgerRepository.add_entries`, which
refuses any entry that does not balance overall and on each line it touches.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, func, select

from revcycle.db.ledger_repo import LedgerRepository
from revcycle.db.ledger_tables import journal_entries, postings
from revcycle.domain.ledger import (
    PATIENT,
    Account,
    AccountKind,
    EntryKind,
    JournalEntry,
    Party,
    Posting,
)
from revcycle.domain.money import Money
from revcycle.services.billing_ports import HistoryItem, LineTotals, PatientTotals

_PATIENT = str(PATIENT)
_ID_CHUNK = 10_000  # patient ids per IN list: a statement's parameters are limited
_ADJUSTMENTS = {
    AccountKind.CONTRACTUAL_ADJUSTMENTS.value,
    AccountKind.OTHER_ADJUSTMENTS.value,
    AccountKind.WRITE_OFFS.value,
}


def _party(text: str) -> Party | None:
    if not text:
        return None
    return PATIENT if text == _PATIENT else Party.payer(text.removeprefix("payer:"))


class PatientLedgerRepository:
    """Patient-side ledger queries of one practice, on one connection (one transaction)."""

    def __init__(self, conn: Connection, practice_id: int) -> None:
        self.conn = conn
        self.practice_id = practice_id
        self._ledger = LedgerRepository(conn)

    def line_totals(self, patient_id: int) -> list[LineTotals]:
        return self.line_totals_many([patient_id]).get(patient_id, [])

    def line_totals_many(self, patient_ids: Sequence[int]) -> dict[int, list[LineTotals]]:
        """``line_totals`` for many patients in one grouped query per 10,000 of them, by
        patient id (patients without lines are left out)."""
        p = postings
        wanted = sorted({str(pid) for pid in patient_ids})
        sums: dict[str, dict[tuple[str, str], dict[str, Decimal]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(Decimal))
        )
        for start in range(0, len(wanted), _ID_CHUNK):
            rows = self.conn.execute(
                select(
                    p.c.patient_id,
                    p.c.claim_id,
                    p.c.line_id,
                    p.c.account_kind,
                    p.c.party,
                    func.sum(p.c.amount).label("total"),
                )
                .where(
                    p.c.practice_id == self.practice_id,
                    p.c.patient_id.in_(wanted[start : start + _ID_CHUNK]),
                    p.c.line_id != "",
                )
                .group_by(p.c.patient_id, p.c.claim_id, p.c.line_id, p.c.account_kind, p.c.party)
            ).all()
            for r in rows:
                amount = Decimal(r.total or 0)
                bucket = sums[r.patient_id][(r.claim_id, r.line_id)]
                kind = r.account_kind
                if kind == AccountKind.CHARGES.value:
                    bucket["charge"] -= amount
                elif kind in (AccountKind.INSURANCE_PAYMENTS.value, AccountKind.RECOUPMENTS.value):
                    bucket["insurance_paid"] += amount
                elif kind == AccountKind.PATIENT_PAYMENTS.value:
                    bucket["patient_paid"] += amount
                elif kind == AccountKind.REFUNDS.value:
                    bucket["patient_paid" if r.party == _PATIENT else "insurance_paid"] += amount
                elif kind in _ADJUSTMENTS:
                    bucket["adjustments"] += amount
                elif kind == AccountKind.RECEIVABLE.value:
                    bucket["patient_open" if r.party == _PATIENT else "payer_open"] += amount
        return {
            int(pid): [
                LineTotals(
                    claim_id=claim,
                    line_id=line,
                    charge=Money(b["charge"]),
                    insurance_paid=Money(b["insurance_paid"]),
                    patient_paid=Money(b["patient_paid"]),
                    adjustments=Money(b["adjustments"]),
                    patient_open=Money(b["patient_open"]),
                    payer_open=Money(b["payer_open"]),
                )
                for (claim, line), b in sorted(by_line.items(), key=lambda kv: _numeric_key(kv[0]))
            ]
            for pid, by_line in sums.items()
        }

    def credit(self, patient_id: int) -> Money:
        p = postings
        total = self.conn.execute(
            select(func.sum(p.c.amount)).where(
                p.c.practice_id == self.practice_id,
                p.c.patient_id == str(patient_id),
                p.c.account_kind == AccountKind.PATIENT_CREDIT.value,
            )
        ).scalar()
        return -Money(Decimal(total or 0))

    def patient_totals(self) -> list[PatientTotals]:
        p = postings
        rows = self.conn.execute(
            select(p.c.patient_id, p.c.account_kind, func.sum(p.c.amount).label("total"))
            .where(
                p.c.practice_id == self.practice_id,
                p.c.patient_id != "",
                (
                    and_(
                        p.c.account_kind == AccountKind.RECEIVABLE.value,
                        p.c.party == _PATIENT,
                    )
                    | (p.c.account_kind == AccountKind.PATIENT_CREDIT.value)
                ),
            )
            .group_by(p.c.patient_id, p.c.account_kind)
        ).all()
        open_: dict[str, Decimal] = defaultdict(Decimal)
        credit: dict[str, Decimal] = defaultdict(Decimal)
        for r in rows:
            target = credit if r.account_kind == AccountKind.PATIENT_CREDIT.value else open_
            target[r.patient_id] += Decimal(r.total or 0)
        out = []
        for pid in sorted(set(open_) | set(credit), key=_numeric_key):
            if not pid.isdigit():
                continue
            o, c = Money(open_[pid]), -Money(credit[pid])
            if o or c:
                out.append(PatientTotals(int(pid), o, c))
        return out

    def _entry_ids(self, patient_id: int) -> Any:
        p = postings
        return (
            select(p.c.entry_id)
            .where(p.c.practice_id == self.practice_id, p.c.patient_id == str(patient_id))
            .distinct()
        )

    def history(self, patient_id: int, limit: int = 200) -> list[HistoryItem]:
        j, p = journal_entries, postings
        heads = self.conn.execute(
            select(j)
            .where(
                j.c.practice_id == self.practice_id, j.c.entry_id.in_(self._entry_ids(patient_id))
            )
            .order_by(j.c.id.desc())
            .limit(limit)
        ).all()
        ids = [h.entry_id for h in heads]
        effect: dict[str, Decimal] = defaultdict(Decimal)
        if ids:
            for r in self.conn.execute(
                select(p.c.entry_id, func.sum(p.c.amount).label("total"))
                .where(
                    p.c.practice_id == self.practice_id,
                    p.c.patient_id == str(patient_id),
                    p.c.entry_id.in_(ids),
                    (
                        and_(
                            p.c.account_kind == AccountKind.RECEIVABLE.value,
                            p.c.party == _PATIENT,
                        )
                        | (p.c.account_kind == AccountKind.PATIENT_CREDIT.value)
                    ),
                )
                .group_by(p.c.entry_id)
            ):
                effect[r.entry_id] = Decimal(r.total or 0)
        return [
            HistoryItem(
                entry_id=h.entry_id,
                kind=h.kind,
                effective_date=h.effective_date,
                claim_id=h.claim_id,
                reference=h.reference,
                memo=h.memo,
                patient_effect=Money(effect[h.entry_id]),
                created_at=h.created_at,
            )
            for h in reversed(heads)
        ]

    def entries_for_patient(self, patient_id: int) -> list[JournalEntry]:
        j, p = journal_entries, postings
        heads = self.conn.execute(
            select(j)
            .where(
                j.c.practice_id == self.practice_id, j.c.entry_id.in_(self._entry_ids(patient_id))
            )
            .order_by(j.c.id)
        ).all()
        legs: dict[str, list[Posting]] = defaultdict(list)
        ids = [h.entry_id for h in heads]
        if ids:
            for r in self.conn.execute(
                select(p)
                .where(p.c.practice_id == self.practice_id, p.c.entry_id.in_(ids))
                .order_by(p.c.id)
            ):
                account = Account(
                    AccountKind(r.account_kind),
                    str(self.practice_id),
                    r.patient_id,
                    r.claim_id,
                    r.line_id,
                    _party(r.party),
                )
                legs[r.entry_id].append(Posting(account, Money(r.amount), r.reason))
        return [
            JournalEntry(
                kind=EntryKind(h.kind),
                postings=tuple(legs[h.entry_id]),
                entry_id=h.entry_id,
                effective_date=h.effective_date,
                claim_id=h.claim_id,
                source=h.source,
                reference=h.reference,
                memo=h.memo,
                reverses=h.reverses,
            )
            for h in heads
        ]

    def add_entries(self, entries: Sequence[JournalEntry], at: datetime) -> list[str]:
        named = [e if e.entry_id else replace(e, entry_id=uuid.uuid4().hex) for e in entries]
        self._ledger.add_entries(self.practice_id, named, at)
        return [e.entry_id for e in named]


def _numeric_key(key: str | tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    parts = (key,) if isinstance(key, str) else key
    return tuple((int(x), "") if x.isdigit() else (0, x) for x in parts)
