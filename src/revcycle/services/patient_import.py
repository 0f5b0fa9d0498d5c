"""Import of patients with their coverages from the documented CSV layout (docs/patient-import.md).

One row per patient and coverage; rows with the same MRN belong to one patient (its fields are
taken from the first of them), a row with no ``payer`` registers the patient only. Each patient
is one transaction: a patient whose rows have any error is not imported at all and every error
is reported with its row number (the header is row 1); the other patients are imported.
Coverages of one patient are added primary first, so the order of rows does not matter.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from revcycle.domain.coverage import ORDERS
from revcycle.domain.errors import DomainValidationError, DuplicatePatient, NotFound, RevcycleError
from revcycle.domain.user import WRITE_PATIENTS
from revcycle.services.context import Context
from revcycle.services.patients import add_coverage_in, register_patient_in

PATIENT_COLUMNS = (
    "mrn",
    "account_number",
    "last_name",
    "first_name",
    "middle_name",
    "suffix",
    "dob",
    "sex",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "zip",
    "phone",
    "email",
    "date_of_death",
    "guarantor_relationship",
    "guarantor_last_name",
    "guarantor_first_name",
    "guarantor_phone",
)
COVERAGE_COLUMNS = (
    "payer",
    "plan",
    "coverage_order",
    "member_id",
    "group_number",
    "relationship",
    "subscriber_last_name",
    "subscriber_first_name",
    "subscriber_dob",
    "subscriber_sex",
    "subscriber_address_line1",
    "subscriber_address_line2",
    "subscriber_city",
    "subscriber_state",
    "subscriber_zip",
    "effective",
    "termination",
    "insurance_type_code",
)
COLUMNS = PATIENT_COLUMNS + COVERAGE_COLUMNS
REQUIRED_COLUMNS = (
    "last_name",
    "first_name",
    "dob",
    "sex",
    "address_line1",
    "city",
    "state",
    "zip",
)


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportResult:
    patients_created: int = 0
    coverages_created: int = 0
    rows_imported: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def rows_failed(self) -> int:
        return len({e.row for e in self.errors})


def _address(row: Mapping[str, str], prefix: str) -> dict[str, str]:
    return {
        "line1": row.get(f"{prefix}address_line1", ""),
        "line2": row.get(f"{prefix}address_line2", ""),
        "city": row.get(f"{prefix}city", ""),
        "state": row.get(f"{prefix}state", ""),
        "zip": row.get(f"{prefix}zip", ""),
    }


def patient_fields(row: Mapping[str, str]) -> dict[str, Any]:
    return {
        **{
            k: row.get(k, "")
            for k in PATIENT_COLUMNS
            if not k.startswith(("address_", "guarantor_"))
        },
        "address": _address(row, ""),
        "guarantor_relationship": row.get("guarantor_relationship") or "self",
        "guarantor": {
            "last_name": row.get("guarantor_last_name", ""),
            "first_name": row.get("guarantor_first_name", ""),
            "phone": row.get("guarantor_phone", ""),
        },
    }


def coverage_fields(row: Mapping[str, str]) -> dict[str, Any]:
    return {
        "payer": row.get("payer", ""),
        "plan": row.get("plan", ""),
        "order": row.get("coverage_order") or "primary",
        "member_id": row.get("member_id", ""),
        "group_number": row.get("group_number", ""),
        "relationship": row.get("relationship") or "18",
        "subscriber": {
            "last_name": row.get("subscriber_last_name", ""),
            "first_name": row.get("subscriber_first_name", ""),
            "dob": row.get("subscriber_dob", ""),
            "sex": row.get("subscriber_sex", ""),
            "address": _address(row, "subscriber_"),
        },
        "effective": row.get("effective", ""),
        "termination": row.get("termination", ""),
        "insurance_type_code": row.get("insurance_type_code", ""),
    }


def _errors(exc: RevcycleError, row: int) -> list[RowError]:
    if isinstance(exc, DomainValidationError):
        return [RowError(row, e.field, e.message) for e in exc.errors]
    if isinstance(exc, DuplicatePatient):
        return [RowError(row, "patient", str(exc))]
    if isinstance(exc, NotFound):
        return [RowError(row, exc.record_type, str(exc))]
    return [RowError(row, getattr(exc, "field", "row"), str(exc))]


def _order_key(item: tuple[int, Mapping[str, str]]) -> int:
    order = (item[1].get("coverage_order") or "primary").strip().lower()
    return ORDERS.index(order) if order in ORDERS else len(ORDERS)


def import_patients(
    ctx: Context, rows: Iterable[Mapping[str, str]], *, allow_duplicates: bool = False
) -> ImportResult:
    ctx.require(WRITE_PATIENTS)
    result = ImportResult()
    groups: dict[str, list[tuple[int, Mapping[str, str]]]] = {}
    for number, row in enumerate(rows, start=2):
        clean = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        key = clean.get("mrn", "").upper() or f"#row{number}"
        groups.setdefault(key, []).append((number, clean))
    for group in groups.values():
        first_row, first = group[0]
        try:
            with ctx.uow() as uow:
                patient = register_patient_in(ctx, uow, patient_fields(first), allow_duplicates)
                assert patient.id is not None
                coverages = 0
                for number, row in sorted(group, key=_order_key):
                    if not row.get("payer"):
                        continue
                    try:
                        add_coverage_in(ctx, uow, patient.id, coverage_fields(row))
                    except RevcycleError as exc:
                        raise _RowFailed(number) from exc
                    coverages += 1
                uow.commit()
        except _RowFailed as failed:
            assert isinstance(failed.__cause__, RevcycleError)
            result.errors.extend(_errors(failed.__cause__, failed.row))
            continue
        except RevcycleError as exc:
            result.errors.extend(_errors(exc, first_row))
            continue
        result.patients_created += 1
        result.coverages_created += coverages
        result.rows_imported += len(group)
    return result


class _RowFailed(Exception):
    def __init__(self, row: int) -> None:
        super().__init__(row)
        self.row = row


def import_patients_csv(
    ctx: Context, stream: IO[str], *, allow_duplicates: bool = False
) -> ImportResult:
    reader = csv.DictReader(stream)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"missing columns: {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown columns: {', '.join(unknown)}")
        raise DomainValidationError.single("header", "csv_layout", "; ".join(problems))
    return import_patients(ctx, reader, allow_duplicates=allow_duplicates)
