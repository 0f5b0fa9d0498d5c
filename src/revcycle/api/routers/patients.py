"""Patients, their coverages, search and CSV import."""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, UploadFile

from revcycle.api.deps import Ctx
from revcycle.api.schemas import (
    CoverageIn,
    CoverageOut,
    ImportErrorOut,
    ImportResultOut,
    PatientDetailOut,
    PatientIn,
    PatientOut,
)
from revcycle.domain.errors import DomainValidationError
from revcycle.services import patients
from revcycle.services.patient_import import import_patients_csv

router = APIRouter(tags=["patients"])


@router.get("/patients", response_model=list[PatientOut])
def search_patients(
    ctx: Ctx,
    name: str | None = None,
    dob: date | None = None,
    mrn: str | None = None,
    member_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[PatientOut]:
    """Search by name ('last, first' or parts), date of birth, MRN or member ID."""
    found = patients.search_patients(
        ctx, name=name, dob=dob, mrn=mrn, member_id=member_id, limit=limit
    )
    return [PatientOut.model_validate(p) for p in found]


@router.post("/patients", response_model=PatientOut, status_code=201)
def register_patient(ctx: Ctx, body: PatientIn, allow_duplicate: bool = False) -> PatientOut:
    """Register a patient; a likely duplicate (same last name, DOB, first initial) is refused
    with 409 and the existing MRN unless ``allow_duplicate=true``."""
    data = body.model_dump(exclude_unset=True)
    return PatientOut.model_validate(
        patients.register_patient(ctx, data, allow_duplicate=allow_duplicate)
    )


@router.get("/patients/{patient_id}", response_model=PatientDetailOut)
def get_patient(ctx: Ctx, patient_id: int) -> PatientDetailOut:
    out = PatientDetailOut.model_validate(patients.get_patient(ctx, patient_id))
    out.coverages = [
        CoverageOut.model_validate(c) for c in patients.list_coverages(ctx, patient_id)
    ]
    return out


@router.patch("/patients/{patient_id}", response_model=PatientOut)
def update_patient(ctx: Ctx, patient_id: int, body: PatientIn) -> PatientOut:
    return PatientOut.model_validate(
        patients.update_patient(ctx, patient_id, body.model_dump(exclude_unset=True))
    )


@router.get("/patients/{patient_id}/coverages", response_model=list[CoverageOut])
def list_coverages(ctx: Ctx, patient_id: int) -> list[CoverageOut]:
    return [CoverageOut.model_validate(c) for c in patients.list_coverages(ctx, patient_id)]


@router.post("/patients/{patient_id}/coverages", response_model=CoverageOut, status_code=201)
def add_coverage(ctx: Ctx, patient_id: int, body: CoverageIn) -> CoverageOut:
    return CoverageOut.model_validate(
        patients.add_coverage(ctx, patient_id, body.model_dump(exclude_unset=True))
    )


@router.get("/coverages/{coverage_id}", response_model=CoverageOut)
def get_coverage(ctx: Ctx, coverage_id: int) -> CoverageOut:
    return CoverageOut.model_validate(patients.get_coverage(ctx, coverage_id))


@router.patch("/coverages/{coverage_id}", response_model=CoverageOut)
def update_coverage(ctx: Ctx, coverage_id: int, body: CoverageIn) -> CoverageOut:
    data = body.model_dump(exclude_unset=True)
    return CoverageOut.model_validate(patients.update_coverage(ctx, coverage_id, data))


@router.post("/patients/import", response_model=ImportResultOut)
def import_patients(ctx: Ctx, file: UploadFile, allow_duplicates: bool = False) -> ImportResultOut:
    """Import a CSV in the layout of docs/patient-import.md; per-row errors in the result."""
    raw = file.file.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainValidationError.single(
            "file", "encoding", "the CSV must be UTF-8 text"
        ) from None
    result = import_patients_csv(
        ctx, io.StringIO(text, newline=""), allow_duplicates=allow_duplicates
    )
    return ImportResultOut(
        patients_created=result.patients_created,
        coverages_created=result.coverages_created,
        rows_imported=result.rows_imported,
        rows_failed=result.rows_failed,
        errors=[ImportErrorOut(row=e.row, field=e.field, message=e.message) for e in result.errors],
    )
