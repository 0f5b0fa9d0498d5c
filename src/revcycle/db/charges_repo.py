"""Repositories of charge entry and claims (encounters, fee schedule, contracts,
authorizations, claims, work items), each bound to one connection and one practice."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    and_,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from revcycle.db import tables
from revcycle.db.bulk import insert_rows, insert_with_ids, update_rows
from revcycle.domain.authorization import Authorization
from revcycle.domain.claim_record import ClaimEvent, ClaimLineRecord, ClaimRecord, StoredFinding
from revcycle.domain.encounter import Diagnosis, Encounter, Institutional, ServiceLine
from revcycle.domain.errors import Conflict, NotFound
from revcycle.domain.fees import Contract, FeeEntry
from revcycle.domain.money import Money
from revcycle.domain.workqueue import WorkItem
from revcycle.services.ports import BilledLine, Clock, EncounterLineKey, ServiceInfo

_CHUNK = 500  # ids per IN list (SQLite limits the parameters of a statement)
# ids per IN list when loading the lines of many encounters or claims at once: under SQLite's
# 32,766 and PostgreSQL's 65,535 parameters a statement (a month's 100,000 encounters are more)
_BUILD_CHUNK = 10_000
OPEN_CLAIM_STATES = ("draft", "scrubbed_clean", "scrubbed_errors", "ready", "submitted", "accepted")


class _Scoped:
    def __init__(self, conn: Connection, practice_id: int, clock: Clock) -> None:
        self.conn = conn
        self.practice_id = practice_id
        self.clock = clock

    def _stamps(self) -> dict[str, datetime]:
        now = self.clock.now()
        return {"created_at": now, "updated_at": now}


def _inst_json(i: Institutional | None) -> dict[str, Any] | None:
    if i is None:
        return None
    return {
        "type_of_bill": i.type_of_bill,
        "patient_status": i.patient_status,
        "attending_provider_id": i.attending_provider_id,
        "admission_date": i.admission_date.isoformat() if i.admission_date else None,
        "admission_type": i.admission_type,
        "admission_source": i.admission_source,
        "operating_provider_id": i.operating_provider_id,
        "admitting_diagnosis": i.admitting_diagnosis,
        "reason_for_visit": list(i.reason_for_visit),
        "condition_codes": list(i.condition_codes),
        "occurrence_codes": [[code, day.isoformat()] for code, day in i.occurrence_codes],
        "value_codes": [[code, amount.to_json()] for code, amount in i.value_codes],
    }


def _inst_from(d: dict[str, Any] | None) -> Institutional | None:
    if not d:
        return None
    return Institutional(
        type_of_bill=d["type_of_bill"],
        patient_status=d["patient_status"],
        attending_provider_id=d["attending_provider_id"],
        admission_date=date.fromisoformat(d["admission_date"]) if d.get("admission_date") else None,
        admission_type=d.get("admission_type"),
        admission_source=d.get("admission_source"),
        operating_provider_id=d.get("operating_provider_id"),
        admitting_diagnosis=d.get("admitting_diagnosis"),
        reason_for_visit=tuple(d.get("reason_for_visit") or ()),
        condition_codes=tuple(d.get("condition_codes") or ()),
        occurrence_codes=tuple(
            (code, date.fromisoformat(day)) for code, day in d.get("occurrence_codes") or ()
        ),
        value_codes=tuple((code, Money(amount)) for code, amount in d.get("value_codes") or ()),
    )


def _units(value: Decimal) -> Decimal:
    return Decimal(value).normalize() if value % 1 else Decimal(int(value))


def _split(text: str) -> tuple[str, ...]:
    return tuple(filter(None, text.split(","))) if text else ()


def _picker(row: Any, names: Sequence[str]) -> Callable[[Any], tuple[Any, ...]]:
    """A function taking ``names`` out of rows shaped like ``row``, by position (a row's
    lookup by name costs more than building the record from it)."""
    fields = list(row._fields)
    return itemgetter(*(fields.index(n) for n in names))


_ENCOUNTER_FIELDS = (
    "id",
    "patient_id",
    "dos_from",
    "dos_to",
    "rendering_ref",
    "place_of_service",
    "diagnoses",
    "kind",
    "referring_ref",
    "supervising_ref",
    "facility_ref",
    "coverage_ids",
    "prior_authorization",
    "referral_number",
    "external_ref",
    "institutional",
)
_CLAIM_FIELDS = (
    "id",
    "encounter_id",
    "coverage_id",
    "payer_ref",
    "kind",
    "patient_control_number",
    "total_charge",
    "status",
    "frequency",
    "original_claim_id",
    "payer_claim_number",
    "first_pass_clean",
    "scrub_runs",
    "created_at",
)


_LINE_COLUMNS = tuple(
    tables.encounter_lines.c[name]
    for name in (
        "encounter_id",
        "procedure",
        "units",
        "pointers",
        "modifiers",
        "charge",
        "charge_source",
        "dos_from",
        "dos_to",
        "ndc",
        "ndc_unit",
        "ndc_quantity",
        "anesthesia_minutes",
        "revenue_code",
        "note",
        "entered_at",
        "id",
    )
)


def _lines_by_encounter(rows: Any) -> dict[int, list[ServiceLine]]:
    """Service lines grouped by encounter, in one pass over rows of ``_LINE_COLUMNS`` (read
    by position: a row's lookup by name costs more than building the line)."""
    by_enc: dict[int, list[ServiceLine]] = {}
    trusted = Money.trusted
    for (
        encounter_id,
        procedure,
        units,
        pointers,
        modifiers,
        charge,
        charge_source,
        dos_from,
        dos_to,
        ndc,
        ndc_unit,
        ndc_quantity,
        anesthesia_minutes,
        revenue_code,
        note,
        entered_at,
        id,
    ) in rows:
        line = ServiceLine(
            procedure=procedure,
            units=_units(units),
            pointers=tuple(map(int, _split(pointers))),
            modifiers=_split(modifiers),
            charge=trusted(charge),
            charge_source=charge_source,
            dos_from=dos_from,
            dos_to=dos_to,
            ndc=ndc,
            ndc_unit=ndc_unit,
            ndc_quantity=ndc_quantity,
            anesthesia_minutes=anesthesia_minutes,
            revenue_code=revenue_code,
            note=note,
            entered_at=entered_at,
            id=id,
        )
        lines = by_enc.get(encounter_id)
        if lines is None:
            lines = by_enc[encounter_id] = []
        lines.append(line)
    return by_enc


class EncounterRepository(_Scoped):
    def add(self, encounter: Encounter, entered_at: datetime) -> Encounter:
        return self.add_many([encounter], entered_at)[0]

    def _build(self, rows: Sequence[Any]) -> list[Encounter]:
        if not rows:
            return []
        lt = tables.encounter_lines
        ids = [r.id for r in rows]
        by_enc: dict[int, list[ServiceLine]] = {}
        for start in range(0, len(ids), _BUILD_CHUNK):  # a statement's parameters are limited
            chunk = ids[start : start + _BUILD_CHUNK]
            by_enc.update(
                _lines_by_encounter(
                    self.conn.execute(
                        select(*_LINE_COLUMNS)
                        .where(lt.c.encounter_id.in_(chunk))
                        .order_by(lt.c.encounter_id, lt.c.line_no)
                    )
                )
            )
        pick = _picker(rows[0], _ENCOUNTER_FIELDS)
        no_lines: tuple[ServiceLine, ...] = ()
        out: list[Encounter] = []
        for (
            id,
            patient_id,
            dos_from,
            dos_to,
            rendering_ref,
            place_of_service,
            diagnoses,
            kind,
            referring_ref,
            supervising_ref,
            facility_ref,
            coverage_ids,
            prior_authorization,
            referral_number,
            external_ref,
            institutional,
        ) in map(pick, rows):
            lines = by_enc.get(id)
            out.append(
                Encounter(
                    patient_id=patient_id,
                    dos_from=dos_from,
                    dos_to=dos_to,
                    rendering_provider_id=rendering_ref,
                    place_of_service=place_of_service,
                    diagnoses=tuple(Diagnosis(d["code"], d.get("poa")) for d in diagnoses),
                    lines=tuple(lines) if lines is not None else no_lines,
                    kind=kind,
                    referring_provider_id=referring_ref,
                    supervising_provider_id=supervising_ref,
                    facility_id=facility_ref,
                    coverage_ids=tuple(coverage_ids or ()),
                    prior_authorization=prior_authorization,
                    referral_number=referral_number,
                    external_ref=external_ref,
                    institutional=_inst_from(institutional),
                    id=id,
                )
            )
        return out

    def get(self, id: int) -> Encounter:
        e = tables.encounters
        rows = self.conn.execute(
            select(e).where(e.c.practice_id == self.practice_id, e.c.id == id)
        ).all()
        if not rows:
            raise NotFound("encounter", id)
        return self._build(rows)[0]

    def get_many(self, ids: Sequence[int]) -> Sequence[Encounter]:
        """The encounters with these ids (of this practice) with their lines, in id order;
        unknown ids are left out."""
        e = tables.encounters
        wanted = sorted(set(ids))
        out: list[Encounter] = []
        for start in range(0, len(wanted), _BUILD_CHUNK):
            rows = self.conn.execute(
                select(e)
                .where(
                    e.c.practice_id == self.practice_id,
                    e.c.id.in_(wanted[start : start + _BUILD_CHUNK]),
                )
                .order_by(e.c.id)
            ).all()
            out.extend(self._build(rows))
        return out

    def lines_of_patients(
        self, patient_ids: Sequence[int], dos_from: date, dos_before: date
    ) -> Sequence[EncounterLineKey]:
        """The lines of these patients' encounters whose first date of service is in
        [``dos_from``, ``dos_before``), by encounter id then line number: what
        ``list(patient_id=..., dos_from=..., dos_before=...)`` says of each line, for many
        patients at once and without building the encounters."""
        e, lt = tables.encounters, tables.encounter_lines
        wanted = sorted(set(patient_ids))
        out: list[EncounterLineKey] = []
        for start in range(0, len(wanted), _BUILD_CHUNK):
            rows = self.conn.execute(
                select(
                    e.c.id,
                    e.c.patient_id,
                    e.c.dos_from,
                    e.c.rendering_ref,
                    lt.c.line_no,
                    lt.c.procedure,
                    lt.c.dos_from.label("line_dos"),
                    lt.c.modifiers,
                )
                .select_from(e.join(lt, lt.c.encounter_id == e.c.id))
                .where(
                    e.c.practice_id == self.practice_id,
                    e.c.patient_id.in_(wanted[start : start + _BUILD_CHUNK]),
                    e.c.dos_from >= dos_from,
                    e.c.dos_from < dos_before,
                )
            )
            out.extend(  # rows unpacked by position: cheaper than a row's lookup by name
                EncounterLineKey(enc_id, pid, enc_dos, rendering, line_no, procedure,
                                 line_dos or enc_dos, _split(modifiers))
                for enc_id, pid, enc_dos, rendering, line_no, procedure, line_dos, modifiers in rows
            )  # fmt: skip
        out.sort(key=lambda k: (k.encounter_id, k.line_no))
        return out

    def by_external_ref(self, ref: str) -> Encounter | None:
        e = tables.encounters
        rows = self.conn.execute(
            select(e).where(e.c.practice_id == self.practice_id, e.c.external_ref == ref)
        ).all()
        return self._build(rows)[0] if rows else None

    def list(
        self,
        *,
        patient_id: int | None = None,
        limit: int = 500,
        dos_from: date | None = None,
        dos_before: date | None = None,
    ) -> Sequence[Encounter]:
        """Encounters, oldest entered first; by patient and by first date of service
        (``dos_from`` <= date < ``dos_before``) when given."""
        e = tables.encounters
        stmt = select(e).where(e.c.practice_id == self.practice_id)
        if patient_id is not None:
            stmt = stmt.where(e.c.patient_id == patient_id)
        if dos_from is not None:
            stmt = stmt.where(e.c.dos_from >= dos_from)
        if dos_before is not None:
            stmt = stmt.where(e.c.dos_from < dos_before)
        return self._build(self.conn.execute(stmt.order_by(e.c.id).limit(limit)).all())

    def entered_at(self, encounter_id: int) -> datetime | None:
        lt = tables.encounter_lines
        return self.conn.execute(
            select(lt.c.entered_at)
            .where(lt.c.practice_id == self.practice_id, lt.c.encounter_id == encounter_id)
            .limit(1)
        ).scalar_one_or_none()

    def _without_claims(self, older_than: date, *columns: Any) -> Any:
        e, c = tables.encounters, tables.claims
        billed = select(c.c.encounter_id).where(c.c.practice_id == self.practice_id)
        return (
            select(*columns)
            .where(
                e.c.practice_id == self.practice_id, e.c.dos_to <= older_than, e.c.id.not_in(billed)
            )
            .order_by(e.c.dos_from, e.c.id)
        )

    def without_claims(self, older_than: date) -> Sequence[Encounter]:
        stmt = self._without_claims(older_than, tables.encounters)
        return self._build(self.conn.execute(stmt).all())

    def ids_without_claims(self, older_than: date) -> Sequence[int]:
        """The ids of ``without_claims``, in its order (nothing else read: a caller reads the
        encounters a chunk at a time)."""
        stmt = self._without_claims(older_than, tables.encounters.c.id)
        return list(self.conn.execute(stmt).scalars())

    # ---- batch reads (adjudication: 276 sweeps) ----------------------------------------------

    def get_by_ids(self, ids: Sequence[int]) -> dict[int, Encounter]:
        """The encounters with these ids (with their lines), by id; unknown ids are left out."""
        return {enc.id: enc for enc in self.get_many(ids) if enc.id is not None}

    # -- batch charge entry and patient billing reads ------------------------------------------

    def _encounter_row(self, encounter: Encounter, stamps: dict[str, datetime]) -> dict[str, Any]:
        return {
            "practice_id": self.practice_id,
            "patient_id": encounter.patient_id,
            "kind": encounter.kind,
            "dos_from": encounter.dos_from,
            "dos_to": encounter.dos_to,
            "rendering_ref": encounter.rendering_provider_id,
            "referring_ref": encounter.referring_provider_id,
            "supervising_ref": encounter.supervising_provider_id,
            "facility_ref": encounter.facility_id,
            "place_of_service": encounter.place_of_service,
            "coverage_ids": list(encounter.coverage_ids),
            "prior_authorization": encounter.prior_authorization,
            "referral_number": encounter.referral_number,
            "external_ref": encounter.external_ref,
            "diagnoses": [{"code": d.code, "poa": d.poa} for d in encounter.diagnoses],
            "institutional": _inst_json(encounter.institutional),
            **stamps,
        }

    def _line_row(
        self, encounter: Encounter, enc_id: int, n: int, line: ServiceLine, entered_at: datetime
    ) -> dict[str, Any]:
        assert line.charge is not None, "charges are resolved before storing"
        return {
            "practice_id": self.practice_id,
            "encounter_id": enc_id,
            "line_no": n,
            "procedure": line.procedure,
            "modifiers": ",".join(line.modifiers),
            "units": line.units,
            "charge": line.charge.amount,
            "charge_source": line.charge_source,
            "pointers": ",".join(str(p) for p in line.pointers),
            "dos_from": line.dos_from or encounter.dos_from,
            "dos_to": line.dos_to or line.dos_from or encounter.dos_to,
            "ndc": line.ndc,
            "ndc_unit": line.ndc_unit,
            "ndc_quantity": line.ndc_quantity,
            "anesthesia_minutes": line.anesthesia_minutes,
            "revenue_code": line.revenue_code,
            "note": line.note,
            "entered_at": entered_at,
        }

    def add_many(
        self, encounters: Sequence[Encounter], entered_at: datetime
    ) -> Sequence[Encounter]:
        """``add`` for many encounters: the encounters in one multi-row insert returning their
        ids, their lines as bulk rows; returns them with encounter and line ids. An external
        reference already stored raises ``Conflict`` and stores none of them."""
        if not encounters:
            return []
        e, lt = tables.encounters, tables.encounter_lines
        stamps = self._stamps()
        try:
            with self.conn.begin_nested():
                enc_ids = insert_with_ids(
                    self.conn, e, [self._encounter_row(enc, stamps) for enc in encounters]
                )
        except IntegrityError:
            raise Conflict(
                "external_ref", "an encounter with this external reference exists"
            ) from None
        line_rows = [
            self._line_row(enc, enc_id, n, line, entered_at)
            for enc_id, enc in zip(enc_ids, encounters, strict=True)
            for n, line in enumerate(enc.lines, start=1)
        ]
        # The lines go in as bulk rows (COPY on PostgreSQL: a multi-row INSERT of thousands of
        # lines costs more in the driver than in the database) and their ids are read back.
        insert_rows(self.conn, lt, line_rows)
        line_ids: dict[tuple[int, int], int] = {}
        for start in range(0, len(enc_ids), _BUILD_CHUNK):
            for r in self.conn.execute(
                select(lt.c.id, lt.c.encounter_id, lt.c.line_no).where(
                    lt.c.encounter_id.in_(enc_ids[start : start + _BUILD_CHUNK])
                )
            ):
                line_ids[(r.encounter_id, r.line_no)] = r.id
        return [
            dataclasses.replace(
                enc,
                id=enc_id,
                lines=tuple(
                    dataclasses.replace(line, id=line_ids[(enc_id, n)], entered_at=entered_at)
                    for n, line in enumerate(enc.lines, start=1)
                ),
            )
            for enc_id, enc in zip(enc_ids, encounters, strict=True)
        ]

    def existing_external_refs(self, refs: Sequence[str]) -> set[str]:
        """Which of these external references an encounter of this practice already has."""
        e = tables.encounters
        wanted = sorted(set(refs))
        found: set[str] = set()
        for start in range(0, len(wanted), _BUILD_CHUNK):
            found.update(
                self.conn.execute(
                    select(e.c.external_ref).where(
                        e.c.practice_id == self.practice_id,
                        e.c.external_ref.in_(wanted[start : start + _BUILD_CHUNK]),
                    )
                ).scalars()
            )
        return found

    def claim_line_services(self, claim_ids: Sequence[int]) -> dict[tuple[int, int], ServiceInfo]:
        """(claim id, claim line id) -> the billed service's date and procedure, for the lines
        of these claims (of this practice; unknown ids are left out), in one query: the
        encounter line's date of service (else the encounter's) and procedure; a claim line
        whose encounter line is not on the claim's encounter gets the encounter's date and no
        procedure. A claim whose encounter is missing raises ``NotFound``."""
        c, cl, e, el = (
            tables.claims,
            tables.claim_lines,
            tables.encounters,
            tables.encounter_lines,
        )
        wanted = sorted(set(claim_ids))
        out: dict[tuple[int, int], ServiceInfo] = {}
        for start in range(0, len(wanted), _BUILD_CHUNK):
            stmt = (
                select(
                    c.c.id.label("claim_id"),
                    c.c.encounter_id,
                    cl.c.id.label("line_id"),
                    e.c.id.label("found"),
                    e.c.dos_from.label("enc_dos"),
                    el.c.dos_from.label("line_dos"),
                    el.c.procedure,
                )
                .select_from(
                    c.outerjoin(cl, cl.c.claim_id == c.c.id)
                    .outerjoin(
                        e, and_(e.c.id == c.c.encounter_id, e.c.practice_id == self.practice_id)
                    )
                    .outerjoin(
                        el,
                        and_(
                            el.c.id == cl.c.encounter_line_id, el.c.encounter_id == c.c.encounter_id
                        ),
                    )
                )
                .where(
                    c.c.practice_id == self.practice_id,
                    c.c.id.in_(wanted[start : start + _BUILD_CHUNK]),
                )
            )
            for r in self.conn.execute(stmt):
                if r.found is None:
                    raise NotFound("encounter", r.encounter_id)
                if r.line_id is not None:
                    out[(r.claim_id, r.line_id)] = ServiceInfo(
                        r.line_dos or r.enc_dos, r.procedure or ""
                    )
        return out


class FeeScheduleRepository(_Scoped):
    def add(self, entry: FeeEntry) -> FeeEntry:
        t = tables.fee_schedule
        row = {
            "practice_id": self.practice_id,
            "procedure": entry.procedure,
            "modifier": entry.modifier,
            "amount": entry.amount.amount,
            "effective": entry.effective,
            "termination": entry.termination,
            **self._stamps(),
        }
        new_id = self.conn.execute(insert(t).values(row).returning(t.c.id)).scalar_one()
        return dataclasses.replace(entry, id=new_id)

    def list(self) -> Sequence[FeeEntry]:
        t = tables.fee_schedule
        rows = self.conn.execute(
            select(t)
            .where(t.c.practice_id == self.practice_id)
            .order_by(t.c.procedure, t.c.modifier, t.c.effective)
        )
        return [
            FeeEntry(r.procedure, Money(r.amount), r.modifier, r.effective, r.termination, r.id)
            for r in rows
        ]


def _rates_json(rates: Sequence[FeeEntry]) -> list[dict[str, Any]]:
    return [
        {
            "procedure": r.procedure,
            "modifier": r.modifier,
            "amount": r.amount.to_json(),
            "effective": r.effective.isoformat(),
            "termination": r.termination.isoformat() if r.termination else None,
        }
        for r in rates
    ]


class ContractRepository(_Scoped):
    def add(self, contract: Contract) -> Contract:
        t = tables.contracts
        row = {
            "practice_id": self.practice_id,
            "payer_ref": contract.payer_id,
            "kind": contract.kind,
            "percent": contract.percent,
            "locality": contract.locality,
            "rates": _rates_json(contract.rates),
            "effective": contract.effective,
            "termination": contract.termination,
            **self._stamps(),
        }
        new_id = self.conn.execute(insert(t).values(row).returning(t.c.id)).scalar_one()
        return dataclasses.replace(contract, id=new_id)

    def for_payer(self, payer_id: int) -> Sequence[Contract]:
        t = tables.contracts
        rows = self.conn.execute(
            select(t)
            .where(t.c.practice_id == self.practice_id, t.c.payer_ref == payer_id)
            .order_by(t.c.effective)
        )
        return [
            Contract(
                payer_id=r.payer_ref,
                kind=r.kind,
                effective=r.effective,
                percent=r.percent,
                locality=r.locality,
                rates=tuple(
                    FeeEntry(
                        x["procedure"],
                        Money(x["amount"]),
                        x["modifier"],
                        date.fromisoformat(x["effective"]),
                        date.fromisoformat(x["termination"]) if x.get("termination") else None,
                    )
                    for x in r.rates
                ),
                termination=r.termination,
                id=r.id,
            )
            for r in rows
        ]


def _auth_from(r: Any) -> Authorization:
    return Authorization(
        patient_id=r.patient_id,
        payer_id=r.payer_ref,
        kind=r.kind,
        number=r.number,
        start=r.start,
        end=r.end,
        service_codes=tuple(c for c in r.service_codes.split(",") if c),
        units_approved=r.units_approved,
        units_used=r.units_used,
        provider_id=r.provider_ref,
        id=r.id,
    )


class AuthorizationRepository(_Scoped):
    def _row(self, a: Authorization) -> dict[str, Any]:
        return {
            "patient_id": a.patient_id,
            "payer_ref": a.payer_id,
            "provider_ref": a.provider_id,
            "kind": a.kind,
            "number": a.number,
            "start": a.start,
            "end": a.end,
            "service_codes": ",".join(a.service_codes),
            "units_approved": a.units_approved,
            "units_used": a.units_used,
        }

    def add(self, item: Authorization) -> Authorization:
        t = tables.authorizations
        row = {**self._row(item), "practice_id": self.practice_id, **self._stamps()}
        new_id = self.conn.execute(insert(t).values(row).returning(t.c.id)).scalar_one()
        return dataclasses.replace(item, id=new_id)

    def get(self, id: int) -> Authorization:
        t = tables.authorizations
        r = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id, t.c.id == id)
        ).first()
        if r is None:
            raise NotFound("authorization", id)
        return _auth_from(r)

    def for_patients(self, patient_ids: Sequence[int]) -> dict[int, list[Authorization]]:
        """``for_patient`` for many patients: their authorizations (by start, then id), by
        patient id; patients without any are left out."""
        t = tables.authorizations
        wanted = sorted(set(patient_ids))
        rows: list[Any] = []
        for start in range(0, len(wanted), _BUILD_CHUNK):
            rows.extend(
                self.conn.execute(
                    select(t).where(
                        t.c.practice_id == self.practice_id,
                        t.c.patient_id.in_(wanted[start : start + _BUILD_CHUNK]),
                    )
                ).all()
            )
        out: dict[int, list[Authorization]] = {}
        for r in sorted(rows, key=lambda r: (r.start, r.id)):
            out.setdefault(r.patient_id, []).append(_auth_from(r))
        return out

    def update(self, item: Authorization) -> Authorization:
        t = tables.authorizations
        result = self.conn.execute(
            update(t)
            .where(t.c.practice_id == self.practice_id, t.c.id == item.id)
            .values(**self._row(item), updated_at=self.clock.now())
        )
        if result.rowcount == 0:
            raise NotFound("authorization", item.id)
        return item

    def for_patient(self, patient_id: int) -> Sequence[Authorization]:
        t = tables.authorizations
        rows = self.conn.execute(
            select(t)
            .where(t.c.practice_id == self.practice_id, t.c.patient_id == patient_id)
            .order_by(t.c.start, t.c.id)
        )
        return [_auth_from(r) for r in rows]


