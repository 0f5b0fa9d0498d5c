"""``revcycle patients|coverages``: registration of patients and their insurance."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from revcycle.cli.common import (
    DbOpt,
    JsonOpt,
    PracticeOpt,
    emit,
    handled,
    nest,
    out_console,
    show_fields,
    state,
)

patients = typer.Typer(help="Patients: demographics, search, CSV import.", no_args_is_help=True)
coverages = typer.Typer(help="Insurance coverages of a patient.", no_args_is_help=True)

Opt = typer.Option
S = str | None


def _patient_data(**kw: Any) -> dict[str, Any]:
    return nest(
        {
            "mrn": kw["mrn"],
            "account_number": kw["account_number"],
            "last_name": kw["last_name"],
            "first_name": kw["first_name"],
            "middle_name": kw["middle_name"],
            "suffix": kw["suffix"],
            "dob": kw["dob"],
            "sex": kw["sex"],
            "phone": kw["phone"],
            "email": kw["email"],
            "date_of_death": kw["date_of_death"],
            "address.line1": kw["line1"],
            "address.line2": kw["line2"],
            "address.city": kw["city"],
            "address.state": kw["state_code"],
            "address.zip": kw["zip_code"],
            "guarantor_relationship": kw["guarantor_relationship"],
            "guarantor.last_name": kw["guarantor_last_name"],
            "guarantor.first_name": kw["guarantor_first_name"],
            "guarantor.phone": kw["guarantor_phone"],
        }
    )


def _show_patient(p: object, as_json: bool, coverages_: list[Any] | None = None) -> None:
    from revcycle.api.schemas import CoverageOut, PatientDetailOut

    model = PatientDetailOut.model_validate(p)
    if coverages_ is not None:
        model.coverages = [CoverageOut.model_validate(c) for c in coverages_]

    def human() -> None:
        show_fields(f"Patient {model.id}", model.model_dump(exclude={"coverages"}))
        for c in model.coverages:
            out_console.print(
                f"  coverage {c.id}: {c.order}, plan {c.plan_id}, member {c.member_id}, "
                f"relationship {c.relationship}, {c.effective} to {c.termination or 'open'}"
            )

    emit(model, as_json, human)


@patients.command("create")
def patients_create(
    last_name: Annotated[str, Opt("--last-name")],
    first_name: Annotated[str, Opt("--first-name")],
    dob: Annotated[str, Opt("--dob", help="Date of birth, YYYY-MM-DD")],
    sex: Annotated[str, Opt("--sex", help="F, M or U")],
    line1: Annotated[S, Opt("--line1")] = None,
    line2: Annotated[S, Opt("--line2")] = None,
    city: Annotated[S, Opt("--city")] = None,
    state_code: Annotated[S, Opt("--state")] = None,
    zip_code: Annotated[S, Opt("--zip")] = None,
    mrn: Annotated[S, Opt("--mrn", help="Medical record number (default: next number)")] = None,
    account_number: Annotated[S, Opt("--account-number", help="Default: the MRN")] = None,
    middle_name: Annotated[S, Opt("--middle-name")] = None,
    suffix: Annotated[S, Opt("--suffix")] = None,
    phone: Annotated[S, Opt("--phone")] = None,
    email: Annotated[S, Opt("--email")] = None,
    date_of_death: Annotated[S, Opt("--date-of-death")] = None,
    guarantor_relationship: Annotated[
        S, Opt("--guarantor", help="self, spouse, parent, guardian, other")
    ] = None,
    guarantor_last_name: Annotated[S, Opt("--guarantor-last-name")] = None,
    guarantor_first_name: Annotated[S, Opt("--guarantor-first-name")] = None,
    guarantor_phone: Annotated[S, Opt("--guarantor-phone")] = None,
    allow_duplicate: Annotated[
        bool,
        Opt(
            "--allow-duplicate", help="Register even if a patient with the same name and DOB exists"
        ),
    ] = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a patient."""
    from revcycle.services.patients import register_patient

    data = _patient_data(**locals())
    with handled():
        _show_patient(
            register_patient(state(db, practice).context(), data, allow_duplicate=allow_duplicate),
            as_json,
        )


