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
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from revcycle.domain.audit import AuditEntry
from revcycle.domain.authorization import Authorization, parse_authorization
from revcycle.domain.coverage import ORDERS, Coverage
from revcycle.domain.encounter import Encounter, parse_encounter
from revcycle.domain.errors import DomainValidationError, FieldError, NotFound
from revcycle.domain.fees import Chargemaster, Contract, FeeEntry, parse_contract, parse_fee_entry
from revcycle.domain.provider import Provider
from revcycle.domain.user import READ_REGISTRATION, WRITE_PATIENTS, WRITE_SETUP
from revcycle.services.context import Context
from revcycle.services.ports import UnitOfWork

Data = Mapping[str, Any]


def add_fee(ctx: Context, data: Data) -> FeeEntry:
    [entry] = add_fees(ctx, [data])
    return entry


def add_fees(ctx: Context, datas: Sequence[Data]) -> list[FeeEntry]:
    """Fee schedule entries, each as ``add_fee`` adds it (an audit record each), in one
    transaction: all of them or, when one is invalid (its error raised), none."""
    ctx.require(WRITE_SETUP)
    entries = [parse_fee_entry(data) for data in datas]
    with ctx.uow() as uow:
        entries = [uow.fee_schedule.add(entry) for entry in entries]
        now = ctx.clock.now()
        uow.audit.record_many(
            [
                AuditEntry(now, ctx.actor, ctx.channel, "create", "fee", str(e.id), ctx.practice_id)
                for e in entries
            ]
        )
        uow.commit()
    return entries


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


@dataclass(frozen=True, slots=True)
class _References:
    """What a batch of encounters names, read in a few queries: which of the named patients
    are the practice's, its providers and facilities (a practice has few), and the named
    patients' coverages."""

    patients: set[int]
    providers: dict[int, Provider]
    facilities: set[int]
    coverages: dict[int, list[Coverage]]


def _references(uow: UnitOfWork, encounters: Sequence[Encounter]) -> _References:
    patient_ids = sorted({e.patient_id for e in encounters})
    return _References(
        patients={p.id for p in uow.patients.get_many(patient_ids) if p.id is not None},
        providers={p.id: p for p in uow.providers.list() if p.id is not None},
        facilities={f.id for f in uow.facilities.list() if f.id is not None},
        coverages=uow.coverages.for_patients(patient_ids),
    )


def _check_references(refs: _References, enc: Encounter) -> list[FieldError]:
    errors: list[FieldError] = []

    def exists(kind: str, field: str, id: int | None, known: Container[int]) -> bool:
        if id is None or id in known:
            return id is not None
        errors.append(FieldError(field, f"unknown_{kind}", f"no such {kind} in this practice"))
        return False

    exists("patient", "patient_id", enc.patient_id, refs.patients)
    rendering = enc.rendering_provider_id
    if (
        exists("provider", "rendering_provider_id", rendering, refs.providers)
        and "rendering" not in refs.providers[rendering].roles
    ):
        errors.append(
            FieldError(
                "rendering_provider_id", "not_rendering", "the provider has no rendering role"
            )
        )
    exists("provider", "referring_provider_id", enc.referring_provider_id, refs.providers)
    exists("provider", "supervising_provider_id", enc.supervising_provider_id, refs.providers)
    exists("facility", "facility_id", enc.facility_id, refs.facilities)
    if enc.institutional is not None:
        exists(
            "provider",
            "institutional.attending_provider_id",
            enc.institutional.attending_provider_id,
            refs.providers,
        )
        exists(
            "provider",
            "institutional.operating_provider_id",
            enc.institutional.operating_provider_id,
            refs.providers,
        )
    return errors


def _resolve(refs: _References, enc: Encounter, chargemaster: Chargemaster) -> Encounter:
    errors = _check_references(refs, enc)
    if errors:
        raise DomainValidationError(errors)
    patient_coverages = refs.coverages.get(enc.patient_id, [])
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


def record_encounters(
    ctx: Context, uow: UnitOfWork, datas: Sequence[Data], chargemaster: Chargemaster
) -> Sequence[Encounter]:
    """Validate and store encounters inside the caller's unit of work, as ``record_encounter``
    on each in turn would, but reading what they name in a few queries and writing them (with
    their lines and audit records) in a few multi-row statements.

    Every encounter is checked before anything is written: the first invalid one (in order)
    raises the error ``record_encounter`` would have raised for it, naming the field, and
    nothing of the batch is stored. An external reference repeated within the batch is a
    duplicate of the earlier one."""
    today = ctx.clock.today()
    parsed: list[Encounter] = []
    unparsable: Exception | None = None
    for data in datas:
        try:
            parsed.append(parse_encounter(data, today))
        except Exception as exc:  # raised once the encounters before it are checked
            unparsable = exc
            break
    refs = _references(uow, parsed)
    taken = uow.encounters.existing_external_refs(
        [e.external_ref for e in parsed if e.external_ref]
    )
    resolved: list[Encounter] = []
    for enc in parsed:
        if enc.external_ref:
            if enc.external_ref in taken:
                raise DomainValidationError.single(
                    "external_ref",
                    "duplicate",
                    "an encounter with this reference is already entered",
                )
            taken.add(enc.external_ref)
        resolved.append(_resolve(refs, enc, chargemaster))
    if unparsable is not None:
        raise unparsable
    stored = uow.encounters.add_many(resolved, ctx.clock.now())
    now = ctx.clock.now()
    uow.audit.record_many(
        [
            AuditEntry(
                now, ctx.actor, ctx.channel, "create", "encounter", str(e.id), ctx.practice_id
            )
            for e in stored
        ]
    )
    return stored


def record_encounter(
    ctx: Context, uow: UnitOfWork, data: Data, chargemaster: Chargemaster
) -> Encounter:
    """Validate and store one encounter inside the caller's unit of work."""
    [enc] = record_encounters(ctx, uow, [data], chargemaster)
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
