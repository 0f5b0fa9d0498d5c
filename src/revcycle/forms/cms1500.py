"""The CMS-1500 (02/12) paper claim for professional claims, as PDF.

``cms1500_pdf(claim)`` maps a professional :class:`~revcycle.domain.claim.Claim` to the boxes of
the form (NUCC 1500 instructions) and prints it either on a drawn facsimile of the form
(``mode="full"``) or as data alone (``mode="data_only"``) for pre-printed red forms. Both modes
put every datum at the same slot of :data:`~revcycle.forms.layout.CMS1500_SLOTS`.

Rules kept here:
- six service lines per page; a longer claim continues on further pages, each a complete form
  whose box 28 totals only its own lines (so the page totals sum to the claim total);
- diagnoses A-L on every page, pointers printed as letters; a claim with more than 12 diagnoses,
  a pointer past L or an unbalanced total is refused (:class:`ClaimDoesNotFitForm`);
- an institutional claim is refused (:class:`WrongFormForClaim`);
- nothing is invented: what the claim lacks (phones, plan name, signature date) comes from
  :class:`Cms1500Extras` or stays blank.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from revcycle.domain.claim import Claim, ClaimKind, Frequency, Provider, ServiceLine
from revcycle.domain.errors import DomainValidationError
from revcycle.domain.money import Money
from revcycle.forms.common import (
    ClaimDoesNotFitForm,
    FormMode,
    FormWriter,
    amount,
    chunks,
    city_line,
    person_name,
    phone_parts,
    provider_name,
    quantity,
    require_balanced,
    require_kind,
    street_line,
)
from revcycle.forms.layout import (
    CMS1500_BOXES,
    CMS1500_DX_LETTERS,
    CMS1500_LINE_SLOTS,
    CMS1500_ROW_PITCH,
    CMS1500_SERVICE_ROWS,
    CMS1500_SLOTS,
)

SIGNATURE_ON_FILE = "SIGNATURE ON FILE"

# SBR09 claim filing indicator -> the program check box of box 1.
_PROGRAM_BY_FILING_INDICATOR = {
    "MA": "program_medicare",
    "MB": "program_medicare",
    "MC": "program_medicaid",
    "CH": "program_tricare",
    "VA": "program_champva",
    "FI": "program_feca",
    "CI": "program_group",
    "BL": "program_group",
    "HM": "program_group",
    "12": "program_group",
    "13": "program_group",
    "14": "program_group",
    "15": "program_group",
    "16": "program_group",
}

_PAYER_SLOTS = ("payer_name", "payer_address1", "payer_address2", "payer_city")

# PAT01 (patient's relationship to the insured) -> box 6.
_RELATION_SLOT = {"18": "relation_self", "01": "relation_spouse", "19": "relation_child"}


@dataclass(frozen=True, slots=True)
class Cms1500Extras:
    """What some boxes want that an 837P claim does not carry; every field is optional."""

    patient_phone: str = ""  # box 5
    insured_phone: str = ""  # box 7
    plan_name: str = ""  # box 11c
    billing_phone: str = ""  # box 33
    signature_date: date | None = None  # dates of boxes 12 and 31


def cms1500_pdf(
    claim: Claim, *, mode: FormMode = "full", extra: Cms1500Extras | None = None
) -> bytes:
    """The claim on CMS-1500 (02/12) pages as PDF bytes; same claim, same bytes."""
    if mode not in ("full", "data_only"):
        raise DomainValidationError.single(
            "mode", "invalid_choice", "mode must be 'full' or 'data_only'"
        )
    require_kind(claim, ClaimKind.PROFESSIONAL, "CMS-1500", "ub04_pdf")
    require_balanced(claim)
    _require_fits(claim)
    header = claim_boxes(claim, extra or Cms1500Extras())
    writer = FormWriter("CMS-1500 claim form")
    for page_lines in chunks(claim.lines, CMS1500_SERVICE_ROWS):
        writer.new_page()
        if mode == "full":
            _draw_form(writer)
        for key, value in header.items():
            writer.put(CMS1500_SLOTS[key], value)
        for row, line in enumerate(page_lines):
            for key, value in line_boxes(claim, line).items():
                writer.put(CMS1500_LINE_SLOTS[key], value, line_offset=row * CMS1500_ROW_PITCH)
        page_total = Money.sum(line.charge for line in page_lines)
        writer.put(CMS1500_SLOTS["total_charge"], amount(page_total))
    return writer.finish()


def _require_fits(claim: Claim) -> None:
    if len(claim.diagnoses) > len(CMS1500_DX_LETTERS):
        raise ClaimDoesNotFitForm(
            "diagnoses", "the CMS-1500 has room for 12 diagnoses; bill this claim electronically"
        )
    for index, line in enumerate(claim.lines):
        if len(line.diagnosis_pointers) > 4 or any(
            not 1 <= p <= len(claim.diagnoses) for p in line.diagnosis_pointers
        ):
            raise ClaimDoesNotFitForm(
                f"lines.{index}.diagnosis_pointers",
                "pointers must be 1 to 4 references to the claim's diagnoses",
            )


def claim_boxes(claim: Claim, extra: Cms1500Extras) -> dict[str, str]:
    """Slot key -> text for everything but the service lines and box 28."""
    sub = claim.subscriber
    insured = sub.person
    patient = claim.patient.person if claim.patient else insured
    values: dict[str, str] = {}

    payer = claim.payer
    payer_lines = [payer.name]
    if payer.address:
        payer_lines += [payer.address.line1, payer.address.line2, city_line(payer.address)]
    for key, text in zip(_PAYER_SLOTS, [t for t in payer_lines if t], strict=False):
        values[key] = text

    program = _PROGRAM_BY_FILING_INDICATOR.get(sub.claim_filing_indicator, "program_other")
    values[program] = "X"
    values["insured_id"] = sub.member_id

    values["patient_name"] = person_name(patient)
    if patient.birth_date:
        values["patient_dob_mm"] = f"{patient.birth_date.month:02d}"
        values["patient_dob_dd"] = f"{patient.birth_date.day:02d}"
        values["patient_dob_yyyy"] = f"{patient.birth_date.year:04d}"
    if patient.sex in ("M", "F"):
        values[f"patient_sex_{patient.sex.lower()}"] = "X"
    values["insured_name"] = person_name(insured)

    values["patient_street"] = street_line(patient.address)
    if patient.address:
        values["patient_city"] = patient.address.city
        values["patient_state"] = patient.address.state
        values["patient_zip"] = patient.address.postal_code
    values["patient_phone_area"], values["patient_phone"] = phone_parts(extra.patient_phone)

    relation = claim.patient.relationship if claim.patient else "18"
    values[_RELATION_SLOT.get(relation, "relation_other")] = "X"

    values["insured_street"] = street_line(insured.address)
    if insured.address:
        values["insured_city"] = insured.address.city
        values["insured_state"] = insured.address.state
        values["insured_zip"] = insured.address.postal_code
    values["insured_phone_area"], values["insured_phone"] = phone_parts(extra.insured_phone)

    if claim.other_payers:
        other = claim.other_payers[0]
        values["other_insured_name"] = person_name(other.subscriber)
        values["other_insured_policy"] = other.group_number or other.member_id
        values["other_plan_name"] = other.payer.name
        values["another_plan_yes"] = "X"
    else:
        values["another_plan_no"] = "X"

    values["insured_group"] = sub.group_number
    if insured.birth_date:
        values["insured_dob_mm"] = f"{insured.birth_date.month:02d}"
        values["insured_dob_dd"] = f"{insured.birth_date.day:02d}"
        values["insured_dob_yyyy"] = f"{insured.birth_date.year:04d}"
    if insured.sex in ("M", "F"):
        values[f"insured_sex_{insured.sex.lower()}"] = "X"
    values["plan_name"] = extra.plan_name

    if claim.release_of_information == "Y":
        values["patient_signature"] = SIGNATURE_ON_FILE
        values["patient_signature_date"] = _spaced_date(extra.signature_date)
    if claim.benefits_assigned == "Y":
        values["insured_signature"] = SIGNATURE_ON_FILE

    if claim.onset_date:
        values["onset_mm"] = f"{claim.onset_date.month:02d}"
        values["onset_dd"] = f"{claim.onset_date.day:02d}"
        values["onset_yy"] = f"{claim.onset_date.year % 100:02d}"
        values["onset_qualifier"] = "431"

    referring = _referring(claim)
    if referring:
        qualifier, provider = referring
        values["referring_qualifier"] = qualifier
        values["referring_name"] = provider_name(provider)
        values["referring_npi"] = provider.npi

    values["additional_information"] = claim.notes
    if claim.diagnoses:
        values["icd_indicator"] = "0"
    for letter, diagnosis in zip(CMS1500_DX_LETTERS, claim.diagnoses, strict=False):
        values[f"diagnosis_{letter}"] = diagnosis.code

    if claim.frequency is not Frequency.ORIGINAL:
        values["resubmission_code"] = claim.frequency.value
        values["original_reference"] = claim.original_reference
    values["prior_authorization"] = claim.prior_authorization or claim.referral_number

    billing = claim.billing_provider
    values["tax_id"] = "".join(ch for ch in billing.tax_id if ch.isalnum())
    if billing.tax_id:
        values["tax_id_ssn" if billing.tax_id_type == "SY" else "tax_id_ein"] = "X"
    values["account_number"] = claim.patient_control_number
    values["assignment_yes" if claim.assignment == "A" else "assignment_no"] = "X"

    if claim.provider_signature:
        values["provider_signature"] = SIGNATURE_ON_FILE
        values["provider_signature_date"] = _spaced_date(extra.signature_date)

    facility = claim.service_facility
    if facility:
        values["facility_name"] = provider_name(facility)
        values["facility_street"] = street_line(facility.address)
        values["facility_city"] = city_line(facility.address)
        values["facility_npi"] = facility.npi

    values["billing_phone_area"], values["billing_phone"] = phone_parts(extra.billing_phone)
    values["billing_name"] = provider_name(billing)
    values["billing_street"] = street_line(billing.address)
    values["billing_city"] = city_line(billing.address)
    values["billing_npi"] = billing.npi
    return {key: value for key, value in values.items() if value}


def line_boxes(claim: Claim, line: ServiceLine) -> dict[str, str]:
    """Slot key of :data:`CMS1500_LINE_SLOTS` -> text for one service line."""
    end = line.service_date_end or line.service_date
    values = {
        "from_mm": f"{line.service_date.month:02d}",
        "from_dd": f"{line.service_date.day:02d}",
        "from_yy": f"{line.service_date.year % 100:02d}",
        "to_mm": f"{end.month:02d}",
        "to_dd": f"{end.day:02d}",
        "to_yy": f"{end.year % 100:02d}",
        "place_of_service": line.place_of_service or claim.place_of_service,
        "emergency": "Y" if line.emergency else "",
        "procedure": line.procedure_code,
        "pointers": "".join(CMS1500_DX_LETTERS[p - 1] for p in line.diagnosis_pointers),
        "charge": amount(line.charge),
        "units": quantity(line.units),
        "epsdt": "Y" if line.epsdt else "",
    }
    for number, modifier in enumerate(line.modifiers[:4], start=1):
        values[f"modifier{number}"] = modifier
    rendering = line.rendering_provider or claim.rendering_provider
    if rendering:
        values["rendering_npi"] = rendering.npi
    if line.drug:
        drug = line.drug
        values["supplemental"] = f"N4{drug.ndc} {drug.unit}{quantity(drug.quantity)}"
    return {key: value for key, value in values.items() if value}


def _referring(claim: Claim) -> tuple[str, Provider] | None:
    if claim.referring_provider:
        return "DN", claim.referring_provider
    if claim.supervising_provider:
        return "DQ", claim.supervising_provider
    return None


def _spaced_date(day: date | None) -> str:
    return day.strftime("%m %d %y") if day else ""


def _draw_form(writer: FormWriter) -> None:
    """The facsimile: shading, boxes, captions and check boxes, drawn under the data."""
    first = CMS1500_LINE_SLOTS["supplemental"].line
    shaded = [first + CMS1500_ROW_PITCH * row for row in range(CMS1500_SERVICE_ROWS)]
    writer.shade_lines(shaded, 1, 80)
    writer.title("HEALTH INSURANCE CLAIM FORM", 6, 1)
    writer.label(
        "CMS-1500 (02/12) LAYOUT, DRAWN BY REVCYCLE", writer.grid.x(41), writer.grid.baseline(6)
    )
    writer.label(
        "READ THE BACK OF THE FORM BEFORE COMPLETING AND SIGNING IT.",
        writer.grid.x(1),
        writer.grid.baseline(27),
        size=6.0,
    )
    for box in CMS1500_BOXES.values():
        writer.box(box)
    for line in shaded:
        writer.rule(line, 1, 80)
    for slot in CMS1500_SLOTS.values():
        if not slot.caption:
            continue
        if slot.width == 1:
            writer.check_box(slot)
        elif len(slot.caption) == 1:
            writer.caption_before(slot)
        else:
            writer.caption_above(slot)
    for row in range(CMS1500_SERVICE_ROWS):
        line = CMS1500_LINE_SLOTS["procedure"].line + CMS1500_ROW_PITCH * row
        writer.label(str(row + 1), writer.grid.x(81) + 2, writer.grid.baseline(line), size=7.0)
    writer.label(
        "FACSIMILE OF FORM 1500 (02/12). PAYERS THAT SCAN CLAIMS MAY REQUIRE THE PRINTED RED FORM.",
        writer.grid.x(1),
        writer.grid.baseline(63),
    )
