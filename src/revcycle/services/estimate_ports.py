"""What the estimate use cases need from storage and from eligibility, and the records kept.

- :class:`EstimateRecords` stores cost estimates and Good Faith Estimates of one practice
  (bound to the unit of work's transaction by ``revcycle.db.estimate_repo.estimate_store``),
  so this package imports nothing of ``revcycle.db``. Records are written once, never changed:
  a GFE is kept as issued, PDF included, for 6 years.
- :data:`EligibilityLookup` finds the latest 271 received for a coverage; the default finds
  none (the estimate then says so and is flagged).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from revcycle.domain.eligibility import EligibilityResponse
from revcycle.domain.money import Money
from revcycle.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class StoredEstimate:
    """A patient cost estimate: its inputs, the itemized result (JSON, amounts as strings)
    and the PDF given to the patient (empty in listings)."""

    patient_id: int
    number: str
    estimate_date: date
    service_date: date
    coverage_id: int | None
    basis: str
    flagged: bool
    allowed: Money
    patient_share: Money
    inputs: Mapping[str, Any]
    result: Mapping[str, Any]
    pdf: bytes = b""
    created_by: str = ""
    created_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class StoredGfe:
    """A Good Faith Estimate as issued: when, the deadline it had to meet and whether it did,
    what it says (``content``: patient, services, providers and facility, items) and its PDF
    (empty in listings)."""

    patient_id: int
    number: str
    issued_on: date
    scheduled_on: date
    scheduled_date: date | None
    requested: bool
    deadline_rule: str
    due_date: date | None
    met: bool
    total: Money
    retain_until: date
    content: Mapping[str, Any]
    pdf: bytes = b""
    created_by: str = ""
    created_at: datetime | None = None
    id: int | None = None


class EstimateRecords(Protocol):
    def add_estimate(self, item: StoredEstimate) -> StoredEstimate: ...

    def estimate(self, number: str) -> StoredEstimate | None:
        """One estimate with its PDF."""
        ...

    def estimates(self, patient_id: int | None = None) -> Sequence[StoredEstimate]:
        """Newest first, without PDFs."""
        ...

    def add_gfe(self, item: StoredGfe) -> StoredGfe: ...

    def gfe(self, number: str) -> StoredGfe | None:
        """One GFE with its PDF."""
        ...

    def gfes(self, patient_id: int | None = None, *, late: bool = False) -> Sequence[StoredGfe]:
        """Newest first, without PDFs; ``late``: only those issued after their deadline."""
        ...


EstimateStoreFactory = Callable[[UnitOfWork], EstimateRecords]

EligibilityLookup = Callable[[UnitOfWork, int], EligibilityResponse | None]
"""(unit of work, coverage id) -> the latest 271 received for that coverage, or ``None``."""


def no_eligibility(uow: UnitOfWork, coverage_id: int) -> EligibilityResponse | None:
    """The default lookup: no 271 is on file."""
    return None
