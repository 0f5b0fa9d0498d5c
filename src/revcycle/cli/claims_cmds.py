"""``revcycle fees|contracts|authorizations|encounters|claims|queue``: charge entry, claims,
the scrubber and its work queue."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from revcycle.cli.common import (
    DbOpt,
    JsonOpt,
    PracticeOpt,
    err_console,
    handled,
    out_console,
    require_file,
    state,
)

if TYPE_CHECKING:
    from revcycle.domain.claim_record import ClaimRecord
    from revcycle.domain.encounter import Encounter

fees = typer.Typer(help="The practice's fee schedule (chargemaster).", no_args_is_help=True)
contracts = typer.Typer(help="Payer contracts: expected reimbursement.", no_args_is_help=True)
authorizations = typer.Typer(help="Prior authorizations and referrals.", no_args_is_help=True)
encounters = typer.Typer(help="Encounters and their charges (charge entry).", no_args_is_help=True)
claims = typer.Typer(help="Claims: create, scrub, show, forms, 837.", no_args_is_help=True)
queue = typer.Typer(
    help="Work queues (claims held by the scrubber, rejections, ...).", no_args_is_help=True
)

Opt = typer.Option
S = str | None


def _dump(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, indent=2, default=str) + "\n")


# ---- fees ------------------------------------------------------------------------------------


@fees.command("add")
def fees_add(
    procedure: Annotated[str, Opt("--procedure", help="CPT or HCPCS code")],
    amount: Annotated[str, Opt("--amount", help="Charge for one unit, e.g. 120.00")],
    modifier: Annotated[
        str, Opt("--modifier", help="Fee for the code with this modifier (26, TC, ...)")
    ] = "",
    effective: Annotated[S, Opt("--effective")] = None,
    termination: Annotated[S, Opt("--termination")] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a fee to the chargemaster."""
    from revcycle.services.charges import add_fee

    data = {
        "procedure": procedure,
        "amount": amount,
        "modifier": modifier,
        "effective": effective,
        "termination": termination,
    }
    with handled():
        e = add_fee(state(db, practice).context(), data)
    if as_json:
        _dump(
            {
                "id": e.id,
                "procedure": e.procedure,
                "modifier": e.modifier,
                "amount": e.amount.to_json(),
                "effective": e.effective,
                "termination": e.termination,
            }
        )
    else:
        out_console.print(
            f"fee {e.id}: {e.procedure}{'-' + e.modifier if e.modifier else ''} {e.amount} from {e.effective}"
        )


