"""The ledger in SQL: journal entries and postings, and the record of posted 835 files.

``ledger_store(uow)`` binds a :class:`LedgerRepository` to the connection of a
``SqlUnitOfWork``, so entries, work items and the ``era_postings`` row commit (or roll back)
together. Entries are checked before they are written: each must balance overall and on every
line (``Ledger.check``), so the tables never hold an unbalanced entry. Balances are
``SUM(amount)``; nothing stores a running balance.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, insert, or_, select

from revcycle.db.ledger_tables import era_postings, journal_entries, postings
from revcycle.db.uow import SqlUnitOfWork
from revcycle.domain.ledger import (
    PATIENT,
    Account,
    AccountKind,
    EntryKind,
    JournalEntry,
    Ledger,
    Party,
    Posting,
)
from revcycle.domain.money import Money
from revcycle.services.era import EraIdentity
from revcycle.services.ports import UnitOfWork


def _party_text(party: Party | None) -> str:
    return "" if party is None else str(party)


def _party_from(text: str) -> Party | None:
    if not text:
        return None
    if text == "patient":
        return PATIENT
    return Party.payer(text.removeprefix("payer:"))


class LedgerRepository:
    """Journal entries of any practice, and ERA files, on one connection (one transaction)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- ERA files ------------------------------------------------------------------------------

    def posted_summary(self, identity: EraIdentity) -> Mapping[str, Any] | None:
        t = era_postings
        same_envelope = and_(
            t.c.sender_id == identity.sender_id,
            t.c.interchange_control_number == identity.interchange_control_number,
            t.c.group_control_number == identity.group_control_number,
            t.c.set_control_numbers == identity.set_control_numbers,
            t.c.trace_numbers == identity.trace_numbers,
        )
        row = self.conn.execute(
            select(t.c.summary)
            .where(t.c.status == "posted", or_(t.c.sha256 == identity.sha256, same_envelope))
            .limit(1)
        ).first()
        return None if row is None else dict(row.summary)

    def record_file(
        self,
        identity: EraIdentity,
        practice_id: int | None,
        status: str,
        summary: Mapping[str, Any],
        at: datetime,
    ) -> None:
        """Record the file once: a file already recorded (same content) is left as it is."""
        t = era_postings
        if self.conn.execute(select(t.c.id).where(t.c.sha256 == identity.sha256)).first():
            return
        self.conn.execute(
            insert(t).values(
                practice_id=practice_id,
                sha256=identity.sha256,
                sender_id=identity.sender_id,
                interchange_control_number=identity.interchange_control_number,
                group_control_number=identity.group_control_number,
                set_control_numbers=identity.set_control_numbers,
                trace_numbers=identity.trace_numbers,
                status=status,
                summary=dict(summary),
                posted_at=at,
            )
        )

    def files(self) -> list[dict[str, Any]]:
        t = era_postings
        return [dict(r._mapping) for r in self.conn.execute(select(t).order_by(t.c.id))]

    # -- entries --------------------------------------------------------------------------------

    def has_charges(self, practice_id: int, claim_id: str) -> bool:
        t = journal_entries
        query = select(
            exists().where(
                t.c.practice_id == practice_id,
                t.c.claim_id == claim_id,
                t.c.kind == EntryKind.CHARGE.value,
            )
        )
        return bool(self.conn.execute(query).scalar())

    def add_entries(self, practice_id: int, entries: Sequence[JournalEntry], at: datetime) -> None:
        if not entries:
            return
        checker = Ledger()
        entry_rows: list[dict[str, Any]] = []
        posting_rows: list[dict[str, Any]] = []
        for given in entries:
            # Balance overall and per line; reversals were matched by the engine.
            checker.check(replace(given, reverses=""))
            e = given if given.entry_id else replace(given, entry_id=uuid.uuid4().hex)
            entry_rows.append(
                {
                    "practice_id": practice_id,
                    "entry_id": e.entry_id,
                    "kind": e.kind.value,
                    "effective_date": e.effective_date,
                    "claim_id": e.claim_id,
                    "source": e.source[:120],
                    "reference": e.reference[:120],
                    "memo": e.memo[:400],
                    "reverses": e.reverses,
                    "created_at": at,
                }
            )
            posting_rows += [
                {
                    "practice_id": practice_id,
                    "entry_id": e.entry_id,
                    "account_kind": p.account.kind.value,
                    "patient_id": p.account.patient_id,
                    "claim_id": p.account.claim_id,
                    "line_id": p.account.line_id,
                    "party": _party_text(p.account.party),
                    "amount": p.amount.amount,
                    "reason": p.reason[:40],
                }
                for p in e.postings
            ]
        self.conn.execute(insert(journal_entries), entry_rows)
        self.conn.execute(insert(postings), posting_rows)

    def entries_for_claim(self, practice_id: int, claim_id: str) -> list[JournalEntry]:
        j = journal_entries
        heads = self.conn.execute(
            select(j)
            .where(j.c.practice_id == practice_id, j.c.claim_id == claim_id)
            .order_by(j.c.id)
        ).all()
        if not heads:
            return []
        ids = [h.entry_id for h in heads]
        legs: dict[str, list[Posting]] = defaultdict(list)
        p = postings
        for r in self.conn.execute(
            select(p).where(p.c.practice_id == practice_id, p.c.entry_id.in_(ids)).order_by(p.c.id)
        ):
            account = Account(
                AccountKind(r.account_kind),
                str(practice_id),
                r.patient_id,
                r.claim_id,
                r.line_id,
                _party_from(r.party),
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

    def is_reversed(self, practice_id: int, entry_id: str) -> bool:
        t = journal_entries
        query = select(exists().where(t.c.practice_id == practice_id, t.c.reverses == entry_id))
        return bool(self.conn.execute(query).scalar())

    def history(self, practice_id: int) -> PracticeHistory:
        return PracticeHistory(self, practice_id)


class PracticeHistory:
    """``PostingHistory`` of one practice (what reversals look up)."""

    def __init__(self, repo: LedgerRepository, practice_id: int) -> None:
        self.repo = repo
        self.practice_id = practice_id

    def entries_for_claim(self, claim_id: str) -> Sequence[JournalEntry]:
        return self.repo.entries_for_claim(self.practice_id, claim_id)

    def is_reversed(self, entry_id: str) -> bool:
        return self.repo.is_reversed(self.practice_id, entry_id)


def ledger_store(uow: UnitOfWork) -> LedgerRepository:
    """The ledger repository on ``uow``'s connection (inside its transaction)."""
    if not isinstance(uow, SqlUnitOfWork) or uow._conn is None:
        raise TypeError("ledger_store needs an open SqlUnitOfWork")
    return LedgerRepository(uow._conn)
