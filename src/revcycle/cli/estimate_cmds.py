"""Patient cost estimates and Good Faith Estimates: the ``estimates`` and ``gfe`` commands,
each calling a use case of ``revcycle.services.estimates``.

A planned service is written ``CODE[-MOD...][xUNITS][@POINTERS]``: ``99213``, ``80053x2``,
``93000-26``, ``20610-RT@1,2`` (pointers number the ``--diagnosis`` options, default the
first four). Exit statuses as everywhere (``revcycle.cli.common``): 0 done, 1 not found,
2 bad input (an unknown service code without a fee, an insured patient asking for a GFE),
3 not permitted. ``--json`` prints the result alone on stdout, amounts as strings.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer

from revcycle.cli.common import (
    DbOpt,
    JsonOpt,
    PracticeOpt,
    err_console,
    fail,
    handled,
    out_console,
    print_json,
    state,
)

estimates = typer.Typer(help="Patient cost estimates for planned services.", no_args_is_help=True)
gfe = typer.Typer(
    help="Good Faith Estimates for uninsured and self-pay patients (No Surprises Act).",
    no_args_is_help=True,
)

PatientArg = Annotated[str, typer.Argument(help="Patient id or MRN", show_default=False)]
ServiceOpt = Annotated[
    list[str],
    typer.Option("--service", help="CODE[-MOD...][xUNITS][@POINTERS], repeatable"),
]
DiagnosisOpt = Annotated[
    list[str] | None,
    typer.Option("--diagnosis", help="ICD-10-CM code, repeatable, in pointer order"),
]
DiscountOpt = Annotated[
    str | None,
    typer.Option("--discount", help="Self-pay discount in percent, e.g. 20", show_default=False),
]
PatientOpt = Annotated[
    str | None, typer.Option("--patient", help="Patient id or MRN", show_default=False)
]
PdfOpt = Annotated[
    Path | None, typer.Option("--pdf", help="Write the PDF to this file", show_default=False)
]


def _date(text: str | None, what: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(2, f"{what}: {text!r} is not a date (YYYY-MM-DD)")
        raise AssertionError from None


def _discount(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.strip().rstrip("%"))
    except InvalidOperation:
        fail(2, f"--discount: {text!r} is not a percentage")
        raise AssertionError from None
    if not value.is_finite() or not 0 <= value < 100:
        fail(2, "--discount: give a percentage from 0 up to (not) 100")
    return value / 100


def _store() -> Any:
    from revcycle.db.estimate_repo import estimate_store

    return estimate_store


def _lookup() -> Any:
    """Where estimates find the latest 271 of a coverage: the eligibility answers stored."""
    from revcycle.db.eligibility_repo import latest_271

    return latest_271


def _write_pdf(path: Path | None, pdf: bytes) -> None:
    if path is not None:
        path.write_bytes(pdf)
        err_console.print(f"wrote {path}")


def _show_estimate(data: dict[str, Any]) -> None:
    from rich.table import Table

    result = data["result"]
    flag = " [bold red](FLAGGED: no benefits applied)[/bold red]" if data["flagged"] else ""
    out_console.print(
        f"estimate {data['number']} for patient {data['patient_id']}, service date "
        f"{data['service_date']}: basis {data['basis']}{flag}"
    )
    t = Table(
        "service",
        "units",
        "charge",
        "allowed",
        "deductible",
        "copay",
        "coinsurance",
        "oop cap",
        "plan pays",
        "patient pays",
    )
    for ln in result["lines"]:
        t.add_row(
            "-".join([ln["procedure"], *ln["modifiers"]]),
            ln["units"],
            ln["charge"],
            ln["allowed"],
            ln["deductible"],
            ln["copay"],
            ln["coinsurance"],
            ln["out_of_pocket_cap"],
            ln["plan_pays"],
            ln["patient_pays"],
        )
    tot = result["totals"]
    t.add_row(
        "total",
        "",
        tot["charge"],
        tot["allowed"],
        tot["deductible"],
        tot["copay"],
        tot["coinsurance"],
        tot["out_of_pocket_cap"],
        tot["plan_pays"],
        tot["patient_pays"],
        style="bold",
    )
    out_console.print(t)
    out_console.print(
        f"patient pays {tot['patient_pays']}, plan pays {tot['plan_pays']} of "
        f"{tot['allowed']} allowed",
        highlight=False,
    )
    for note in result["notes"]:
        out_console.print(f"  {note}", highlight=False)


# ---- estimates -------------------------------------------------------------------------------


@estimates.command("create")
def estimates_create(
    patient: PatientArg,
    service: ServiceOpt,
    diagnosis: DiagnosisOpt = None,
    coverage: Annotated[
        int | None,
        typer.Option(
            "--coverage", help="Coverage id (default: primary active)", show_default=False
        ),
    ] = None,
    dos: Annotated[
        str | None,
        typer.Option(
            "--dos", help="Date of service YYYY-MM-DD (default today)", show_default=False
        ),
    ] = None,
    self_pay: Annotated[bool, typer.Option("--self-pay", help="Ignore insurance")] = False,
    discount: DiscountOpt = None,
    pdf: PdfOpt = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Estimate what the patient will owe for planned services, itemized, and store it."""
    from revcycle.services.estimates import estimate, estimate_json

    with handled():
        ctx = state(db, practice).context()
        stored = estimate(
            ctx,
            patient,
            service,
            store=_store(),
            lookup=_lookup(),
            coverage=coverage,
            dos=_date(dos, "--dos"),
            diagnoses=diagnosis or (),
            self_pay=self_pay,
            discount=_discount(discount),
        )
    _write_pdf(pdf, stored.pdf)
    data = estimate_json(stored)
    if as_json:
        print_json(data)
        return
    _show_estimate(data)


