"""What the scrubber's rules read: the claim as an 837 carries it and the records behind it.

Everything is plain data assembled by the claims service; rules never query anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from revcycle.codesets import CodeSets, Finding, ServiceLine, validate_coding
from revcycle.domain.authorization import Authorization
from revcycle.domain.claim import Claim
from revcycle.domain.coverage import Coverage
from revcycle.domain.patient import Patient
from revcycle.domain.payer import Enrollment, Payer, Plan
from revcycle.domain.practice import Practice
from revcycle.domain.provider import Facility, Provider
from revcycle.scrubber.payer_rules import PayerRule


@dataclass(frozen=True)
class EligibilitySnapshot:
    """What the payer said on the latest 271 for this coverage."""

    member_id: str
    subscriber_last_name: str
    subscriber_first_name: str
    active_from: date | None
    active_to: date | None
    active: bool = True
    other_payer_primary: str = ""  # the payer the 271 names as primary (EB*R, loop 2120)


@dataclass(frozen=True)
class PriorService:
    """A procedure billed earlier for the same patient (for global-period checks)."""

    procedure: str
    dos: date
    provider_id: int
    modifiers: tuple[str, ...] = ()


@dataclass
class ScrubInput:
    claim: Claim
    practice: Practice
    patient: Patient
    coverage: Coverage
    plan: Plan
    payer: Payer
    rendering: Provider
    today: date
    codesets: CodeSets
    payer_rule: PayerRule
    referring: Provider | None = None
    supervising: Provider | None = None
    facility: Facility | None = None
    enrollments: Sequence[Enrollment] = ()
    authorizations: Sequence[Authorization] = ()
    duplicates: Sequence[tuple[int, int]] = ()  # (line number, other claim id)
    prior_services: Sequence[PriorService] = ()
    eligibility: EligibilitySnapshot | None = None
    other_findings: list[Finding] = field(default_factory=list)

    @property
    def dos(self) -> date:
        return (
            min(line.service_date for line in self.claim.lines) if self.claim.lines else self.today
        )

    @cached_property
    def coding(self) -> list[Finding]:
        """The code sets' findings for this claim, computed once for every coding rule."""
        age = self.patient.age_on(self.dos)
        return validate_coding(
            dos=self.dos,
            diagnoses=[d.code for d in self.claim.diagnoses],
            lines=[
                ServiceLine(
                    code=line.procedure_code,
                    modifiers=line.modifiers,
                    units=max(1, int(line.units)) if line.unit_basis != "MJ" else 1,
                    pointers=line.diagnosis_pointers,
                )
                for line in self.claim.lines
            ],
            age=age,
            sex=self.patient.sex,
            codesets=self.codesets,
        )
