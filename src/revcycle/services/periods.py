"""Accounting periods: closing a month, reopening it, listing them.

Closing ``YYYY-MM`` locks the month for the practice: from then on no journal entry carries an
effective date inside it. Entries dated in a closed month (a late 835, a correction) are posted
on the first day of the first open month after it, their original date kept in the memo (the
``LedgerRepository.add_entries`` hook, ``revcycle.db.accounting_repo.into_open_periods``).
Entries already in the month are never changed, so its totals stay as they were reported.

Closing and reopening need the ``periods:manage`` permission (the manager role); both are
audited. A month that has not started cannot be closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from revcycle.domain.errors import Conflict, DomainValidationError
from revcycle.domain.user import MANAGE_PERIODS, READ_ACCOUNTING
from revcycle.services.accounting import AccountingStoreFactory, Period, parse_period
from revcycle.services.context import Context


def _normal(period: str) -> str:
    start, _end = parse_period(period)
    return f"{start.year:04d}-{start.month:02d}"


def list_periods(ctx: Context, *, store: AccountingStoreFactory) -> Sequence[Period]:
    ctx.require(READ_ACCOUNTING)
    with ctx.uow() as uow:
        return store(uow).periods()


def close_period(ctx: Context, period: str, *, store: AccountingStoreFactory) -> Period:
    """Close the month; closing a closed month is a conflict."""
    ctx.require(MANAGE_PERIODS)
    name = _normal(period)
    start, _end = parse_period(name)
    if start > ctx.clock.today():
        raise DomainValidationError.single(
            "period", "period_not_started", f"{name} has not started yet"
        )
    with ctx.uow() as uow:
        s = store(uow)
        current = next((p for p in s.periods() if p.period == name), None)
        if current is not None and current.status == "closed":
            raise Conflict("period", f"{name} is already closed")
        closed = Period(name, "closed", ctx.clock.now(), ctx.actor)
        s.save_period(closed)
        ctx.audit(uow, "period.close", "accounting_period", name)
        uow.commit()
    return closed


def reopen_period(ctx: Context, period: str, *, store: AccountingStoreFactory) -> Period:
    """Reopen a closed month (the manager's decision, recorded with who and when)."""
    ctx.require(MANAGE_PERIODS)
    name = _normal(period)
    with ctx.uow() as uow:
        s = store(uow)
        current = next((p for p in s.periods() if p.period == name), None)
        if current is None or current.status != "closed":
            raise Conflict("period", f"{name} is not closed")
        reopened = replace(
            current, status="open", reopened_at=ctx.clock.now(), reopened_by=ctx.actor
        )
        s.save_period(reopened)
        ctx.audit(uow, "period.reopen", "accounting_period", name)
        uow.commit()
    return reopened


def period_json(p: Period) -> dict[str, Any]:
    return {
        "period": p.period,
        "status": p.status,
        "closed_at": p.closed_at.isoformat(),
        "closed_by": p.closed_by,
        "reopened_at": p.reopened_at.isoformat() if p.reopened_at else None,
        "reopened_by": p.reopened_by or None,
    }
