"""Use cases of patient cost estimates and Good Faith Estimates.

``estimate`` prices planned services for a patient on a date of service and works out the
patient's share (:mod:`revcycle.estimates`): the coverage is the one named, else the patient's
primary coverage active on that date, else none (self-pay); the expected allowed amount comes
from the payer's contract in effect, else the fee schedule; the benefits from the 271 passed in
(``eligibility``), else the latest one the ``lookup`` finds for the coverage (the default finds
none: the estimate then says so and is flagged, the patient's share being the whole allowed
amount). The estimate is numbered (``E0000001``), stored with its inputs, its itemized result
and its PDF, and audited.

``good_faith_estimate`` issues the No Surprises Act GFE to a patient without coverage on the
scheduled date (or, with ``self_pay=True``, one who will not file with the plan): self-pay
prices, the practice's rendering provider and the facility with NPI, TIN, state and location,
the items grouped by provider/facility, the separately scheduled items, the disclaimers and
the dispute rights. It is stored as issued (``G0000001``) with its issue date, the deadline it
had to meet (from the day the service was scheduled or requested, in business days) and
whether it did; ``list_gfes(late=True)`` lists those that missed it.

Creating either takes ``estimates:write``; reading takes ``billing:read``. Every read and
write of these records (PHI) is audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from revcycle.domain.coverage import Coverage
from revcycle.domain.eligibility import EligibilityResponse
from revcycle.domain.encounter import Diagnosis, parse_diagnoses
from revcycle.domain.errors import DomainValidationError, NotFound
from revcycle.domain.fees import Chargemaster, PfsPricer
from revcycle.domain.money import Money
from revcycle.domain.patient import Patient
from revcycle.domain.practice import Practice
from revcycle.domain.provider import Facility, Provider
from revcycle.domain.user import READ_BILLING, WRITE_ESTIMATES
from revcycle.domain.values import Address
from revcycle.estimates import engine, gfe
from revcycle.estimates.engine import SERVICE_TYPE_NAMES, Estimate, EstimateLine
from revcycle.estimates.pricing import (
    PlannedService,
    contract_in_effect,
    parse_service_spec,
    parse_services,
    price_services,
)
from revcycle.forms.estimate import EstimateDocument, EstimateRow, estimate_pdf
from revcycle.forms.gfe import GfeDocument, GfeItem, GfeParty, gfe_pdf
from revcycle.services.billing_common import resolve_patient
from revcycle.services.charges import active_coverages
from revcycle.services.context import Context
from revcycle.services.estimate_ports import (
    EligibilityLookup,
    EstimateStoreFactory,
    StoredEstimate,
    StoredGfe,
    no_eligibility,
)
from revcycle.services.ports import UnitOfWork

ServiceInput = Mapping[str, Any] | str
"""A planned service: its fields (``procedure``, ``modifiers``, ``units``, ``pointers``,
``charge``) or the short form ``80053x2`` (:func:`parse_service_spec`)."""

_BASIS_TEXT = {
    engine.BENEFITS: "Benefits from the payer's latest eligibility response (271): the remaining "
    "deductible first, then the copay or coinsurance, capped by the out-of-pocket remaining.",
    engine.NO_BENEFITS: "FLAGGED: no eligibility response (271) is on file; the patient's share "
    "is the whole expected allowed amount.",
    engine.REJECTED: "FLAGGED: the payer rejected the eligibility request; the patient's share "
    "is the whole expected allowed amount.",
    engine.INACTIVE: "FLAGGED: the payer reports the coverage inactive; the patient's share is "
    "the whole expected allowed amount.",
    engine.SELF_PAY: "Self-pay: no insurance is billed; the patient pays the practice's "
    "self-pay price.",
}


# ---- inputs ---------------------------------------------------------------------------------


def _practice(ctx: Context) -> int:
    if ctx.practice_id is None:
        raise DomainValidationError.single("practice", "required", "choose a practice")
    return ctx.practice_id


def _diagnoses(codes: Sequence[str]) -> tuple[Diagnosis, ...]:
    if not codes:
        return ()
    try:
        return parse_diagnoses(list(codes), "P")
    except DomainValidationError as exc:
        raise exc.prefixed("diagnoses") from None


def _planned(services: Sequence[ServiceInput], n_dx: int) -> tuple[PlannedService, ...]:
    items: list[Mapping[str, Any]] = []
    for i, s in enumerate(services, start=1):
        if isinstance(s, str):
            try:
                items.append(parse_service_spec(s))
            except DomainValidationError as exc:
                raise exc.prefixed(f"services.{i}") from None
        else:
            items.append(s)
    return parse_services(items, n_dx)


def _discount(value: Decimal | None) -> Decimal:
    if value is None:
        return Decimal(0)
    if not Decimal(0) <= value < Decimal(1):
        raise DomainValidationError.single(
            "discount", "range", "the self-pay discount is a fraction from 0 up to (not) 1"
        )
    return value


def _coverage(
    uow: UnitOfWork, patient: Patient, coverage_id: int | None, day: date
) -> Coverage | None:
    assert patient.id is not None
    if coverage_id is not None:
        cov = uow.coverages.get(coverage_id)
        if cov.patient_id != patient.id:
            raise NotFound("coverage", coverage_id)
        return cov
    found = active_coverages(uow.coverages.for_patient(patient.id), day)
    return found[0] if found else None


# ---- presentation helpers -------------------------------------------------------------------


def _address_lines(address: Address) -> tuple[str, ...]:
    zip_code = str(address.zip)
    zip_text = f"{zip_code[:5]}-{zip_code[5:]}" if len(zip_code) == 9 else zip_code
    lines = [address.line1] + ([address.line2] if address.line2 else [])
    return (*lines, f"{address.city}, {address.state} {zip_text}")


def _phone(digits: str) -> str:
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" if len(digits) == 10 else digits


def _patient_name(p: Patient) -> str:
    return f"{p.first_name} {p.last_name}"


def _dotted(code: str) -> str:
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def _service_text(s: PlannedService) -> str:
    return "-".join((s.procedure, *s.modifiers))


def _units(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _service_json(s: PlannedService, dx: Sequence[Diagnosis]) -> dict[str, Any]:
    return {
        "procedure": s.procedure,
        "modifiers": list(s.modifiers),
        "units": _units(s.units),
        "pointers": list(s.pointers),
        "diagnoses": [_dotted(dx[p - 1].code) for p in s.pointers],
        "charge": s.charge.to_json() if s.charge is not None else None,
    }


def _money_or_none(m: Money | None) -> str | None:
    return m.to_json() if m is not None else None


def _line_json(ln: EstimateLine, dx: Sequence[Diagnosis]) -> dict[str, Any]:
    s = ln.priced.service
    return {
        **_service_json(s, dx),
        "service_type": ln.service_type,
        "price_source": ln.priced.source,
        "charge": ln.charge.to_json(),
        "allowed": ln.allowed.to_json(),
        "deductible": ln.deductible.to_json(),
        "copay": ln.copay.to_json(),
        "coinsurance_rate": str(ln.coinsurance_rate) if ln.coinsurance_rate is not None else None,
        "coinsurance": ln.coinsurance.to_json(),
        "out_of_pocket_cap": ln.out_of_pocket_cap.to_json(),
        "plan_pays": ln.plan.to_json(),
        "patient_pays": ln.patient.to_json(),
    }


def _result_json(est: Estimate, dx: Sequence[Diagnosis]) -> dict[str, Any]:
    return {
        "basis": est.basis,
        "flagged": est.flagged,
        "in_network": est.in_network,
        "deductible_remaining": _money_or_none(est.deductible_remaining),
        "out_of_pocket_remaining": _money_or_none(est.out_of_pocket_remaining),
        "notes": list(est.notes),
        "lines": [_line_json(ln, dx) for ln in est.lines],
        "totals": {
            "charge": est.charge.to_json(),
            "allowed": est.allowed.to_json(),
            "deductible": est.deductible.to_json(),
            "copay": est.copay.to_json(),
            "coinsurance": est.coinsurance.to_json(),
            "out_of_pocket_cap": est.out_of_pocket_cap.to_json(),
            "plan_pays": est.plan.to_json(),
            "patient_pays": est.patient.to_json(),
        },
    }


def _row(ln: EstimateLine) -> EstimateRow:
    return EstimateRow(
        service=_service_text(ln.priced.service),
        units=_units(ln.priced.service.units),
        service_type=ln.service_type,
        charge=ln.charge,
        allowed=ln.allowed,
        deductible=ln.deductible,
        copay=ln.copay,
        coinsurance=ln.coinsurance,
        out_of_pocket_cap=ln.out_of_pocket_cap,
        plan=ln.plan,
        patient=ln.patient,
    )


def _totals_row(est: Estimate) -> EstimateRow:
    return EstimateRow(
        "Total",
        "",
        "",
        est.charge,
        est.allowed,
        est.deductible,
        est.copay,
        est.coinsurance,
        est.out_of_pocket_cap,
        est.plan,
        est.patient,
    )


# ---- cost estimates -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Coverage:
    coverage: Coverage | None
    text: str  # for the PDF
    payer: str  # X12 payer id, "" for self-pay


def estimate(
    ctx: Context,
    patient: str | int,
    services: Sequence[ServiceInput],
    *,
    store: EstimateStoreFactory,
    coverage: int | None = None,
    dos: date | None = None,
    eligibility: EligibilityResponse | None = None,
    lookup: EligibilityLookup = no_eligibility,
    diagnoses: Sequence[str] = (),
    self_pay: bool = False,
    discount: Decimal | None = None,
    in_network: bool = True,
    pfs: PfsPricer | None = None,
) -> StoredEstimate:
    """Estimate the patient's cost of ``services`` on ``dos`` (default today), store it with
    its PDF and return it (rules in the module docstring). ``self_pay`` ignores coverage;
    ``discount`` is the self-pay discount as a fraction (0.2 for 20 %)."""
    ctx.require(WRITE_ESTIMATES)
    practice_id = _practice(ctx)
    cut = _discount(discount)
    dx = _diagnoses(diagnoses)
    planned = _planned(services, len(dx))
    with ctx.uow() as uow:
        pt = resolve_patient(uow, patient)
        assert pt.id is not None
        day = dos or ctx.clock.today()
        cov = None if self_pay else _coverage(uow, pt, coverage, day)
        chargemaster = Chargemaster(tuple(uow.fee_schedule.list()))
        contract = None
        benefits = None
        about = _Coverage(None, "Self-pay (no insurance billed)", "")
        if cov is not None:
            assert cov.id is not None
            plan = uow.plans.get(cov.plan_id)
            payer = uow.payers.get(plan.payer_id)
            assert payer.id is not None
            contract = contract_in_effect(uow.contracts.for_payer(payer.id), day)
            benefits = eligibility if eligibility is not None else lookup(uow, cov.id)
            about = _Coverage(cov, f"{payer.name}, member {cov.member_id}", payer.payer_id)
        priced = price_services(
            planned,
            day=day,
            chargemaster=chargemaster,
            contract=contract,
            self_pay=cov is None,
            discount=cut,
            pfs=pfs,
        )
        result = engine.estimate(priced, benefits, self_pay=cov is None, in_network=in_network)
        number = f"E{uow.sequences.next(practice_id, 'estimate'):07d}"
        practice = uow.practices.get(practice_id)
        today = ctx.clock.today()
        doc = EstimateDocument(
            number=number,
            estimate_date=today,
            practice_name=practice.legal_name,
            practice_address=_address_lines(practice.billing_address),
            practice_phone=_phone(str(practice.phone)),
            patient_name=_patient_name(pt),
            patient_dob=pt.dob,
            account=pt.mrn,
            coverage=about.text,
            service_date=day,
            basis=_BASIS_TEXT[result.basis],
            flagged=result.flagged,
            rows=tuple(_row(ln) for ln in result.lines),
            totals=_totals_row(result),
            deductible_remaining=result.deductible_remaining,
            out_of_pocket_remaining=result.out_of_pocket_remaining,
            notes=result.notes,
        )
        inputs: dict[str, Any] = {
            "services": [_service_json(s, dx) for s in planned],
            "diagnoses": [_dotted(d.code) for d in dx],
            "service_date": day.isoformat(),
            "coverage_id": cov.id if cov is not None else None,
            "payer": about.payer,
            "contract_id": contract.id if contract is not None else None,
            "self_pay": cov is None,
            "discount": str(cut),
            "in_network": in_network,
            "eligibility": _eligibility_json(benefits),
        }
        stored = store(uow).add_estimate(
            StoredEstimate(
                patient_id=pt.id,
                number=number,
                estimate_date=today,
                service_date=day,
                coverage_id=cov.id if cov is not None else None,
                basis=result.basis,
                flagged=result.flagged,
                allowed=result.allowed,
                patient_share=result.patient,
                inputs=inputs,
                result=_result_json(result, dx),
                pdf=estimate_pdf(doc),
                created_by=ctx.actor,
            )
        )
        ctx.audit(uow, "create", "estimate", number)
        uow.commit()
    return stored


def _eligibility_json(benefits: EligibilityResponse | None) -> dict[str, Any] | None:
    if benefits is None:
        return None
    trace = benefits.trace
    return {
        "payer": benefits.payer.name,
        "created": benefits.created.isoformat(),
        "trace": trace.number if trace is not None else None,
        "rejected": benefits.rejected,
        "status": benefits.coverage_status(),
    }


def list_estimates(
    ctx: Context, *, store: EstimateStoreFactory, patient: str | int | None = None
) -> Sequence[StoredEstimate]:
    """The practice's estimates (or one patient's), newest first, without PDFs."""
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        pid = None
        if patient is not None:
            pid = resolve_patient(uow, patient).id
        found = store(uow).estimates(pid)
        for p in sorted({e.patient_id for e in found}):
            ctx.audit(uow, "read", "estimates", p)
        uow.commit()
    return found


def get_estimate(ctx: Context, number: str, *, store: EstimateStoreFactory) -> StoredEstimate:
    """One estimate with its PDF."""
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        found = store(uow).estimate(number.strip().upper())
        if found is None:
            raise NotFound("estimate", number)
        ctx.audit(uow, "read", "estimate", found.number)
        uow.commit()
    return found


def estimate_json(e: StoredEstimate) -> dict[str, Any]:
    return {
        "number": e.number,
        "patient_id": e.patient_id,
        "estimate_date": e.estimate_date.isoformat(),
        "service_date": e.service_date.isoformat(),
        "coverage_id": e.coverage_id,
        "basis": e.basis,
        "flagged": e.flagged,
        "allowed": e.allowed.to_json(),
        "patient_pays": e.patient_share.to_json(),
        "inputs": dict(e.inputs),
        "result": dict(e.result),
        "created_by": e.created_by,
    }


# ---- Good Faith Estimates -------------------------------------------------------------------


def _rendering(uow: UnitOfWork, provider_id: int | None, day: date) -> Provider:
    if provider_id is not None:
        chosen = uow.providers.get(provider_id)
        if "rendering" not in chosen.roles:
            raise DomainValidationError.single(
                "provider_id", "not_rendering", "the provider does not have the rendering role"
            )
        return chosen
    found = [p for p in uow.providers.list() if "rendering" in p.roles and p.active_on(day)]
    if not found:
        raise DomainValidationError.single(
            "provider_id", "required", "the practice has no rendering provider: add one first"
        )
    return found[0]


def _facility(uow: UnitOfWork, facility_id: int | None) -> Facility | None:
    if facility_id is not None:
        return uow.facilities.get(facility_id)
    found = list(uow.facilities.list())
    return found[0] if found else None


def _party_json(p: GfeParty) -> dict[str, Any]:
    return {
        "role": p.role,
        "name": p.name,
        "npi": p.npi,
        "tin": p.tin,
        "location": list(p.location),
        "state": p.state,
        "items": [
            {
                "service": i.service,
                "description": i.description,
                "units": i.units,
                "diagnoses": list(i.diagnoses),
                "expected_charge": i.charge.to_json(),
            }
            for i in p.items
        ],
        "total": p.total.to_json(),
    }


def _timing_text(d: gfe.Deadline, issued: date, met: bool) -> str:
    on = d.scheduled_on.strftime("%m/%d/%Y")
    if d.due is None:
        return (
            f"Scheduled on {on}, fewer than 3 business days before the service: no issue "
            f"deadline applied. Issued {issued.strftime('%m/%d/%Y')}."
        )
    why = (
        f"requested by the patient on {on}"
        if d.requested
        else f"scheduled on {on}, {d.business_days_ahead} business days before the service"
    )
    outcome = "on time" if met else "LATE"
    return (
        f"Timing: {why}; due by {d.due.strftime('%m/%d/%Y')}; issued "
        f"{issued.strftime('%m/%d/%Y')} ({outcome})."
    )


def good_faith_estimate(
    ctx: Context,
    patient: str | int,
    scheduled_date: date | None,
    services: Sequence[ServiceInput],
    *,
    store: EstimateStoreFactory,
    requested: bool = False,
    scheduled_on: date | None = None,
    self_pay: bool = False,
    diagnoses: Sequence[str] = (),
    separately_scheduled: Sequence[str] = (),
    provider_id: int | None = None,
    facility_id: int | None = None,
    discount: Decimal | None = None,
) -> StoredGfe:
    """Issue a Good Faith Estimate today for ``services`` scheduled on ``scheduled_date``
    (``None``: not yet scheduled, given on request). ``scheduled_on`` is the day the service
    was scheduled or the patient asked (default today): the deadline counts from it."""
    ctx.require(WRITE_ESTIMATES)
    practice_id = _practice(ctx)
    if scheduled_date is None and not requested:
        raise DomainValidationError.single(
            "scheduled_date", "required", "give the scheduled date, or mark the GFE as requested"
        )
    cut = _discount(discount)
    dx = _diagnoses(diagnoses)
    planned = _planned(services, len(dx))
    separate = tuple(" ".join(s.split()) for s in separately_scheduled if s.strip())
    if any(len(s) > 200 for s in separate):
        raise DomainValidationError.single(
            "separately_scheduled", "too_long", "describe each item in 200 characters or fewer"
        )
    today = ctx.clock.today()
    asked = scheduled_on or today
    if asked > today:
        raise DomainValidationError.single(
            "scheduled_on", "in_future", "the day of scheduling or request cannot be after today"
        )
    if scheduled_date is not None and scheduled_date < asked:
        raise DomainValidationError.single(
            "scheduled_date", "before_scheduling", "is before the day it was scheduled"
        )
    with ctx.uow() as uow:
        pt = resolve_patient(uow, patient)
        assert pt.id is not None
        day = scheduled_date or today
        insured = active_coverages(uow.coverages.for_patient(pt.id), day)
        if insured and not self_pay:
            raise DomainValidationError.single(
                "patient",
                "insured",
                "the patient has coverage on that date: a Good Faith Estimate is for uninsured "
                "patients, or self-pay ones not filing with their plan (self_pay)",
            )
        practice = uow.practices.get(practice_id)
        provider = _rendering(uow, provider_id, day)
        facility = _facility(uow, facility_id)
        priced = price_services(
            planned,
            day=day,
            chargemaster=Chargemaster(tuple(uow.fee_schedule.list())),
            self_pay=True,
            discount=cut,
        )
        parties = _parties(practice, provider, facility, priced, dx)
        timing = gfe.deadline(asked, scheduled_date, requested)
        met = timing.met_by(today)
        number = f"G{uow.sequences.next(practice_id, 'good_faith_estimate'):07d}"
        first = priced[0].service
        primary = (
            f"{_service_text(first)} ({SERVICE_TYPE_NAMES[engine.service_type(first.procedure)]})"
        )
        keep = gfe.retain_until(today)
        doc = GfeDocument(
            number=number,
            issued_on=today,
            practice_name=practice.legal_name,
            practice_address=_address_lines(practice.billing_address),
            practice_phone=_phone(str(practice.phone)),
            patient_name=_patient_name(pt),
            patient_dob=pt.dob,
            account=pt.mrn,
            primary_service=primary,
            scheduled_date=scheduled_date,
            diagnoses=tuple(_dotted(d.code) for d in dx),
            parties=parties,
            separately_scheduled=separate,
            disclaimers=gfe.DISCLAIMERS,
            dispute=gfe.dispute_notice(today),
            timing=_timing_text(timing, today, met),
            retain_until=keep,
        )
        content: dict[str, Any] = {
            "patient": {"name": doc.patient_name, "dob": pt.dob.isoformat(), "mrn": pt.mrn},
            "self_pay_by_choice": bool(insured),
            "primary_service": primary,
            "diagnoses": list(doc.diagnoses),
            "parties": [_party_json(p) for p in parties],
            "separately_scheduled": list(separate),
            "discount": str(cut),
            "disclaimers": list(gfe.DISCLAIMERS),
            "dispute": doc.dispute,
            "business_days_ahead": timing.business_days_ahead,
        }
        stored = store(uow).add_gfe(
            StoredGfe(
                patient_id=pt.id,
                number=number,
                issued_on=today,
                scheduled_on=asked,
                scheduled_date=scheduled_date,
                requested=requested,
                deadline_rule=timing.rule,
                due_date=timing.due,
                met=met,
                total=doc.total,
                retain_until=keep,
                content=content,
                pdf=gfe_pdf(doc),
                created_by=ctx.actor,
            )
        )
        ctx.audit(uow, "create", "good_faith_estimate", number)
        uow.commit()
    return stored


def _parties(
    practice: Practice,
    provider: Provider,
    facility: Facility | None,
    priced: Sequence[Any],
    dx: Sequence[Diagnosis],
) -> tuple[GfeParty, ...]:
    """The rendering provider with every item (billed by the practice under its TIN), and the
    facility where it happens (no separate facility charges from a practice's office)."""
    where = facility.address if facility is not None else practice.billing_address
    items = tuple(
        GfeItem(
            service=_service_text(p.service),
            description=SERVICE_TYPE_NAMES[engine.service_type(p.service.procedure)],
            units=_units(p.service.units),
            diagnoses=tuple(_dotted(dx[i - 1].code) for i in p.service.pointers),
            charge=p.allowed,
        )
        for p in priced
    )
    parties = [
        GfeParty(
            role="Provider",
            name=provider.display_name,
            npi=str(provider.npi),
            tin=str(practice.tin),
            location=_address_lines(where),
            state=str(where.state),
            items=items,
        )
    ]
    if facility is not None:
        parties.append(
            GfeParty(
                role="Facility",
                name=facility.name,
                npi=str(facility.npi) if facility.npi else "",
                tin=str(practice.tin),
                location=_address_lines(facility.address),
                state=str(facility.address.state),
                items=(),
            )
        )
    return tuple(parties)


def list_gfes(
    ctx: Context,
    *,
    store: EstimateStoreFactory,
    patient: str | int | None = None,
    late: bool = False,
) -> Sequence[StoredGfe]:
    """The GFEs issued, newest first, without PDFs; ``late``: those that missed the deadline."""
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        pid = None
        if patient is not None:
            pid = resolve_patient(uow, patient).id
        found = store(uow).gfes(pid, late=late)
        for p in sorted({g.patient_id for g in found}):
            ctx.audit(uow, "read", "good_faith_estimates", p)
        uow.commit()
    return found


def get_gfe(ctx: Context, number: str, *, store: EstimateStoreFactory) -> StoredGfe:
    """One GFE as issued, with its PDF."""
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        found = store(uow).gfe(number.strip().upper())
        if found is None:
            raise NotFound("good faith estimate", number)
        ctx.audit(uow, "read", "good_faith_estimate", found.number)
        uow.commit()
    return found


def gfe_json(g: StoredGfe) -> dict[str, Any]:
    return {
        "number": g.number,
        "patient_id": g.patient_id,
        "issued_on": g.issued_on.isoformat(),
        "scheduled_on": g.scheduled_on.isoformat(),
        "scheduled_date": g.scheduled_date.isoformat() if g.scheduled_date else None,
        "requested": g.requested,
        "deadline_rule": g.deadline_rule,
        "due_date": g.due_date.isoformat() if g.due_date else None,
        "met": g.met,
        "total": g.total.to_json(),
        "retain_until": g.retain_until.isoformat(),
        "content": dict(g.content),
        "created_by": g.created_by,
    }
