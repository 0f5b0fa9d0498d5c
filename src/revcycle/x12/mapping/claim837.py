"""Claims -> 837P / 837I segments (and back, for round trips and inbound 837s).

Each claim is written under its own billing provider (2000A) and subscriber (2000B) levels,
with a patient level (2000C) when the patient is not the subscriber. Every service line
carries REF*6R with its line control number; replacement and void claims (frequency 7 / 8)
carry REF*F8; secondary claims carry one 2320/2330A/2330B per prior payer and a 2430 per
adjudicated line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from revcycle.domain.claim import (
    Address,
    Claim,
    ClaimAdjustment,
    ClaimKind,
    Diagnosis,
    Drug,
    Frequency,
    InstitutionalInfo,
    LineAdjudication,
    OtherPayer,
    Patient,
    Payer,
    Person,
    Provider,
    ServiceLine,
    Subscriber,
)
from revcycle.domain.money import Money
from revcycle.x12.control import ControlNumberSource
from revcycle.x12.errors import WriteError
from revcycle.x12.mapping.common import d8, decimal, el, money, money0
from revcycle.x12.reader import Delimiters, Reader
from revcycle.x12.validator import ValidationReport, Validator
from revcycle.x12.writer import (
    DEFAULT_DELIMITERS,
    Elements,
    Envelope,
    Segment,
    SegmentWriter,
    TransactionSet,
    fmt,
    fmt_decimal,
    write_interchange,
)

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
        nm1: Elements = [
            "NM1",
            entity,
            "1",
            p.last_or_org_name,
            p.first_name,
            p.middle_name,
            "",
            "",
        ]
    else:
        nm1 = ["NM1", entity, "2", p.last_or_org_name, "", "", "", ""]
    if with_npi and p.npi:
        nm1 += ["XX", p.npi]
    return nm1


def _person_nm1(entity: str, p: Person, id_qual: str = "", ident: str = "") -> Segment:
    nm1: Elements = ["NM1", entity, "1", p.last_name, p.first_name, p.middle_name, "", p.suffix]
    if ident:
        nm1 += [id_qual, ident]
    return nm1


def _dmg(p: Person) -> Segment:
    if p.birth_date is None:
        raise WriteError("a patient's birth date is required (DMG02)")
    return ["DMG", "D8", _day(p.birth_date), p.sex or "U"]


def _cas(adjustments: Sequence[ClaimAdjustment]) -> list[Segment]:
    by_group: dict[str, list[ClaimAdjustment]] = {}
    for a in adjustments:
        by_group.setdefault(a.group, []).append(a)
    out: list[Segment] = []
    for group, items in by_group.items():
        for start in range(0, len(items), 6):
            seg: Elements = ["CAS", group]
            for a in items[start : start + 6]:
                seg += [a.reason, a.amount, a.quantity]
            out.append(seg)
    return out


def _procedure(qualifier: str, code: str, modifiers: Sequence[str], comp: str = ":") -> str:
    return comp.join([qualifier, code, *modifiers[:4]])


def _amt(m: Money) -> str:
    """Money as an X12 R value (no trailing zeros), without the generic formatter."""
    text = str(m.amount)
    return text.rstrip("0").rstrip(".") if "." in text else text


_DAYS: dict[date, str] = {}


def _day(d: date) -> str:
    """CCYYMMDD; formatted dates are remembered (claims of a batch share few dates)."""
    text = _DAYS.get(d)
    if text is None:
        text = d.isoformat().replace("-", "")
        if len(_DAYS) < 50_000:
            _DAYS[d] = text
    return text


_POINTERS: dict[tuple[tuple[int, ...], str], str] = {}


def _pointers(pointers: tuple[int, ...], comp: str) -> str:
    key = (pointers, comp)
    text = _POINTERS.get(key)
    if text is None:
        text = _POINTERS[key] = comp.join(map(str, pointers[:4]))
    return text


def _hi(
    qualifiers: tuple[str, str], diagnoses: Sequence[Diagnosis], poa: bool, comp: str = ":"
) -> list[Segment]:
    first, other = qualifiers
    values = []
    for i, d in enumerate(diagnoses):
        code = d.code.replace(".", "") if "." in d.code else d.code
        value = (first if i == 0 else other) + comp + code
        if poa and d.present_on_admission:
            value += comp * 7 + d.present_on_admission
        values.append(value)
    return [["HI", *values[start : start + 12]] for start in range(0, len(values), 12)]


def _coded_hi(values: Sequence[str]) -> list[Segment]:
    """HI segments of occurrence (BH), value (BE) or condition (BG) codes, 12 to a segment."""
    return [["HI", *values[start : start + 12]] for start in range(0, len(values), 12)]


def claim_segments(
    claim: Claim, hl: int, billing_hl: int = 0, comp: str = ":"
) -> tuple[list[Segment], int]:
    """The 2000A..2400 segments of one claim, HL numbers starting at ``hl``; with
    ``billing_hl`` the claim goes under that existing billing provider level instead."""
    prof = claim.kind is ClaimKind.PROFESSIONAL
    if not claim.lines:
        raise WriteError(f"claim {claim.patient_control_number} has no service lines")
    if claim.frequency in ("7", "8") and not claim.original_reference:
        raise WriteError("a replacement or void claim needs the payer's claim number (REF*F8)")
    if claim.total_charge.amount != sum(line.charge.amount for line in claim.lines):
        raise WriteError("CLM02 must equal the sum of the line charges")
    segs: list[Segment] = []
    if billing_hl:
        return _subscriber_level(claim, segs, hl, billing_hl, prof, comp)
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
    return _subscriber_level(claim, segs, hl + 1, hl, prof, comp)


def _subscriber_level(
    claim: Claim, segs: list[Segment], hl: int, parent: int, prof: bool, comp: str
) -> tuple[list[Segment], int]:
    sub = claim.subscriber
    patient = claim.patient
    segs.append(["HL", str(hl), str(parent), "22", "1" if patient else "0"])
    segs.append(
        [
            "SBR", sub.payer_responsibility, "" if patient else "18", sub.group_number,
            sub.group_name if not sub.group_number else "", "", "", "", "",
            sub.claim_filing_indicator,
        ]
    )  # fmt: skip
    segs.append(_person_nm1("IL", sub.person, "MI", sub.member_id))
    _address(segs, sub.person.address)
    if patient is None or sub.person.birth_date is not None:
        segs.append(_dmg(sub.person))
    segs.append(["NM1", "PR", "2", claim.payer.name, "", "", "", "", "PI", claim.payer.payer_id])
    next_hl = hl + 1
    if patient is not None:
        segs.append(["HL", str(hl + 1), str(hl), "23", "0"])
        segs.append(["PAT", patient.relationship])
        segs.append(_person_nm1("QC", patient.person))
        if patient.person.address is None:
            raise WriteError("a dependent patient needs an address (2010CA N3/N4)")
        _address(segs, patient.person.address)
        segs.append(_dmg(patient.person))
        next_hl = hl + 2
    segs += _clm(claim, prof, comp)
    return segs, next_hl


def _clm(claim: Claim, prof: bool, comp: str) -> list[Segment]:
    segs: list[Segment] = []
    inst = claim.institutional
    if prof:
        segs.append(
            [
                "CLM", claim.patient_control_number, _amt(claim.total_charge), "", "",
                comp.join((claim.place_of_service, "B", claim.frequency.value)),
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
                "CLM", claim.patient_control_number, _amt(claim.total_charge), "", "",
                comp.join((inst.facility_type, "A", claim.frequency.value)), "", claim.assignment,
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
        segs += _hi(("ABK", "ABF"), claim.diagnoses, False, comp)
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
        segs += _hi(("ABK", "ABK"), claim.diagnoses[:1], True, comp)
        if inst.admitting_diagnosis:
            segs += _hi(("ABJ", "ABJ"), [inst.admitting_diagnosis], False, comp)
        if inst.reasons_for_visit:
            segs += _hi(("APR", "APR"), inst.reasons_for_visit[:3], False, comp)
        others = claim.diagnoses[1:]
        if others:
            segs += _hi(("ABF", "ABF"), others, True, comp)
        segs += _coded_hi(
            [comp.join(("BH", c, "D8", fmt(d, comp))) for c, d in inst.occurrence_codes]
        )
        segs += _coded_hi([comp.join(("BE", c, "", "", fmt(a, comp))) for c, a in inst.value_codes])
        segs += _coded_hi([comp.join(("BG", c)) for c in inst.condition_codes])
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
        segs += _line(claim, line, n, prof, comp)
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


def _line(claim: Claim, line: ServiceLine, n: int, prof: bool, comp: str) -> list[Segment]:
    proc = comp.join((line.qualifier, line.procedure_code, *line.modifiers[:4]))
    charge = str(line.charge.amount)
    if "." in charge:
        charge = charge.rstrip("0").rstrip(".")
    qty = str(line.units)
    if "." in qty or "E" in qty:
        qty = fmt_decimal(line.units)
    if prof:
        pos = line.place_of_service
        segs: list[Segment] = [
            ["LX", str(n)],
            [
                "SV1", proc, charge, line.unit_basis, qty,
                pos if pos != claim.place_of_service else "",
                "", _pointers(line.diagnosis_pointers, comp), "",
                "Y" if line.emergency else "", "", "Y" if line.epsdt else "",
            ],
        ]  # fmt: skip
    else:
        segs = [["LX", str(n)]]
        segs.append(
            [
                "SV2",
                line.revenue_code,
                proc if line.procedure_code else "",
                charge,
                line.unit_basis,
                qty,
            ]
        )
    end = line.service_date_end
    if end is not None and end != line.service_date:
        segs.append(
            ["DTP", "472", "RD8", f"{line.service_date:%Y%m%d}-{line.service_date_end:%Y%m%d}"]
        )
    else:
        segs.append(["DTP", "472", "D8", _day(line.service_date)])
    lcn = line.line_control_number
    if not lcn:
        raise WriteError(f"line {n} has no line control number (REF*6R)")
    segs.append(["REF", "6R", lcn])
    if line.drug is not None:
        segs.append(["LIN", "", "N4", line.drug.ndc])
        segs.append(["CTP", "", "", "", line.drug.quantity, [line.drug.unit]])
    if prof and line.rendering_provider is not None:
        segs.append(_provider_nm1("82", line.rendering_provider))
    for other in claim.other_payers if claim.other_payers else ():
        for adj in other.line_adjudications:
            if adj.line_number != n:
                continue
            segs.append(
                [
                    "SVD", other.payer.payer_id, adj.paid,
                    _procedure(adj.qualifier, adj.procedure_code, adj.modifiers, comp),
                    adj.revenue_code if not prof else "", adj.units,
                ]
            )  # fmt: skip
            segs += _cas(adj.adjustments)
            segs.append(["DTP", "573", "D8", adj.adjudication_date])
            if adj.remaining_patient_liability is not None:
                segs.append(["AMT", "EAF", adj.remaining_patient_liability])
    return segs


def transaction_837(
    claims: Sequence[Claim],
    submitter: Submitter,
    reference: str,
    now: datetime,
    delimiters: Delimiters = DEFAULT_DELIMITERS,
) -> TransactionSet:
    """One 837 transaction set holding ``claims`` (all of the same kind). Each claim is
    serialized as soon as it is mapped: only text is kept, so a large batch neither holds
    millions of small lists nor makes the garbage collector walk them."""
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
    raw = SegmentWriter(delimiters).raw
    hl = 1
    billing_hl = 0
    previous: Claim | None = None
    for claim in claims:
        same = (
            previous is not None
            and (
                claim.billing_provider is previous.billing_provider
                or claim.billing_provider == previous.billing_provider
            )
            and claim.pay_to_address == previous.pay_to_address
        )
        if not same:
            billing_hl = hl
        body, hl = claim_segments(claim, hl, billing_hl if same else 0, delimiters.component)
        segs += [raw(s) for s in body]
        previous = claim
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
    delimiters: Delimiters = DEFAULT_DELIMITERS,
) -> str:
    """An interchange of 837 transaction sets, ``per_set`` claims in each."""
    sets = [
        transaction_837(
            claims[i : i + per_set], submitter, f"{i // per_set + 1:04d}", now, delimiters
        )
        for i in range(0, len(claims), per_set)
    ]
    return write_interchange(envelope, "HC", sets, control, now, delimiters, check=check)


# -- reading 837s back into claims ---------------------------------------------------------


def _addr(n3: list[str], n4: list[str]) -> Address:
    return Address(el(n3, 1), el(n4, 1), el(n4, 2), el(n4, 3), el(n3, 2))


class _Party:
    """The segments of one name loop (NM1 and what follows it)."""

    def __init__(self, nm1: list[str]) -> None:
        self.nm1 = nm1
        self.n3: list[str] | None = None
        self.n4: list[str] = []
        self.prv = ""
        self.refs: list[tuple[str, str]] = []
        self.dmg: list[str] = []
        self.dtp: list[str] = []

    @property
    def address(self) -> Address | None:
        return _addr(self.n3, self.n4) if self.n3 is not None else None

    def provider(self) -> Provider:
        n = self.nm1
        return Provider(
            last_or_org_name=el(n, 3),
            npi=el(n, 9) if el(n, 8) == "XX" else "",
            first_name=el(n, 4),
            middle_name=el(n, 5),
            is_person=el(n, 2) == "1",
            taxonomy=self.prv,
            address=self.address,
        )

    def person(self) -> Person:
        n = self.nm1
        return Person(
            last_name=el(n, 3),
            first_name=el(n, 4),
            middle_name=el(n, 5),
            suffix=el(n, 7),
            birth_date=d8(el(self.dmg, 2)) if self.dmg else None,
            sex=el(self.dmg, 3) or "U",
            address=self.address,
        )


class _ClaimParts:
    def __init__(self, clm: list[str], comp: str) -> None:
        self.clm = clm
        self.comp = comp
        self.dtp: dict[str, list[str]] = {}
        self.cl1: list[str] = []
        self.refs: dict[str, str] = {}
        self.note = ""
        self.hi: list[list[str]] = []
        self.providers: dict[str, _Party] = {}
        self.others: list[dict[str, Any]] = []
        self.lines: list[dict[str, Any]] = []


class ClaimBuilder:
    """Collects the segments of one 837 (with loop IDs) into ``Claim`` objects."""

    def __init__(self, kind: ClaimKind, component: str = ":") -> None:
        self.kind = kind
        self.comp = component
        self.claims: list[Claim] = []
        self._billing: _Party | None = None
        self._billing_prv = ""
        self._pay_to: _Party | None = None
        self._sbr: list[str] = []
        self._subscriber: _Party | None = None
        self._payer: _Party | None = None
        self._pat = ""
        self._patient: _Party | None = None
        self._claim: _ClaimParts | None = None
        self._party: _Party | None = None

    def segment(self, loop_id: str, els: list[str]) -> None:
        sid = els[0]
        if sid == "HL":
            self._finish()
            level = el(els, 3)
            if level == "20":
                self._billing, self._pay_to, self._billing_prv = None, None, ""
            elif level == "22":
                self._subscriber = self._payer = self._patient = None
                self._pat = ""
            return
        if sid == "NM1":
            self._party = _Party(els)
            self._name_loop(loop_id, self._party)
            return
        if loop_id == "2000A" and sid == "PRV":
            self._billing_prv = el(els, 3)
        elif loop_id == "2000B" and sid == "SBR":
            self._sbr = els
        elif loop_id == "2000C" and sid == "PAT":
            self._pat = el(els, 1)
        elif loop_id == "2300":
            self._claim_segment(sid, els)
        elif loop_id == "2320" and self._claim is not None:
            self._other_segment(sid, els)
        elif loop_id.startswith("24") and self._claim is not None:
            self._line_segment(loop_id, sid, els)
        elif self._party is not None:
            p = self._party
            if sid == "N3":
                p.n3 = els
            elif sid == "N4":
                p.n4 = els
            elif sid == "PRV":
                p.prv = el(els, 3)
            elif sid == "REF":
                p.refs.append((el(els, 1), el(els, 2)))
            elif sid == "DMG":
                p.dmg = els
            elif sid == "DTP":
                p.dtp = els

    def _name_loop(self, loop_id: str, party: _Party) -> None:
        c = self._claim
        if loop_id == "2010AA":
            self._billing = party
        elif loop_id == "2010AB":
            self._pay_to = party
        elif loop_id == "2010BA":
            self._subscriber = party
        elif loop_id == "2010BB":
            self._payer = party
        elif loop_id == "2010CA":
            self._patient = party
        elif c is not None and loop_id.startswith("231"):
            c.providers[el(party.nm1, 1)] = party
        elif c is not None and loop_id.startswith("233") and c.others:
            c.others[-1][el(party.nm1, 1)] = party
        elif c is not None and loop_id == "2420A" and c.lines:
            c.lines[-1]["rendering"] = party

    def _claim_segment(self, sid: str, els: list[str]) -> None:
        if sid == "CLM":
            self._finish()
            self._claim = _ClaimParts(els, self.comp)
            return
        c = self._claim
        if c is None:
            return
        if sid == "DTP":
            c.dtp[el(els, 1)] = els
        elif sid == "CL1":
            c.cl1 = els
        elif sid == "REF":
            c.refs[el(els, 1)] = el(els, 2)
        elif sid == "NTE":
            c.note = el(els, 2)
        elif sid == "HI":
            c.hi.append(els)

    def _other_segment(self, sid: str, els: list[str]) -> None:
        assert self._claim is not None
        others = self._claim.others
        if sid == "SBR":
            others.append({"sbr": els, "cas": [], "amt": {}, "oi": []})
        elif not others:
            return
        elif sid == "CAS":
            others[-1]["cas"].append(els)
        elif sid == "AMT":
            others[-1]["amt"][el(els, 1)] = el(els, 2)
        elif sid == "OI":
            others[-1]["oi"] = els

    def _line_segment(self, loop_id: str, sid: str, els: list[str]) -> None:
        assert self._claim is not None
        lines = self._claim.lines
        if sid == "LX":
            lines.append({"adj": []})
            return
        if not lines:
            return
        line = lines[-1]
        if loop_id == "2430":
            if sid == "SVD":
                line["adj"].append({"svd": els, "cas": [], "dtp": "", "eaf": ""})
            elif line["adj"]:
                adj = line["adj"][-1]
                if sid == "CAS":
                    adj["cas"].append(els)
                elif sid == "DTP":
                    adj["dtp"] = el(els, 3)
                elif sid == "AMT":
                    adj["eaf"] = el(els, 2)
        elif sid in ("SV1", "SV2", "LIN", "CTP"):
            line[sid] = els
        elif sid == "DTP" and el(els, 1) == "472":
            line["dtp"] = els
        elif sid == "REF" and el(els, 1) == "6R":
            line["lcn"] = el(els, 2)
        elif sid == "N3" and self._party is not None:
            self._party.n3 = els
        elif sid == "N4" and self._party is not None:
            self._party.n4 = els

    def _finish(self) -> None:
        c = self._claim
        self._claim = None
        if c is None or self._billing is None or self._subscriber is None or self._payer is None:
            return
        self.claims.append(self._build(c))

    def end(self) -> list[Claim]:
        self._finish()
        return self.claims

    # -- assembling ------------------------------------------------------------------------

    def _adjustments(self, segments: list[list[str]]) -> tuple[ClaimAdjustment, ...]:
        out = []
        for s in segments:
            for i in range(2, min(len(s), 20), 3):
                if s[i]:
                    out.append(
                        ClaimAdjustment(el(s, 1), s[i], money0(el(s, i + 1)), decimal(el(s, i + 2)))
                    )
        return tuple(out)

    def _build(self, c: _ClaimParts) -> Claim:
        prof = self.kind is ClaimKind.PROFESSIONAL
        comp = self.comp
        clm = c.clm
        pos = el(clm, 5).split(comp)
        assert (
            self._billing is not None and self._subscriber is not None and self._payer is not None
        )
        bp = self._billing
        tax = next(((q, v) for q, v in bp.refs if q in ("EI", "SY")), ("EI", ""))
        billing = replace(
            bp.provider(), taxonomy=self._billing_prv, tax_id=tax[1], tax_id_type=tax[0]
        )
        sbr = self._sbr
        subscriber = Subscriber(
            person=self._subscriber.person(),
            member_id=el(self._subscriber.nm1, 9),
            payer_responsibility=el(sbr, 1),
            relationship=el(sbr, 2) or "18",
            group_number=el(sbr, 3),
            group_name=el(sbr, 4),
            claim_filing_indicator=el(sbr, 9),
        )
        payer = Payer(el(self._payer.nm1, 3), el(self._payer.nm1, 9))
        patient = Patient(self._patient.person(), self._pat) if self._patient is not None else None
        diagnoses: list[Diagnosis] = []
        admitting: Diagnosis | None = None
        reasons: list[Diagnosis] = []
        occurrences: list[tuple[str, date]] = []
        values: list[tuple[str, Money]] = []
        conditions: list[str] = []
        for hi in c.hi:
            for value in hi[1:]:
                parts = value.split(comp)
                d = Diagnosis(el(parts, 1), el(parts, 8))
                q = el(parts, 0)
                if q == "BH":
                    when = d8(el(parts, 3))
                    if when is not None:
                        occurrences.append((el(parts, 1), when))
                elif q == "BE":
                    values.append((el(parts, 1), Money(el(parts, 4) or "0")))
                elif q == "BG":
                    conditions.append(el(parts, 1))
                elif q in ("ABK", "BK", "ABF", "BF"):
                    diagnoses.append(d)
                elif q in ("ABJ", "BJ"):
                    admitting = d
                elif q in ("APR", "PR"):
                    reasons.append(d)
        others = tuple(self._other_payer(o) for o in c.others)
        lines = tuple(self._line(line, others) for line in c.lines)
        others = tuple(
            replace(
                o,
                line_adjudications=tuple(
                    adj for n, line in enumerate(c.lines, 1) for adj in self._line_adjs(line, n, o)
                ),
            )
            for o in others
        )
        provs = c.providers
        inst = None
        if not prof:
            span = el(c.dtp.get("434", []), 3).split("-")
            adm = el(c.dtp.get("435", []), 3)
            inst = InstitutionalInfo(
                facility_type=el(pos, 0),
                statement_from=d8(el(span, 0)) or date(1900, 1, 1),
                statement_to=d8(el(span, 1) or el(span, 0)) or date(1900, 1, 1),
                admission_type=el(c.cl1, 1),
                admission_source=el(c.cl1, 2),
                patient_status=el(c.cl1, 3),
                admission_date=d8(adm[:8]),
                admission_hour=adm[8:12],
                discharge_hour=el(c.dtp.get("096", []), 3),
                admitting_diagnosis=admitting,
                reasons_for_visit=tuple(reasons),
                occurrence_codes=tuple(occurrences),
                value_codes=tuple(values),
                condition_codes=tuple(conditions),
                attending_provider=provs["71"].provider() if "71" in provs else None,
                operating_provider=provs["72"].provider() if "72" in provs else None,
            )
        return Claim(
            kind=self.kind,
            patient_control_number=el(clm, 1),
            total_charge=money0(el(clm, 2)),
            billing_provider=billing,
            subscriber=subscriber,
            payer=payer,
            diagnoses=tuple(diagnoses),
            lines=lines,
            place_of_service=el(pos, 0) if prof else "11",
            frequency=Frequency(el(pos, 2))
            if el(pos, 2) in ("1", "7", "8")
            else Frequency.ORIGINAL,
            original_reference=c.refs.get("F8", ""),
            patient=patient,
            provider_signature=el(clm, 6) != "N" if prof else True,
            assignment=el(clm, 7),
            benefits_assigned=el(clm, 8),
            release_of_information=el(clm, 9),
            prior_authorization=c.refs.get("G1", ""),
            referral_number=c.refs.get("9F", ""),
            medical_record_number=c.refs.get("EA", ""),
            onset_date=d8(el(c.dtp.get("431", []), 3)),
            referring_provider=provs["DN"].provider() if "DN" in provs else None,
            rendering_provider=provs["82"].provider() if "82" in provs and prof else None,
            supervising_provider=provs["DQ"].provider() if "DQ" in provs else None,
            service_facility=provs["77"].provider() if "77" in provs else None,
            pay_to_address=self._pay_to.address if self._pay_to is not None else None,
            other_payers=others,
            institutional=inst,
            notes=c.note,
        )

    def _other_payer(self, o: dict[str, Any]) -> OtherPayer:
        sbr, amt, oi = o["sbr"], o["amt"], o["oi"]
        sub: _Party | None = o.get("IL")
        pay: _Party | None = o.get("PR")
        return OtherPayer(
            payer=Payer(el(pay.nm1, 3), el(pay.nm1, 9)) if pay else Payer("", ""),
            subscriber=sub.person() if sub else Person(""),
            member_id=el(sub.nm1, 9) if sub else "",
            responsibility=el(sbr, 1),
            relationship=el(sbr, 2),
            claim_filing_indicator=el(sbr, 9),
            group_number=el(sbr, 3),
            paid=money(amt.get("D", "")),
            remaining_patient_liability=money(amt.get("EAF", "")),
            adjustments=self._adjustments(o["cas"]),
            adjudication_date=d8(el(pay.dtp, 3)) if pay and pay.dtp else None,
            payer_claim_control_number=next((v for q, v in pay.refs if q == "F8"), "")
            if pay
            else "",
            release_of_information=el(oi, 6),
            benefits_assigned=el(oi, 3),
        )

    def _line_adjs(self, line: dict[str, Any], n: int, o: OtherPayer) -> list[LineAdjudication]:
        out = []
        for adj in line["adj"]:
            svd = adj["svd"]
            if el(svd, 1) != o.payer.payer_id:
                continue
            proc = el(svd, 3).split(self.comp)
            out.append(
                LineAdjudication(
                    line_number=n,
                    paid=money0(el(svd, 2)),
                    procedure_code=el(proc, 1),
                    units=decimal(el(svd, 5)) or Decimal(0),
                    adjudication_date=d8(adj["dtp"]) or date(1900, 1, 1),
                    modifiers=tuple(m for m in proc[2:6] if m),
                    qualifier=el(proc, 0),
                    revenue_code=el(svd, 4),
                    adjustments=self._adjustments(adj["cas"]),
                    remaining_patient_liability=money(adj["eaf"]),
                )
            )
        return out

    def _line(self, line: dict[str, Any], others: tuple[OtherPayer, ...]) -> ServiceLine:
        comp = self.comp
        dtp = line.get("dtp", [])
        span = el(dtp, 3).split("-")
        start = d8(el(span, 0)) or date(1900, 1, 1)
        end = d8(el(span, 1)) if len(span) > 1 else None
        drug = None
        if "LIN" in line:
            ctp = line.get("CTP", [])
            drug = Drug(
                el(line["LIN"], 3), decimal(el(ctp, 4)) or Decimal(0), el(ctp, 5).split(comp)[0]
            )
        rendering: _Party | None = line.get("rendering")
        common: dict[str, Any] = {
            "service_date": start,
            "service_date_end": end,
            "line_control_number": line.get("lcn", ""),
            "drug": drug,
            "rendering_provider": rendering.provider() if rendering else None,
        }
        if "SV1" in line:
            sv = line["SV1"]
            proc = el(sv, 1).split(comp)
            return ServiceLine(
                procedure_code=el(proc, 1),
                charge=money0(el(sv, 2)),
                units=decimal(el(sv, 4)) or Decimal(0),
                modifiers=tuple(m for m in proc[2:6] if m),
                qualifier=el(proc, 0),
                diagnosis_pointers=tuple(int(p) for p in el(sv, 7).split(comp) if p.isdigit()),
                unit_basis=el(sv, 3),
                place_of_service=el(sv, 5),
                emergency=el(sv, 9) == "Y",
                epsdt=el(sv, 11) == "Y",
                **common,
            )
        sv = line.get("SV2", [])
        proc = el(sv, 2).split(comp)
        return ServiceLine(
            procedure_code=el(proc, 1),
            charge=money0(el(sv, 3)),
            units=decimal(el(sv, 5)) or Decimal(0),
            modifiers=tuple(m for m in proc[2:6] if m),
            qualifier=el(proc, 0) or "HC",
            unit_basis=el(sv, 4),
            revenue_code=el(sv, 1),
            **common,
        )


class _ClaimSink:
    def __init__(self) -> None:
        self.claims: list[Claim] = []
        self._builder: ClaimBuilder | None = None

    def start_set(self, key: str | None, st: list[str], delimiters: Delimiters) -> None:
        kinds = {"837P": ClaimKind.PROFESSIONAL, "837I": ClaimKind.INSTITUTIONAL}
        self._builder = ClaimBuilder(kinds[key], delimiters.component) if key in kinds else None

    def segment(self, loop_id: str, els: list[str]) -> None:
        if self._builder is not None:
            self._builder.segment(loop_id, els)

    def end_set(self) -> None:
        if self._builder is not None:
            self.claims += self._builder.end()
        self._builder = None


def read_837(
    source: str | bytes | Path | IO[str] | IO[bytes],
) -> tuple[list[Claim], ValidationReport]:
    """Every claim of the 837s in ``source``, with the validation report."""
    sink = _ClaimSink()
    report = Validator(sink).run(Reader(source))
    return sink.claims, report