@fees.command("import")
def fees_import(
    file: Annotated[
        Path,
        typer.Argument(help="CSV with columns procedure, modifier, amount, effective, termination"),
    ],
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Import a fee schedule from CSV (all rows or none)."""
    import csv

    from revcycle.services.charges import import_fees

    require_file(file)
    with handled(), file.open(newline="", encoding="utf-8-sig") as f:
        n = import_fees(state(db, practice).context(), list(csv.DictReader(f)))
    out_console.print(f"imported {n} fees")


@fees.command("list")
def fees_list(db: DbOpt = None, practice: PracticeOpt = None, as_json: JsonOpt = False) -> None:
    """List the chargemaster."""
    from rich.table import Table

    from revcycle.services.charges import list_fees

    with handled():
        items = list_fees(state(db, practice).context())
    if as_json:
        _dump(
            [
                {
                    "id": e.id,
                    "procedure": e.procedure,
                    "modifier": e.modifier,
                    "amount": e.amount.to_json(),
                    "effective": e.effective,
                    "termination": e.termination,
                }
                for e in items
            ]
        )
        return
    t = Table("code", "modifier", "amount", "effective", "termination")
    for e in items:
        t.add_row(
            e.procedure, e.modifier, str(e.amount), str(e.effective), str(e.termination or "")
        )
    out_console.print(t)


# ---- contracts -------------------------------------------------------------------------------


@contracts.command("add")
def contracts_add(
    payer_ref: Annotated[int, typer.Argument(help="Payer record id")],
    effective: Annotated[str, Opt("--effective")],
    percent: Annotated[
        S, Opt("--percent-of-medicare", help="e.g. 120 for 120% of the Medicare fee schedule")
    ] = None,
    locality: Annotated[
        S, Opt("--locality", help="Medicare carrier + locality, e.g. 0621201")
    ] = None,
    rates: Annotated[
        Path | None,
        Opt("--rates", help="CSV procedure,modifier,amount of an explicit fee schedule"),
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Record what a payer should pay: a percentage of Medicare, or explicit rates."""
    import csv

    from revcycle.services.charges import add_contract

    data: dict[str, Any] = {"effective": effective}
    if rates is not None:
        require_file(rates)
        with rates.open(newline="", encoding="utf-8-sig") as f:
            data |= {"kind": "fee_schedule", "rates": list(csv.DictReader(f))}
    else:
        data |= {"kind": "percent_of_medicare", "percent": percent, "locality": locality}
    with handled():
        c = add_contract(state(db, practice).context(), payer_ref, data)
    out_console.print(f"contract {c.id}: {c.kind} from {c.effective}")


# ---- authorizations --------------------------------------------------------------------------


@authorizations.command("add")
def auth_add(
    patient: Annotated[str, typer.Argument(help="Patient id or MRN")],
    payer: Annotated[str, Opt("--payer", help="Payer ID")],
    number: Annotated[str, Opt("--number")],
    start: Annotated[str, Opt("--start")],
    end: Annotated[str, Opt("--end")],
    kind: Annotated[str, Opt("--kind", help="authorization or referral")] = "authorization",
    codes: Annotated[
        S, Opt("--codes", help="Procedures covered, comma separated (default: any)")
    ] = None,
    units: Annotated[S, Opt("--units", help="Units approved")] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Record a prior authorization or referral."""
    from revcycle.services.charges import add_authorization
    from revcycle.services.patients import find_patient

    data = {
        "payer": payer,
        "number": number,
        "start": start,
        "end": end,
        "kind": kind,
        "service_codes": codes or "",
        "units_approved": units,
    }
    with handled():
        ctx = state(db, practice).context()
        a = add_authorization(ctx, find_patient(ctx, patient).id or 0, data)
    out_console.print(f"{a.kind} {a.id}: {a.number}, {a.start} to {a.end}")


@authorizations.command("list")
def auth_list(
    patient: Annotated[str, typer.Argument(help="Patient id or MRN")],
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List a patient's authorizations and referrals."""
    from revcycle.services.charges import list_authorizations
    from revcycle.services.patients import find_patient

    with handled():
        ctx = state(db, practice).context()
        items = list_authorizations(ctx, find_patient(ctx, patient).id or 0)
    docs = [
        {
            "id": a.id,
            "kind": a.kind,
            "number": a.number,
            "payer_id": a.payer_id,
            "start": a.start,
            "end": a.end,
            "service_codes": list(a.service_codes),
            "units_approved": a.units_approved,
            "units_used": a.units_used,
        }
        for a in items
    ]
    if as_json:
        _dump(docs)
    else:
        for d in docs:
            out_console.print(d)


# ---- encounters ------------------------------------------------------------------------------


def encounter_doc(e: Encounter) -> dict[str, Any]:
    return {
        "id": e.id,
        "patient_id": e.patient_id,
        "kind": e.kind,
        "dos_from": e.dos_from,
        "dos_to": e.dos_to,
        "rendering_provider_id": e.rendering_provider_id,
        "referring_provider_id": e.referring_provider_id,
        "facility_id": e.facility_id,
        "place_of_service": e.place_of_service,
        "coverage_ids": list(e.coverage_ids),
        "prior_authorization": e.prior_authorization,
        "referral_number": e.referral_number,
        "external_ref": e.external_ref,
        "diagnoses": [{"code": d.code, "poa": d.poa} for d in e.diagnoses],
        "lines": [
            {
                "id": li.id,
                "procedure": li.procedure,
                "modifiers": list(li.modifiers),
                "units": str(li.units),
                "charge": li.charge.to_json() if li.charge else None,
                "charge_source": li.charge_source,
                "pointers": list(li.pointers),
                "dos_from": li.dos_from,
                "dos_to": li.dos_to,
                "ndc": li.ndc,
                "entered_at": li.entered_at,
            }
            for li in e.lines
        ],
    }


@encounters.command("enter")
def encounters_enter(
    file: Annotated[
        Path, typer.Argument(help="JSON file with one encounter (see docs/charge-entry.md)")
    ],
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Enter one encounter with its service lines from a JSON document."""
    from revcycle.services.charges import enter_charges

    require_file(file)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        err_console.print(f"[red]error:[/red] file: not JSON (line {exc.lineno}): {exc.msg}")
        raise typer.Exit(2) from None
    with handled():
        e = enter_charges(state(db, practice).context(), data)
    if as_json:
        _dump(encounter_doc(e))
    else:
        out_console.print(
            f"encounter {e.id}: {len(e.lines)} lines, {sum(li.charge.amount for li in e.lines if li.charge)}"
        )


@encounters.command("import")
def encounters_import(
    file: Annotated[
        Path, typer.Argument(help="CSV, one row per service line (docs/charge-entry.md)")
    ],
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import encounters from CSV; bad rows are listed with their numbers, good ones imported."""
    from revcycle.services.encounter_import import import_encounters_csv

    require_file(file)
    with handled(), file.open(newline="", encoding="utf-8-sig") as f:
        result = import_encounters_csv(state(db, practice).context(), f)
    if as_json:
        _dump(
            {
                "encounters_created": result.encounters_created,
                "lines_created": result.lines_created,
                "rows_failed": result.rows_failed,
                "errors": [
                    {"row": e.row, "field": e.field, "message": e.message} for e in result.errors
                ],
            }
        )
    else:
        out_console.print(
            f"imported {result.encounters_created} encounters ({result.lines_created} lines); "
            f"{result.rows_failed} rows refused"
        )
        for e in result.errors:
            err_console.print(f"row {e.row}: {e.field}: {e.message}", highlight=False)
    if result.errors:
        raise typer.Exit(1)


@encounters.command("show")
def encounters_show(encounter_id: int, db: DbOpt = None, practice: PracticeOpt = None) -> None:
    """Show an encounter as JSON."""
    from revcycle.services.charges import get_encounter

    with handled():
        _dump(encounter_doc(get_encounter(state(db, practice).context(), encounter_id)))


@encounters.command("missing")
def encounters_missing(
    days: Annotated[
        int, Opt("--days", help="Unbilled for at least this many days after service")
    ] = 3,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The missing-charge report: encounters with no claim N days after the date of service."""
    from rich.table import Table

    from revcycle.services.charges import missing_charges

    with handled():
        items = missing_charges(state(db, practice).context(), days)
    if as_json:
        _dump(
            [{"encounter_id": e.id, "patient_id": e.patient_id, "dos_to": e.dos_to} for e in items]
        )
        return
    t = Table(
        "encounter",
        "patient",
        "date of service",
        title=f"Unbilled after {days} days",
        title_justify="left",
    )
    for e in items:
        t.add_row(str(e.id), str(e.patient_id), str(e.dos_to))
    out_console.print(t)


# ---- claims ----------------------------------------------------------------------------------


def claim_doc(c: ClaimRecord) -> dict[str, Any]:
    return {
        "id": c.id,
        "patient_control_number": c.patient_control_number,
        "status": c.status,
        "kind": c.kind,
        "encounter_id": c.encounter_id,
        "coverage_id": c.coverage_id,
        "payer_id": c.payer_id,
        "frequency": c.frequency,
        "payer_claim_number": c.payer_claim_number,
        "total_charge": c.total_charge.to_json(),
        "first_pass_clean": c.first_pass_clean,
        "scrub_runs": c.scrub_runs,
        "lines": [
            {
                "line_no": li.line_no,
                "line_control_number": li.line_control_number,
                "charge": li.charge.to_json(),
            }
            for li in c.lines
        ],
    }


@claims.command("create")
def claims_create(
    encounter: Annotated[
        list[int] | None,
        Opt("--encounter", help="Encounter id (repeatable; default: all unbilled)"),
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create claims for unbilled encounters (to the primary coverage on the date of service)."""
    from revcycle.services.claims import create_claims

    with handled():
        created = create_claims(state(db, practice).context(), encounter or None)
    if as_json:
        _dump([claim_doc(c) for c in created])
    else:
        out_console.print(f"created {len(created)} claims")


@claims.command("scrub")
def claims_scrub(
    claim_ids: Annotated[
        list[int] | None, typer.Argument(help="Claim ids (default: every claim waiting)")
    ] = None,
    payer_rules: Annotated[
        Path | None,
        Opt(
            "--payer-rules",
            envvar="REVCYCLE_PAYER_RULES",
            help="Payer rules JSON (default: bundled)",
        ),
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the scrubber: clean claims become ready, others are held with their findings."""
    from rich.progress import track

    from revcycle.services.scrubbing import scrub_claims

    with handled():
        ctx = state(db, practice).context()
        ids = claim_ids or None
        results = scrub_claims(ctx, ids, payer_rules=payer_rules)
    docs: list[dict[str, Any]] = [
        {
            "claim_id": r.claim.id,
            "patient_control_number": r.claim.patient_control_number,
            "status": r.claim.status,
            "clean": r.clean,
            "findings": [
                {
                    "code": f.code,
                    "severity": f.severity,
                    "message": f.message,
                    "location": f.location,
                }
                for f in r.findings
            ],
        }
        for r in track(results, description="reporting", console=err_console, transient=True)
    ]
    if as_json:
        _dump(docs)
        return
    clean = sum(d["clean"] for d in docs)
    out_console.print(f"scrubbed {len(docs)} claims: {clean} clean, {len(docs) - clean} held")
    for d in docs:
        for f in d["findings"]:
            out_console.print(
                f"  {d['patient_control_number']} {f['severity']:7} {f['code']} {f['location']}: {f['message']}",
                highlight=False,
            )


@claims.command("show")
def claims_show(
    claim: Annotated[str, typer.Argument(help="Claim id or patient control number")],
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a claim: lines, status history, latest findings."""
    from revcycle.services.claims import claim_id_of, get_claim

    with handled():
        ctx = state(db, practice).context()
        d = get_claim(ctx, claim_id_of(ctx, claim))
    doc = claim_doc(d.record) | {
        "history": [
            {
                "at": e.at,
                "actor": e.actor,
                "from": e.from_status,
                "to": e.to_status,
                "reason": e.reason,
            }
            for e in d.history
        ],
        "findings": [
            {"code": f.code, "severity": f.severity, "message": f.message, "location": f.location}
            for f in d.findings
        ],
        "encounter": encounter_doc(d.encounter),
    }
    if as_json:
        _dump(doc)
        return
    out_console.print(
        f"[bold]claim {doc['id']}[/bold] {doc['patient_control_number']} {doc['status']} "
        f"total {doc['total_charge']}"
    )
    for li in d.record.lines:
        out_console.print(f"  line {li.line_no} {li.line_control_number} {li.charge}")
    for e in d.history:
        out_console.print(
            f"  {e.at:%Y-%m-%d %H:%M} {e.actor}: {e.from_status or '-'} -> {e.to_status} ({e.reason})"
        )
    for f in d.findings:
        out_console.print(f"  {f.severity} {f.code} {f.location}: {f.message}", highlight=False)


@claims.command("list")
def claims_list(
    status: Annotated[S, Opt("--status")] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List claims, optionally by status."""
    from rich.table import Table

    from revcycle.services.claims import list_claims

    with handled():
        items = list_claims(state(db, practice).context(), status)
    if as_json:
        _dump([claim_doc(c) for c in items])
        return
    t = Table("id", "PCN", "status", "payer", "total", "first pass")
    for c in items:
        fp = "" if c.first_pass_clean is None else ("clean" if c.first_pass_clean else "errors")
        t.add_row(
            str(c.id), c.patient_control_number, c.status, str(c.payer_id), str(c.total_charge), fp
        )
    out_console.print(t)


@claims.command("status")
def claims_status(
    claim_id: int,
    to: Annotated[str, Opt("--to", help="Target state (see docs/claims.md)")],
    reason: Annotated[str, Opt("--reason")],
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Move a claim to another state (refused when the lifecycle does not allow it)."""
    from revcycle.services.claims import change_status

    with handled():
        c = change_status(state(db, practice).context(), claim_id, to, reason)
    out_console.print(f"claim {c.id} is {c.status}")


@claims.command("replace")
def claims_replace(
    claim_id: int,
    reason: Annotated[str, Opt("--reason", help="What was corrected")],
    void: Annotated[
        bool, Opt("--void", help="Void the claim (frequency 8) instead of replacing it (7)")
    ] = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Send a corrected claim (frequency 7) or a void (8) for an adjudicated claim."""
    from revcycle.services.claims import follow_up_claim

    with handled():
        c = follow_up_claim(state(db, practice).context(), claim_id, "8" if void else "7", reason)
    if as_json:
        _dump(claim_doc(c))
    else:
        out_console.print(
            f"claim {c.id} ({c.patient_control_number}, frequency {c.frequency}) created; scrub it next"
        )


@claims.command("x12")
def claims_x12(
    claim: Annotated[list[str], typer.Argument(help="Claim ids or patient control numbers")],
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Print the 837 of claims, for inspection (control numbers are taken for good)."""
    from revcycle.db.control_numbers import SqlControlNumbers
    from revcycle.services.x12_out import claims_837

    with handled():
        st = state(db, practice)
        text = claims_837(st.context(), claim, SqlControlNumbers(st.engine))
    sys.stdout.write(text.replace("~", "~\n"))


@claims.command("pdf")
def claims_pdf(
    claim: Annotated[str, typer.Argument(help="Claim id or patient control number")],
    out: Annotated[Path | None, Opt("--out", help="PDF file (default: CLAIM.pdf)")] = None,
    data_only: Annotated[
        bool, Opt("--data-only", help="Data only, for pre-printed red forms")
    ] = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """The claim on paper: CMS-1500 for professional claims, UB-04 (data only) for institutional."""
    from revcycle.services.forms_out import claim_pdf

    with handled():
        pcn, pdf = claim_pdf(state(db, practice).context(), claim, data_only=data_only)
    target = out or Path(f"{pcn}.pdf")
    target.write_bytes(pdf)
    out_console.print(f"wrote {target}")


@claims.command("secondary")
def claims_secondary(
    claim: Annotated[str, typer.Argument(help="Claim id or patient control number")],
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the COB data of a claim: prior payers' adjudication (paid, adjustments, patient
    liability) stored for a secondary claim, and the next payers billed or forwarded to."""
    from revcycle.services.secondary import secondary_detail

    with handled():
        doc = secondary_detail(state(db, practice).context(), claim).to_json()
    if as_json:
        _dump(doc)
        return
    out_console.print(
        f"[bold]claim {doc['claim_id']}[/bold] {doc['patient_control_number']} {doc['status']} "
        f"to {doc['payer']['name']} ({doc['payer']['payer_id']})"
        + (f", secondary of claim {doc['source_claim_id']}" if doc["source_claim_id"] else "")
    )
    if not doc["prior_payers"] and not doc["next_payers"]:
        out_console.print("  no COB data: no prior payer, not billed or forwarded to a next payer")
    for p in doc["prior_payers"]:
        cas = " ".join(f"{a['group']}-{a['reason']} {a['amount']}" for a in p["adjustments"])
        out_console.print(
            f"  prior payer {p['position']}: {p['payer_name']} ({p['payer_id']}) member "
            f"{p['member_id']} claim {p['payer_claim_control_number'] or '-'}: paid {p['paid']}, "
            f"patient liability {p['remaining_patient_liability']}"
            + (f", claim adjustments {cas}" if cas else ""),
            highlight=False,
        )
        for li in p["lines"]:
            cas = " ".join(f"{a['group']}-{a['reason']} {a['amount']}" for a in li["adjustments"])
            out_console.print(
                f"    line {li['line_no']} {li['procedure']} paid {li['paid']} {cas} "
                f"({li['adjudication_date']})",
                highlight=False,
            )
    for n in doc["next_payers"]:
        what = (
            f"billed on claim {n['claim_id']}"
            if n["state"] == "billed"
            else f"forwarded by crossover to {n['crossover_payer_name'] or n['payer_id']}"
            f" ({n['amount_forwarded']})"
        )
        out_console.print(f"  next payer {n['payer_id']}: {what}", highlight=False)


# ---- work queues -----------------------------------------------------------------------------


@queue.command("list")
def queue_list(
    name: Annotated[S, typer.Argument(help="Queue name (default: all)")] = None,
    status: Annotated[str, Opt("--status")] = "open",
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Items waiting in the work queues, highest priority first."""
    from rich.table import Table

    from revcycle.services.workqueues import list_items

    with handled():
        items = list_items(state(db, practice).context(), name, status)
    if as_json:
        _dump(
            [
                {
                    "id": i.id,
                    "queue": i.queue,
                    "target": f"{i.target_kind}:{i.target_id}",
                    "reason": i.reason,
                    "priority": i.priority,
                    "status": i.status,
                    "owner": i.owner,
                    "due": i.due,
                }
                for i in items
            ]
        )
        return
    t = Table("id", "queue", "target", "priority", "owner", "reason")
    for i in items:
        t.add_row(
            str(i.id),
            i.queue,
            f"{i.target_kind} {i.target_id}",
            str(i.priority),
            i.owner or "",
            i.reason[:80],
        )
    out_console.print(t)


@queue.command("assign")
def queue_assign(
    item_id: int,
    owner: Annotated[str, Opt("--owner")],
    note: Annotated[S, Opt("--note")] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Give a work item to someone."""
    from revcycle.services.workqueues import assign

    with handled():
        item = assign(state(db, practice).context(), item_id, owner, note)
    out_console.print(f"item {item.id} assigned to {item.owner}")
