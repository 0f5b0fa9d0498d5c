"""A claim as revcycle keeps it: which encounter lines go to which coverage, its identifiers,
its state and its scrub results. (The claim as an 837 carries it is ``domain.claim.Claim``,
built from this record and the registration data when it is sent or printed.)

Invariants: the patient control number is unique within the practice and never changes; each
line has a line item control number (REF*6R) unique within the practice; ``total_charge`` is
the sum of the line charges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from revcycle.domain.money import Money


@dataclass(frozen=True, slots=True)
class ClaimLineRecord:
    line_no: int
    encounter_line_id: int
    line_control_number: str
    charge: Money
    id: int | None = None


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    encounter_id: int
    coverage_id: int
    payer_id: int
    kind: str
    patient_control_number: str
    total_charge: Money
    lines: tuple[ClaimLineRecord, ...]
    status: str = "draft"
    frequency: str = "1"
    original_claim_id: int | None = None
    payer_claim_number: str | None = None
    first_pass_clean: bool | None = None
    scrub_runs: int = 0
    created_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class ClaimEvent:
    at: datetime
    actor: str
    from_status: str | None
    to_status: str
    reason: str


@dataclass(frozen=True, slots=True)
class StoredFinding:
    scrub_run: int
    code: str
    severity: str
    message: str
    location: str


def patient_control_number(practice_id: int, sequence: int) -> str:
    """Stable and unique: practice and a per-practice counter, at most 20 characters."""
    return f"P{practice_id}C{sequence:07d}"


def line_control_number(pcn: str, line_no: int) -> str:
    return f"{pcn}L{line_no:02d}"
