"""The ledger in SQL: journal entries and postings, and the record of posted 835 files.

``ledger_store(uow)`` binds a :class:`LedgerRepository` to the connection of a
``SqlUnitOfWork``, so entries, work items and the ``era_postings`` row commit (or roll back)
together. Entries are checked before they are written: each must balance overall and on every
line (``Ledger.check``), so the tables never hold an unbalanced entry. Balances are
``SUM(amount)``; nothing stores a running balance.

The reports' roll-ups are written with the postings, in the same transaction
(:func:`roll_up_rows`): ``ledger_day_totals`` gets one new row per (practice, account kind,
party, effective date) of the call's postings with their sum (:func:`day_totals`),
``receivable_day_totals`` one per (practice, claim, party, patient, effective date) of its
receivable postings (:func:`receivable_totals`). They are only ever appended to (no
``UPDATE``, no upsert), so concurrent posters never wait on each other's counter rows.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, and_, exists, false, insert, or_, select, text, update

from revcycle.db import tables
from revcycle.db.bulk import insert_rows
from revcycle.db.cob_tables import claim_cob_links
from revcycle.db.ledger_tables import (
    era_postings,
    journal_entries,
    ledger_day_totals,
    postings,
    receivable_day_totals,
)
from revcycle.domain.coverage import ORDERS
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
from revcycle.domain.remittance import Remittance
from revcycle.posting import BilledClaim, BilledLine
from revcycle.services.era import EraIdentity
from revcycle.services.ports import UnitOfWork

_DAY_KEY = ("practice_id", "account_kind", "party", "effective_date")
_RECEIVABLE_KEY = ("practice_id", "claim_id", "party", "patient_id", "effective_date")


def _summed(rows: Iterable[Mapping[str, Any]], key: tuple[str, ...]) -> list[dict[str, Any]]:
    sums: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    key_of = itemgetter(*key)
    for row in rows:
        sums[key_of(row)] += row["amount"]  # Decimal: a float would raise here
    return [{**dict(zip(key, k, strict=True)), "amount": s} for k, s in sums.items()]


def day_totals(posting_rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The ``ledger_day_totals`` rows of some ``postings`` rows: their amounts summed (as
    ``Decimal``) by (practice, account kind, party, effective date), one row per key in first
    seen order. A key whose amounts sum to zero keeps its row, so every key the postings have
    is in the roll-up too (a month whose entries net to nothing still shows in a trend)."""
    return _summed(posting_rows, _DAY_KEY)