@estimates.command("list")
def estimates_list(
    patient: PatientOpt = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The estimates made, newest first."""
    from rich.table import Table

    from revcycle.services.estimates import estimate_json, list_estimates

    with handled():
        ctx = state(db, practice).context()
        items = [estimate_json(e) for e in list_estimates(ctx, store=_store(), patient=patient)]
    if as_json:
        print_json(items)
        return
    t = Table("number", "date", "patient", "service date", "basis", "allowed", "patient pays")
    for e in items:
        t.add_row(
            e["number"],
            e["estimate_date"],
            str(e["patient_id"]),
            e["service_date"],
            e["basis"] + (" (flagged)" if e["flagged"] else ""),
            e["allowed"],
            e["patient_pays"],
        )
    out_console.print(t)


@estimates.command("show")
def estimates_show(
    number: Annotated[str, typer.Argument(help="Estimate number", show_default=False)],
    pdf: PdfOpt = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One estimate, itemized (``--pdf FILE`` writes its PDF again)."""
    from revcycle.services.estimates import estimate_json, get_estimate

    with handled():
        found = get_estimate(state(db, practice).context(), number, store=_store())
    _write_pdf(pdf, found.pdf)
    data = estimate_json(found)
    if as_json:
        print_json(data)
        return
    _show_estimate(data)


# ---- Good Faith Estimates --------------------------------------------------------------------


def _show_gfe(data: dict[str, Any]) -> None:
    due = data["due_date"] or "none required"
    verdict = "met" if data["met"] else "[bold red]LATE[/bold red]"
    out_console.print(
        f"GFE {data['number']} issued {data['issued_on']} for patient {data['patient_id']}: "
        f"scheduled {data['scheduled_date'] or 'not yet'}, due {due} ({verdict}), total "
        f"{data['total']}, kept until {data['retain_until']}"
    )
    for party in data["content"]["parties"]:
        out_console.print(
            f"  {party['role']}: {party['name']} NPI {party['npi'] or '-'} TIN {party['tin']} "
            f"({party['state']}) total {party['total']}",
            highlight=False,
        )
        for item in party["items"]:
            dx = f" [{' '.join(item['diagnoses'])}]" if item["diagnoses"] else ""
            out_console.print(
                f"    {item['service']} x{item['units']}{dx}: {item['expected_charge']}",
                highlight=False,
            )


@gfe.command("create")
def gfe_create(
    patient: PatientArg,
    service: ServiceOpt,
    scheduled: Annotated[
        str | None,
        typer.Option("--scheduled", help="Date of the service YYYY-MM-DD", show_default=False),
    ] = None,
    scheduled_on: Annotated[
        str | None,
        typer.Option(
            "--scheduled-on",
            help="Day the service was scheduled or requested (default today)",
            show_default=False,
        ),
    ] = None,
    requested: Annotated[
        bool, typer.Option("--requested", help="The patient asked for the estimate")
    ] = False,
    self_pay: Annotated[
        bool, typer.Option("--self-pay", help="Insured patient not filing with the plan")
    ] = False,
    diagnosis: DiagnosisOpt = None,
    separate: Annotated[
        list[str] | None,
        typer.Option("--separate", help="An item needing separate scheduling, repeatable"),
    ] = None,
    provider: Annotated[
        int | None, typer.Option("--provider", help="Rendering provider id", show_default=False)
    ] = None,
    facility: Annotated[
        int | None, typer.Option("--facility", help="Facility id", show_default=False)
    ] = None,
    discount: DiscountOpt = None,
    pdf: PdfOpt = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Issue a Good Faith Estimate today and record whether it met its deadline."""
    from revcycle.services.estimates import gfe_json, good_faith_estimate

    with handled():
        ctx = state(db, practice).context()
        stored = good_faith_estimate(
            ctx,
            patient,
            _date(scheduled, "--scheduled"),
            service,
            store=_store(),
            requested=requested,
            scheduled_on=_date(scheduled_on, "--scheduled-on"),
            self_pay=self_pay,
            diagnoses=diagnosis or (),
            separately_scheduled=separate or (),
            provider_id=provider,
            facility_id=facility,
            discount=_discount(discount),
        )
    _write_pdf(pdf, stored.pdf)
    data = gfe_json(stored)
    if as_json:
        print_json(data)
        return
    _show_gfe(data)


@gfe.command("list")
def gfe_list(
    late: Annotated[
        bool, typer.Option("--late", help="Only those issued after the deadline")
    ] = False,
    patient: PatientOpt = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The Good Faith Estimates issued, newest first."""
    from rich.table import Table

    from revcycle.services.estimates import gfe_json, list_gfes

    with handled():
        ctx = state(db, practice).context()
        items = [gfe_json(g) for g in list_gfes(ctx, store=_store(), patient=patient, late=late)]
    if as_json:
        print_json(items)
        return
    t = Table("number", "issued", "patient", "scheduled", "due", "met", "total")
    for g in items:
        t.add_row(
            g["number"],
            g["issued_on"],
            str(g["patient_id"]),
            g["scheduled_date"] or "",
            g["due_date"] or "",
            "yes" if g["met"] else "LATE",
            g["total"],
        )
    out_console.print(t)


@gfe.command("show")
def gfe_show(
    number: Annotated[str, typer.Argument(help="GFE number", show_default=False)],
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One Good Faith Estimate as issued."""
    from revcycle.services.estimates import get_gfe, gfe_json

    with handled():
        found = get_gfe(state(db, practice).context(), number, store=_store())
    data = gfe_json(found)
    if as_json:
        print_json(data)
        return
    _show_gfe(data)


@gfe.command("pdf")
def gfe_pdf(
    number: Annotated[str, typer.Argument(help="GFE number", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Output file")],
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Write a stored GFE's PDF again (exactly as it was issued)."""
    from revcycle.services.estimates import get_gfe

    with handled():
        found = get_gfe(state(db, practice).context(), number, store=_store())
    out.write_bytes(found.pdf)
    err_console.print(f"wrote {out}")
