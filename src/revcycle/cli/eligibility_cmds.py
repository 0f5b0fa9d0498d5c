"""``revcycle eligibility check|resend|batch|list|show|settings`` and ``revcycle appointments
add|import|list``: 270/271 eligibility verification and the schedule it works on.

The real-time endpoint is ``--clearinghouse URL``, else ``$REVCYCLE_CLEARINGHOUSE_URL``, else
the practice's setting (``revcycle eligibility settings --realtime-url URL``). The batch goes
through the mailbox (``--mailbox``, default the filesystem mailbox under ``./clearinghouse``),
its 271s come back with ``revcycle inbox poll``.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from revcycle.cli.common import (
    DbOpt,
    JsonOpt,
    PracticeOpt,
    err_console,
    fail,
    handled,
    out_console,
    require_file,
    state,
)

if TYPE_CHECKING:
    from revcycle.services.context import Context
    from revcycle.services.eligibility import RealtimeSender

eligibility = typer.Typer(
    help="Eligibility and benefits (270/271): real time, batch, the answers.",
    no_args_is_help=True,
)
appointments = typer.Typer(
    help="The schedule: appointments with planned services.", no_args_is_help=True
)

ENV_URL = "REVCYCLE_CLEARINGHOUSE_URL"
ClearinghouseOpt = Annotated[
    str | None,
    typer.Option(
        "--clearinghouse",
        help=f"Real-time endpoint URL [env {ENV_URL}; default: the practice's setting]",
        show_default=False,
    ),
]
TimeoutOpt = Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds per attempt")]
ServiceTypeOpt = Annotated[
    list[str] | None,
    typer.Option("--service-type", help="EQ01 service type (repeat; 30 is always asked)"),
]
MailboxOpt = Annotated[
    str | None,
    typer.Option(
        "--mailbox",
        help="Mailbox URL [default: file://./clearinghouse?submitter=<practice submitter ID>]",
        show_default=False,
    ),
]


def _dump(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, indent=2, default=str) + "\n")


def _day(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(2, f"{name}: a date like 2026-06-01")
        raise AssertionError from None


def _sender(ctx: Context, given: str | None, timeout: float) -> RealtimeSender:
    from revcycle.db.eligibility_repo import eligibility_store
    from revcycle.services.eligibility import realtime_endpoint
    from revcycle.transport import RealtimeClient, RetryPolicy

    url = realtime_endpoint(ctx, eligibility_store, given or os.environ.get(ENV_URL))
    client = RealtimeClient(url, timeout=timeout, retry=RetryPolicy(attempts=3))
    return client.send


def _show_summary(doc: dict[str, Any]) -> None:
    request = doc["request"]
    response = doc.get("response")
    out_console.print(
        f"request {request['id']} ({request['trace']}): {request['state']}", highlight=False
    )
    if not response:
        return
    summary = response["summary"]
    active = {True: "ACTIVE", False: "NOT ACTIVE", None: "UNKNOWN"}[response["active"]]
    out_console.print(
        f"coverage {active}  plan {summary.get('plan') or '-'}  "
        f"{summary.get('plan_begin') or '?'} .. {summary.get('plan_end') or '?'}",
        highlight=False,
    )
    for r in summary.get("rejections", []):
        out_console.print(f"[red]rejected:[/red] {r['description']}", highlight=False)
    for p in summary.get("other_payers", []):
        out_console.print(f"other payer: {p['name']} {p['id']}", highlight=False)
    for st, s in summary.get("service_types", {}).items():
        inside = s["in_network"]
        out_console.print(
            f"  {st}: {s['status']}; in network copay {inside['copay']}, coinsurance "
            f"{inside['coinsurance']}, deductible {inside['deductible']['total']} "
            f"(left {inside['deductible']['remaining']}), out of pocket "
            f"{inside['out_of_pocket']['total']} (left {inside['out_of_pocket']['remaining']}); "
            f"out of network copay {s['out_of_network']['copay']}, coinsurance "
            f"{s['out_of_network']['coinsurance']}",
            highlight=False,
        )
        for m in s.get("messages", []):
            out_console.print(f"     {m}", highlight=False)
    for f in response.get("findings", []):
        if f.get("severity") == "error":
            out_console.print(f"[red]finding:[/red] {f['code']}: {f['message']}", highlight=False)
    for d in doc.get("discrepancies", []):
        out_console.print(
            f"[yellow]differs:[/yellow] {d['field']}: registered {d['registered'] or '-'}, "
            f"payer {d['payer'] or '-'}",
            highlight=False,
        )


@eligibility.command("check")
def check(
    patient: Annotated[str, typer.Argument(help="MRN or patient id")],
    coverage: Annotated[int | None, typer.Option("--coverage", help="Coverage id")] = None,
    service_type: ServiceTypeOpt = None,
    dos: Annotated[str | None, typer.Option("--dos", help="Date of service (today)")] = None,
    clearinghouse: ClearinghouseOpt = None,
    timeout: TimeoutOpt = 10.0,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ask the payer now (270 real time), store and show its answer (271)."""
    from revcycle.db.eligibility_repo import eligibility_store
    from revcycle.services import eligibility as service

    day = _day(dos, "dos")
    with handled():
        ctx = state(db, practice).context()
        sender = _sender(ctx, clearinghouse, timeout)
        outcome = service.check(
            ctx,
            patient,
            sender,
            eligibility_store,
            coverage_id=coverage,
            service_types=service_type or (),
            service_date=day,
        )
    doc = service.outcome_doc(outcome)
    if as_json:
        _dump(doc)
    else:
        _show_summary(doc)
    if outcome.request.state != "answered":
        raise typer.Exit(4)


