"""A/R aging: open balances in the buckets 0-30, 31-60, 61-90, 91-120 and over 120 days,
aged from the claim's first date of service (the ``charge`` entry's effective date) to the
report date.

The database does the grouping: ``bucket_starts(on)`` gives the oldest date of service of each
bucket, so a query can bucket with plain date comparisons (``CASE WHEN dos >= ...``) on any
database; ``aging_table`` sums the grouped rows by payer, payer class or patient.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from revcycle.domain.money import Money

BUCKETS: tuple[str, ...] = ("0-30", "31-60", "61-90", "91-120", "over_120")
_UPPER: tuple[int, ...] = (30, 60, 90, 120)

AGING_DEFINITION = (
    "Open receivables (payers and patients) at the report date, aged from the claim's first "
    "date of service: 0-30, 31-60, 61-90, 91-120 and over 120 days"
)


def bucket_of(age_days: int) -> str:
    """The bucket of a balance ``age_days`` old (negative ages, future services, are 0-30)."""
    for name, upper in zip(BUCKETS, _UPPER, strict=False):
        if age_days <= upper:
            return name
    return BUCKETS[-1]


def bucket_starts(on: date) -> tuple[date, ...]:
    """The oldest date of service of the first four buckets at ``on`` (a date of service on or
    after ``starts[i]`` and before ``starts[i-1]`` falls in bucket ``i``; older is over 120)."""
    return tuple(on - timedelta(days=upper) for upper in _UPPER)


@dataclass(frozen=True, slots=True)
class AgingRow:
    """One group of the aging query: a key (payer, payer class, patient), a bucket index
    (0-4) and the open amount."""

    key: str
    bucket: int
    amount: Money


def aging_table(rows: Iterable[AgingRow]) -> dict[str, Any]:
    """``{key: {bucket: amount, ..., "total": amount}}`` plus a ``"total"`` row, amounts as
    strings, keys sorted, zero groups left out."""
    sums: dict[str, list[Money]] = {}
    for r in rows:
        sums.setdefault(r.key, [Money.zero()] * len(BUCKETS))[r.bucket] += r.amount
    total = [Money.zero()] * len(BUCKETS)
    out: dict[str, Any] = {}
    for key in sorted(sums):
        amounts = sums[key]
        if not any(a.amount for a in amounts):
            continue
        total = [t + a for t, a in zip(total, amounts, strict=True)]
        out[key] = _row(amounts)
    out["total"] = _row(total)
    return out


def _row(amounts: list[Money]) -> dict[str, str]:
    row = {b: a.to_json() for b, a in zip(BUCKETS, amounts, strict=True)}
    row["total"] = Money.sum(amounts).to_json()
    return row
