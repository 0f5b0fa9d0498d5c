"""The Typer application: command groups, the global options, and small top-level commands."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from revcycle.cli.accounting_cmds import credits, deposits, journal, periods
from revcycle.cli.billing_cmds import accounts, collections, payments, plans, statements
from revcycle.cli.claims_cmds import authorizations, claims, contracts, encounters, fees, queue
from revcycle.cli.codes_cmds import codes
from revcycle.cli.common import (
    DbOpt,
    JsonOpt,
    PracticeOpt,
    emit,
    err_console,
    handled,
    out_console,
    state,
)
from revcycle.cli.denial_action_cmds import register as register_denial_actions
from revcycle.cli.denial_cmds import denials, queues
from revcycle.cli.eligibility_cmds import appointments, eligibility
from revcycle.cli.era_cmds import era
from revcycle.cli.estimate_cmds import estimates, gfe
from revcycle.cli.patient_cmds import coverages, patients
from revcycle.cli.report_cmds import report
from revcycle.cli.setup_cmds import facilities, payers, practices, providers
from revcycle.cli.sim_cmds import sim
from revcycle.cli.status_cmds import status
from revcycle.cli.submit_cmds import inbox, submit
from revcycle.cli.underpayment_cmds import scorecard, underpayments
from revcycle.cli.worker_cmds import jobs_app, worker

app = typer.Typer(
    help="revcycle: the revenue cycle of a medical practice, from registration to reporting.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(practices, name="practices")
app.add_typer(providers, name="providers")
app.add_typer(facilities, name="facilities")
app.add_typer(payers, name="payers")
app.add_typer(patients, name="patients")
app.add_typer(coverages, name="coverages")
app.add_typer(codes, name="codes")
app.add_typer(fees, name="fees")
app.add_typer(contracts, name="contracts")
app.add_typer(authorizations, name="authorizations")
app.add_typer(encounters, name="encounters")
app.add_typer(claims, name="claims")
app.add_typer(register_denial_actions(denials), name="denials")
app.add_typer(queues, name="queues")
app.add_typer(estimates, name="estimates")
app.add_typer(gfe, name="gfe")
app.add_typer(queue, name="queue")
app.add_typer(sim, name="sim")
app.command("submit")(submit)
app.add_typer(inbox, name="inbox")
app.add_typer(status, name="status")
app.add_typer(era, name="era")
app.add_typer(underpayments, name="underpayments")
app.add_typer(scorecard, name="scorecard")
app.add_typer(report, name="report")
app.add_typer(eligibility, name="eligibility")
app.add_typer(appointments, name="appointments")
app.add_typer(deposits, name="deposits")
app.add_typer(credits, name="credits")
app.add_typer(periods, name="periods")
app.add_typer(journal, name="journal")
app.add_typer(payments, name="payments")
app.add_typer(accounts, name="accounts")
app.add_typer(statements, name="statements")
app.add_typer(collections, name="collections")
app.add_typer(plans, name="plans")
app.add_typer(jobs_app, name="jobs")
app.command("worker")(worker)

users = typer.Typer(help="API users and their roles.", no_args_is_help=True)
audit = typer.Typer(help="The audit log: who saw and changed what.", no_args_is_help=True)
db_app = typer.Typer(
    help="Database maintenance (migrations run by themselves on first use).", no_args_is_help=True
)
app.add_typer(users, name="users")
app.add_typer(audit, name="audit")
app.add_typer(db_app, name="db")


@app.callback()
def main(db: DbOpt = None, practice: PracticeOpt = None) -> None:
    """Every command takes --db URL (default: $REVCYCLE_DATABASE_URL, else ./revcycle.db) and
    --practice ID (default: the only practice)."""
    from revcycle.cli.common import reset_state

    reset_state(db, practice)


@app.command(
    "x12",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def x12(ctx: typer.Context) -> None:
    """Read, validate and acknowledge X12 files: validate | parse | ack (see `revcycle x12 --help`)."""
    from revcycle.cli.x12 import main as x12_main

    raise typer.Exit(x12_main(list(ctx.args) or ["--help"]))


@users.command("create")
def users_create(
    username: Annotated[str, typer.Option("--username")],
    role: Annotated[str, typer.Option("--role", help="admin, front_desk, coder, biller, manager")],
    password: Annotated[
        str | None, typer.Option("--password", help="Default: $REVCYCLE_PASSWORD, else asked for")
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an API user of the practice (the first admin is made this way)."""
    from revcycle.api.schemas import UserOut
    from revcycle.services.auth import create_user

    secret = password or os.environ.get("REVCYCLE_PASSWORD")
    if secret is None:
        secret = typer.prompt("password", hide_input=True, confirmation_prompt=True, err=True)
    with handled():
        user = UserOut.model_validate(
            create_user(state(db, practice).context(), username, role, secret)
        )
    emit(
        user,
        as_json,
        lambda: out_console.print(f"user {user.id} {user.username} ({user.role}) created"),
    )


