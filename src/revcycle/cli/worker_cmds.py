"""``revcycle worker`` and ``revcycle jobs list|show|retry|cancel``: run the background jobs,
see and steer them.

On PostgreSQL the jobs live in the procrastinate queue and any number of workers share it; on
SQLite they are rows of the ``jobs`` table and one worker runs them in process. ``jobs`` works
the same on both. Without ``--practice`` the operator sees every practice's jobs.
"""

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
    state,
)

if TYPE_CHECKING:
    from revcycle.services.ports import Job

jobs_app = typer.Typer(
    help="Background jobs (submission, inbox, ERA posting): list, retry, cancel.",
    no_args_is_help=True,
)


def worker(
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, help="Jobs run at once by this worker")
    ] = 1,
    queue: Annotated[
        list[str] | None,
        typer.Option(
            "--queue",
            help="Only these job kinds (or queue names); repeat it. Default: every queue",
            show_default=False,
        ),
    ] = None,
    max_attempts: Annotated[
        int,
        typer.Option(
            "--max-attempts",
            min=1,
            envvar="REVCYCLE_JOB_MAX_ATTEMPTS",
            help="Attempts before a job ends failed",
        ),
    ] = 3,
    mailbox_root: Annotated[
        Path | None,
        typer.Option(
            "--mailbox-root",
            envvar="REVCYCLE_MAILBOX_ROOT",
            help="Folder of the filesystem mailboxes [default: ./clearinghouse]",
            show_default=False,
        ),
    ] = None,
    mailbox_url: Annotated[
        str | None,
        typer.Option(
            "--mailbox-url",
            envvar="REVCYCLE_MAILBOX_URL",
            help="Mailbox URL template, e.g. sftp://{submitter}@host:22/ ({practice_id} too)",
            show_default=False,
        ),
    ] = None,
    heartbeat: Annotated[
        float, typer.Option("--heartbeat", min=0.1, help="Seconds between heartbeats")
    ] = 10.0,
    stalled_after: Annotated[
        float,
        typer.Option(
            "--stalled-after",
            min=0.5,
            help="Seconds without a heartbeat after which a worker's jobs run elsewhere",
        ),
    ] = 30.0,
    db: DbOpt = None,
) -> None:
    """Run background jobs until SIGTERM or Ctrl-C (running jobs finish first)."""
    from revcycle.config import clock_from_env
    from revcycle.worker import MailboxConfig, WorkerConfig, run_worker

    config = WorkerConfig(
        concurrency=concurrency,
        queues=tuple(queue or ()),
        max_attempts=max_attempts,
        heartbeat=heartbeat,
        stalled_after=stalled_after,
        mailbox=MailboxConfig(mailbox_root, mailbox_url),
    )
    with handled():
        engine = state(db).engine
        if engine.dialect.name != "postgresql" and concurrency > 1:
            err_console.print("SQLite runs one job at a time: --concurrency ignored")
        run_worker(
            engine,
            state(db).clock or clock_from_env(),
            config,
            on_start=lambda message: err_console.print(message, highlight=False),
        )


def _job_json(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "practice_id": job.practice_id,
        "state": job.state,
        "attempts": job.attempts,
        "error": job.error,
        "payload": dict(job.payload),
    }


def _print_jobs(items: list[Job]) -> None:
    from rich.table import Table

    t = Table("id", "kind", "practice", "state", "attempts", "payload", "last error")
    for j in items:
        t.add_row(
            str(j.id),
            j.kind,
            str(j.practice_id or ""),
            j.state,
            str(j.attempts),
            json.dumps(dict(j.payload), sort_keys=True),
            (j.error or "")[:80],
        )
    out_console.print(t)


@jobs_app.command("list")
def jobs_list(
    status: Annotated[
        str | None,
        typer.Option("--status", help="pending, running, done, failed or cancelled"),
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="e.g. inbox.apply")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="The newest N jobs")] = 200,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Jobs, oldest first, with their last error."""
    from revcycle.cli.common import fail
    from revcycle.services.jobs import UnknownJobKind, list_jobs

    with handled():
        ctx = state(db, practice).context(need_practice=False)
        try:
            items = list_jobs(ctx, state=status, kind=kind, limit=limit)
        except (UnknownJobKind, ValueError) as exc:
            fail(2, f"{exc}")
            raise AssertionError from exc
    if as_json:
        sys.stdout.write(json.dumps([_job_json(j) for j in items], indent=2) + "\n")
        return
    _print_jobs(items)


@jobs_app.command("show")
def jobs_show(
    job_id: Annotated[int, typer.Argument(help="Job id", show_default=False)],
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One job with the error of each failed attempt."""
    from revcycle.services.jobs import show_job

    with handled():
        view = show_job(state(db, practice).context(need_practice=False), job_id)
    doc = {
        **_job_json(view.job),
        "attempts_failed": [
            {
                "attempt": a["attempt"],
                "error": a["error"],
                "failed_at": a["failed_at"].isoformat(),
                "retry_after": a["retry_after"].isoformat() if a["retry_after"] else None,
            }
            for a in view.attempts
        ],
    }
    if as_json:
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return
    _print_jobs([view.job])
    for a in doc["attempts_failed"]:
        out_console.print(
            f"attempt {a['attempt']} at {a['failed_at']}: {a['error']}", highlight=False
        )


def _steer(verb: str, job_id: int, db: str | None, practice: int | None, as_json: bool) -> None:
    from revcycle.services.jobs import cancel_job, retry_job

    action = retry_job if verb == "retry" else cancel_job
    with handled():
        job = action(state(db, practice).context(need_practice=False), job_id)
    if as_json:
        sys.stdout.write(json.dumps(_job_json(job), indent=2) + "\n")
        return
    out_console.print(f"job {job.id} ({job.kind}) is {job.state}", highlight=False)


@jobs_app.command("retry")
def jobs_retry(
    job_id: Annotated[int, typer.Argument(help="Job id", show_default=False)],
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Put a failed or cancelled job back in the queue (one more attempt, due now)."""
    _steer("retry", job_id, db, practice, as_json)


@jobs_app.command("cancel")
def jobs_cancel(
    job_id: Annotated[int, typer.Argument(help="Job id", show_default=False)],
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Take a waiting job out of the queue."""
    _steer("cancel", job_id, db, practice, as_json)
