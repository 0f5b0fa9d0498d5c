"""Claim status inquiries (the 276 question and the 277 answer) as plain data.

``ClaimStatusRequest`` asks a payer, for one claim, where it stands; the claim is identified
by what the provider knows (patient control number, charge, service dates, the payer's claim
number once known) and ``trace``, which the payer echoes. ``ClaimStatusResponse`` is the
payer's answer about one patient's claims: for each claim a ``StatusInfo`` with its STC
statuses (``Status``: category, status code, entity, effective date, amounts, payment) and its
service lines. Status categories (STC01-1) group the codes: A acknowledgment, P pending,
F finalized (F1 paid, F2 denied, F3 revised, F4 adjudication complete, no payment), R request
for more information, E error (E0 "system unavailable"), D0 data search unsuccessful.

Whether the lifecycle of revcycle's claim (``claim_status``) moves on a status is the services'
decision; this module only carries the data. Amounts are ``Money``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from revcycle.domain.eligibility import Entity, Member
from revcycle.domain.money import Money

__all__ = [
    "ClaimLine",
    "ClaimStatusRequest",
    "ClaimStatusResponse",
    "LineStatus",
    "Status",
    "StatusCode",
    "StatusInfo",
]


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """A service line of the claim asked about (SVC in 2210D/E): procedure (qualified HC, ...),
    modifiers, charge, revenue code, units, line item control number and dates."""

    procedure: str
    charge: Money
    qualifier: str = "HC"
    modifiers: tuple[str, ...] = ()
    revenue_code: str = ""
    units: Decimal | None = None
    line_control_number: str = ""
    service_from: date | None = None
    service_to: date | None = None  # set for a range (RD8)


@dataclass(frozen=True, slots=True)
class ClaimStatusRequest:
    """A 276 inquiry about one claim of one patient (``dependent`` when not the subscriber).

    ``trace`` is the TRN02 the payer echoes in its 277; ``receiver`` the information receiver
    (the submitter, NM1*41 with its ETIN); ``provider`` the service provider (NM1*1P, NPI).
    """

    payer: Entity
    receiver: Entity
    provider: Entity
    subscriber: Member
    trace: str
    created: datetime
    dependent: Member | None = None
    patient_control_number: str = ""  # REF*EJ (CLM01 of the 837)
    payer_claim_number: str = ""  # REF*1K
    charge: Money | None = None  # AMT*T3
    service_from: date | None = None  # DTP*472
    service_to: date | None = None  # set for a range (RD8)
    bill_type: str = ""  # REF*BLT (institutional)
    group_number: str = ""  # REF*6P
    prescription_number: str = ""  # REF*XZ
    clearinghouse_trace: str = ""  # REF*D9
    lines: tuple[ClaimLine, ...] = ()
    reference: str = ""  # BHT03

    @property
    def patient(self) -> Member:
        return self.dependent or self.subscriber


@dataclass(frozen=True, slots=True)
class StatusCode:
    """One status triple of an STC (STC01, STC10 or STC11): category (STC01-1), status code
    (STC01-2), the entity it is about (STC01-3: 1P provider, 41 submitter, IL subscriber, QC
    patient, PR payer, ...) and, for NCPDP reject codes, the code list qualifier ``RX``."""

    category: str
    code: str
    entity: str = ""
    code_list: str = ""


@dataclass(frozen=True, slots=True)
class Status:
    """One STC segment: its status codes (the first is STC01), the effective date and, at
    claim level, the total charge (STC04), payment (STC05), adjudication or payment date
    (STC06), payment method (STC07: ACH, BOP, CHK, FWT, NON), check issue or EFT date (STC08)
    and check or EFT trace number (STC09)."""

    codes: tuple[StatusCode, ...]
    effective_date: date | None = None
    charge: Money | None = None
    paid: Money | None = None
    adjudication_date: date | None = None
    payment_method: str = ""
    check_date: date | None = None
    check_number: str = ""
    message: str = ""  # STC12

    @property
    def primary(self) -> StatusCode:
        return self.codes[0] if self.codes else StatusCode("", "")


@dataclass(frozen=True, slots=True)
class LineStatus:
    """A service line of a 277 claim (2220D/E): what was billed and its statuses."""

    procedure: str
    charge: Money
    statuses: tuple[Status, ...]
    qualifier: str = "HC"
    modifiers: tuple[str, ...] = ()
    paid: Money | None = None  # SVC03
    revenue_code: str = ""
    units: Decimal | None = None
    line_control_number: str = ""  # REF*FJ
    service_from: date | None = None
    service_to: date | None = None


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """The status of one claim (a 2200D/E loop): ``trace`` echoes the 276's TRN02; the first
    status is the current one (``category``, ``status_code``, ``charge``, ``paid`` ... read
    it)."""

    trace: str
    statuses: tuple[Status, ...]
    payer_claim_control_number: str = ""  # REF*1K
    patient_control_number: str = ""  # REF*EJ
    bill_type: str = ""  # REF*BLT
    prescription_number: str = ""  # REF*XZ
    voucher: str = ""  # REF*VV
    clearinghouse_traces: tuple[str, ...] = ()  # REF*D9 (up to 3)
    service_from: date | None = None
    service_to: date | None = None
    lines: tuple[LineStatus, ...] = ()

    @property
    def status(self) -> Status:
        return self.statuses[0] if self.statuses else Status(())

    @property
    def category(self) -> str:
        return self.status.primary.category

    @property
    def status_code(self) -> str:
        return self.status.primary.code

    @property
    def entity(self) -> str:
        return self.status.primary.entity

    @property
    def effective_date(self) -> date | None:
        return self.status.effective_date

    @property
    def charge(self) -> Money | None:
        return self.status.charge

    @property
    def paid(self) -> Money | None:
        return self.status.paid

    @property
    def check_number(self) -> str:
        return self.status.check_number

    @property
    def check_date(self) -> date | None:
        return self.status.check_date

    @property
    def finalized(self) -> bool:
        return self.category.startswith("F")

    @property
    def pending(self) -> bool:
        return self.category.startswith("P")

    @property
    def denied(self) -> bool:
        return self.category == "F2"


@dataclass(frozen=True, slots=True)
class ClaimStatusResponse:
    """A 277 answer for one patient's claims (``dependent`` set when the patient is not the
    subscriber). When the payer answered the whole request at once (2200B, e.g. E0 system
    unavailable) or the provider (2200C, e.g. provider not found), ``subscriber`` is ``None``
    and ``receiver_statuses`` / ``provider_statuses`` say why."""

    payer: Entity
    receiver: Entity
    created: datetime
    provider: Entity | None = None
    subscriber: Member | None = None
    dependent: Member | None = None
    claims: tuple[StatusInfo, ...] = ()
    receiver_trace: str = ""  # TRN02 of 2200B
    receiver_statuses: tuple[Status, ...] = ()
    provider_trace: str = ""  # TRN02 of 2200C
    provider_statuses: tuple[Status, ...] = ()
    reference: str = ""  # BHT03

    @property
    def patient(self) -> Member | None:
        return self.dependent or self.subscriber

    def claim(self, trace: str) -> StatusInfo | None:
        """The status of the claim asked about with ``trace``."""
        for c in self.claims:
            if c.trace == trace:
                return c
        return None
