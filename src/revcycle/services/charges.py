"""Charge entry: the fee schedule (chargemaster), payer contracts, authorizations and
referrals, and encounters with their service lines.

Rules kept here:
- every record an encounter names (patient, providers, facility, coverages) belongs to the
  practice, and the coverages to the patient; the rendering provider has the rendering role;
- a line without a charge takes the chargemaster's fee in effect on its date of service times
  its units; a line with neither is refused (``lines.N.charge``);
- when no coverages are named, the patient's coverages active on the date of service are billed,
  primary first;
- the time each charge was entered is stored (charge lag is reported from it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from revcycle.domain.authorization import Authorization, parse_authorization
from revcycle.domain.coverage import ORDERS, Coverage
from revcycle.domain.encounter import Encounter, parse_encounter
from revcycle.domain.errors import DomainValidationError, FieldError, NotFound
from revcycle.domain.fees import Chargemaster, Contract, FeeEntry, parse_contract, parse_fee_entry
from revcycle.domain.user import READ_REGISTRATION, WRITE_PATIENTS, WRITE_SETUP
from revcycle.services.context import Context
from revcycle.services.ports import UnitOfWork

Data = Mapping[str, Any]


def add_fee(ctx: Context, data: Data) -> FeeEntry:
    ctx.require(WRITE_SETUP)
    entry = parse_fee_entry(data)
    with ctx.uow() as uow:
        entry = uow.fee_schedule.add(entry)
        ctx.audit(uow, "create", "fee", entry.id)
        uow.commit()
    return entry


def list_fees(ctx: Context) -> Sequence[FeeEntry]:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        return uow.fee_schedule.list()


def add_contract(ctx: Context, payer_id: int, data: Data) -> Contract:
    ctx.require(WRITE_SETUP)
    contract = parse_contract(data, payer_id)
    with ctx.uow() as uow:
        uow.payers.get(payer_id)
        contract = uow.contracts.add(contract)
        ctx.audit(uow, "create", "contract", contract.id)
        uow.commit()
    return contract


def list_contracts(ctx: Context, payer_id: int) -> Sequence[Contract]:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        uow.payers.get(payer_id)
        return uow.contracts.for_payer(payer_id)


def _payer_ref(uow: UnitOfWork, key: object) -> int:
    text = str(key or "").strip()
    payer = uow.payers.by_payer_id(text) if text else None
    if payer is None and text.isdigit():
        try:
            payer = uow.payers.get(int(text))
        except NotFound:
            payer = None
    if payer is None or payer.id is None:
        raise DomainValidationError.single(
            "payer", "unknown_payer", "no payer with this payer ID is registered"
        )
    return payer.id


def add_authorization(ctx: Context, patient_id: int, data: Data) -> Authorization:
    ctx.require(WRITE_PATIENTS)
    with ctx.uow() as uow:
        uow.patients.get(patient_id)
        payer_id = _payer_ref(uow, data.get("payer"))
        item = parse_authorization(data, patient_id=patient_id, payer_id=payer_id)
        if item.provider_id is not None:
            uow.providers.get(item.provider_id)
        item = uow.authorizations.add(item)
        ctx.audit(uow, "create", "authorization", item.id)
        uow.commit()
    return item


def list_authorizations(ctx: Context, patient_id: int) -> Sequence[Authorization]:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        uow.patients.get(patient_id)
        found = uow.authorizations.for_patient(patient_id)
        ctx.audit(uow, "read", "authorizations", patient_id)
        uow.commit()
    return found


def active_coverages(coverages: Sequence[Coverage], day: date) -> list[Coverage]:
    """The coverages in effect on ``day``, primary first."""
    active = [c for c in coverages if c.active_on(day)]
    return sorted(active, key=lambda c: ORDERS.index(c.order))


def _check_references(uow: UnitOfWork, enc: Encounter) -> list[FieldError]:
    errors: list[FieldError] = []

    def exists(kind: str, field: str, id: int | None, getter: Any) -> Any:
        if id is None:
            return None
        try:
            return getter(id)
        except NotFound:
            errors.append(FieldError(field, f"unknown_{kind}", f"no such {kind} in this practice"))
            return None

    exists("patient", "patient_id", enc.patient_id, uow.patients.get)
    rendering = exists(
        "provider", "rendering_provider_id", enc.rendering_provider_id, uow.providers.get
    )
    if rendering is not None and "rendering" not in rendering.roles:
        errors.append(
            FieldError(
                "rendering_provider_id", "not_rendering", "the provider has no rendering role"
            )
        )
    exists("provider", "referring_provider_id", enc.referring_provider_id, uow.providers.get)
    exists("provider", "supervising_provider_id", enc.supervising_provider_id, uow.providers.get)
    exists("facility", "facility_id", enc.facility_id, uow.facilities.get)
    if enc.institutional is not None:
        exists(
            "provider",
            "institutional.attending_provider_id",
            enc.institutional.attending_provider_id,
            uow.providers.get,
        )
        exists(
            "provider",
            "institutional.operating_provider_id",
            enc.institutional.operating_provider_id,
            uow.providers.get,
        )
    return errors


def _resolve(uow: UnitOfWork, enc: Encounter, chargemaster: Chargemaster) -> Encounter:
    errors = _check_references(uow, enc)
    if errors:
        raise DomainValidationError(errors)
    patient_coverages = uow.coverages.for_patient(enc.patient_id)
    if enc.coverage_ids:
        owned = {c.id for c in patient_coverages}
        for i, cid in enumerate(enc.coverage_ids, start=1):
            if cid not in owned:
                errors.append(
                    FieldError(
                        f"coverage_ids.{i}", "unknown_coverage", "not a coverage of this patient"
                    )
                )
        coverage_ids = enc.coverage_ids
    else:
        coverage_ids = tuple(
            c.id for c in active_coverages(patient_coverages, enc.dos_from) if c.id is not None
        )
    lines = []
    for n, line in enumerate(enc.lines, start=1):
        if line.charge is not None:
            lines.append(line)
            continue
        day = line.dos_from or enc.dos_from
        charge = chargemaster.charge_for(line.procedure, line.modifiers, line.units, day)
        if charge is None:
            errors.append(
                FieldError(
                    f"lines.{n}.charge",
                    "no_fee",
                    f"no fee schedule amount for {line.procedure} on {day}; enter a charge",
                )
            )
            continue
        lines.append(dataclasses.replace(line, charge=charge, charge_source="fee_schedule"))
    if errors:
        raise DomainValidationError(errors)
    return dataclasses.replace(enc, coverage_ids=coverage_ids, lines=tuple(lines))


def record_encounter(
    ctx: Context, uow: UnitOfWork, data: Data, chargemaster: Chargemaster
) -> Encounter:
    """Validate and store one encounter inside the caller's unit of work."""
    enc = parse_encounter(data, ctx.clock.today())
    if enc.external_ref and uow.encounters.by_external_ref(enc.external_ref) is not None:
        raise DomainValidationError.single(
            "external_ref", "duplicate", "an encounter with this reference is already entered"
        )
    enc = uow.encounters.add(_resolve(uow, enc, chargemaster), ctx.clock.now())
    ctx.audit(uow, "create", "encounter", enc.id)
    return enc


