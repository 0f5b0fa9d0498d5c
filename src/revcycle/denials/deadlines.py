"""Filing and appeal deadlines of a denial, by payer class.

Timely filing: the date of service plus the payer's ``timely_filing_days`` (its own data).
Appeal: the first level's window from the denial date, by payer class (``APPEAL_DAYS``):
Medicare redetermination 120 days, Medicare Advantage reconsideration 65 days, Medicaid 90
days, commercial and everything else 180 days (a contract may say otherwise: the payer's data
wins when it has a value). ``MEDICARE_LEVELS`` lists the later Medicare levels for the appeal
workflow. A denial that cannot be appealed (Medicare timely filing) has no appeal deadline.
"""

from __future__ import annotations

from datetime import date, timedelta

#: Days to file the first-level appeal, from the denial (initial determination) date.
APPEAL_DAYS: dict[str, int] = {
    "medicare": 120,
    "medicare_advantage": 65,
    "medicaid": 90,
    "commercial": 180,
    "bcbs": 180,
    "tricare": 90,
    "workers_comp": 180,
    "auto": 180,
    "other": 180,
}
#: Medicare Part A/B levels: (level, name, days from the previous decision).
MEDICARE_LEVELS: tuple[tuple[int, str, int], ...] = (
    (1, "redetermination", 120),
    (2, "reconsideration", 180),
    (3, "administrative law judge", 60),
    (4, "appeals council", 60),
    (5, "federal district court", 60),
)


def timely_filing_deadline(date_of_service: date | None, timely_filing_days: int) -> date | None:
    """The last day to file a claim for ``date_of_service`` with this payer."""
    if date_of_service is None:
        return None
    return date_of_service + timedelta(days=timely_filing_days)


def appeal_deadline(
    denied_on: date, payer_class: str, *, appealable: bool = True, days: int | None = None
) -> date | None:
    """The last day to file the first-level appeal of a denial dated ``denied_on``."""
    if not appealable:
        return None
    window = days if days is not None else APPEAL_DAYS.get(payer_class, APPEAL_DAYS["other"])
    return denied_on + timedelta(days=window)
