"""Builds the claim as an 837 carries it (``domain.claim.Claim``) from a stored claim record
and the registration and charge-entry data it points at.

This is the one place where revcycle's records meet the X12 claim model: the writer, the
scrubber and the paper forms all start from its result.

A claim billed to a secondary or tertiary coverage carries what each prior payer did (kept by
``services.secondary`` from their 835s): one ``OtherPayer`` per prior payer (loops 2320, 2330A,
2330B) with that payer's coverage (SBR, member ID, claim filing indicator), AMT*D paid, the
claim-level CAS, AMT*EAF remaining patient liability, and per line its 2430 (SVD, CAS, DTP*573).
The adjudication date goes on the lines when there are line adjudications, else in 2330B.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Protocol, TypeVar

from revcycle.domain import claim as x
from revcycle.domain.claim_record import ClaimRecord
from revcycle.domain.coverage import ORDER_LETTER, SELF, Coverage
from revcycle.domain.encounter import Encounter
from revcycle.domain.patient import Patient, Person
from revcycle.domain.payer import Payer, Plan
from revcycle.domain.practice import Practice
from revcycle.domain.provider import Facility, Provider
from revcycle.domain.values import Address
from revcycle.services.ports import PriorPayerRecord, UnitOfWork


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


T = TypeVar("T", bound=_Stored)
T_co = TypeVar("T_co", bound=_Stored, covariant=True)


@dataclass(frozen=True)
class PriorPayerSource:
    """A prior payer's stored adjudication with the coverage it was adjudicated under."""

    record: PriorPayerRecord
    coverage: Coverage
    plan: Plan
    payer: Payer


@dataclass(frozen=True)
class ClaimSources:
    """Everything a claim is built from, loaded once (the scrubber's rules read it too)."""

    record: ClaimRecord
    practice: Practice
    encounter: Encounter
    patient: Patient
    coverage: Coverage
    plan: Plan
    payer: Payer
    rendering: Provider
    referring: Provider | None
    supervising: Provider | None
    facility: Facility | None
    attending: Provider | None
    operating: Provider | None
    original: ClaimRecord | None
    prior_payers: tuple[PriorPayerSource, ...] = ()


class ReferenceReads:
    """Reference rows read once and kept while many claims are built (a scrub run, a
    submission): the practice, payers, plans, providers and facilities do not change under it.
    Patient data (encounters, patients, coverages, claims) is read for each batch."""

    def __init__(self) -> None:
        self.practice: Practice | None = None
        self.payers: dict[int, Payer] = {}
        self.plans: dict[int, Plan] = {}
        self.providers: dict[int, Provider] = {}
        self.facilities: dict[int, Facility] = {}


class _Reads(Protocol[T_co]):
    def get(self, id: int) -> T_co: ...

    def get_many(self, ids: Sequence[int]) -> Sequence[T_co]: ...


def _fetch(repo: _Reads[T], ids: Iterable[int], known: dict[int, T] | None = None) -> dict[int, T]:
    """``known`` completed with the records of ``ids`` it lacks, read in one batch; an id
    that is not there raises ``NotFound`` through ``get``, as reading it alone did."""
    found: dict[int, T] = {} if known is None else known
    missing = sorted({i for i in ids if i not in found})
    if missing:
        for item in repo.get_many(missing):
            assert item.id is not None
            found[item.id] = item
        for i in missing:
            if i not in found:
                repo.get(i)
    return found


def load_sources(uow: UnitOfWork, record: ClaimRecord) -> ClaimSources:
    return load_sources_many(uow, [record])[0]


