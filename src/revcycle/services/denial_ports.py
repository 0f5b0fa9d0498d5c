"""The port of denial records: what services need from their persistence.

``DenialStore`` is implemented by ``revcycle.db.denial_repo`` (``denial_store(uow)``) on the
connection of the unit of work, so a denial is written in the same transaction as the source
(835, 277CA, 999) or the action that creates or changes it. ``DenialStoreFactory`` is what
services receive (by default ``denial_store``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from revcycle.domain.denial import Denial, DenialEvent
from revcycle.domain.money import Money
from revcycle.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class DenialFilter:
    """Which denials a queue shows; ``None`` means any. ``statuses`` empty means any status."""

    statuses: tuple[str, ...] = ("open", "in_progress")
    category: str | None = None
    payer_id: int | None = None
    owner: str | None = None
    aging: str | None = None
    due_before: date | None = None
    claim_id: int | None = None
    ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class DenialPage:
    """One keyset page; ``next_after`` is the cursor of the next page (None at the end)."""

    items: tuple[Denial, ...]
    next_after: str | None


@dataclass(frozen=True, slots=True)
class DenialPattern:
    """Denials grouped by payer x procedure x CARC."""

    payer_id: int | None
    payer_name: str
    procedure: str
    carc: str
    category: str
    count: int
    amount: Money
    modifiers: tuple[str, ...] = ()


class DenialStore(Protocol):
    def add_many(self, denials: Sequence[Denial], actor: str) -> list[Denial]: ...
    def get(self, denial_id: int) -> Denial: ...
    def update(self, denial: Denial) -> Denial: ...
    def page(
        self, where: DenialFilter, today: date, limit: int = 50, after: str | None = None
    ) -> DenialPage: ...
    def ids(self, where: DenialFilter, today: date) -> list[int]: ...
    def for_claim(self, claim_id: int) -> list[Denial]: ...
    def add_event(
        self, denial_id: int, action: str, actor: str, note: str | None = None
    ) -> DenialEvent: ...
    def events(self, denial_id: int) -> list[DenialEvent]: ...
    def counts_by_category(self) -> dict[str, int]: ...
    def reprioritize(self, today: date) -> int: ...
    def patterns(self, minimum: int) -> list[DenialPattern]: ...


DenialStoreFactory = Callable[[UnitOfWork], DenialStore]
