"""The UB-04 (CMS-1450) paper claim for institutional claims, as data-only PDF.

The UB-04's design belongs to NUBC, so revcycle never draws it: ``ub04_pdf(claim)`` prints the
claim's data at the form locators (FL) of :data:`~revcycle.forms.layout.UB04_SLOTS`, to be
printed on the pre-printed red form.

Rules kept here:
- 22 service lines per page; every page carries the header locators, and line 23 shows
  ``PAGE n OF m`` and the creation date; the ``0001`` total line with FL47 total charges is
  printed on the last page only (the UB-04 convention, unlike the CMS-1500's per-page totals);
- FL4 type of bill is ``0`` + the facility type + the claim frequency;
- payers FL50-62 rows A-C in order of responsibility (primary first), the claim's own payer and
  the prior payers of a COB claim;
- a professional claim is refused (:class:`WrongFormForClaim`); a claim with more diagnoses,
  payers or condition codes than the form has room for is refused (:class:`ClaimDoesNotFitForm`);
- what the claim lacks (provider phone, condition codes, creation date) comes from
  :class:`Ub04Extras` or stays blank.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date

from revcycle.domain.claim import Claim, ClaimKind, Frequency, InstitutionalInfo, Person
from revcycle.forms.common import (
    ClaimDoesNotFitForm,
    FormWriter,
    amount,
    chunks,
    city_line,
    mmddyy,
    mmddyyyy,
    person_name,
    provider_name,
    quantity,
    require_balanced,
    require_kind,
    street_line,
)
from revcycle.forms.layout import (
    UB04_LINE_SLOTS,
    UB04_OTHER_DX_LETTERS,
    UB04_ROW_PITCH,
    UB04_SERVICE_ROWS,
    UB04_SLOTS,
)

_RESPONSIBILITY_ORDER = "PSTABCDEFGHU"
_PAYER_ROWS = "ABC"
_CONDITION_CODE_SLOTS = 11


@dataclass(frozen=True, slots=True)
class Ub04Extras:
    """What some locators want that an 837I claim here does not carry; all optional."""

    provider_phone: str = ""  # FL1, fourth line
    condition_codes: tuple[str, ...] = ()  # FL18-28, up to 11, when the claim carries none
    creation_date: date | None = None  # line 23, FL45


@dataclass(frozen=True, slots=True)
class _PayerRow:
    responsibility: str
    payer_name: str
    payer_id: str
    release: str
    assignment: str
    insured: Person
    relationship: str
    insured_id: str
    group_name: str
    group_number: str


def ub04_pdf(claim: Claim, *, extra: Ub04Extras | None = None) -> bytes:
    """The claim's data on UB-04 positions (data only) as PDF bytes; same claim, same bytes."""
    require_kind(claim, ClaimKind.INSTITUTIONAL, "UB-04", "cms1500_pdf")
    info = claim.institutional
    if info is None:
        raise ClaimDoesNotFitForm(
            "institutional", "an institutional claim needs its institutional fields"
        )
    require_balanced(claim)
    extra = extra or Ub04Extras()
    header = claim_locators(claim, info, extra)
    pages = chunks(claim.lines, UB04_SERVICE_ROWS)
    writer = FormWriter("UB-04 claim data")
    for number, page_lines in enumerate(pages, start=1):
        writer.new_page()
        for key, value in header.items():
            writer.put(UB04_SLOTS[key], value)
        for row, line in enumerate(page_lines):
            values = {
                "revenue_code": line.revenue_code,
                "description": line.description,
                "hcpcs": " ".join((line.procedure_code, *line.modifiers)),
                "service_date": mmddyy(line.service_date),
                "units": quantity(line.units),
                "charge": amount(line.charge),
            }
            for key, value in values.items():
                writer.put(UB04_LINE_SLOTS[key], value, line_offset=row * UB04_ROW_PITCH)
        writer.put(UB04_SLOTS["page_of"], f"PAGE {number} OF {len(pages)}")
        writer.put(UB04_SLOTS["creation_date"], mmddyy(extra.creation_date))
        if number == len(pages):
            writer.put(UB04_SLOTS["total_revenue_code"], "0001")
            writer.put(UB04_SLOTS["total_charges"], amount(claim.total_charge))
    return writer.finish()