def enter_charges(ctx: Context, data: Data) -> Encounter:
    ctx.require(WRITE_PATIENTS)
    with ctx.uow() as uow:
        enc = record_encounter(ctx, uow, data, Chargemaster(tuple(uow.fee_schedule.list())))
        uow.commit()
    return enc


def get_encounter(ctx: Context, encounter_id: int) -> Encounter:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        enc = uow.encounters.get(encounter_id)
        ctx.audit(uow, "read", "encounter", encounter_id)
        uow.commit()
    return enc


def list_encounters(ctx: Context, patient_id: int | None = None) -> Sequence[Encounter]:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        return uow.encounters.list(patient_id=patient_id)


def missing_charges(ctx: Context, days: int) -> Sequence[Encounter]:
    """Encounters whose last date of service is ``days`` or more ago and that no claim bills."""
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        return uow.encounters.without_claims(ctx.clock.today() - timedelta(days=days))


def import_fees(ctx: Context, rows: Sequence[Mapping[str, str]]) -> int:
    """A fee schedule from CSV rows: all of them, or none (errors name the row)."""
    ctx.require(WRITE_SETUP)
    entries: list[FeeEntry] = []
    errors: list[FieldError] = []
    for n, row in enumerate(rows, start=2):
        clean = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        try:
            entries.append(parse_fee_entry(clean))
        except DomainValidationError as exc:
            errors.extend(FieldError(f"row {n}.{e.field}", e.reason, e.message) for e in exc.errors)
    if errors:
        raise DomainValidationError(errors)
    with ctx.uow() as uow:
        for entry in entries:
            uow.fee_schedule.add(entry)
        ctx.audit(uow, "create", "fee_schedule", len(entries))
        uow.commit()
    return len(entries)
