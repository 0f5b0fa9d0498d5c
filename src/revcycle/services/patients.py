"""Use cases of patient registration: patients and their insurance coverages.

Rules kept here (beyond each record's own validation in ``domain``):
- the MRN is unique within the practice (a duplicate is a field error on ``mrn``); when none
  is given, the next number of the practice's ``mrn`` sequence is used;
- a new patient with the same last name, date of birth and first initial as an existing one is
  refused with the existing MRN unless ``allow_duplicate`` is set;
- a coverage's plan must belong to a payer of the practice; a secondary needs a primary over
  the same dates (``domain.coverage.check_coordination``);
- every read of a patient or coverage is written to the audit log (ids only, never values).
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from revcycle.domain.audit import AuditEntry
from revcycle.domain.coverage import Coverage, check_coordination, parse_coverage
from revcycle.domain.errors import DomainValidationError, DuplicatePatient, NotFound
from revcycle.domain.patient import Patient, parse_patient
from revcycle.domain.payer import Plan
from revcycle.domain.user import READ_REGISTRATION, WRITE_PATIENTS
from revcycle.domain.values import optional
from revcycle.services._merge import merge
from revcycle.services.context import Context
from revcycle.services.ports import UnitOfWork

Data = Mapping[str, Any]


def _new_mrn(uow: UnitOfWork, practice_id: int, taken: Container[str] = ()) -> str:
    """The next free number of the ``mrn`` sequence (``taken``: MRNs not stored yet)."""
    while True:
        mrn = f"{uow.sequences.next(practice_id, 'mrn'):06d}"
        if mrn not in taken and uow.patients.by_mrn(mrn) is None:
            return mrn


def _audit_entries(ctx: Context, record_type: str, ids: Iterable[int | None]) -> list[AuditEntry]:
    now = ctx.clock.now()
    return [
        AuditEntry(now, ctx.actor, ctx.channel, "create", record_type, str(i), ctx.practice_id)
        for i in ids
    ]


def _same_person(a: Patient, b: Patient) -> bool:
    """What ``possible_duplicates`` matches: last name, date of birth and first initial."""
    return (
        a.last_name.lower() == b.last_name.lower()
        and a.dob == b.dob
        and a.first_name[:1].lower() == b.first_name[:1].lower()
    )


def register_patients_in(
    ctx: Context, uow: UnitOfWork, datas: Sequence[Data], allow_duplicate: bool
) -> Sequence[Patient]:
    """``register_patient_in`` for many patients, as if registered one after another (a
    patient earlier in the batch counts as registered), with the MRNs checked in one query
    and the patients and their audit records written in multi-row inserts. The first invalid
    patient (in order) raises the error ``register_patient_in`` would have raised; nothing of
    the batch is written then."""
    assert ctx.practice_id is not None
    today = ctx.clock.today()
    parsed: list[Patient] = []
    batch_mrns: set[str] = set()
    unparsable: Exception | None = None
    for data in datas:
        fields = dict(data)
        if not optional(fields.get("mrn")):
            fields["mrn"] = _new_mrn(uow, ctx.practice_id, batch_mrns)
        try:
            patient = parse_patient(fields, today)
        except Exception as exc:  # raised once the patients before it are checked
            unparsable = exc
            break
        parsed.append(patient)
        batch_mrns.add(patient.mrn)
    stored_mrns = uow.patients.existing_mrns([p.mrn for p in parsed])
    seen: list[Patient] = []
    for patient in parsed:
        if patient.mrn in stored_mrns or any(p.mrn == patient.mrn for p in seen):
            raise DomainValidationError.single(
                "mrn", "duplicate", "another patient of this practice has this MRN"
            )
        if not allow_duplicate:
            same = list(
                uow.patients.possible_duplicates(
                    patient.last_name, patient.dob, patient.first_name[0]
                )
            ) + [p for p in seen if _same_person(p, patient)]
            if same:
                raise DuplicatePatient(same[0].mrn)
        seen.append(patient)
    if unparsable is not None:
        raise unparsable
    stored = uow.patients.add_many(parsed)
    uow.audit.record_many(_audit_entries(ctx, "patient", (p.id for p in stored)))
    return stored


def register_patient_in(
    ctx: Context, uow: UnitOfWork, data: Data, allow_duplicate: bool
) -> Patient:
    """Register a patient inside the caller's unit of work (imports group several writes)."""
    [patient] = register_patients_in(ctx, uow, [data], allow_duplicate)
    return patient