def claim_locators(claim: Claim, info: InstitutionalInfo, extra: Ub04Extras) -> dict[str, str]:
    """Slot key -> text for every locator but the service lines and line 23."""
    if len(claim.diagnoses) > 1 + len(UB04_OTHER_DX_LETTERS):
        raise ClaimDoesNotFitForm(
            "diagnoses", "the UB-04 has room for 18 diagnoses; bill this claim electronically"
        )
    conditions = info.condition_codes or extra.condition_codes
    if len(conditions) > _CONDITION_CODE_SLOTS:
        raise ClaimDoesNotFitForm("condition_codes", "the UB-04 has room for 11 condition codes")
    values: dict[str, str] = {}
    billing = claim.billing_provider
    values["provider_name"] = provider_name(billing)
    values["provider_street"] = street_line(billing.address)
    values["provider_city"] = city_line(billing.address)
    values["provider_phone"] = extra.provider_phone
    if claim.pay_to_address:
        values["pay_to_name"] = provider_name(billing)
        values["pay_to_street"] = street_line(claim.pay_to_address)
        values["pay_to_city"] = city_line(claim.pay_to_address)
    values["patient_control_number"] = claim.patient_control_number
    values["medical_record_number"] = claim.medical_record_number
    values["type_of_bill"] = f"0{info.facility_type}{claim.frequency.value}"
    values["federal_tax_number"] = billing.tax_id
    values["statement_from"] = mmddyy(info.statement_from)
    values["statement_through"] = mmddyy(info.statement_to)

    patient = claim.patient.person if claim.patient else claim.subscriber.person
    values["patient_name"] = person_name(patient)
    values["patient_street"] = street_line(patient.address)
    if patient.address:
        values["patient_city"] = patient.address.city
        values["patient_state"] = patient.address.state
        values["patient_zip"] = patient.address.postal_code
    values["birthdate"] = mmddyyyy(patient.birth_date)
    values["sex"] = patient.sex
    values["admission_date"] = mmddyy(info.admission_date)
    values["admission_hour"] = info.admission_hour[:2]
    values["admission_type"] = info.admission_type
    values["admission_source"] = info.admission_source
    values["discharge_hour"] = info.discharge_hour[:2]
    values["patient_status"] = info.patient_status
    for number, code in enumerate(conditions, start=1):
        values[f"condition_code_{number}"] = code

    for row, payer in zip(_PAYER_ROWS, _payer_rows(claim), strict=False):
        values[f"payer_name_{row}"] = payer.payer_name
        values[f"health_plan_id_{row}"] = payer.payer_id
        values[f"release_{row}"] = payer.release
        values[f"assignment_{row}"] = payer.assignment
        values[f"insured_name_{row}"] = person_name(payer.insured)
        values[f"relationship_{row}"] = payer.relationship
        values[f"insured_id_{row}"] = payer.insured_id
        values[f"group_name_{row}"] = payer.group_name
        values[f"group_number_{row}"] = payer.group_number
    values["billing_npi"] = billing.npi

    values["treatment_authorization"] = claim.prior_authorization
    if claim.frequency is not Frequency.ORIGINAL:
        values["document_control_number"] = claim.original_reference

    if claim.diagnoses:
        values["dx_version"] = "0"
        principal, *others = claim.diagnoses
        values["principal_dx"] = principal.code
        values["principal_dx_poa"] = principal.present_on_admission
        for letter, diagnosis in zip(UB04_OTHER_DX_LETTERS, others, strict=False):
            values[f"other_dx_{letter}"] = diagnosis.code
            values[f"other_dx_{letter}_poa"] = diagnosis.present_on_admission
    if info.admitting_diagnosis:
        values["admitting_dx"] = info.admitting_diagnosis.code
    for letter, reason in zip("abc", info.reasons_for_visit, strict=False):
        values[f"reason_dx_{letter}"] = reason.code

    for role, provider in (
        ("attending", info.attending_provider),
        ("operating", info.operating_provider),
    ):
        if provider:
            values[f"{role}_npi"] = provider.npi
            values[f"{role}_last"] = provider.last_or_org_name
            values[f"{role}_first"] = provider.first_name

    for number, text in enumerate(textwrap.wrap(claim.notes, 24)[:4], start=1):
        values[f"remarks_{number}"] = text
    return {key: value for key, value in values.items() if value}


def _payer_rows(claim: Claim) -> list[_PayerRow]:
    sub = claim.subscriber
    rows = [
        _PayerRow(
            responsibility=sub.payer_responsibility,
            payer_name=claim.payer.name,
            payer_id=claim.payer.payer_id,
            release=claim.release_of_information,
            assignment=claim.benefits_assigned,
            insured=sub.person,
            relationship=claim.patient.relationship if claim.patient else "18",
            insured_id=sub.member_id,
            group_name=sub.group_name,
            group_number=sub.group_number,
        )
    ]
    rows.extend(
        _PayerRow(
            responsibility=other.responsibility,
            payer_name=other.payer.name,
            payer_id=other.payer.payer_id,
            release=other.release_of_information,
            assignment=other.benefits_assigned,
            insured=other.subscriber,
            relationship=other.relationship,
            insured_id=other.member_id,
            group_name="",
            group_number=other.group_number,
        )
        for other in claim.other_payers
    )
    if len(rows) > len(_PAYER_ROWS):
        raise ClaimDoesNotFitForm("other_payers", "the UB-04 has room for 3 payers")
    return sorted(rows, key=lambda r: _order(r.responsibility))


def _order(responsibility: str) -> int:
    index = _RESPONSIBILITY_ORDER.find(responsibility)
    return index if index >= 0 else len(_RESPONSIBILITY_ORDER)