@patients.command("update")
def patients_update(
    patient: Annotated[str, typer.Argument(help="Patient id or MRN")],
    last_name: Annotated[S, Opt("--last-name")] = None,
    first_name: Annotated[S, Opt("--first-name")] = None,
    dob: Annotated[S, Opt("--dob")] = None,
    sex: Annotated[S, Opt("--sex")] = None,
    line1: Annotated[S, Opt("--line1")] = None,
    line2: Annotated[S, Opt("--line2")] = None,
    city: Annotated[S, Opt("--city")] = None,
    state_code: Annotated[S, Opt("--state")] = None,
    zip_code: Annotated[S, Opt("--zip")] = None,
    mrn: Annotated[S, Opt("--mrn")] = None,
    account_number: Annotated[S, Opt("--account-number")] = None,
    middle_name: Annotated[S, Opt("--middle-name")] = None,
    suffix: Annotated[S, Opt("--suffix")] = None,
    phone: Annotated[S, Opt("--phone")] = None,
    email: Annotated[S, Opt("--email")] = None,
    date_of_death: Annotated[S, Opt("--date-of-death")] = None,
    guarantor_relationship: Annotated[S, Opt("--guarantor")] = None,
    guarantor_last_name: Annotated[S, Opt("--guarantor-last-name")] = None,
    guarantor_first_name: Annotated[S, Opt("--guarantor-first-name")] = None,
    guarantor_phone: Annotated[S, Opt("--guarantor-phone")] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change fields of a patient."""
    from revcycle.services.patients import find_patient, update_patient

    data = _patient_data(**locals())
    with handled():
        ctx = state(db, practice).context()
        found = find_patient(ctx, patient)
        assert found.id is not None
        _show_patient(update_patient(ctx, found.id, data), as_json)


@patients.command("show")
def patients_show(
    patient: Annotated[str, typer.Argument(help="Patient id or MRN")],
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a patient with their coverages."""
    from revcycle.services.patients import find_patient, list_coverages

    with handled():
        ctx = state(db, practice).context()
        found = find_patient(ctx, patient)
        assert found.id is not None
        _show_patient(found, as_json, list(list_coverages(ctx, found.id)))


@patients.command("search")
def patients_search(
    name: Annotated[
        S, Opt("--name", help="'last, first', 'first last' or a part of either")
    ] = None,
    dob: Annotated[S, Opt("--dob")] = None,
    mrn: Annotated[S, Opt("--mrn")] = None,
    member_id: Annotated[S, Opt("--member-id")] = None,
    limit: Annotated[int, Opt("--limit")] = 50,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Find patients by name, date of birth, MRN or member ID."""
    from rich.table import Table

    from revcycle.api.schemas import PatientOut
    from revcycle.domain.validation import Checks
    from revcycle.domain.values import parse_date
    from revcycle.services.patients import search_patients

    with handled():
        c = Checks()
        dob_value = c.field("dob", lambda: parse_date(dob)) if dob else None
        c.raise_if_any()
        found = search_patients(
            state(db, practice).context(),
            name=name,
            dob=dob_value,
            mrn=mrn,
            member_id=member_id,
            limit=limit,
        )
        items = [PatientOut.model_validate(p) for p in found]

    def human() -> None:
        t = Table("id", "MRN", "name", "DOB", "sex", "city")
        for p in items:
            t.add_row(
                str(p.id),
                p.mrn,
                f"{p.last_name}, {p.first_name}",
                str(p.dob),
                p.sex,
                p.address.city,
            )
        out_console.print(t)
        if not items:
            out_console.print("no patient matches")

    emit(items, as_json, human)


@patients.command("import")
def patients_import(
    file: Annotated[Path, typer.Argument(help="CSV file in the layout of docs/patient-import.md")],
    allow_duplicates: Annotated[bool, Opt("--allow-duplicates")] = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import patients with their coverages from a CSV file; bad rows are listed, good rows imported."""
    import json

    from revcycle.cli.common import err_console, require_file
    from revcycle.services.patient_import import import_patients_csv

    require_file(file)
    with handled(), file.open(newline="", encoding="utf-8-sig") as stream:
        result = import_patients_csv(
            state(db, practice).context(), stream, allow_duplicates=allow_duplicates
        )
    if as_json:
        doc = {
            "patients_created": result.patients_created,
            "coverages_created": result.coverages_created,
            "rows_imported": result.rows_imported,
            "rows_failed": result.rows_failed,
            "errors": [
                {"row": e.row, "field": e.field, "message": e.message} for e in result.errors
            ],
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        out_console.print(
            f"imported {result.patients_created} patients and {result.coverages_created} coverages "
            f"({result.rows_imported} rows); {result.rows_failed} rows refused"
        )
        for e in result.errors:
            err_console.print(f"row {e.row}: {e.field}: {e.message}", highlight=False)
    if result.errors:
        raise typer.Exit(1)


# ---- coverages -------------------------------------------------------------------------------


def _coverage_data(**kw: Any) -> dict[str, Any]:
    return nest(
        {
            "payer": kw["payer"],
            "plan": kw["plan"],
            "order": kw["order"],
            "member_id": kw["member_id"],
            "group_number": kw["group_number"],
            "relationship": kw["relationship"],
            "subscriber.last_name": kw["subscriber_last_name"],
            "subscriber.first_name": kw["subscriber_first_name"],
            "subscriber.dob": kw["subscriber_dob"],
            "subscriber.sex": kw["subscriber_sex"],
            "subscriber.address.line1": kw["subscriber_line1"],
            "subscriber.address.city": kw["subscriber_city"],
            "subscriber.address.state": kw["subscriber_state"],
            "subscriber.address.zip": kw["subscriber_zip"],
            "effective": kw["effective"],
            "termination": kw["termination"],
            "insurance_type_code": kw["insurance_type_code"],
        }
    )


def _show_coverage(c: object, as_json: bool) -> None:
    from revcycle.api.schemas import CoverageOut

    model = CoverageOut.model_validate(c)
    emit(model, as_json, lambda: show_fields(f"Coverage {model.id}", model.model_dump()))


@coverages.command("add")
def coverages_add(
    patient: Annotated[str, typer.Argument(help="Patient id or MRN")],
    payer: Annotated[
        str, Opt("--payer", help="Payer ID (as the clearinghouse knows it) or payer record id")
    ],
    member_id: Annotated[str, Opt("--member-id")],
    effective: Annotated[str, Opt("--effective")],
    plan: Annotated[S, Opt("--plan", help="Plan name (needed when the payer has several)")] = None,
    order: Annotated[str, Opt("--order", help="primary, secondary or tertiary")] = "primary",
    group_number: Annotated[S, Opt("--group-number")] = None,
    relationship: Annotated[
        str, Opt("--relationship", help="18 self, 01 spouse, 19 child, 20, 21, 39, 40, 53, G8")
    ] = "18",
    subscriber_last_name: Annotated[S, Opt("--subscriber-last-name")] = None,
    subscriber_first_name: Annotated[S, Opt("--subscriber-first-name")] = None,
    subscriber_dob: Annotated[S, Opt("--subscriber-dob")] = None,
    subscriber_sex: Annotated[S, Opt("--subscriber-sex")] = None,
    subscriber_line1: Annotated[S, Opt("--subscriber-line1")] = None,
    subscriber_city: Annotated[S, Opt("--subscriber-city")] = None,
    subscriber_state: Annotated[S, Opt("--subscriber-state")] = None,
    subscriber_zip: Annotated[S, Opt("--subscriber-zip")] = None,
    termination: Annotated[S, Opt("--termination")] = None,
    insurance_type_code: Annotated[
        S, Opt("--insurance-type", help="Medicare secondary payer type (SBR05)")
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an insurance coverage to a patient."""
    from revcycle.services.patients import add_coverage, find_patient

    data = _coverage_data(**locals())
    with handled():
        ctx = state(db, practice).context()
        found = find_patient(ctx, patient)
        assert found.id is not None
        _show_coverage(add_coverage(ctx, found.id, data), as_json)


@coverages.command("update")
def coverages_update(
    coverage_id: int,
    payer: Annotated[S, Opt("--payer")] = None,
    plan: Annotated[S, Opt("--plan")] = None,
    order: Annotated[S, Opt("--order")] = None,
    member_id: Annotated[S, Opt("--member-id")] = None,
    group_number: Annotated[S, Opt("--group-number")] = None,
    relationship: Annotated[S, Opt("--relationship")] = None,
    subscriber_last_name: Annotated[S, Opt("--subscriber-last-name")] = None,
    subscriber_first_name: Annotated[S, Opt("--subscriber-first-name")] = None,
    subscriber_dob: Annotated[S, Opt("--subscriber-dob")] = None,
    subscriber_sex: Annotated[S, Opt("--subscriber-sex")] = None,
    subscriber_line1: Annotated[S, Opt("--subscriber-line1")] = None,
    subscriber_city: Annotated[S, Opt("--subscriber-city")] = None,
    subscriber_state: Annotated[S, Opt("--subscriber-state")] = None,
    subscriber_zip: Annotated[S, Opt("--subscriber-zip")] = None,
    effective: Annotated[S, Opt("--effective")] = None,
    termination: Annotated[S, Opt("--termination")] = None,
    insurance_type_code: Annotated[S, Opt("--insurance-type")] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change fields of a coverage (terminate it with --termination DATE)."""
    from revcycle.services.patients import update_coverage

    data = _coverage_data(**locals())
    with handled():
        _show_coverage(update_coverage(state(db, practice).context(), coverage_id, data), as_json)


@coverages.command("show")
def coverages_show(
    coverage_id: int, db: DbOpt = None, practice: PracticeOpt = None, as_json: JsonOpt = False
) -> None:
    """Show one coverage."""
    from revcycle.services.patients import get_coverage

    with handled():
        _show_coverage(get_coverage(state(db, practice).context(), coverage_id), as_json)


@coverages.command("list")
def coverages_list(
    patient: Annotated[str, typer.Argument(help="Patient id or MRN")],
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List a patient's coverages."""
    from rich.table import Table

    from revcycle.api.schemas import CoverageOut
    from revcycle.services.patients import find_patient, list_coverages

    with handled():
        ctx = state(db, practice).context()
        found = find_patient(ctx, patient)
        assert found.id is not None
        items = [CoverageOut.model_validate(c) for c in list_coverages(ctx, found.id)]

    def human() -> None:
        t = Table("id", "order", "plan", "member ID", "relationship", "effective", "termination")
        for c in items:
            t.add_row(
                str(c.id),
                c.order,
                str(c.plan_id),
                c.member_id,
                c.relationship,
                str(c.effective),
                str(c.termination or ""),
            )
        out_console.print(t)

    emit(items, as_json, human)
