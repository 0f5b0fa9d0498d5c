"""What ERA posting takes and gives: billed claims in, journal entries and work out.

Inputs are the claims an 835 pays (:class:`BilledClaim`, a small projection of the claim
record the service loads by patient control number) and a :class:`PostingConfig`. Outputs are
a :class:`PostingResult`: the balanced journal entries to post (nothing when rejected),
denial records for the denial work queue, secondary claims to build (with their COB data),
claims marked forwarded by a Medicare crossover, the unmatched claim payments, and the
:class:`PostingSummary` of ``revcycle era post --json``. Nothing here touches a database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal, Protocol

from revcycle.codesets.findings import Finding
from revcycle.domain.claim import ClaimAdjustment, LineAdjudication
from revcycle.domain.ledger import PATIENT, JournalEntry, LineRef, Party
from revcycle.domain.money import Money
from revcycle.domain.remittance import Adjustment

Treatment = Literal["adjust", "patient", "keep_open", "ignore"]
"""What to do with an OA / PI amount: post it as an other adjustment, make it patient
responsibility (like PR), leave it open with the payer (work it), or ignore it because it only
informs (OA-23, the impact of the prior payer, is already in the ledger)."""

GROUPS = ("CO", "PR", "OA", "PI")


@dataclass(frozen=True, slots=True)
class BilledLine:
    """One billed service line as sent in the 837 (``line_number`` is its LX)."""

    line_id: str
    line_number: int
    line_control_number: str
    procedure: str
    charge: Money
    service_date: date | None = None
    modifiers: tuple[str, ...] = ()
    units: Decimal = Decimal(1)


@dataclass(frozen=True, slots=True)
class BilledClaim:
    """A claim an 835 may pay. ``coverages`` lists payer IDs in order: primary first.
    ``claim_id`` and the lines' ids are the claim whose lines hold the balance on the ledger;
    for a secondary claim that is its primary, and ``own_claim_id`` is the secondary's own."""

    claim_id: str
    practice_id: str
    patient_id: str
    patient_control_number: str
    lines: tuple[BilledLine, ...]
    coverages: tuple[str, ...] = ()
    own_claim_id: str = ""

    @property
    def answered_claim_id(self) -> str:
        """The claim the 835 answers: the secondary's own claim, else ``claim_id``."""
        return self.own_claim_id or self.claim_id

    @property
    def charge(self) -> Money:
        return Money.sum(line.charge for line in self.lines)

    def line_ref(self, line: BilledLine) -> LineRef:
        return LineRef(self.practice_id, self.patient_id, self.claim_id, line.line_id)

    def first_party(self) -> Party:
        """Who owes the charge first: the primary payer, or the patient when self-pay."""
        return Party.payer(self.coverages[0]) if self.coverages else PATIENT


@dataclass(frozen=True, slots=True)
class PostingConfig:
    """Posting choices a practice makes. ``overrides`` maps ``(group, reason)`` to a treatment
    and wins over ``oa`` / ``pi``; ``denial_reasons`` replaces the CARC categories of
    ``revcycle.codesets`` when given."""

    oa: Treatment = "adjust"
    pi: Treatment = "adjust"
    overrides: Mapping[tuple[str, str], Treatment] = field(
        default_factory=lambda: {("OA", "23"): "ignore"}
    )
    denial_reasons: frozenset[str] | None = None
    crossover_remarks: frozenset[str] = frozenset({"MA18", "N89"})
    crossover_statuses: frozenset[str] = frozenset({"19", "20", "21"})


class PostingHistory(Protocol):
    """What reversal posting needs to know of earlier postings (the ledger, or a repository)."""

    def entries_for_claim(self, claim_id: str) -> Sequence[JournalEntry]: ...

    def is_reversed(self, entry_id: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class DenialRecord:
    """A denied claim or line for the denial work queue: the amounts stay open with the payer."""

    claim_id: str
    line_id: str | None
    payer_id: str
    payer_claim_control_number: str
    adjustments: tuple[Adjustment, ...]
    remarks: tuple[str, ...]
    amount: Money

    @property
    def carcs(self) -> tuple[str, ...]:
        return tuple(f"{a.group}-{a.reason}" for a in self.adjustments)


@dataclass(frozen=True, slots=True)
class SecondaryClaimNeeded:
    """The claim must go to ``next_payer_id`` with the prior payer's adjudication (2320/2430).

    ``prior_payer_paid`` is AMT*D (CLP04), ``claim_adjustments`` the 2320 CAS (claim level
    only), ``line_adjudications`` the 2430 loops (SVD paid, CAS copied from the 835, DTP*573),
    and ``remaining_patient_liability`` AMT*EAF (the PR total).
    """

    claim_id: str
    prior_payer_id: str
    next_payer_id: str
    payer_claim_control_number: str
    prior_payer_paid: Money
    claim_adjustments: tuple[ClaimAdjustment, ...]
    line_adjudications: tuple[LineAdjudication, ...]
    remaining_patient_liability: Money
    adjudication_date: date | None


@dataclass(frozen=True, slots=True)
class ForwardedClaim:
    """A crossover: the payer forwarded the claim to ``next_payer_id`` itself; send nothing."""

    claim_id: str
    prior_payer_id: str
    next_payer_id: str
    crossover_payer_name: str
    amount_forwarded: Money


@dataclass(frozen=True, slots=True)
class UnmatchedClaimPayment:
    """A CLP matching no claim (or no line of it): its money waits in unapplied insurance."""

    patient_control_number: str
    payer_claim_control_number: str
    paid: Money
    reason: str
    index: int  # position of the CLP in the 835


@dataclass(frozen=True, slots=True)
class PostingSummary:
    """Exactly the fields of ``revcycle era post --json``; amounts become strings in JSON.

    ``paid_total`` is the sum of CLP04 (matched and unmatched); the deposit (BPR02) is
    ``paid_total - provider_adjustments_total``. ``patient_responsibility`` is what was made
    the patient's (PR, and OA / PI treated as patient) after moving the rest to next payers.
    """

    status: Literal["posted", "already_posted", "rejected"]
    claims_matched: int
    claims_unmatched: int
    paid_total: Money
    adjustments_by_group: Mapping[str, Money]
    patient_responsibility: Money
    provider_adjustments_total: Money
    denials_created: int
    secondary_claims_created: int
    findings: tuple[Finding, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "claims_matched": self.claims_matched,
            "claims_unmatched": self.claims_unmatched,
            "paid_total": self.paid_total.to_json(),
            "adjustments_by_group": {
                g: self.adjustments_by_group.get(g, Money.zero()).to_json() for g in GROUPS
            },
            "patient_responsibility": self.patient_responsibility.to_json(),
            "provider_adjustments_total": self.provider_adjustments_total.to_json(),
            "denials_created": self.denials_created,
            "secondary_claims_created": self.secondary_claims_created,
            "findings": [
                {
                    "code": f.code,
                    "severity": f.severity,
                    "message": f.message,
                    "location": f.location,
                }
                for f in self.findings
            ],
        }


@dataclass(frozen=True, slots=True)
class PostingResult:
    """Everything one 835 produced. ``entries`` is empty when ``summary.status`` is rejected."""

    summary: PostingSummary
    entries: tuple[JournalEntry, ...] = ()
    denials: tuple[DenialRecord, ...] = ()
    secondary_claims: tuple[SecondaryClaimNeeded, ...] = ()
    forwarded: tuple[ForwardedClaim, ...] = ()
    unmatched: tuple[UnmatchedClaimPayment, ...] = ()
    matched_claims: tuple[tuple[int, str], ...] = ()  # (CLP index, claim_id)