def receivable_totals(posting_rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The ``receivable_day_totals`` rows of some ``postings`` rows: the receivable ones summed
    by (practice, claim, party, patient, effective date), zero sums kept as in
    :func:`day_totals`."""
    return _summed((r for r in posting_rows if r["account_kind"] == "receivable"), _RECEIVABLE_KEY)


def roll_up_rows(
    posting_rows: Sequence[Mapping[str, Any]],
) -> list[tuple[Table, list[dict[str, Any]]]]:
    """What the reports' roll-ups get for ``posting_rows`` inserted in one go: (table, rows)
    for each of them. The ledger writes these with its postings; a bulk loader that writes
    postings itself must write them too."""
    return [
        (ledger_day_totals, day_totals(posting_rows)),
        (receivable_day_totals, receivable_totals(posting_rows)),
    ]


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

    def lock(self, identity: EraIdentity) -> None:
        """Serialise everyone posting this file until the transaction ends.

        PostgreSQL: a transaction-level advisory lock on the file's envelope and traces (the
        same content always has the same envelope). SQLite: the database's write lock, taken
        now rather than at the first insert, so the second poster waits (busy timeout) and then
        reads the first one's committed record.
        """
        if self.conn.dialect.name == "postgresql":
            key = "|".join(
                (
                    identity.sender_id,
                    identity.interchange_control_number,
                    identity.group_control_number,
                    identity.set_control_numbers,
                    identity.trace_numbers,
                )
            )
            number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
            self.conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": number})
        else:
            self.conn.execute(update(era_postings).where(false()).values(status="posted"))

    def record_file(
        self,
        identity: EraIdentity,
        practice_id: int | None,
        status: str,
        summary: Mapping[str, Any],
        at: datetime,
    ) -> int:
        """Record the file once: a file already recorded (same content) is left as it is."""
        t = era_postings
        found = self.conn.execute(select(t.c.id).where(t.c.sha256 == identity.sha256)).first()
        if found:
            return int(found[0])
        new_id = self.conn.execute(
            insert(t)
            .returning(t.c.id)
            .values(
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
        ).scalar_one()
        return int(new_id)

    def record_payments(
        self, practice_id: int, sha256: str, remittances: Sequence[Remittance]
    ) -> None:
        """Each 835's payment (BPR / TRN), kept for reconciliation with bank deposits."""
        from revcycle.db.accounting_repo import record_era_payments  # it imports this module

        record_era_payments(self.conn, practice_id, sha256, remittances)

    def files(self, practice_id: int | None = None) -> list[dict[str, Any]]:
        t = era_postings
        query = select(t).order_by(t.c.id.desc())
        if practice_id is not None:
            query = query.where(t.c.practice_id == practice_id)
        return [dict(r._mapping) for r in self.conn.execute(query)]

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
        from revcycle.db.accounting_repo import into_open_periods  # closed months (0008)

        entries = into_open_periods(self.conn, practice_id, entries)
        checker = Ledger()
        entry_rows: list[dict[str, Any]] = []
        posting_rows: list[dict[str, Any]] = []
        for e in entries:
            # Balance overall and per line; reversals were matched by the engine.
            checker.check(replace(e, reverses="") if e.reverses else e)
            entry_id = e.entry_id or uuid.uuid4().hex
            entry_rows.append(
                {
                    "practice_id": practice_id,
                    "entry_id": entry_id,
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
                    "entry_id": entry_id,
                    "account_kind": p.account.kind.value,
                    "patient_id": p.account.patient_id,
                    "claim_id": p.account.claim_id,
                    "line_id": p.account.line_id,
                    "party": _party_text(p.account.party),
                    "amount": p.amount.amount,
                    "reason": p.reason[:40],
                    "effective_date": e.effective_date,  # the entry's, copied for reports
                }
                for p in e.postings
            ]
        insert_rows(self.conn, journal_entries, entry_rows)
        insert_rows(self.conn, postings, posting_rows)
        for table, rows in roll_up_rows(posting_rows):
            insert_rows(self.conn, table, rows)

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

    def claims_with_charges(self, practice_id: int, claim_ids: Sequence[str]) -> set[str]:
        """Which of ``claim_ids`` already have their charge entry (one query per 5,000 ids)."""
        t = journal_entries
        found: set[str] = set()
        for chunk in _chunks(list(claim_ids)):
            query = select(t.c.claim_id).where(
                t.c.practice_id == practice_id,
                t.c.kind == EntryKind.CHARGE.value,
                t.c.claim_id.in_(chunk),
            )
            found.update(r[0] for r in self.conn.execute(query))
        return found

    def billed_claims(self, practice_id: int, pcns: Sequence[str]) -> list[BilledClaim]:
        """The claims with these patient control numbers (several may share one) as posting
        sees them: lines from the encounter, payers in COB order (the claim's coverage, then the
        patient's later coverages active on the date of service). A handful of queries per 5,000
        claims, not per claim."""
        out: list[BilledClaim] = []
        for chunk in _chunks(sorted(set(pcns))):
            out += self._billed_chunk(practice_id, chunk)
        return out

    def _ledger_roots(self, practice_id: int, claim_ids: list[int]) -> dict[int, int]:
        """For secondary (and tertiary) claims among ``claim_ids``: the claim whose ledger lines
        they bill, i.e. the primary claim at the start of their COB chain. The balance moved to
        the next payer stays on the primary's lines, so a secondary's 835 posts there and the
        secondary's own charges are never put on the ledger a second time."""
        links = claim_cob_links
        source: dict[int, int] = {}
        wanted = list(claim_ids)
        for _ in range(4):  # primary -> secondary -> tertiary: a chain is short
            rows = self.conn.execute(
                select(links.c.claim_id, links.c.source_claim_id).where(
                    links.c.practice_id == practice_id,
                    links.c.state == "billed",
                    links.c.claim_id.in_(wanted),
                )
            ).all()
            found = {r.claim_id: r.source_claim_id for r in rows if r.claim_id not in source}
            if not found:
                break
            source.update(found)
            wanted = list(found.values())
        roots: dict[int, int] = {}
        for claim_id in claim_ids:
            root = claim_id
            while root in source:
                root = source[root]
            if root != claim_id:
                roots[claim_id] = root
        return roots

    def _billed_chunk(self, practice_id: int, pcns: list[str]) -> list[BilledClaim]:
        c, cl, el, e = tables.claims, tables.claim_lines, tables.encounter_lines, tables.encounters
        cov, pl, pay = tables.coverages, tables.plans, tables.payers
        heads = self.conn.execute(
            select(
                c.c.id,
                c.c.patient_control_number,
                c.c.coverage_id,
                e.c.patient_id,
                e.c.dos_from,
            )
            .select_from(c.join(e, e.c.id == c.c.encounter_id))
            .where(c.c.practice_id == practice_id, c.c.patient_control_number.in_(pcns))
            .order_by(c.c.id)
        ).all()
        if not heads:
            return []
        claim_ids = [h.id for h in heads]
        roots = self._ledger_roots(practice_id, claim_ids)
        root_lines: dict[tuple[int, int], int] = {}  # (root claim, encounter line) -> its line
        if roots:
            for rl in self.conn.execute(
                select(cl.c.claim_id, cl.c.encounter_line_id, cl.c.id).where(
                    cl.c.claim_id.in_(sorted(set(roots.values())))
                )
            ):
                root_lines[(rl.claim_id, rl.encounter_line_id)] = rl.id
        lines: dict[int, list[BilledLine]] = defaultdict(list)
        for r in self.conn.execute(
            select(
                cl.c.claim_id,
                cl.c.encounter_line_id,
                cl.c.id,
                cl.c.line_no,
                cl.c.line_control_number,
                cl.c.charge,
                el.c.procedure,
                el.c.dos_from,
                el.c.modifiers,
                el.c.units,
            )
            .select_from(cl.outerjoin(el, el.c.id == cl.c.encounter_line_id))
            .where(cl.c.claim_id.in_(claim_ids))
            .order_by(cl.c.claim_id, cl.c.line_no)
        ):
            root = roots.get(r.claim_id)
            line_id = root_lines.get((root, r.encounter_line_id), r.id) if root else r.id
            lines[r.claim_id].append(
                BilledLine(
                    line_id=str(line_id),
                    line_number=r.line_no,
                    line_control_number=r.line_control_number,
                    procedure=r.procedure or "",
                    charge=Money(r.charge),
                    service_date=r.dos_from,
                    modifiers=tuple(m for m in (r.modifiers or "").split(",") if m),
                    units=Decimal(r.units) if r.units is not None else Decimal(1),
                )
            )
        patient_ids = sorted({h.patient_id for h in heads})
        coverages: dict[int, list[Any]] = defaultdict(list)
        by_id: dict[int, Any] = {}
        for c_row in self.conn.execute(
            select(
                cov.c.id,
                cov.c.patient_id,
                cov.c.coverage_order,
                cov.c.effective,
                cov.c.termination,
                pay.c.payer_id,
            )
            .select_from(
                cov.join(pl, pl.c.id == cov.c.plan_id).join(pay, pay.c.id == pl.c.payer_ref)
            )
            .where(cov.c.practice_id == practice_id, cov.c.patient_id.in_(patient_ids))
        ):
            coverages[c_row.patient_id].append(c_row)
            by_id[c_row.id] = c_row
        out: list[BilledClaim] = []
        for h in heads:
            own = by_id.get(h.coverage_id)
            payers: list[str] = []
            if own is not None:
                rank = _rank(own.coverage_order)
                later = sorted(
                    (
                        r
                        for r in coverages[h.patient_id]
                        if _rank(r.coverage_order) > rank and _active(r, h.dos_from)
                    ),
                    key=lambda r: _rank(r.coverage_order),
                )
                payers = [own.payer_id] + [r.payer_id for r in later]
            out.append(
                BilledClaim(
                    claim_id=str(roots.get(h.id, h.id)),
                    practice_id=str(practice_id),
                    patient_id=str(h.patient_id),
                    patient_control_number=h.patient_control_number,
                    lines=tuple(
                        ln if ln.service_date else replace(ln, service_date=h.dos_from)
                        for ln in lines[h.id]
                    ),
                    coverages=tuple(payers),
                    own_claim_id=str(h.id) if h.id in roots else "",
                )
            )
        return out


class PracticeHistory:
    """``PostingHistory`` of one practice (what reversals look up)."""

    def __init__(self, repo: LedgerRepository, practice_id: int) -> None:
        self.repo = repo
        self.practice_id = practice_id

    def entries_for_claim(self, claim_id: str) -> Sequence[JournalEntry]:
        return self.repo.entries_for_claim(self.practice_id, claim_id)

    def is_reversed(self, entry_id: str) -> bool:
        return self.repo.is_reversed(self.practice_id, entry_id)


def _chunks(items: list[str] | list[int], size: int = 5000) -> Iterator[Any]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _rank(order: str) -> int:
    return ORDERS.index(order) if order in ORDERS else 0


def _active(row: Any, day: date) -> bool:
    return bool(row.effective <= day and (row.termination is None or day <= row.termination))


def ledger_store(uow: UnitOfWork) -> LedgerRepository:
    """The ledger repository on ``uow``'s connection (inside its transaction)."""
    store = uow.ledger
    if not isinstance(store, LedgerRepository):
        raise TypeError("ledger_store needs an open SqlUnitOfWork")
    return store