def register_patient(ctx: Context, data: Data, *, allow_duplicate: bool = False) -> Patient:
    ctx.require(WRITE_PATIENTS)
    with ctx.uow() as uow:
        patient = register_patient_in(ctx, uow, data, allow_duplicate)
        uow.commit()
    return patient


def update_patient(ctx: Context, patient_id: int, changes: Data) -> Patient:
    ctx.require(WRITE_PATIENTS)
    with ctx.uow() as uow:
        current = uow.patients.get(patient_id)
        patient = parse_patient(
            merge(current.to_fields(), changes), ctx.clock.today(), id=patient_id
        )
        if patient.mrn != current.mrn:
            other = uow.patients.by_mrn(patient.mrn)
            if other is not None:
                raise DomainValidationError.single(
                    "mrn", "duplicate", "another patient of this practice has this MRN"
                )
        uow.patients.update(patient)
        ctx.audit(uow, "update", "patient", patient_id)
        uow.commit()
    return patient


def get_patient(ctx: Context, patient_id: int) -> Patient:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        patient = uow.patients.get(patient_id)
        ctx.audit(uow, "read", "patient", patient_id)
        uow.commit()
    return patient


def find_patient(ctx: Context, key: str) -> Patient:
    """A patient by id (digits) or MRN, as people type it on the command line."""
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        patient = uow.patients.by_mrn(key)
        if patient is None and key.isdigit():
            patient = uow.patients.get(int(key))
        if patient is None:
            raise NotFound("patient", key)
        ctx.audit(uow, "read", "patient", patient.id)
        uow.commit()
    return patient


def search_patients(
    ctx: Context,
    *,
    name: str | None = None,
    dob: date | None = None,
    mrn: str | None = None,
    member_id: str | None = None,
    limit: int = 50,
) -> Sequence[Patient]:
    ctx.require(READ_REGISTRATION)
    if not any((name, dob, mrn, member_id)):
        raise DomainValidationError.single(
            "query", "required", "give a name, DOB, MRN or member ID"
        )
    with ctx.uow() as uow:
        found = uow.patients.search(name=name, dob=dob, mrn=mrn, member_id=member_id, limit=limit)
        for p in found:
            ctx.audit(uow, "read", "patient", p.id)
        uow.commit()
    return found


def _resolve_plan(uow: UnitOfWork, data: Data) -> Plan:
    """The plan named by ``plan_id``, or by ``payer`` (payer ID or record id) and ``plan``."""
    plan_id = optional(data.get("plan_id"))
    if plan_id is not None:
        try:
            return uow.plans.get(int(str(plan_id)))
        except (NotFound, ValueError):
            raise DomainValidationError.single(
                "plan_id", "unknown_plan", "no such plan in this practice"
            ) from None
    payer_key = optional(data.get("payer"))
    if payer_key is None:
        raise DomainValidationError.single(
            "payer", "required", "is required (the payer ID of a registered payer)"
        )
    payer = uow.payers.by_payer_id(str(payer_key))
    if payer is None and str(payer_key).isdigit():
        try:
            payer = uow.payers.get(int(str(payer_key)))
        except NotFound:
            payer = None
    if payer is None or payer.id is None:
        raise DomainValidationError.single(
            "payer", "unknown_payer", "no payer with this payer ID is registered for the practice"
        )
    plans = uow.plans.for_payer(payer.id)
    name = optional(data.get("plan"))
    if name is not None:
        for p in plans:
            if p.name.lower() == str(name).strip().lower():
                return p
        raise DomainValidationError.single(
            "plan", "unknown_plan", "the payer has no plan with this name"
        )
    if len(plans) == 1:
        return plans[0]
    if not plans:
        raise DomainValidationError.single(
            "plan", "no_plans", "the payer has no plans yet; add one first"
        )
    raise DomainValidationError.single("plan", "required", "the payer has several plans; name one")


