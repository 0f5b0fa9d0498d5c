"""Request and response schemas of the API (pydantic v2, API only).

Input models carry every field as optional: the same model serves create (``POST``) and partial
update (``PATCH``), and the domain parsers decide what is required, reporting each problem by
its field path. Output models are read from the domain dataclasses.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class AddressIn(_In):
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = Field(None, description="USPS state code")
    zip: str | None = Field(None, description="5 or 9 digits")


class AddressOut(_Out):
    line1: str
    line2: str | None
    city: str
    state: str
    zip: str


class PersonIn(_In):
    last_name: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    dob: date | None = None
    sex: str | None = None
    address: AddressIn | None = None
    phone: str | None = None


class PersonOut(_Out):
    last_name: str
    first_name: str
    middle_name: str | None
    dob: date | None
    sex: str | None
    address: AddressOut | None
    phone: str | None


class PracticeIn(_In):
    legal_name: str | None = None
    tin: str | None = None
    group_npi: str | None = None
    taxonomy: str | None = None
    billing_address: AddressIn | None = Field(None, description="street address with ZIP+4")
    pay_to_address: AddressIn | None = None
    phone: str | None = None


class PracticeOut(_Out):
    id: int
    legal_name: str
    tin: str
    group_npi: str
    taxonomy: str
    billing_address: AddressOut
    pay_to_address: AddressOut | None
    phone: str


class ProviderIn(_In):
    kind: str | None = Field(None, description="individual or organization")
    npi: str | None = None
    roles: list[str] | None = Field(None, description="billing, rendering, referring, supervising")
    last_name: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    credential: str | None = None
    taxonomy: str | None = None
    active_from: date | None = None
    active_to: date | None = None


class ProviderOut(_Out):
    id: int
    kind: str
    npi: str
    roles: list[str]
    last_name: str
    first_name: str | None
    middle_name: str | None
    credential: str | None
    taxonomy: str | None
    active_from: date | None
    active_to: date | None


class FacilityIn(_In):
    name: str | None = None
    address: AddressIn | None = None
    place_of_service: str | None = None
    npi: str | None = None


class FacilityOut(_Out):
    id: int
    name: str
    address: AddressOut
    place_of_service: str
    npi: str | None


class PayerIn(_In):
    name: str | None = None
    payer_id: str | None = Field(None, description="the clearinghouse payer ID")
    payer_class: str | None = None
    timely_filing_days: int | None = None
    route: str | None = Field(None, description="clearinghouse route name")
    address: AddressIn | None = None


class PayerOut(_Out):
    id: int
    name: str
    payer_id: str
    payer_class: str
    timely_filing_days: int
    route: str
    address: AddressOut | None


class PlanIn(_In):
    name: str | None = None
    plan_type: str | None = None
    claim_filing_indicator: str | None = Field(
        None, description="837 SBR09, e.g. CI, MB, MC, BL, HM, 16"
    )


class PlanOut(_Out):
    id: int
    payer_id: int
    name: str
    plan_type: str
    claim_filing_indicator: str


class EnrollmentIn(_In):
    provider_id: int | None = None
    edi: bool | None = None
    era: bool | None = None
    eft: bool | None = None
    participation: str | None = None
    effective: date | None = None
    termination: date | None = None


class EnrollmentOut(_Out):
    id: int
    payer_id: int
    provider_id: int | None
    edi: bool
    era: bool
    eft: bool
    participation: str
    effective: date
    termination: date | None


class PatientIn(_In):
    mrn: str | None = Field(None, description="assigned from the practice's sequence when absent")
    account_number: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    suffix: str | None = None
    dob: date | None = None
    sex: str | None = Field(None, description="F, M or U")
    address: AddressIn | None = None
    phone: str | None = None
    email: str | None = None
    date_of_death: date | None = None
    guarantor_relationship: str | None = None
    guarantor: PersonIn | None = None


class PatientOut(_Out):
    id: int
    mrn: str
    account_number: str
    last_name: str
    first_name: str
    middle_name: str | None
    suffix: str | None
    dob: date
    sex: str
    address: AddressOut
    phone: str | None
    email: str | None
    date_of_death: date | None
    guarantor_relationship: str
    guarantor: PersonOut | None


class CoverageIn(_In):
    plan_id: int | None = None
    payer: str | None = Field(None, description="payer ID (or record id) when plan_id is not given")
    plan: str | None = Field(None, description="plan name, when the payer has several")
    order: str | None = Field(None, description="primary, secondary or tertiary")
    member_id: str | None = None
    group_number: str | None = None
    relationship: str | None = Field(None, description="01, 18, 19, 20, 21, 39, 40, 53 or G8")
    subscriber: PersonIn | None = None
    effective: date | None = None
    termination: date | None = None
    insurance_type_code: str | None = None


class CoverageOut(_Out):
    id: int
    patient_id: int
    plan_id: int
    order: str
    member_id: str
    group_number: str | None
    relationship: str
    subscriber: PersonOut | None
    effective: date
    termination: date | None
    insurance_type_code: str | None


class PatientDetailOut(PatientOut):
    coverages: list[CoverageOut] = []


class UserIn(_In):
    username: str
    role: str
    password: str


class UserOut(_Out):
    id: int
    practice_id: int
    username: str
    role: str
    active: bool


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105  (the OAuth2 token type, not a secret)


class AuditEntryOut(_Out):
    id: int
    at: datetime
    actor: str
    channel: str
    action: str
    record_type: str
    record_id: str | None


class ImportErrorOut(BaseModel):
    row: int
    field: str
    message: str


class ImportResultOut(BaseModel):
    patients_created: int
    coverages_created: int
    rows_imported: int
    rows_failed: int
    errors: list[ImportErrorOut]


class FeeIn(_In):
    procedure: str | None = None
    modifier: str | None = None
    amount: str | None = Field(None, description="charge for one unit, as a decimal string")
    effective: date | None = None
    termination: date | None = None


class FeeOut(BaseModel):
    id: int
    procedure: str
    modifier: str
    amount: str
    effective: date
    termination: date | None


class AuthorizationIn(_In):
    payer: str | None = Field(None, description="payer ID")
    kind: str | None = Field(None, description="authorization or referral")
    number: str | None = None
    start: date | None = None
    end: date | None = None
    service_codes: list[str] | None = None
    units_approved: int | None = None


class AuthorizationOut(BaseModel):
    id: int
    payer_id: int
    kind: str
    number: str
    start: date
    end: date
    service_codes: list[str]
    units_approved: int | None
    units_used: int


class DiagnosisIn(_In):
    code: str
    poa: str | None = None


class ServiceLineIn(_In):
    procedure: str | None = None
    modifiers: list[str] | None = None
    units: str | None = Field(None, description="decimal string, default 1")
    charge: str | None = Field(None, description="default: the fee schedule times the units")
    pointers: list[int] | None = None
    dos_from: date | None = None
    dos_to: date | None = None
    ndc: str | None = None
    ndc_unit: str | None = None
    ndc_quantity: str | None = None
    anesthesia_minutes: int | None = None
    revenue_code: str | None = None
    note: str | None = None


class EncounterIn(_In):
    kind: str | None = Field(None, description="P professional (default) or I institutional")
    patient_id: int | None = None
    dos_from: date | None = None
    dos_to: date | None = None
    rendering_provider_id: int | None = None
    referring_provider_id: int | None = None
    supervising_provider_id: int | None = None
    facility_id: int | None = None
    place_of_service: str | None = None
    coverage_ids: list[int] | None = None
    prior_authorization: str | None = None
    referral_number: str | None = None
    external_ref: str | None = None
    diagnoses: list[str | DiagnosisIn] | None = None
    lines: list[ServiceLineIn] | None = None
    institutional: dict[str, object] | None = None


class ServiceLineOut(BaseModel):
    id: int
    procedure: str
    modifiers: list[str]
    units: str
    charge: str
    charge_source: str
    pointers: list[int]
    dos_from: date | None
    dos_to: date | None
    ndc: str | None
    entered_at: datetime | None


class EncounterOut(BaseModel):
    id: int
    patient_id: int
    kind: str
    dos_from: date
    dos_to: date
    rendering_provider_id: int
    place_of_service: str
    coverage_ids: list[int]
    diagnoses: list[str]
    lines: list[ServiceLineOut]


class ClaimLineOut(BaseModel):
    line_no: int
    line_control_number: str
    charge: str


class FindingOut(BaseModel):
    code: str
    severity: str
    message: str
    location: str


class ClaimEventOut(BaseModel):
    at: datetime
    actor: str
    from_status: str | None
    to_status: str
    reason: str


class ClaimOut(BaseModel):
    id: int
    patient_control_number: str
    status: str
    kind: str
    encounter_id: int
    coverage_id: int
    payer_id: int
    frequency: str
    payer_claim_number: str | None
    total_charge: str
    first_pass_clean: bool | None
    scrub_runs: int
    lines: list[ClaimLineOut]
    history: list[ClaimEventOut] = []
    findings: list[FindingOut] = []


class ClaimStatusIn(_In):
    to: str
    reason: str


class ScrubResultOut(BaseModel):
    claim_id: int
    status: str
    clean: bool
    findings: list[FindingOut]
