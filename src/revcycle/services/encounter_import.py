"""Import of encounters from the documented CSV layout (docs/charge-entry.md), one row per
service line.

Rows with the same ``encounter_ref`` (the EHR's encounter id) form one encounter; its fields are
taken from the first of those rows. Each encounter is one transaction: if any of its rows is
wrong, none of it is stored and every problem is reported with its row number (the header is
row 1); other encounters are imported. The reference is kept, so importing the same file twice
enters nothing twice.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from revcycle.domain.errors import DomainValidationError, RevcycleError
from revcycle.domain.fees import Chargemaster
from revcycle.domain.user import WRITE_PATIENTS
from revcycle.services.charges import record_encounter
from revcycle.services.context import Context
from revcycle.services.patient_import import RowError
from revcycle.services.ports import UnitOfWork

COLUMNS = (
    "encounter_ref",
    "mrn",
    "dos_from",
    "dos_to",
    "rendering_npi",
    "referring_npi",
    "supervising_npi",
    "facility",
    "pos",
    "prior_authorization",
    "referral_number",
    "diagnoses",
    "procedure",
    "modifiers",
    "units",
    "charge",
    "pointers",
    "ndc",
    "ndc_unit",
    "ndc_quantity",
    "line_dos_from",
    "line_dos_to",
    "anesthesia_minutes",
    "note",
)


@dataclass
class EncounterImportResult:
    encounters_created: int = 0
    lines_created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def rows_failed(self) -> int:
        return len({e.row for e in self.errors})


REQUIRED = (
    "encounter_ref",
    "mrn",
    "dos_from",
    "rendering_npi",
    "pos",
    "diagnoses",
    "procedure",
    "pointers",
)


def _provider_id(uow: UnitOfWork, npi: str, field: str) -> int | None:
    if not npi:
        return None
    for p in uow.providers.list():
        if p.npi == npi:
            return p.id
    raise DomainValidationError.single(
        field, "unknown_provider", "no provider of the practice has this NPI"
    )


def _facility_id(uow: UnitOfWork, name: str) -> int | None:
    if not name:
        return None
    for f in uow.facilities.list():
        if f.name.lower() == name.lower() or str(f.id) == name:
            return f.id
    raise DomainValidationError.single(
        "facility", "unknown_facility", "no facility of the practice has this name"
    )


def encounter_data(uow: UnitOfWork, rows: list[Mapping[str, str]]) -> dict[str, Any]:
    first = rows[0]
    patient = uow.patients.by_mrn(first.get("mrn", ""))
    if patient is None:
        raise DomainValidationError.single(
            "mrn", "unknown_patient", "no patient of the practice has this MRN"
        )
    return {
        "patient_id": patient.id,
        "external_ref": first.get("encounter_ref"),
        "dos_from": first.get("dos_from"),
        "dos_to": first.get("dos_to"),
        "rendering_provider_id": _provider_id(uow, first.get("rendering_npi", ""), "rendering_npi"),
        "referring_provider_id": _provider_id(uow, first.get("referring_npi", ""), "referring_npi"),
        "supervising_provider_id": _provider_id(
            uow, first.get("supervising_npi", ""), "supervising_npi"
        ),
        "facility_id": _facility_id(uow, first.get("facility", "")),
        "place_of_service": first.get("pos"),
        "prior_authorization": first.get("prior_authorization"),
        "referral_number": first.get("referral_number"),
        "diagnoses": first.get("diagnoses"),
        "lines": [
            {
                "procedure": r.get("procedure"),
                "modifiers": r.get("modifiers"),
                "units": r.get("units"),
                "charge": r.get("charge"),
                "pointers": r.get("pointers"),
                "ndc": r.get("ndc"),
                "ndc_unit": r.get("ndc_unit"),
                "ndc_quantity": r.get("ndc_quantity"),
                "dos_from": r.get("line_dos_from"),
                "dos_to": r.get("line_dos_to"),
                "anesthesia_minutes": r.get("anesthesia_minutes"),
                "note": r.get("note"),
            }
            for r in rows
        ],
    }


def _row_of(field: str, numbers: list[int]) -> int:
    """Line errors (``lines.N...``) belong to the N-th row of the encounter."""
    parts = field.split(".")
    if (
        parts[0] == "lines"
        and len(parts) > 1
        and parts[1].isdigit()
        and 1 <= int(parts[1]) <= len(numbers)
    ):
        return numbers[int(parts[1]) - 1]
    return numbers[0]


def import_encounters(ctx: Context, rows: Iterable[Mapping[str, str]]) -> EncounterImportResult:
    ctx.require(WRITE_PATIENTS)
    result = EncounterImportResult()
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for number, row in enumerate(rows, start=2):
        clean = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        groups.setdefault(clean.get("encounter_ref") or f"#row{number}", []).append((number, clean))
    with ctx.uow() as uow:
        chargemaster = Chargemaster(tuple(uow.fee_schedule.list()))
    for group in groups.values():
        numbers = [n for n, _ in group]
        try:
            with ctx.uow() as uow:
                record_encounter(ctx, uow, encounter_data(uow, [r for _, r in group]), chargemaster)
                uow.commit()
        except DomainValidationError as exc:
            result.errors.extend(
                RowError(_row_of(e.field, numbers), e.field, e.message) for e in exc.errors
            )
            continue
        except RevcycleError as exc:
            result.errors.append(RowError(numbers[0], getattr(exc, "field", "row"), str(exc)))
            continue
        result.encounters_created += 1
        result.lines_created += len(group)
    return result


def import_encounters_csv(ctx: Context, stream: IO[str]) -> EncounterImportResult:
    reader = csv.DictReader(stream)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        problems = ([f"missing columns: {', '.join(missing)}"] if missing else []) + (
            [f"unknown columns: {', '.join(unknown)}"] if unknown else []
        )
        raise DomainValidationError.single("header", "csv_layout", "; ".join(problems))
    return import_encounters(ctx, reader)