def _plan_key(data: Data) -> tuple[str | None, ...]:
    """The fields ``_resolve_plan`` reads: equal keys name the same plan."""
    return tuple(
        None if optional(data.get(k)) is None else str(data.get(k))
        for k in ("plan_id", "payer", "plan")
    )


def add_coverages_in(
    ctx: Context, uow: UnitOfWork, items: Sequence[tuple[int, Data]]
) -> Sequence[Coverage]:
    """``add_coverage_in`` for many (patient id, coverage) pairs, as if added one after
    another (a coverage earlier in the batch counts for coordination), with the patients,
    their coverages and the plans read once and the coverages and audit records written in
    multi-row inserts. The first invalid one (in order) raises the error ``add_coverage_in``
    would have raised; nothing of the batch is written then."""
    today = ctx.clock.today()
    patient_ids = sorted({pid for pid, _ in items})
    known = {p.id for p in uow.patients.get_many(patient_ids)}
    held = uow.coverages.for_patients(patient_ids)
    plans: dict[tuple[str | None, ...], Plan] = {}
    added: list[Coverage] = []
    for patient_id, data in items:
        if patient_id not in known:
            raise NotFound("patient", patient_id)
        key = _plan_key(data)
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = _resolve_plan(uow, data)
        coverage = parse_coverage(data, patient_id=patient_id, plan=plan, today=today)
        others = held.setdefault(patient_id, [])
        check_coordination(coverage, others)
        others.append(coverage)
        added.append(coverage)
    stored = uow.coverages.add_many(added)
    uow.audit.record_many(_audit_entries(ctx, "coverage", (c.id for c in stored)))
    return stored


def add_coverage_in(ctx: Context, uow: UnitOfWork, patient_id: int, data: Data) -> Coverage:
    """Add a coverage inside the caller's unit of work."""
    [coverage] = add_coverages_in(ctx, uow, [(patient_id, data)])
    return coverage


def add_coverage(ctx: Context, patient_id: int, data: Data) -> Coverage:
    ctx.require(WRITE_PATIENTS)
    with ctx.uow() as uow:
        coverage = add_coverage_in(ctx, uow, patient_id, data)
        uow.commit()
    return coverage


def update_coverage(ctx: Context, coverage_id: int, changes: Data) -> Coverage:
    ctx.require(WRITE_PATIENTS)
    with ctx.uow() as uow:
        current = uow.coverages.get(coverage_id)
        fields = merge(current.to_fields(), changes)
        if "payer" in changes or "plan" in changes:
            fields.pop("plan_id", None)
        plan = _resolve_plan(uow, fields)
        coverage = parse_coverage(
            fields,
            patient_id=current.patient_id,
            plan=plan,
            today=ctx.clock.today(),
            id=coverage_id,
        )
        check_coordination(coverage, uow.coverages.for_patient(current.patient_id))
        uow.coverages.update(coverage)
        ctx.audit(uow, "update", "coverage", coverage_id)
        uow.commit()
    return coverage


def get_coverage(ctx: Context, coverage_id: int) -> Coverage:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        coverage = uow.coverages.get(coverage_id)
        ctx.audit(uow, "read", "coverage", coverage_id)
        uow.commit()
    return coverage


def list_coverages(ctx: Context, patient_id: int) -> Sequence[Coverage]:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        uow.patients.get(patient_id)
        found = uow.coverages.for_patient(patient_id)
        for c in found:
            ctx.audit(uow, "read", "coverage", c.id)
        uow.commit()
    return found
