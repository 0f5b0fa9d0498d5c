"""Claims -> 837P / 837I segments (and back, for round trips and inbound 837s).

Each claim is written under its own billing provider (2000A) and subscriber (2000B) levels,
with a patient level (2000C) when the patient is not the subscriber. Every service line
carries REF*6R with its line control number; replacement and void claims (frequency 7 / 8)
carry REF*F8; secondary claims carry one 2320/2330A/2330B per prior payer and a 2430 per
adjudicated line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from revcycle.domain.claim import (
    Claim,
    ClaimAdjustment,
    ClaimKind,
    Diagnosis,
    OtherPayer,
    Person,
    Provider,
    ServiceLine,
)
from revcycle.x12.control import ControlNumberSource
from revcycle.x12.errors import WriteError
from revcycle.x12.writer import Envelope, Segment, TransactionSet, write_interchange

VERSION_P = "005010X222A1"
VERSION_I = "005010X223A2"


@dataclass(frozen=True, slots=True)
class Submitter:
    """Loop 1000A/1000B: who submits (the practice or billing service) and who receives."""

    name: str
    identifier: str
    contact_name: str
    contact_phone: str
    receiver_name: str
    receiver_id: str


def _address(segs: list[Segment], address: object) -> None:
    if address is None:
        return
    a = address
    segs.append(["N3", a.line1, a.line2] if a.line2 else ["N3", a.line1])  # type: ignore[attr-defined]
    segs.append(["N4", a.city, a.state, a.postal_code])  # type: ignore[attr-defined]


def _provider_nm1(entity: str, p: Provider, with_npi: bool = True) -> Segment:
    if p.is_person:
        nm1: Segment = ["NM1", entity, "1", p.last_or_org_name, p.first_name, p.middle_name, "", ""]
    else:
        nm1 = ["NM1", entity, "2", p.last_or_org_name, "", "", "", ""]
    if with_npi and p.npi:
        nm1 += ["XX", p.npi]
    return nm1


def _person_nm1(entity: str, p: Person, id_qual: str = "", ident: str = "") -> Segment:
    nm1: Segment = ["NM1", entity, "1", p.last_name, p.first_name, p.middle_name, "", p.suffix]
    if ident:
        nm1 += [id_qual, ident]
    return nm1


def _dmg(p: Person) -> Segment:
    if p.birth_date is None:
        raise WriteError("a patient's birth date is required (DMG02)")
    return ["DMG", "D8", p.birth_date, p.sex or "U"]


def _cas(adjustments: Sequence[ClaimAdjustment]) -> list[Segment]:
    by_group: dict[str, list[ClaimAdjustment]] = {}
    for a in adjustments:
        by_group.setdefault(a.group, []).append(a)
    out: list[Segment] = []
    for group, items in by_group.items():
        for start in range(0, len(items), 6):
            seg: Segment = ["CAS", group]
            for a in items[start : start + 6]:
                seg += [a.reason, a.amount, a.quantity]
            out.append(seg)
    return out


def _procedure(qualifier: str, code: str, modifiers: Sequence[str]) -> list[str]:
    return [qualifier, code, *modifiers[:4]]


def _hi(qualifiers: tuple[str, str], diagnoses: Sequence[Diagnosis], poa: bool) -> list[Segment]:
    out: list[Segment] = []
    for start in range(0, len(diagnoses), 12):
        seg: Segment = ["HI"]
        for i, d in enumerate(diagnoses[start : start + 12]):
            q = qualifiers[0] if (start + i) == 0 else qualifiers[1]
            comp = [q, d.code.replace(".", "")]
            if poa and d.present_on_admission:
                comp += ["", "", "", "", "", "", d.present_on_admission]
            seg.append(comp)
        out.append(seg)
    return out


def claim_segments(claim: Claim, hl: int) -> tuple[list[Segment], int]:
    """The 2000A..2400 segments of one claim, HL numbers starting at ``hl``."""
    prof = claim.kind is ClaimKind.PROFESSIONAL
    if not claim.lines:
        raise WriteError(f"claim {claim.patient_control_number} has no service lines")
    if claim.frequency in ("7", "8") and not claim.original_reference:
        raise WriteError("a replacement or void claim needs the payer's claim number (REF*F8)")
    if claim.total_charge != claim.line_charge_total():
        raise WriteError("CLM02 must equal the sum of the line charges")
    segs: list[Segment] = []
    bp = claim.billing_provider
    segs.append(["HL", str(hl), "", "20", "1"])
    if bp.taxonomy:
        segs.append(["PRV", "BI", "PXC", bp.taxonomy])
    segs.append(_provider_nm1("85", bp))
    if bp.address is None:
        raise WriteError("the billing provider needs an address")
    _address(segs, bp.address)
    segs.append(["REF", bp.tax_id_type or "EI", bp.tax_id])
    if claim.pay_to_address is not None:
        segs.append(["NM1", "87", "2"])
        _address(segs, claim.pay_to_address)
    sub = claim.subscriber
    patient = claim.patient
    segs.append(["HL", str(hl + 1), str(hl), "22", "1" if patient else "0"])
    segs.append(
        [
            "SBR", sub.payer_responsibility, "" if patient else "18", sub.group_number,
            sub.group_name if not sub.group_number else "", "", "", "", "",
            sub.claim_filing_indicator,
        ]
    )  # fmt: skip
    segs.append(_person_nm1("IL", sub.person, "MI", sub.member_id))
    _address(segs, sub.person.address)
    if patient is None:
        segs.append(_dmg(sub.person))
    elif sub.person.birth_date is not None:
        segs.append(_dmg(sub.person))
    segs.append(["NM1", "PR", "2", claim.payer.name, "", "", "", "", "PI", claim.payer.payer_id])
    next_hl = hl + 2
    if patient is not None:
        segs.append(["HL", str(hl + 2), str(hl + 1), "23", "0"])
        segs.append(["PAT", patient.relationship])
        segs.append(_person_nm1("QC", patient.person))
        if patient.person.address is None:
            raise WriteError("a dependent patient needs an address (2010CA N3/N4)")
        _address(segs, patient.person.address)
        segs.append(_dmg(patient.person))
        next_hl = hl + 3
    segs += _clm(claim, prof)
    return segs, next_hl


def _clm(claim: Claim, prof: bool) -> list[Segment]:
    segs: list[Segment] = []
    inst = claim.institutional
    if prof:
        segs.append(
            [
                "CLM", claim.patient_control_number, claim.total_charge, "", "",
                [claim.place_of_service, "B", claim.frequency.value],
                "Y" if claim.provider_signature else "N", claim.assignment,
                claim.benefits_assigned, claim.release_of_information,
            ]
        )  # fmt: skip
        if claim.onset_date:
            segs.append(["DTP", "431", "D8", claim.onset_date])
    else:
        if inst is None:
            raise WriteError("an institutional claim needs its institutional information")
        segs.append(
            [
                "CLM", claim.patient_control_number, claim.total_charge, "", "",
                [inst.facility_type, "A", claim.frequency.value], "", claim.assignment,
                claim.benefits_assigned, claim.release_of_information,
            ]
        )  # fmt: skip
        if inst.discharge_hour:
            segs.append(["DTP", "096", "TM", inst.discharge_hour])
        segs.append(
            ["DTP", "434", "RD8", f"{inst.statement_from:%Y%m%d}-{inst.statement_to:%Y%m%d}"]
        )
        if inst.admission_date:
            if inst.admission_hour:
                segs.append(
                    ["DTP", "435", "DT", f"{inst.admission_date:%Y%m%d}{inst.admission_hour}"]
                )
            else:
                segs.append(["DTP", "435", "D8", inst.admission_date])
        segs.append(["CL1", inst.admission_type, inst.admission_source, inst.patient_status])
    if claim.original_reference:
        segs.append(["REF", "F8", claim.original_reference])
    if claim.referral_number:
        segs.append(["REF", "9F", claim.referral_number])
    if claim.prior_authorization:
        segs.append(["REF", "G1", claim.prior_authorization])
    if claim.medical_record_number:
        segs.append(["REF", "EA", claim.medical_record_number])
    if claim.notes:
        segs.append(["NTE", "ADD", claim.notes[:80]])
    if not claim.diagnoses:
        raise WriteError("a claim needs at least one diagnosis")
    if prof:
        if len(claim.diagnoses) > 12:
            raise WriteError("an 837P carries at most 12 diagnoses")
        segs += _hi(("ABK", "ABF"), claim.diagnoses, False)
        for entity, p in (
            ("DN", claim.referring_provider),
            ("82", claim.rendering_provider),
            ("77", claim.service_facility),
            ("DQ", claim.supervising_provider),
        ):
            if p is None:
                continue
            segs.append(_provider_nm1(entity, p))
            if entity == "82" and p.taxonomy:
                segs.append(["PRV", "PE", "PXC", p.taxonomy])
            if entity == "77":
                if p.address is None:
                    raise WriteError("the service facility needs an address")
                _address(segs, p.address)
    else:
        assert inst is not None
        if len(claim.diagnoses) > 25:
            raise WriteError("an 837I carries at most 25 diagnoses")
        segs += _hi(("ABK", "ABK"), claim.diagnoses[:1], True)
        if inst.admitting_diagnosis:
            segs += _hi(("ABJ", "ABJ"), [inst.admitting_diagnosis], False)
        if inst.reasons_for_visit:
            segs += _hi(("APR", "APR"), inst.reasons_for_visit[:3], False)
        others = claim.diagnoses[1:]
        if others:
            segs += _hi(("ABF", "ABF"), others, True)
        for entity, p in (
            ("71", inst.attending_provider),
            ("72", inst.operating_provider),
            ("77", claim.service_facility),
            ("DN", claim.referring_provider),
        ):
            if p is None:
                continue
            segs.append(_provider_nm1(entity, p))
            if entity == "71" and p.taxonomy:
                segs.append(["PRV", "AT", "PXC", p.taxonomy])
            if entity == "77":
                if p.address is None:
                    raise WriteError("the service facility needs an address")
                _address(segs, p.address)
    for other in claim.other_payers:
        segs += _other_payer(other, prof)
    for n, line in enumerate(claim.lines, start=1):
        segs += _line(claim, line, n, prof)
    return segs


def _other_payer(o: OtherPayer, prof: bool) -> list[Segment]:
    segs: list[Segment] = [
        [
            "SBR",
            o.responsibility,
            o.relationship,
            o.group_number,
            "",
            "",
            "",
            "",
            "",
            o.claim_filing_indicator,
        ]
    ]
    segs += _cas(o.adjustments)
    if o.paid is not None:
        segs.append(["AMT", "D", o.paid])
    if o.remaining_patient_liability is not None:
        segs.append(["AMT", "EAF", o.remaining_patient_liability])
    segs.append(["OI", "", "", o.benefits_assigned, "", "", o.release_of_information])
    segs.append(_person_nm1("IL", o.subscriber, "MI", o.member_id))
    _address(segs, o.subscriber.address)
    segs.append(["NM1", "PR", "2", o.payer.name, "", "", "", "", "PI", o.payer.payer_id])
    if o.adjudication_date is not None and not o.line_adjudications:
        segs.append(["DTP", "573", "D8", o.adjudication_date])
    if o.payer_claim_control_number:
        segs.append(["REF", "F8", o.payer_claim_control_number])
    return segs


def _line(claim: Claim, line: ServiceLine, n: int, prof: bool) -> list[Segment]:
    segs: list[Segment] = [["LX", str(n)]]
    proc = _procedure(line.qualifier, line.procedure_code, line.modifiers)
    if prof:
        pointers = [str(p) for p in line.diagnosis_pointers[:4]]
        segs.append(
            [
                "SV1", proc, line.charge, line.unit_basis, line.units,
                line.place_of_service if line.place_of_service != claim.place_of_service else "",
                "", pointers, "", "Y" if line.emergency else "", "", "Y" if line.epsdt else "",
            ]
        )  # fmt: skip
    else:
        segs.append(
            [
                "SV2",
                line.revenue_code,
                proc if line.procedure_code else "",
                line.charge,
                line.unit_basis,
                line.units,
            ]
        )
    if line.service_date_end and line.service_date_end != line.service_date:
        segs.append(
            ["DTP", "472", "RD8", f"{line.service_date:%Y%m%d}-{line.service_date_end:%Y%m%d}"]
        )
    else:
        segs.append(["DTP", "472", "D8", line.service_date])
    if not line.line_control_number:
        raise WriteError(f"line {n} has no line control number (REF*6R)")
    segs.append(["REF", "6R", line.line_control_number])
    if line.drug is not None:
        segs.append(["LIN", "", "N4", line.drug.ndc])
        segs.append(["CTP", "", "", "", line.drug.quantity, [line.drug.unit]])
    if prof and line.rendering_provider is not None:
        segs.append(_provider_nm1("82", line.rendering_provider))
    for other in claim.other_payers:
        for adj in other.line_adjudications:
            if adj.line_number != n:
                continue
            segs.append(
                [
                    "SVD", other.payer.payer_id, adj.paid,
                    _procedure(adj.qualifier, adj.procedure_code, adj.modifiers),
                    adj.revenue_code if not prof else "", adj.units,
                ]
            )  # fmt: skip
            segs += _cas(adj.adjustments)
            segs.append(["DTP", "573", "D8", adj.adjudication_date])
            if adj.remaining_patient_liability is not None:
                segs.append(["AMT", "EAF", adj.remaining_patient_liability])
    return segs


def transaction_837(
    claims: Sequence[Claim], submitter: Submitter, reference: str, now: datetime
) -> TransactionSet:
    """One 837 transaction set holding ``claims`` (all of the same kind)."""
    if not claims:
        raise WriteError("an 837 needs at least one claim")
    kind = claims[0].kind
    if any(c.kind is not kind for c in claims):
        raise WriteError("professional and institutional claims go in separate transactions")
    segs: list[Segment] = [
        ["BHT", "0019", "00", reference, now.strftime("%Y%m%d"), now.strftime("%H%M"), "CH"],
        ["NM1", "41", "2", submitter.name, "", "", "", "", "46", submitter.identifier],
        ["PER", "IC", submitter.contact_name, "TE", submitter.contact_phone],
        ["NM1", "40", "2", submitter.receiver_name, "", "", "", "", "46", submitter.receiver_id],
    ]
    hl = 1
    for claim in claims:
        body, hl = claim_segments(claim, hl)
        segs += body
    version = VERSION_P if kind is ClaimKind.PROFESSIONAL else VERSION_I
    return TransactionSet("837", version, segs)


def write_837(
    claims: Sequence[Claim],
    submitter: Submitter,
    envelope: Envelope,
    control: ControlNumberSource,
    now: datetime,
    per_set: int = 5000,
    check: bool = True,
) -> str:
    """An interchange of 837 transaction sets, ``per_set`` claims in each."""
    sets = [
        transaction_837(claims[i : i + per_set], submitter, f"{i // per_set + 1:04d}", now)
        for i in range(0, len(claims), per_set)
    ]
    return write_interchange(envelope, "HC", sets, control, now, check=check)
