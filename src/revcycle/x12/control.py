"""Control numbers (ISA13, GS06, ST02): where they come from.

A ``ControlNumberSource`` hands out the next number of a sequence per trading partner and
kind. The persistent implementation (never reused, also across processes) lives in the db
layer; ``InMemoryControlNumbers`` serves tests and one-off tools.
"""

from __future__ import annotations

from typing import Literal, Protocol

from revcycle.x12.errors import ControlNumberError

Kind = Literal["interchange", "group", "set"]
LIMITS: dict[str, int] = {"interchange": 999_999_999, "group": 999_999_999, "set": 999_999_999}


class ControlNumberSource(Protocol):
    def next(self, partner: str, kind: Kind) -> int:
        """The next unused number (>= 1) of the partner's sequence for ``kind``."""
        ...


class InMemoryControlNumbers:
    """Counters in a dict; numbers are unique within this object's life only."""

    def __init__(self, start: int = 1) -> None:
        self._next: dict[tuple[str, str], int] = {}
        self._start = start

    def next(self, partner: str, kind: Kind) -> int:
        key = (partner, kind)
        value = self._next.get(key, self._start)
        if value > LIMITS[kind]:
            raise ControlNumberError(f"{kind} control numbers for {partner} are exhausted")
        self._next[key] = value + 1
        return value


def checked(value: int, kind: Kind) -> int:
    if not 1 <= value <= LIMITS[kind]:
        raise ControlNumberError(f"{kind} control number {value} is out of range")
    return value