@eligibility.command("resend")
def resend(
    request_id: Annotated[
        int, typer.Argument(help="Request id (see `eligibility list --pending`)")
    ],
    clearinghouse: ClearinghouseOpt = None,
    timeout: TimeoutOpt = 10.0,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Send a request that has no answer again (real time, same trace)."""
    from revcycle.db.eligibility_repo import eligibility_store
    from revcycle.services import eligibility as service

    with handled():
        ctx = state(db, practice).context()
        outcome = service.resend(
            ctx, request_id, _sender(ctx, clearinghouse, timeout), eligibility_store
        )
    doc = service.outcome_doc(outcome)
    if as_json:
        _dump(doc)
    else:
        _show_summary(doc)
    if outcome.request.state != "answered":
        raise typer.Exit(4)


@eligibility.command("batch")
def batch(
    day: Annotated[str, typer.Option("--date", help="Appointments of this day")],
    service_type: ServiceTypeOpt = None,
    mailbox: MailboxOpt = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One 270 file for the day's appointments, put in the mailbox (271s: `inbox poll`)."""
    from revcycle.db.eligibility_repo import eligibility_store
    from revcycle.services import eligibility as service
    from revcycle.services.setup import get_practice
    from revcycle.services.submission import default_mailbox_url
    from revcycle.transport import open_mailbox

    when = _day(day, "date")
    assert when is not None
    with handled():
        ctx = state(db, practice).context()
        url = mailbox or default_mailbox_url(get_practice(ctx, ctx.practice_id))
        with open_mailbox(url) as box:
            outcome = service.batch(
                ctx, box, when, eligibility_store, service_types=service_type or ()
            )
    if as_json:
        _dump(service.batch_doc(outcome))
        return
    if outcome.file_name is None:
        out_console.print(f"no appointments to verify on {when}")
    else:
        out_console.print(
            f"sent {outcome.file_name}: {len(outcome.requests)} inquiries", highlight=False
        )
    for appointment, why in outcome.skipped:
        err_console.print(f"appointment {appointment} skipped: {why}", highlight=False)


@eligibility.command("list")
def list_requests(
    pending: Annotated[
        bool, typer.Option("--pending", help="Only requests without an answer (pending, failed)")
    ] = False,
    patient: Annotated[str | None, typer.Option("--patient", help="MRN or id")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 100,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Eligibility requests, newest first."""
    from rich.table import Table

    from revcycle.db.eligibility_repo import eligibility_store
    from revcycle.services import eligibility as service

    with handled():
        items = service.list_requests(
            state(db, practice).context(),
            eligibility_store,
            pending=pending,
            patient=patient,
            limit=limit,
        )
    docs = [service.request_doc(r) for r in items]
    if as_json:
        _dump(docs)
        return
    t = Table("id", "patient", "coverage", "dos", "channel", "state", "trace", "error")
    for d in docs:
        t.add_row(
            str(d["id"]), str(d["patient_id"]), str(d["coverage_id"]), d["service_date"],
            d["channel"], d["state"], d["trace"], d["error"] or "",
        )  # fmt: skip
    out_console.print(t)


@eligibility.command("show")
def show(
    request_id: Annotated[int, typer.Argument(help="Request id")],
    raw: Annotated[bool, typer.Option("--raw", help="With the raw 270 and 271")] = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One request with its answers, findings and the differences flagged."""
    from revcycle.db.eligibility_repo import eligibility_store
    from revcycle.services import eligibility as service

    with handled():
        view = service.show_request(state(db, practice).context(), request_id, eligibility_store)
    doc = service.view_doc(view, raw=raw)
    if as_json:
        _dump(doc)
        return
    responses = doc["responses"]
    _show_summary(
        {
            "request": doc,
            "response": responses[-1] if responses else None,
            "discrepancies": doc["discrepancies"],
        }
    )
    if raw:
        out_console.print(view.request.raw_270, highlight=False, markup=False)
        for r in view.responses:
            out_console.print(r.raw_271, highlight=False, markup=False)


@eligibility.command("settings")
def settings(
    realtime_url: Annotated[
        str | None, typer.Option("--realtime-url", help="The practice's real-time endpoint")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Forget the endpoint")] = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show or set the practice's real-time clearinghouse endpoint."""
    from revcycle.db.eligibility_repo import eligibility_store
    from revcycle.services import eligibility as service

    with handled():
        ctx = state(db, practice).context()
        if realtime_url is not None or clear:
            service.set_clearinghouse_url(ctx, None if clear else realtime_url, eligibility_store)
        url = service.clearinghouse_url(ctx, eligibility_store)
    if as_json:
        _dump({"realtime_url": url})
    else:
        out_console.print(f"real-time endpoint: {url or '(none)'}", highlight=False)


# ---- appointments -----------------------------------------------------------------------------


@appointments.command("add")
def appointments_add(
    patient: Annotated[str, typer.Option("--patient", help="MRN or id")],
    provider: Annotated[str, typer.Option("--provider", help="Provider NPI or id")],
    at: Annotated[str, typer.Option("--at", help="Start, e.g. 2026-06-01T09:30")],
    services: Annotated[
        str, typer.Option("--services", help="Planned procedures, e.g. '99213 93000:2'")
    ] = "",
    note: Annotated[str | None, typer.Option("--note")] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Schedule an appointment."""
    from revcycle.db.eligibility_repo import eligibility_store
    from revcycle.services import eligibility as service

    data = {"patient": patient, "provider": provider, "starts_at": at, "services": services}
    if note:
        data["note"] = note
    with handled():
        item = service.add_appointment(state(db, practice).context(), data, eligibility_store)
    if as_json:
        _dump(service.appointment_doc(item))
    else:
        out_console.print(f"appointment {item.id} at {item.starts_at:%Y-%m-%d %H:%M}")


@appointments.command("import")
def appointments_import(
    path: Annotated[Path, typer.Argument(help="CSV: patient,provider,date,time,services,...")],
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import appointments from CSV: all rows or none (every error names its row and field)."""
    from revcycle.db.eligibility_repo import eligibility_store
    from revcycle.services import eligibility as service

    require_file(path)
    with handled(), path.open(newline="", encoding="utf-8-sig") as f:
        items = service.import_appointments(state(db, practice).context(), f, eligibility_store)
    if as_json:
        _dump([service.appointment_doc(a) for a in items])
    else:
        out_console.print(f"{len(items)} appointments imported")


@appointments.command("list")
def appointments_list(
    day: Annotated[str | None, typer.Option("--date", help="Only this day")] = None,
    patient: Annotated[str | None, typer.Option("--patient", help="MRN or id")] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Appointments in time order."""
    from rich.table import Table

    from revcycle.db.eligibility_repo import eligibility_store
    from revcycle.services import eligibility as service

    when = _day(day, "date")
    with handled():
        items = service.list_appointments(
            state(db, practice).context(), eligibility_store, day=when, patient=patient
        )
    docs = [service.appointment_doc(a) for a in items]
    if as_json:
        _dump(docs)
        return
    t = Table("id", "starts", "patient", "provider", "services", "status")
    for d in docs:
        services = " ".join(f"{s['procedure']}:{s['units']}" for s in d["services"])
        t.add_row(
            str(d["id"]), d["starts_at"], str(d["patient_id"]), str(d["provider_id"]), services,
            d["status"],
        )  # fmt: skip
    out_console.print(t)
