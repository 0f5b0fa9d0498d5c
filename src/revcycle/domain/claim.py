"""The claim as an 837 carries it: plain, immutable data.

A ``Claim`` is what revcycle sends to one payer: billing provider, subscriber and (when
different) patient, payer, diagnoses, service lines and, for secondary / tertiary claims, what
each prior payer did (``OtherPayer`` with claim- and line-level adjudications, loops
2320/2330/2430). Professional (837P) and institutional (837I) claims share the type;
``kind`` says which, and the institutional fields are empty on professional claims.

Invariants kept by the writer and the claims service, not by the constructors:
- ``total_charge`` equals the sum of the line charges (SNIP 3 balancing);
- frequency 7 (replacement) and 8 (void) carry ``original_reference`` (the payer ICN);
- every line has a ``line_control_number`` (sent as REF*6R and echoed in the 835).
Amounts are ``Money``; quantities are ``Decimal``; no floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from revcycle.domain.money import Money


class ClaimKind(StrEnum):
    PROFESSIONAL = "P"
    INSTITUTIONAL = "I"


class Frequency(StrEnum):
    ORIGINAL = "1"
    REPLACEMENT = "7"
    VOID = "8"


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    city: str
    state: str
    postal_code: str
    line2: str = ""


@dataclass(frozen=True, slots=True)
class Provider:
    """A provider or organization as named in an NM1 loop (billing, rendering, referring...)."""

    last_or_org_name: str
    npi: str = ""
    first_name: str = ""
    middle_name: str = ""
    is_person: bool = False
    taxonomy: str = ""
    tax_id: str = ""
    tax_id_type: str = "EI"  # EI (EIN) or SY (SSN)
    address: Address | None = None
    secondary_ids: tuple[tuple[str, str], ...] = ()  # (REF01 qualifier, value)


@dataclass(frozen=True, slots=True)
class Person:
    last_name: str
    first_name: str = ""
    middle_name: str = ""
    suffix: str = ""
    birth_date: date | None = None
    sex: str = "U"  # M, F, U
    address: Address | None = None


@dataclass(frozen=True, slots=True)
class Subscriber:
    person: Person
    member_id: str
    payer_responsibility: str = "P"  # SBR01: P primary, S secondary, T tertiary
    relationship: str = "18"  # SBR02 when the subscriber is the patient
    group_number: str = ""
    group_name: str = ""
    claim_filing_indicator: str = "CI"  # SBR09


@dataclass(frozen=True, slots=True)
class Patient:
    """The patient when not the subscriber (loop 2000C)."""

    person: Person
    relationship: str  # PAT01: 01 spouse, 19 child, 20 employee, 21 unknown, G8 other


@dataclass(frozen=True, slots=True)
class Payer:
    name: str
    payer_id: str
    address: Address | None = None


@dataclass(frozen=True, slots=True)
class ClaimAdjustment:
    """One CAS reason with its amount (and units) under a group code (CO, PR, OA, PI)."""

    group: str
    reason: str
    amount: Money
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class LineAdjudication:
    """What a prior payer did with one line (loop 2430)."""

    line_number: int  # the LX of the line adjudicated, 1-based
    paid: Money
    procedure_code: str
    units: Decimal
    adjudication_date: date
    modifiers: tuple[str, ...] = ()
    qualifier: str = "HC"
    revenue_code: str = ""
    adjustments: tuple[ClaimAdjustment, ...] = ()
    remaining_patient_liability: Money | None = None


@dataclass(frozen=True, slots=True)
class OtherPayer:
    """A prior (or other) payer of a COB claim: loops 2320, 2330A, 2330B."""

    payer: Payer
    subscriber: Person
    member_id: str
    responsibility: str = "P"  # SBR01 of the other payer
    relationship: str = "18"
    claim_filing_indicator: str = "CI"
    group_number: str = ""
    paid: Money | None = None  # AMT*D
    remaining_patient_liability: Money | None = None  # AMT*EAF
    adjustments: tuple[ClaimAdjustment, ...] = ()  # claim-level CAS
    adjudication_date: date | None = None  # 2330B DTP*573 (when not given per line)
    payer_claim_control_number: str = ""
    line_adjudications: tuple[LineAdjudication, ...] = ()
    release_of_information: str = "Y"
    benefits_assigned: str = "Y"


@dataclass(frozen=True, slots=True)
class Drug:
    """NDC reported for a drug line (loop 2410)."""

    ndc: str  # 11 digits, 5-4-2 without hyphens
    quantity: Decimal
    unit: str = "UN"  # F2 international unit, GR, ME, ML, UN


@dataclass(frozen=True, slots=True)
class ServiceLine:
    procedure_code: str
    charge: Money
    units: Decimal
    service_date: date
    line_control_number: str
    modifiers: tuple[str, ...] = ()
    qualifier: str = "HC"
    diagnosis_pointers: tuple[int, ...] = (1,)
    unit_basis: str = "UN"  # UN units, MJ minutes (anesthesia); 837I: UN or DA
    place_of_service: str = ""  # only when it differs from the claim's
    service_date_end: date | None = None
    revenue_code: str = ""  # 837I
    drug: Drug | None = None
    rendering_provider: Provider | None = None
    description: str = ""
    emergency: bool = False
    epsdt: bool = False


@dataclass(frozen=True, slots=True)
class Diagnosis:
    code: str  # ICD-10-CM without the dot
    present_on_admission: str = ""  # 837I: Y, N, U, W, 1


@dataclass(frozen=True, slots=True)
class InstitutionalInfo:
    """Fields of an 837I claim that a professional claim does not have."""

    facility_type: str  # first two digits of the type of bill (e.g. "13" hospital outpatient)
    statement_from: date
    statement_to: date
    admission_type: str = ""  # CL101
    admission_source: str = ""  # CL102
    patient_status: str = "01"  # CL103
    admission_date: date | None = None
    admission_hour: str = ""  # HHMM
    discharge_hour: str = ""
    admitting_diagnosis: Diagnosis | None = None
    reasons_for_visit: tuple[Diagnosis, ...] = ()  # up to 3
    attending_provider: Provider | None = None
    operating_provider: Provider | None = None
    occurrence_codes: tuple[tuple[str, date], ...] = ()  # HI*BH: code and date (UB-04 FL31-34)
    value_codes: tuple[tuple[str, Money], ...] = ()  # HI*BE: code and amount (FL39-41)
    condition_codes: tuple[str, ...] = ()  # HI*BG (FL18-28)


@dataclass(frozen=True, slots=True)
class Claim:
    kind: ClaimKind
    patient_control_number: str  # CLM01, echoed as CLP01 in the 835
    total_charge: Money
    billing_provider: Provider
    subscriber: Subscriber
    payer: Payer
    diagnoses: tuple[Diagnosis, ...]  # principal first; 837P up to 12, 837I up to 25
    lines: tuple[ServiceLine, ...]
    place_of_service: str = "11"  # 837P facility code (CLM05-1)
    frequency: Frequency = Frequency.ORIGINAL
    original_reference: str = ""  # REF*F8, the payer's ICN of the claim replaced / voided
    patient: Patient | None = None  # None when the patient is the subscriber
    provider_signature: bool = True  # CLM06
    assignment: str = "A"  # CLM07
    benefits_assigned: str = "Y"  # CLM08
    release_of_information: str = "Y"  # CLM09
    prior_authorization: str = ""  # REF*G1
    referral_number: str = ""  # REF*9F
    medical_record_number: str = ""  # REF*EA
    onset_date: date | None = None  # DTP*431
    referring_provider: Provider | None = None
    rendering_provider: Provider | None = None
    supervising_provider: Provider | None = None
    service_facility: Provider | None = None
    pay_to_address: Address | None = None
    other_payers: tuple[OtherPayer, ...] = ()  # COB: prior payers for a secondary claim
    institutional: InstitutionalInfo | None = None
    notes: str = ""

    @property
    def is_secondary(self) -> bool:
        return bool(self.other_payers)

    def line_charge_total(self) -> Money:
        return Money.sum(line.charge for line in self.lines)