def load_sources_many(
    uow: UnitOfWork, records: Sequence[ClaimRecord], reads: ReferenceReads | None = None
) -> list[ClaimSources]:
    """``ClaimSources`` of each record, in order, in a few statements for the whole batch
    (ids in each ``IN`` list chunked by the repositories); reference rows come from ``reads``
    when given (and are kept there for the next batch)."""
    assert uow.practice_id is not None
    reads = reads if reads is not None else ReferenceReads()
    if not records:
        return []
    encounters = _fetch(uow.encounters, [r.encounter_id for r in records])
    coverages = _fetch(uow.coverages, [r.coverage_id for r in records])
    later = [  # only claims to a later coverage can have prior payers (primaries skip the query)
        r.id for r in records if r.id is not None and coverages[r.coverage_id].order != "primary"
    ]
    prior = uow.cob.prior_payers_many(later) if later else {}
    _fetch(uow.coverages, [p.coverage_id for ps in prior.values() for p in ps], coverages)
    plans = _fetch(uow.plans, [c.plan_id for c in coverages.values()], reads.plans)
    if reads.practice is None:
        reads.practice = uow.practices.get(uow.practice_id)
    patients = _fetch(uow.patients, [e.patient_id for e in encounters.values()])
    payers = _fetch(uow.payers, [p.payer_id for p in plans.values()], reads.payers)
    provider_ids: list[int] = []
    for e in encounters.values():
        inst = e.institutional
        provider_ids.append(e.rendering_provider_id)
        provider_ids.extend(
            pid
            for pid in (
                e.referring_provider_id,
                e.supervising_provider_id,
                inst.attending_provider_id if inst else None,
                inst.operating_provider_id if inst else None,
            )
            if pid is not None
        )
    providers = _fetch(uow.providers, provider_ids, reads.providers)
    facilities = _fetch(
        uow.facilities,
        [e.facility_id for e in encounters.values() if e.facility_id is not None],
        reads.facilities,
    )
    originals = _fetch(uow.claims, [r.original_claim_id for r in records if r.original_claim_id])
    practice = reads.practice

    def provider(pid: int | None) -> Provider | None:
        return providers[pid] if pid is not None else None

    def prior_payer(p: PriorPayerRecord) -> PriorPayerSource:
        cov = coverages[p.coverage_id]
        plan = plans[cov.plan_id]
        return PriorPayerSource(p, cov, plan, payers[plan.payer_id])

    out = []
    for record in records:
        enc = encounters[record.encounter_id]
        coverage = coverages[record.coverage_id]
        plan = plans[coverage.plan_id]
        inst = enc.institutional
        out.append(
            ClaimSources(
                record=record,
                practice=practice,
                encounter=enc,
                patient=patients[enc.patient_id],
                coverage=coverage,
                plan=plan,
                payer=payers[plan.payer_id],
                rendering=providers[enc.rendering_provider_id],
                referring=provider(enc.referring_provider_id),
                supervising=provider(enc.supervising_provider_id),
                facility=facilities[enc.facility_id] if enc.facility_id is not None else None,
                attending=provider(inst.attending_provider_id) if inst else None,
                operating=provider(inst.operating_provider_id) if inst else None,
                original=originals[record.original_claim_id] if record.original_claim_id else None,
                prior_payers=tuple(prior_payer(p) for p in prior.get(record.id or 0, ())),
            )
        )
    return out


def _other_payer(s: ClaimSources, p: PriorPayerSource) -> x.OtherPayer:
    """Loops 2320/2330A/2330B (and the 2430s) of one prior payer. Stored line adjudications
    name the claim's ``line_no``; the 837 names its LX, the line's position."""
    rec, cov = p.record, p.coverage
    subscriber = s.patient if cov.relationship == SELF or cov.subscriber is None else cov.subscriber
    position = {cl.line_no: n for n, cl in enumerate(s.record.lines, start=1)}
    lines = tuple(
        replace(la, line_number=position[la.line_number])
        for la in rec.line_adjudications
        if la.line_number in position
    )
    liability = rec.remaining_patient_liability
    return x.OtherPayer(
        payer=x.Payer(name=p.payer.name, payer_id=p.payer.payer_id),
        subscriber=_person(subscriber),
        member_id=cov.member_id,
        responsibility=ORDER_LETTER.get(cov.order, "P"),
        relationship=SELF if subscriber is s.patient else cov.relationship,
        claim_filing_indicator=p.plan.claim_filing_indicator,
        group_number=cov.group_number or "",
        paid=rec.paid,
        remaining_patient_liability=liability if liability else None,
        adjustments=rec.claim_adjustments,
        adjudication_date=None if lines else rec.adjudication_date,
        payer_claim_control_number=rec.payer_claim_control_number,
        line_adjudications=lines,
    )


def _address(a: Address | None) -> x.Address | None:
    if a is None:
        return None
    return x.Address(
        line1=a.line1, city=a.city, state=a.state, postal_code=a.zip, line2=a.line2 or ""
    )


def _person(p: Patient | Person) -> x.Person:
    return x.Person(
        last_name=p.last_name,
        first_name=p.first_name,
        middle_name=p.middle_name or "",
        suffix=getattr(p, "suffix", None) or "",
        birth_date=p.dob,
        sex=p.sex or "U",
        address=_address(p.address),
    )


def _provider(p: Provider | None) -> x.Provider | None:
    if p is None:
        return None
    return x.Provider(
        last_or_org_name=p.last_name,
        first_name=p.first_name or "",
        middle_name=p.middle_name or "",
        npi=p.npi,
        is_person=p.kind == "individual",
        taxonomy=p.taxonomy or "",
    )


