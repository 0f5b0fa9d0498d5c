"""Money: an exact amount of US dollars.

Invariants:
- the amount is a ``Decimal`` with exactly two places; rounding happens in one helper,
  :func:`round_cents`, with ``ROUND_HALF_UP`` (the convention of US claims and remittances);
- a ``float`` is never accepted, because binary floating point cannot represent cents exactly;
- :meth:`Money.allocate` splits an amount into parts whose sum is exactly the original
  (largest-remainder method), so no cent is created or lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import total_ordering

from revcycle.domain.errors import InvalidAmount

CENT = Decimal("0.01")
_new = object.__new__


def round_cents(value: Decimal) -> Decimal:
    """Round ``value`` to whole cents, half up: the one rounding rule of revcycle."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, bool | float):
        raise InvalidAmount(f"money cannot be built from {type(value).__name__} {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidAmount(f"not a decimal amount: {value!r}") from None
    else:
        raise InvalidAmount(f"money cannot be built from {type(value).__name__}")
    if not result.is_finite():
        raise InvalidAmount(f"not a finite amount: {value!r}")
    return result


@total_ordering
@dataclass(frozen=True, slots=True)
class Money:
    """An amount of US dollars, exact to the cent."""

    amount: Decimal

    def __init__(self, amount: Decimal | int | str) -> None:
        if type(amount) is Decimal and amount.is_finite():  # the common case, checked cheaply
            object.__setattr__(self, "amount", amount.quantize(CENT, rounding=ROUND_HALF_UP))
        else:
            object.__setattr__(self, "amount", round_cents(_to_decimal(amount)))

    @classmethod
    def trusted(cls, amount: Decimal) -> Money:
        """An amount known to be a finite ``Decimal`` with exactly two places already (the
        value of a ``Numeric(12, 2)`` column): built without checks or rounding, since rows
        are read far more often than amounts are computed. Anything else goes through the
        checked constructor."""
        if type(amount) is not Decimal:
            return cls(amount)
        money = _new(cls)
        object.__setattr__(money, "amount", amount)
        return money

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    @classmethod
    def sum(cls, items: Iterable[Money]) -> Money:
        total = Decimal(0)
        for item in items:
            total += item.amount
        return cls(total)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.amount + other.amount)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.amount - other.amount)

    def __neg__(self) -> Money:
        return Money(-self.amount)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float | bool) or not isinstance(factor, Decimal | int):
            return NotImplemented
        return Money(self.amount * factor)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.amount < other.amount

    def __bool__(self) -> bool:
        return self.amount != 0

    def is_negative(self) -> bool:
        return self.amount < 0

    def allocate(self, weights: Sequence[Decimal | int]) -> list[Money]:
        """Split into parts proportional to ``weights``; the parts sum exactly to ``self``.

        Cents left over after truncation go to the parts with the largest remainders, ties
        to the earliest part. Negative amounts are split like their absolute value.
        """
        if not weights:
            raise InvalidAmount("cannot allocate over no weights")
        ws = [_to_decimal(w) for w in weights]
        if any(w < 0 for w in ws):
            raise InvalidAmount("allocation weights must not be negative")
        total_weight = sum(ws, Decimal(0))
        if total_weight == 0:
            raise InvalidAmount("allocation weights must not all be zero")
        sign = -1 if self.amount < 0 else 1
        cents = int((abs(self.amount) / CENT).to_integral_value())
        exact = [Decimal(cents) * w / total_weight for w in ws]
        floors = [int(e.to_integral_value(rounding=ROUND_DOWN)) for e in exact]
        leftover = cents - sum(floors)
        order = sorted(range(len(ws)), key=lambda i: (-(exact[i] - floors[i]), i))
        for i in order[:leftover]:
            floors[i] += 1
        return [Money(Decimal(sign * c) * CENT) for c in floors]

    def __str__(self) -> str:
        return f"{self.amount:.2f}"

    def __repr__(self) -> str:
        return f"Money('{self.amount:.2f}')"

    def to_json(self) -> str:
        """Amounts travel in JSON as strings, never as numbers."""
        return f"{self.amount:.2f}"