@users.command("list")
def users_list(db: DbOpt = None, practice: PracticeOpt = None, as_json: JsonOpt = False) -> None:
    """List the practice's users."""
    from rich.table import Table

    from revcycle.api.schemas import UserOut
    from revcycle.services.auth import list_users

    with handled():
        items = [UserOut.model_validate(u) for u in list_users(state(db, practice).context())]

    def human() -> None:
        t = Table("id", "username", "role", "active")
        for u in items:
            t.add_row(str(u.id), u.username, u.role, "yes" if u.active else "no")
        out_console.print(t)

    emit(items, as_json, human)


@audit.command("list")
def audit_list(
    record_type: Annotated[str | None, typer.Option("--record-type")] = None,
    record_id: Annotated[str | None, typer.Option("--record-id")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 100,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the newest audit entries of the practice."""
    from rich.table import Table

    from revcycle.api.schemas import AuditEntryOut
    from revcycle.services.audit import audit_entries

    with handled():
        ctx = state(db, practice).context()
        items = [
            AuditEntryOut.model_validate(e)
            for e in audit_entries(ctx, record_type=record_type, record_id=record_id, limit=limit)
        ]

    def human() -> None:
        t = Table("at", "actor", "channel", "action", "record")
        for e in items:
            t.add_row(
                e.at.isoformat(timespec="seconds"),
                e.actor,
                e.channel,
                e.action,
                f"{e.record_type} {e.record_id}",
            )
        out_console.print(t)

    emit(items, as_json, human)


@db_app.command("upgrade")
def db_upgrade(db: DbOpt = None) -> None:
    """Create or upgrade the schema to the newest migration."""
    from revcycle.db.migrate import current_revision

    with handled():
        engine = state(db).engine
        err_console.print(f"schema at revision {current_revision(engine)}")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    db: DbOpt = None,
) -> None:
    """Start the REST API (OpenAPI at /openapi.json, docs at /docs)."""
    import uvicorn

    from revcycle.api.app import create_app
    from revcycle.config import settings_from_env

    settings = settings_from_env(state(db).url)
    state(db).engine  # noqa: B018  (migrate before accepting requests)
    # No access log: request lines carry search parameters (names, dates of birth), and PHI
    # never goes to logs.
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", access_log=False)


@app.command("demo")
def demo(
    out: Annotated[Path, typer.Option("--out", help="Output directory")] = Path("demo-out"),
    seed: Annotated[int, typer.Option("--seed")] = 7,
    encounters: Annotated[
        int, typer.Option("--encounters", help="Number of encounters (later stages)")
    ] = 500,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run a synthetic practice through every stage that exists, against the simulator."""
    from revcycle.cli.demo_cmd import run_demo

    with handled():
        run_demo(out=out, seed=seed, encounters=encounters, db=db, as_json=as_json)
