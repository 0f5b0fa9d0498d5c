"""Small conversions shared by the mappings; none of them raises on bad input.

``money`` and ``d8`` remember their latest results per text: amounts and dates repeat
across the segments of a file, and the values they return (``Money``, ``date``) are immutable.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from revcycle.domain.errors import InvalidAmount
from revcycle.domain.money import Money


def el(els: list[str], i: int) -> str:
    return els[i] if i < len(els) else ""


@lru_cache(maxsize=8192)
def money(text: str) -> Money | None:
    if not text:
        return None
    try:
        return Money(text)
    except InvalidAmount:
        return None


def money0(text: str) -> Money:
    return money(text) or Money(0)


def decimal(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@lru_cache(maxsize=4096)
def d8(text: str) -> date | None:
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def money_json(value: Money | None) -> str | None:
    return None if value is None else value.to_json()


def decimal_json(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def date_json(value: date | None) -> str | None:
    return None if value is None else value.isoformat()