class ClaimRepository(_Scoped):
    def add_many(self, claims: Sequence[ClaimRecord]) -> list[ClaimRecord]:
        """Insert claims with their lines in a few statements; returns them with ids."""
        if not claims:
            return []
        c, cl = tables.claims, tables.claim_lines
        stamps = self._stamps()
        rows = [
            {
                "practice_id": self.practice_id,
                "encounter_id": claim.encounter_id,
                "coverage_id": claim.coverage_id,
                "payer_ref": claim.payer_id,
                "kind": claim.kind,
                "patient_control_number": claim.patient_control_number,
                "frequency": claim.frequency,
                "original_claim_id": claim.original_claim_id,
                "payer_claim_number": claim.payer_claim_number,
                "status": claim.status,
                "total_charge": claim.total_charge.amount,
                "first_pass_clean": claim.first_pass_clean,
                "scrub_runs": claim.scrub_runs,
                **stamps,
            }
            for claim in claims
        ]
        ids = insert_with_ids(self.conn, c, rows)
        insert_rows(
            self.conn,
            cl,
            [
                {
                    "practice_id": self.practice_id,
                    "claim_id": claim_id,
                    "line_no": line.line_no,
                    "encounter_line_id": line.encounter_line_id,
                    "line_control_number": line.line_control_number,
                    "charge": line.charge.amount,
                }
                for claim_id, claim in zip(ids, claims, strict=True)
                for line in claim.lines
            ],
        )
        return [
            dataclasses.replace(claim, id=claim_id, created_at=stamps["created_at"])
            for claim_id, claim in zip(ids, claims, strict=True)
        ]

    def add_events(self, events: Sequence[tuple[int, ClaimEvent]]) -> None:
        if not events:
            return
        insert_rows(
            self.conn,
            tables.claim_history,
            [
                {
                    "practice_id": self.practice_id,
                    "claim_id": claim_id,
                    "at": e.at,
                    "actor": e.actor[:100],
                    "from_status": e.from_status,
                    "to_status": e.to_status,
                    "reason": e.reason[:300],
                }
                for claim_id, e in events
            ],
        )

    def add(self, claim: ClaimRecord) -> ClaimRecord:
        return self.get(self.add_many([claim])[0].id or 0)

    def _build(self, rows: Sequence[Any]) -> list[ClaimRecord]:
        if not rows:
            return []
        cl = tables.claim_lines
        trusted = Money.trusted  # stored amounts are Numeric(12, 2): no checks, no rounding
        by_claim: dict[int, list[ClaimLineRecord]] = {}
        ids = [r.id for r in rows]
        for start in range(0, len(ids), _BUILD_CHUNK):  # a statement's parameters are limited
            chunk = ids[start : start + _BUILD_CHUNK]
            for claim_id, line_no, encounter_line_id, lcn, charge, id in self.conn.execute(
                select(
                    cl.c.claim_id,
                    cl.c.line_no,
                    cl.c.encounter_line_id,
                    cl.c.line_control_number,
                    cl.c.charge,
                    cl.c.id,
                )
                .where(cl.c.claim_id.in_(chunk))
                .order_by(cl.c.claim_id, cl.c.line_no)
            ):
                line = ClaimLineRecord(line_no, encounter_line_id, lcn, trusted(charge), id)
                lines = by_claim.get(claim_id)
                if lines is None:
                    lines = by_claim[claim_id] = []
                lines.append(line)
        pick = _picker(rows[0], _CLAIM_FIELDS)
        no_lines: tuple[ClaimLineRecord, ...] = ()
        out: list[ClaimRecord] = []
        for (
            id,
            encounter_id,
            coverage_id,
            payer_ref,
            kind,
            pcn,
            total_charge,
            status,
            frequency,
            original_claim_id,
            payer_claim_number,
            first_pass_clean,
            scrub_runs,
            created_at,
        ) in map(pick, rows):
            lines = by_claim.get(id)
            out.append(
                ClaimRecord(
                    encounter_id=encounter_id,
                    coverage_id=coverage_id,
                    payer_id=payer_ref,
                    kind=kind,
                    patient_control_number=pcn,
                    total_charge=trusted(total_charge),
                    lines=tuple(lines) if lines is not None else no_lines,
                    status=status,
                    frequency=frequency,
                    original_claim_id=original_claim_id,
                    payer_claim_number=payer_claim_number,
                    first_pass_clean=first_pass_clean,
                    scrub_runs=scrub_runs,
                    created_at=created_at,
                    id=id,
                )
            )
        return out

    def get(self, id: int) -> ClaimRecord:
        c = tables.claims
        rows = self.conn.execute(
            select(c).where(c.c.practice_id == self.practice_id, c.c.id == id)
        ).all()
        if not rows:
            raise NotFound("claim", id)
        return self._build(rows)[0]

    def by_pcn(self, pcn: str) -> ClaimRecord | None:
        c = tables.claims
        rows = self.conn.execute(
            select(c).where(c.c.practice_id == self.practice_id, c.c.patient_control_number == pcn)
        ).all()
        return self._build(rows)[0] if rows else None

    def for_encounter(self, encounter_id: int) -> Sequence[ClaimRecord]:
        c = tables.claims
        rows = self.conn.execute(
            select(c)
            .where(c.c.practice_id == self.practice_id, c.c.encounter_id == encounter_id)
            .order_by(c.c.id)
        ).all()
        return self._build(rows)

    def list(self, *, status: str | None = None, limit: int = 1000) -> Sequence[ClaimRecord]:
        c = tables.claims
        stmt = select(c).where(c.c.practice_id == self.practice_id)
        if status:
            stmt = stmt.where(c.c.status == status)
        return self._build(self.conn.execute(stmt.order_by(c.c.id).limit(limit)).all())

    def status_counts(self, *, replacements: bool = False) -> dict[str, int]:
        c = tables.claims
        stmt = select(c.c.status, func.count()).where(c.c.practice_id == self.practice_id)
        if replacements:
            stmt = stmt.where(c.c.original_claim_id.is_not(None))
        rows = self.conn.execute(stmt.group_by(c.c.status)).all()
        return {str(status): int(n) for status, n in sorted(rows)}

    def update(self, claim: ClaimRecord) -> ClaimRecord:
        c = tables.claims
        result = self.conn.execute(
            update(c)
            .where(c.c.practice_id == self.practice_id, c.c.id == claim.id)
            .values(
                status=claim.status,
                payer_claim_number=claim.payer_claim_number,
                first_pass_clean=claim.first_pass_clean,
                scrub_runs=claim.scrub_runs,
                updated_at=self.clock.now(),
            )
        )
        if result.rowcount == 0:
            raise NotFound("claim", claim.id)
        return claim

    def get_many(self, ids: Sequence[int]) -> Sequence[ClaimRecord]:
        """The claims with these ids (of this practice), in id order; unknown ids are left out."""
        c = tables.claims
        out: list[ClaimRecord] = []
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            rows = self.conn.execute(
                select(c)
                .where(c.c.practice_id == self.practice_id, c.c.id.in_(chunk))
                .order_by(c.c.id)
            ).all()
            out.extend(self._build(rows))
        return out

    def ids_with_status(self, status: str) -> Sequence[int]:
        """The ids of every claim in ``status``, in id order (no limit, nothing else loaded)."""
        c = tables.claims
        return list(
            self.conn.execute(
                select(c.c.id)
                .where(c.c.practice_id == self.practice_id, c.c.status == status)
                .order_by(c.c.id)
            ).scalars()
        )

    def billed_lines_for_patients(self, patient_ids: Sequence[int]) -> Sequence[BilledLine]:
        """The lines of open claims for encounters of these patients, with the encounter's
        patient and rendering provider and the line's date and code, by claim id then
        encounter line id: ``billed_lines`` for many (patient, provider, date, code) keys."""
        c, cl, el, e = tables.claims, tables.claim_lines, tables.encounter_lines, tables.encounters
        wanted = sorted(set(patient_ids))
        out: list[BilledLine] = []
        for start in range(0, len(wanted), _BUILD_CHUNK):
            stmt = (
                select(
                    c.c.id,
                    el.c.id,
                    e.c.patient_id,
                    e.c.rendering_ref,
                    el.c.dos_from,
                    el.c.procedure,
                )
                .select_from(
                    e.join(c, c.c.encounter_id == e.c.id)
                    .join(cl, cl.c.claim_id == c.c.id)
                    .join(el, el.c.id == cl.c.encounter_line_id)
                )
                .where(
                    e.c.practice_id == self.practice_id,
                    e.c.patient_id.in_(wanted[start : start + _BUILD_CHUNK]),
                    c.c.practice_id == self.practice_id,
                    c.c.status.in_(OPEN_CLAIM_STATES),
                )
            )
            out.extend(BilledLine(*r) for r in self.conn.execute(stmt))
        out.sort(key=lambda b: (b.claim_id, b.encounter_line_id))
        return out

    def save_findings_many(self, findings: Sequence[tuple[int, StoredFinding]]) -> None:
        """``save_findings`` for many claims: (claim id, finding) pairs, stored in order."""
        insert_rows(
            self.conn,
            tables.claim_findings,
            [
                {
                    "practice_id": self.practice_id,
                    "claim_id": claim_id,
                    "scrub_run": f.scrub_run,
                    "code": f.code,
                    "severity": f.severity,
                    "message": f.message[:400],
                    "location": f.location[:100],
                }
                for claim_id, f in findings
            ],
        )

    def by_pcns(self, pcns: Sequence[str]) -> dict[str, ClaimRecord]:
        """The claims with these patient control numbers, by patient control number."""
        c = tables.claims
        out: dict[str, ClaimRecord] = {}
        wanted = sorted(set(pcns))
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            rows = self.conn.execute(
                select(c)
                .where(c.c.practice_id == self.practice_id, c.c.patient_control_number.in_(chunk))
                .order_by(c.c.id)
            ).all()
            for claim in self._build(rows):
                out.setdefault(claim.patient_control_number, claim)
        return out

    def update_many(self, claims: Sequence[ClaimRecord]) -> None:
        """``update`` for several claims (``db.bulk.update_rows``)."""
        if not claims:
            return
        c = tables.claims
        _require_all(self.conn, c, self.practice_id, [claim.id for claim in claims], "claim")
        update_rows(
            self.conn,
            c,
            [
                {
                    "id": claim.id,
                    "status": claim.status,
                    "payer_claim_number": claim.payer_claim_number,
                    "first_pass_clean": claim.first_pass_clean,
                    "scrub_runs": claim.scrub_runs,
                }
                for claim in claims
            ],
            where=[c.c.practice_id == self.practice_id],
            fixed={"updated_at": self.clock.now()},
        )

    def add_event(self, claim_id: int, event: ClaimEvent) -> None:
        self.add_events([(claim_id, event)])

    def history(self, claim_id: int) -> Sequence[ClaimEvent]:
        h = tables.claim_history
        rows = self.conn.execute(
            select(h)
            .where(h.c.practice_id == self.practice_id, h.c.claim_id == claim_id)
            .order_by(h.c.id)
        )
        return [ClaimEvent(r.at, r.actor, r.from_status, r.to_status, r.reason) for r in rows]

    def save_findings(self, claim_id: int, findings: Sequence[StoredFinding]) -> None:
        if not findings:
            return
        insert_rows(
            self.conn,
            tables.claim_findings,
            [
                {
                    "practice_id": self.practice_id,
                    "claim_id": claim_id,
                    "scrub_run": f.scrub_run,
                    "code": f.code,
                    "severity": f.severity,
                    "message": f.message[:400],
                    "location": f.location[:100],
                }
                for f in findings
            ],
        )

    def findings(self, claim_id: int, scrub_run: int | None = None) -> Sequence[StoredFinding]:
        f = tables.claim_findings
        stmt = select(f).where(f.c.practice_id == self.practice_id, f.c.claim_id == claim_id)
        if scrub_run is not None:
            stmt = stmt.where(f.c.scrub_run == scrub_run)
        rows = self.conn.execute(stmt.order_by(f.c.id))
        return [StoredFinding(r.scrub_run, r.code, r.severity, r.message, r.location) for r in rows]

    def billed_lines(
        self, patient_id: int, provider_id: int, dos: date, procedure: str
    ) -> Sequence[tuple[int, int]]:
        """(claim, encounter line) of open claims billing ``procedure`` for the patient, the
        rendering provider and the date. The patient's encounters are found first (by the
        patient index): joining from the open claims would read every open claim."""
        c, cl, el, e = tables.claims, tables.claim_lines, tables.encounter_lines, tables.encounters
        encounter_ids = list(
            self.conn.execute(
                select(e.c.id).where(
                    e.c.practice_id == self.practice_id,
                    e.c.patient_id == patient_id,
                    e.c.rendering_ref == provider_id,
                )
            ).scalars()
        )
        if not encounter_ids:
            return []
        stmt = (
            select(c.c.id, el.c.id)
            .select_from(
                c.join(cl, cl.c.claim_id == c.c.id).join(el, el.c.id == cl.c.encounter_line_id)
            )
            .where(
                c.c.practice_id == self.practice_id,
                c.c.encounter_id.in_(encounter_ids),
                c.c.status.in_(OPEN_CLAIM_STATES),
                el.c.dos_from == dos,
                el.c.procedure == procedure,
            )
        )
        return [(r[0], r[1]) for r in self.conn.execute(stmt)]


