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

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

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


def _new_mrn(uow: UnitOfWork, practice_id: int) -> str:
    while True:
        mrn = f"{uow.sequences.next(practice_id, 'mrn'):06d}"
        if uow.patients.by_mrn(mrn) is None:
            return mrn


def register_patient_in(
    ctx: Context, uow: UnitOfWork, data: Data, allow_duplicate: bool
) -> Patient:
    """Register a patient inside the caller's unit of work (imports group several writes)."""
    assert ctx.practice_id is not None
    fields = dict(data)
    if not optional(fields.get("mrn")):
        fields["mrn"] = _new_mrn(uow, ctx.practice_id)
    patient = parse_patient(fields, ctx.clock.today())
    if uow.patients.by_mrn(patient.mrn) is not None:
        raise DomainValidationError.single(
            "mrn", "duplicate", "another patient of this practice has this MRN"
        )
    if not allow_duplicate:
        same = uow.patients.possible_duplicates(
            patient.last_name, patient.dob, patient.first_name[0]
        )
        if same:
            raise DuplicatePatient(same[0].mrn)
    patient = uow.patients.add(patient)
    ctx.audit(uow, "create", "patient", patient.id)
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


def add_coverage_in(ctx: Context, uow: UnitOfWork, patient_id: int, data: Data) -> Coverage:
    """Add a coverage inside the caller's unit of work."""
    uow.patients.get(patient_id)
    plan = _resolve_plan(uow, data)
    coverage = parse_coverage(data, patient_id=patient_id, plan=plan, today=ctx.clock.today())
    check_coordination(coverage, uow.coverages.for_patient(patient_id))
    coverage = uow.coverages.add(coverage)
    ctx.audit(uow, "create", "coverage", coverage.id)
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
