"""Denial records and their history for one practice, on the unit of work's connection.

For the other modules (actions, appeals, underpayments): ``denial_store(uow)`` gives a
``DenialStore`` (protocol in ``revcycle.services.denial_ports``) bound to ``uow``'s transaction.
``get(id)`` / ``update(denial)`` read and write one record (use ``Denial.moved_to(status)`` to
change its status), ``add_event(id, action, actor, note)`` records a step of its history,
``for_claim(claim_id)`` lists a claim's denials, ``add_many`` creates records idempotently.

A record is unique on ``(practice, source, source_ref, claim, line)``: ``add_many`` skips the
ones already stored and returns only the new ones. Queue pages are keyset-paginated on
``(priority desc, id desc)``; the cursor is ``"<priority>.<id>"`` of the last row shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    case,
    cast,
    func,
    insert,
    literal,
    select,
    tuple_,
    update,
)

from revcycle.db.bulk import insert_rows, insert_with_ids
from revcycle.db.denial_tables import denial_events, denials
from revcycle.db.tables import claim_lines, encounter_lines, payers
from revcycle.db.uow import bound
from revcycle.domain.denial import (
    AGING_BUCKETS,
    OPEN_STATUSES,
    Denial,
    DenialEvent,
    priority,
)
from revcycle.domain.errors import DomainValidationError, NotFound
from revcycle.domain.money import Money
from revcycle.services.denial_ports import DenialFilter, DenialPage, DenialPattern
from revcycle.services.ports import Clock, UnitOfWork

_CHUNK = 500


def _row_values(d: Denial) -> dict[str, Any]:
    return {
        "claim_id": d.claim_id,
        "line_id": d.line_id,
        "line_key": d.line_id or 0,
        "source": d.source,
        "source_ref": d.source_ref[:120],
        "payer_id": d.payer_id,
        "payer_claim_number": d.payer_claim_number,
        "carcs": list(d.carcs),
        "rarcs": list(d.rarcs),
        "category": d.category,
        "action": d.action,
        "amount": d.amount.amount,
        "denied_on": d.denied_on,
        "timely_filing_deadline": d.timely_filing_deadline,
        "appeal_deadline": d.appeal_deadline,
        "deadline": d.deadline,
        "appeal_level": d.appeal_level,
        "status": d.status,
        "priority": d.priority,
        "owner": d.owner,
        "follow_up": d.follow_up,
        "resolution": d.resolution,
    }


def _denial(row: Any) -> Denial:
    return Denial(
        claim_id=row.claim_id,
        source=row.source,
        source_ref=row.source_ref,
        category=row.category,
        action=row.action,
        amount=Money(Decimal(row.amount)),
        denied_on=row.denied_on,
        line_id=row.line_id,
        payer_id=row.payer_id,
        payer_claim_number=row.payer_claim_number,
        carcs=tuple(row.carcs or ()),
        rarcs=tuple(row.rarcs or ()),
        timely_filing_deadline=row.timely_filing_deadline,
        appeal_deadline=row.appeal_deadline,
        appeal_level=row.appeal_level,
        status=row.status,
        owner=row.owner,
        follow_up=row.follow_up,
        resolution=row.resolution,
        priority=row.priority,
        id=row.id,
    )


def _event(row: Any) -> DenialEvent:
    return DenialEvent(
        denial_id=row.denial_id,
        action=row.action,
        actor=row.actor,
        note=row.note,
        at=row.at,
        id=row.id,
    )


def parse_cursor(after: str) -> tuple[int, int]:
    """``(priority, id)`` from a page cursor; raises ``DomainValidationError`` if malformed."""
    head, sep, tail = after.partition(".")
    if not sep or not head.lstrip("-").isdigit() or not tail.isdigit():
        raise DomainValidationError.single("after", "format", "the cursor is not valid")
    return int(head), int(tail)


class DenialRepository:
    """The denial tables of one practice, on one connection."""

    def __init__(self, conn: Connection, practice_id: int, clock: Clock) -> None:
        self.conn = conn
        self.practice_id = practice_id
        self.clock = clock

    # -- records ------------------------------------------------------------------------------

    def _existing_keys(self, denied: Sequence[Denial]) -> set[tuple[str, str, int, int]]:
        t = denials
        keys: set[tuple[str, str, int, int]] = set()
        refs = sorted({(d.source, d.source_ref[:120]) for d in denied})
        for i in range(0, len(refs), _CHUNK):
            chunk = refs[i : i + _CHUNK]
            rows = self.conn.execute(
                select(t.c.source, t.c.source_ref, t.c.claim_id, t.c.line_key).where(
                    t.c.practice_id == self.practice_id,
                    tuple_(t.c.source, t.c.source_ref).in_(chunk),
                )
            )
            keys.update((r.source, r.source_ref, r.claim_id, r.line_key) for r in rows)
        return keys

    def add_many(self, denied: Sequence[Denial], actor: str) -> list[Denial]:
        """Insert the records not stored yet (with a ``created`` event); return those."""
        if not denied:
            return []
        seen = self._existing_keys(denied)
        fresh: list[Denial] = []
        for d in denied:
            key = (d.source, d.source_ref[:120], d.claim_id, d.line_id or 0)
            if key in seen:
                continue
            seen.add(key)
            fresh.append(d)
        if not fresh:
            return []
        now = self.clock.now()
        today = now.date()
        fresh = [replace(d, priority=priority(d, today)) for d in fresh]
        rows = [
            {
                "practice_id": self.practice_id,
                **_row_values(d),
                "created_at": now,
                "updated_at": now,
            }
            for d in fresh
        ]
        ids = self._insert_denials(rows)
        stored = [replace(d, id=new_id) for d, new_id in zip(fresh, ids, strict=True)]
        events = [
            {
                "practice_id": self.practice_id,
                "denial_id": d.id,
                "at": now,
                "actor": actor[:100],
                "action": "created",
                "note": f"{d.source} {', '.join(d.carcs) or 'rejected'} -> {d.category}/{d.action}"[
                    :2000
                ],
            }
            for d in stored
        ]
        insert_rows(self.conn, denial_events, events)
        return stored

    def _insert_denials(self, rows: list[dict[str, Any]]) -> list[int]:
        """Insert ``rows``, returning their ids in order (``bulk.insert_with_ids``)."""
        return insert_with_ids(self.conn, denials, rows)

    def get(self, denial_id: int) -> Denial:
        t = denials
        row = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id, t.c.id == denial_id)
        ).first()
        if row is None:
            raise NotFound("denial", denial_id)
        return _denial(row)

    def update(self, denial: Denial) -> Denial:
        """Write every field of ``denial`` (found by id); its priority is recomputed."""
        if denial.id is None:
            raise NotFound("denial", None)
        now = self.clock.now()
        denial = replace(denial, priority=priority(denial, now.date()))
        values = _row_values(denial)
        for key in ("claim_id", "line_id", "line_key", "source", "source_ref"):
            values.pop(key)
        t = denials
        done = self.conn.execute(
            update(t)
            .where(t.c.practice_id == self.practice_id, t.c.id == denial.id)
            .values(**values, updated_at=now)
        )
        if done.rowcount == 0:
            raise NotFound("denial", denial.id)
        return denial

    def for_claim(self, claim_id: int) -> list[Denial]:
        t = denials
        rows = self.conn.execute(
            select(t)
            .where(t.c.practice_id == self.practice_id, t.c.claim_id == claim_id)
            .order_by(t.c.id)
        )
        return [_denial(r) for r in rows]

    # -- queues -------------------------------------------------------------------------------

    def _conditions(self, where: DenialFilter, today: date) -> list[ColumnElement[bool]]:
        t = denials
        cond: list[ColumnElement[bool]] = [t.c.practice_id == self.practice_id]
        if len(where.statuses) == 1:
            cond.append(t.c.status == where.statuses[0])
        elif where.statuses:
            cond.append(t.c.status.in_(where.statuses))
        if where.category is not None:
            cond.append(t.c.category == where.category)
        if where.payer_id is not None:
            cond.append(t.c.payer_id == where.payer_id)
        if where.owner is not None:
            cond.append(t.c.owner.is_(None) if where.owner == "" else t.c.owner == where.owner)
        if where.claim_id is not None:
            cond.append(t.c.claim_id == where.claim_id)
        if where.ids:
            cond.append(t.c.id.in_(where.ids))
        if where.due_before is not None:
            cond.append(t.c.deadline < where.due_before)
        if where.aging is not None:
            if where.aging not in AGING_BUCKETS:
                raise DomainValidationError.single(
                    "aging", "choice", f"aging must be one of {', '.join(AGING_BUCKETS)}"
                )
            first, last = AGING_BUCKETS[where.aging]
            cond.append(t.c.denied_on <= today - timedelta(days=first))
            if last is not None:
                cond.append(t.c.denied_on >= today - timedelta(days=last))
        return cond

    def page(
        self, where: DenialFilter, today: date, limit: int = 50, after: str | None = None
    ) -> DenialPage:
        """One page of the queue, highest priority first, after the cursor ``after``."""
        t = denials
        cond = self._conditions(where, today)
        if after:
            prio, last_id = parse_cursor(after)
            cond.append(tuple_(t.c.priority, t.c.id) < tuple_(literal(prio), literal(last_id)))
        rows = self.conn.execute(
            select(t).where(*cond).order_by(t.c.priority.desc(), t.c.id.desc()).limit(limit + 1)
        ).all()
        items = tuple(_denial(r) for r in rows[:limit])
        more = len(rows) > limit and items
        next_after = f"{items[-1].priority}.{items[-1].id}" if more else None
        return DenialPage(items, next_after)

    def ids(self, where: DenialFilter, today: date) -> list[int]:
        """The ids of every denial matching ``where`` (for bulk actions)."""
        t = denials
        return list(
            self.conn.execute(
                select(t.c.id).where(*self._conditions(where, today)).order_by(t.c.id)
            ).scalars()
        )

    def counts_by_category(self) -> dict[str, int]:
        """Open denials (open or in progress) by category."""
        t = denials
        rows = self.conn.execute(
            select(t.c.category, func.count())
            .where(t.c.practice_id == self.practice_id, t.c.status.in_(sorted(OPEN_STATUSES)))
            .group_by(t.c.category)
            .order_by(t.c.category)
        )
        return {r[0]: int(r[1]) for r in rows}

    def reprioritize(self, today: date) -> int:
        """Recompute the stored priority of every open denial for ``today``; returns the count.

        One UPDATE: cents x urgency of ``deadline`` (the same weights as
        ``revcycle.domain.denial.urgency``).
        """
        t = denials
        days = _days_until(t.c.deadline, today, self.conn.dialect.name)
        weight = case(
            (t.c.deadline.is_(None), 1),
            (days < 0, 1),
            (days <= 7, 5),
            (days <= 30, 4),
            (days <= 60, 3),
            (days <= 120, 2),
            else_=1,
        )
        raw = cast(t.c.amount * 100, BigInteger)
        cents = func.max(raw, 1) if self.conn.dialect.name == "sqlite" else func.greatest(raw, 1)
        done = self.conn.execute(
            update(t)
            .where(t.c.practice_id == self.practice_id, t.c.status.in_(sorted(OPEN_STATUSES)))
            .values(priority=cents * weight)
        )
        return int(done.rowcount)

    def patterns(self, minimum: int) -> list[DenialPattern]:
        """Line-level denials grouped by payer x procedure x first CARC (at least ``minimum``)."""
        t = denials
        rows = self.conn.execute(
            select(
                t.c.payer_id,
                payers.c.name,
                encounter_lines.c.procedure,
                encounter_lines.c.modifiers,
                t.c.carcs,
                t.c.category,
                t.c.amount,
            )
            .select_from(
                t.join(claim_lines, claim_lines.c.id == t.c.line_id)
                .join(encounter_lines, encounter_lines.c.id == claim_lines.c.encounter_line_id)
                .outerjoin(payers, payers.c.id == t.c.payer_id)
            )
            .where(t.c.practice_id == self.practice_id, t.c.source == literal("835"))
        )
        return group_patterns(rows, minimum)

    # -- history ------------------------------------------------------------------------------

    def add_event(
        self, denial_id: int, action: str, actor: str, note: str | None = None
    ) -> DenialEvent:
        now = self.clock.now()
        new_id = self.conn.execute(
            insert(denial_events).values(
                practice_id=self.practice_id,
                denial_id=denial_id,
                at=now,
                actor=actor[:100],
                action=action[:30],
                note=None if note is None else note[:2000],
            )
        ).inserted_primary_key
        assert new_id is not None
        return DenialEvent(denial_id, action, actor, note, now, int(new_id[0]))

    def events(self, denial_id: int) -> list[DenialEvent]:
        e = denial_events
        rows = self.conn.execute(
            select(e)
            .where(e.c.practice_id == self.practice_id, e.c.denial_id == denial_id)
            .order_by(e.c.at, e.c.id)
        )
        return [_event(r) for r in rows]


def _days_until(column: Any, today: date, dialect: str) -> Any:
    if dialect == "sqlite":
        return func.julianday(column) - func.julianday(literal(today.isoformat()))
    return column - literal(today)


def group_patterns(rows: Iterable[Any], minimum: int) -> list[DenialPattern]:
    """Group ``(payer_id, payer name, procedure, modifiers, carcs, category, amount)`` rows."""
    groups: dict[tuple[int | None, str, str, str], list[Any]] = {}
    for payer_id, payer_name, procedure, modifiers, carcs, category, amount in rows:
        carc = (list(carcs or ()) or ["-"])[0]
        key = (payer_id, str(payer_name or ""), str(procedure), carc)
        groups.setdefault(key, []).append((category, Decimal(amount), str(modifiers or "")))
    out: list[DenialPattern] = []
    for (payer_id, payer_name, procedure, carc), items in groups.items():
        if len(items) < minimum:
            continue
        categories = sorted({c for c, _, _ in items})
        mods = sorted({m for _, _, m in items for m in m.split(":") if m} if items else set())
        out.append(
            DenialPattern(
                payer_id=payer_id,
                payer_name=payer_name,
                procedure=procedure,
                carc=carc,
                category=categories[0],
                count=len(items),
                amount=Money.sum(Money(a) for _, a, _ in items),
                modifiers=tuple(mods),
            )
        )
    out.sort(key=lambda p: (-p.count, -p.amount.amount, p.payer_name, p.procedure, p.carc))
    return out


class SqlDenialStore(DenialRepository):
    """The ``DenialStore`` port (see ``revcycle.services.denial_ports``)."""


def denial_store(uow: UnitOfWork) -> SqlDenialStore:
    """Denial records on ``uow``'s connection (inside its transaction)."""
    b = bound(uow, "denial_store")
    return SqlDenialStore(b.conn, b.practice_id, b.clock)