def _require_all(
    conn: Connection, table: Table, practice_id: int, ids: Sequence[int | None], kind: str
) -> None:
    """Raise ``NotFound`` unless every id names a row of ``table`` in the practice (counted
    ``_BUILD_CHUNK`` ids a statement: a statement's parameters are limited)."""
    wanted = sorted({i or 0 for i in ids})
    found = 0
    for start in range(0, len(wanted), _BUILD_CHUNK):
        found += conn.execute(
            select(func.count())
            .select_from(table)
            .where(
                table.c.practice_id == practice_id,
                table.c.id.in_(wanted[start : start + _BUILD_CHUNK]),
            )
        ).scalar_one()
    if found != len(wanted):
        raise NotFound(kind, list(ids))


def _item_from(r: Any) -> WorkItem:
    return WorkItem(
        queue=r.queue,
        target_kind=r.target_kind,
        target_id=r.target_id,
        reason=r.reason,
        priority=r.priority,
        status=r.status,
        owner=r.owner,
        due=r.due,
        id=r.id,
    )


class WorkQueueRepository(_Scoped):
    def add(self, item: WorkItem) -> WorkItem:
        t = tables.work_items
        row = {
            "practice_id": self.practice_id,
            "queue": item.queue,
            "target_kind": item.target_kind,
            "target_id": item.target_id,
            "reason": item.reason[:400],
            "priority": item.priority,
            "status": item.status,
            "owner": item.owner,
            "due": item.due,
            **self._stamps(),
        }
        new_id = self.conn.execute(insert(t).values(row).returning(t.c.id)).scalar_one()
        return dataclasses.replace(item, id=new_id)

    def add_many(self, items: Sequence[WorkItem]) -> None:
        """Insert many items in one statement (their ids are not needed back)."""
        if not items:
            return
        stamps = self._stamps()
        self.conn.execute(
            insert(tables.work_items),
            [
                {
                    "practice_id": self.practice_id,
                    "queue": item.queue,
                    "target_kind": item.target_kind,
                    "target_id": item.target_id,
                    "reason": item.reason[:400],
                    "priority": item.priority,
                    "status": item.status,
                    "owner": item.owner,
                    "due": item.due,
                    **stamps,
                }
                for item in items
            ],
        )

    def get(self, id: int) -> WorkItem:
        t = tables.work_items
        r = self.conn.execute(
            select(t).where(t.c.practice_id == self.practice_id, t.c.id == id)
        ).first()
        if r is None:
            raise NotFound("work item", id)
        return _item_from(r)

    def update_many(self, items: Sequence[WorkItem]) -> None:
        """``update`` for several items (``db.bulk.update_rows``)."""
        if not items:
            return
        t = tables.work_items
        _require_all(self.conn, t, self.practice_id, [item.id for item in items], "work item")
        update_rows(
            self.conn,
            t,
            [
                {
                    "id": item.id,
                    "reason": item.reason[:400],
                    "priority": item.priority,
                    "status": item.status,
                    "owner": item.owner,
                    "due": item.due,
                }
                for item in items
            ],
            where=[t.c.practice_id == self.practice_id],
            fixed={"updated_at": self.clock.now()},
        )

    def add_events(self, events: Sequence[tuple[int, datetime, str, str, str | None]]) -> None:
        """``add_event`` for many items: (item id, at, actor, action, note), stored in order."""
        insert_rows(
            self.conn,
            tables.work_item_events,
            [
                {
                    "practice_id": self.practice_id,
                    "item_id": item_id,
                    "at": at,
                    "actor": actor[:100],
                    "action": action,
                    "note": note,
                }
                for item_id, at, actor, action, note in events
            ],
        )

    def update(self, item: WorkItem) -> WorkItem:
        t = tables.work_items
        result = self.conn.execute(
            update(t)
            .where(t.c.practice_id == self.practice_id, t.c.id == item.id)
            .values(
                reason=item.reason[:400],
                priority=item.priority,
                status=item.status,
                owner=item.owner,
                due=item.due,
                updated_at=self.clock.now(),
            )
        )
        if result.rowcount == 0:
            raise NotFound("work item", item.id)
        return item

    def open_for(self, queue: str, target_kind: str, target_id: int) -> WorkItem | None:
        t = tables.work_items
        r = self.conn.execute(
            select(t).where(
                and_(
                    t.c.practice_id == self.practice_id,
                    t.c.queue == queue,
                    t.c.target_kind == target_kind,
                    t.c.target_id == target_id,
                    t.c.status.in_(("open", "in_progress")),
                )
            )
        ).first()
        return _item_from(r) if r else None

    def open_for_many(
        self, queue: str, target_kind: str, target_ids: Sequence[int]
    ) -> dict[int, WorkItem]:
        """``open_for`` for several targets: their open items, by target id."""
        t = tables.work_items
        out: dict[int, WorkItem] = {}
        wanted = sorted(set(target_ids))
        for start in range(0, len(wanted), _CHUNK):
            rows = self.conn.execute(
                select(t)
                .where(
                    and_(
                        t.c.practice_id == self.practice_id,
                        t.c.queue == queue,
                        t.c.target_kind == target_kind,
                        t.c.target_id.in_(wanted[start : start + _CHUNK]),
                        t.c.status.in_(("open", "in_progress")),
                    )
                )
                .order_by(t.c.id)
            )
            for r in rows:
                out.setdefault(r.target_id, _item_from(r))
        return out

    def list(self, queue: str | None = None, status: str | None = "open") -> Sequence[WorkItem]:
        t = tables.work_items
        stmt = select(t).where(t.c.practice_id == self.practice_id)
        if queue:
            stmt = stmt.where(t.c.queue == queue)
        if status:
            stmt = stmt.where(t.c.status == status)
        rows = self.conn.execute(stmt.order_by(t.c.priority.desc(), t.c.due, t.c.id))
        return [_item_from(r) for r in rows]

    def add_event(
        self, item_id: int, at: datetime, actor: str, action: str, note: str | None
    ) -> None:
        self.conn.execute(
            insert(tables.work_item_events).values(
                practice_id=self.practice_id,
                item_id=item_id,
                at=at,
                actor=actor[:100],
                action=action,
                note=note,
            )
        )
