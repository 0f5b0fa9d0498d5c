"""Business days: Monday to Friday, less the US federal holidays (5 U.S.C. 6103).

The holidays are data (``FEDERAL_HOLIDAYS``): a fixed month and day, or the n-th weekday of a
month (``-1``: the last). A fixed-date holiday falling on a Saturday is observed the Friday
before, on a Sunday the Monday after, as federal offices do.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import cache

MONDAY, THURSDAY = 0, 3

# (name, month, day) for fixed dates; (name, month, (weekday, nth)) for floating ones
FEDERAL_HOLIDAYS: tuple[tuple[str, int, int | tuple[int, int]], ...] = (
    ("New Year's Day", 1, 1),
    ("Birthday of Martin Luther King, Jr.", 1, (MONDAY, 3)),
    ("Washington's Birthday", 2, (MONDAY, 3)),
    ("Memorial Day", 5, (MONDAY, -1)),
    ("Juneteenth National Independence Day", 6, 19),
    ("Independence Day", 7, 4),
    ("Labor Day", 9, (MONDAY, 1)),
    ("Columbus Day", 10, (MONDAY, 2)),
    ("Veterans Day", 11, 11),
    ("Thanksgiving Day", 11, (THURSDAY, 4)),
    ("Christmas Day", 12, 25),
)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    days = [
        date(year, month, d)
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if date(year, month, d).weekday() == weekday
    ]
    return days[nth - 1] if nth > 0 else days[nth]


def _observed(day: date) -> date:
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


@cache
def holidays(year: int) -> dict[date, str]:
    """The observed federal holidays of ``year`` (New Year's Day of ``year + 1`` observed on
    December 31 included)."""
    out: dict[date, str] = {}
    for y in (year, year + 1):
        for name, month, when in FEDERAL_HOLIDAYS:
            if isinstance(when, tuple):
                day = _nth_weekday(y, month, *when)
            else:
                day = _observed(date(y, month, when))
            if day.year == year:
                out[day] = name
    return out


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year)


def add_business_days(start: date, count: int) -> date:
    """The ``count``-th business day after ``start`` (``start`` itself is not counted)."""
    day = start
    left = count
    while left > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            left -= 1
    return day


def business_days_between(start: date, end: date) -> int:
    """Business days after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_business_day(day):
            count += 1
    return count