def build_claim(s: ClaimSources) -> x.Claim:
    enc, rec, pr = s.encounter, s.record, s.practice
    self_subscriber = s.coverage.relationship == SELF or s.coverage.subscriber is None
    subscriber_person = _person(s.patient if self_subscriber else s.coverage.subscriber)  # type: ignore[arg-type]
    lines_by_id = {line.id: line for line in enc.lines}
    out_lines = []
    for cl in rec.lines:
        line = lines_by_id[cl.encounter_line_id]
        minutes = line.anesthesia_minutes
        out_lines.append(
            x.ServiceLine(
                procedure_code=line.procedure,
                charge=cl.charge,
                units=Decimal(minutes) if minutes else line.units,
                service_date=line.dos_from or enc.dos_from,
                service_date_end=line.dos_to
                if line.dos_to and line.dos_to != line.dos_from
                else None,
                line_control_number=cl.line_control_number,
                modifiers=line.modifiers,
                diagnosis_pointers=line.pointers,
                unit_basis="MJ" if minutes else "UN",
                revenue_code=line.revenue_code or "",
                drug=x.Drug(
                    ndc=line.ndc,
                    quantity=line.ndc_quantity or Decimal(1),
                    unit=line.ndc_unit or "UN",
                )
                if line.ndc
                else None,
                description=line.note or "",
            )
        )
    institutional = None
    if enc.institutional is not None:
        inst = enc.institutional
        institutional = x.InstitutionalInfo(
            facility_type=inst.type_of_bill[:2],
            statement_from=enc.dos_from,
            statement_to=enc.dos_to,
            admission_type=inst.admission_type or "",
            admission_source=inst.admission_source or "",
            patient_status=inst.patient_status,
            admission_date=inst.admission_date,
            admitting_diagnosis=x.Diagnosis(inst.admitting_diagnosis)
            if inst.admitting_diagnosis
            else None,
            reasons_for_visit=tuple(x.Diagnosis(c) for c in inst.reason_for_visit[:3]),
            attending_provider=_provider(s.attending),
            operating_provider=_provider(s.operating),
            occurrence_codes=inst.occurrence_codes,
            value_codes=inst.value_codes,
            condition_codes=inst.condition_codes,
        )
    facility = None
    if s.facility is not None and s.facility.address != pr.billing_address:
        facility = x.Provider(
            last_or_org_name=s.facility.name,
            npi=s.facility.npi or "",
            address=_address(s.facility.address),
        )
    return x.Claim(
        kind=x.ClaimKind.INSTITUTIONAL if rec.kind == "I" else x.ClaimKind.PROFESSIONAL,
        patient_control_number=rec.patient_control_number,
        total_charge=rec.total_charge,
        billing_provider=x.Provider(
            last_or_org_name=pr.legal_name,
            npi=pr.group_npi,
            taxonomy=pr.taxonomy,
            tax_id=pr.tin,
            address=_address(pr.billing_address),
        ),
        subscriber=x.Subscriber(
            person=subscriber_person,
            member_id=s.coverage.member_id,
            payer_responsibility=ORDER_LETTER[s.coverage.order],
            relationship=SELF if self_subscriber else "",
            group_number=s.coverage.group_number or "",
            claim_filing_indicator=s.plan.claim_filing_indicator,
        ),
        payer=x.Payer(
            name=s.payer.name, payer_id=s.payer.payer_id, address=_address(s.payer.address)
        ),
        diagnoses=tuple(x.Diagnosis(d.code, d.poa or "") for d in enc.diagnoses),
        lines=tuple(out_lines),
        place_of_service=enc.place_of_service,
        frequency=x.Frequency(rec.frequency),
        original_reference=(s.original.payer_claim_number or "")
        if s.original
        else (rec.payer_claim_number or "")
        if rec.frequency in ("7", "8")
        else "",
        patient=None
        if self_subscriber
        else x.Patient(person=_person(s.patient), relationship=s.coverage.relationship),
        prior_authorization=enc.prior_authorization or "",
        referral_number=enc.referral_number or "",
        medical_record_number=s.patient.mrn,
        referring_provider=_provider(s.referring),
        rendering_provider=_provider(s.rendering),
        supervising_provider=_provider(s.supervising),
        service_facility=facility,
        pay_to_address=_address(pr.pay_to_address),
        other_payers=tuple(_other_payer(s, p) for p in s.prior_payers),
        institutional=institutional,
    )
