"""``revcycle status check|sweep|list|settings``: claim status follow-up (276/277).

``check CLAIM`` asks the payer now, in real time; ``sweep`` asks about every quiet claim
(sent, no remittance after the payer's days), in real time one by one or with ``--batch`` in
one 276 file through the mailbox (its 277 comes back with ``revcycle inbox poll``). The
real-time endpoint is found as for eligibility: ``--clearinghouse URL``, else
``$REVCYCLE_CLEARINGHOUSE_URL``, else the practice's setting (``revcycle eligibility settings
--realtime-url URL``). A failed exchange exits 4 with the error; the inquiry is kept and the
next ``check`` sends it again.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from revcycle.cli.common import DbOpt, JsonOpt, PracticeOpt, handled, out_console, state

if TYPE_CHECKING:
    from revcycle.services.claim_status import RealtimeSender, StatusAnswer
    from revcycle.services.context import Context

status = typer.Typer(
    help="Claim status follow-up (276/277): ask payers about quiet claims.", no_args_is_help=True
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
RetriesOpt = Annotated[int, typer.Option("--retries", min=1, help="Attempts in all")]
MailboxOpt = Annotated[
    str | None,
    typer.Option(
        "--mailbox",
        help="Mailbox URL (--batch) [default: file://./clearinghouse?submitter=<submitter ID>]",
        show_default=False,
    ),
]
NoLinesOpt = Annotated[
    bool, typer.Option("--no-lines", help="Ask about the claim only, not its service lines")
]


def _dump(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, indent=2, default=str) + "\n")


def _mailbox_url(ctx: Context, mailbox: str | None) -> str:
    if mailbox:
        return mailbox
    from revcycle.services.setup import get_practice
    from revcycle.services.submission import default_mailbox_url

    assert ctx.practice_id is not None
    return default_mailbox_url(get_practice(ctx, ctx.practice_id))


def _sender(ctx: Context, given: str | None, timeout: float, retries: int) -> RealtimeSender:
    from revcycle.db.eligibility_repo import eligibility_store
    from revcycle.services.eligibility import realtime_endpoint
    from revcycle.transport import RealtimeClient, RetryPolicy

    url = realtime_endpoint(ctx, eligibility_store, given or os.environ.get(ENV_URL))
    return RealtimeClient(url, timeout=timeout, retry=RetryPolicy(attempts=retries))


def _code(a: StatusAnswer) -> str:
    return ":".join(p for p in (a.category, a.status_code, a.entity) if p)


def _answer_line(a: StatusAnswer) -> str:
    parts = [f"{a.received_at:%Y-%m-%d %H:%M}", _code(a), a.outcome]
    if a.paid is not None and a.outcome in ("finalized", "denied"):
        parts.append(f"paid {a.paid}")
    if a.check_number:
        parts.append(f"check/EFT {a.check_number} {a.check_date or ''}".strip())
    return "  ".join(parts)


@status.command("check")
def check(
    claim: Annotated[str, typer.Argument(help="Claim id or patient control number")],
    clearinghouse: ClearinghouseOpt = None,
    timeout: TimeoutOpt = 10.0,
    retries: RetriesOpt = 3,
    no_lines: NoLinesOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ask the payer where one claim stands (276 real time) and record its answer (277)."""
    from revcycle.db.claim_status_repo import status_store
    from revcycle.services import claim_status as service

    with handled():
        ctx = state(db, practice).context()
        sender = _sender(ctx, clearinghouse, timeout, retries)
        outcome = service.check(ctx, claim, sender, store=status_store, lines=not no_lines)
    doc = service.outcome_doc(outcome)
    if as_json:
        _dump(doc)
        return
    assert outcome.answer is not None
    out_console.print(
        f"{outcome.claim.patient_control_number} ({outcome.claim.status}): "
        f"{_answer_line(outcome.answer)}",
        highlight=False,
    )
    message = outcome.answer.info.get("statuses", [{}])[0].get("message")
    if message:
        out_console.print(f"  {message}", highlight=False)


@status.command("sweep")
def sweep(
    days: Annotated[
        int | None,
        typer.Option("--days", min=0, help="Quiet days before asking [default: per payer, 30]"),
    ] = None,
    payer: Annotated[str | None, typer.Option("--payer", help="Only this payer ID")] = None,
    batch: Annotated[
        bool, typer.Option("--batch", help="One 276 file through the mailbox, not real time")
    ] = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most N claims")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list the claims that would be asked about")
    ] = False,
    clearinghouse: ClearinghouseOpt = None,
    mailbox: MailboxOpt = None,
    timeout: TimeoutOpt = 10.0,
    retries: RetriesOpt = 3,
    no_lines: NoLinesOpt = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Ask about every quiet claim: sent, no remittance after N days, not asked lately."""
    from revcycle.db.claim_status_repo import status_store
    from revcycle.services import claim_status as service
    from revcycle.transport import open_mailbox

    with handled():
        ctx = state(db, practice).context()
        if dry_run:
            due = service.due_claims(ctx, store=status_store, days=days, payer=payer)
            due = due[:limit] if limit is not None else due
            doc: dict[str, Any] = {
                "dry_run": True,
                "asked": [q.patient_control_number for q in due],
            }
            result = None
        elif batch:
            with open_mailbox(_mailbox_url(ctx, mailbox)) as box:
                result = service.sweep(
                    ctx, store=status_store, mailbox=box, days=days, payer=payer,
                    lines=not no_lines, limit=limit,
                )  # fmt: skip
        else:
            sender = _sender(ctx, clearinghouse, timeout, retries)
            result = service.sweep(
                ctx, store=status_store, sender=sender, days=days, payer=payer,
                lines=not no_lines, limit=limit,
            )  # fmt: skip
    if result is not None:
        doc = {
            "mode": result.mode,
            "asked": list(result.asked),
            "outcomes": dict(result.outcomes),
            "failed": [{"claim": pcn, "error": error} for pcn, error in result.failed],
            "file_name": result.file_name,
            "interchange_control_number": result.interchange_control_number,
            "file_names": list(result.file_names),
        }
    if as_json:
        _dump(doc)
        return
    if not doc["asked"]:
        out_console.print("no quiet claims are due for a status inquiry")
        return
    if result is None:
        out_console.print(f"would ask about {len(doc['asked'])} claims: {' '.join(doc['asked'])}")
        return
    if result.mode == "batch":
        out_console.print(
            f"asked about {len(result.asked)} claims in {', '.join(result.file_names)}; "
            "the answers come back with `revcycle inbox poll`"
        )
        return
    counts = ", ".join(f"{n} {k}" for k, n in sorted(result.outcomes.items())) or "none answered"
    out_console.print(f"asked about {len(result.asked)} claims: {counts}")
    for pcn, error in result.failed:
        out_console.print(f"[red]failed:[/red] {pcn}: {error}", highlight=False)


@status.command("list")
def list_(
    claim: Annotated[
        str | None, typer.Option("--claim", help="One claim's inquiries and answers")
    ] = None,
    state_: Annotated[
        str | None, typer.Option("--state", help="pending, answered or failed")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 200,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Status inquiries, newest first (with --claim: that claim's inquiries and answers)."""
    from rich.table import Table

    from revcycle.db.claim_status_repo import status_store
    from revcycle.services import claim_status as service

    with handled():
        ctx = state(db, practice).context()
        if claim is not None:
            found = service.history(ctx, claim, store=status_store)
            inquiries = list(found.inquiries)
            answers = list(found.answers)
        else:
            inquiries = service.list_inquiries(ctx, store=status_store, state=state_, limit=limit)
            answers = []
    if as_json:
        if claim is not None:
            _dump(
                {
                    "claim": found.claim.patient_control_number,
                    "inquiries": [service.inquiry_doc(i) for i in inquiries],
                    "answers": [service.answer_doc(a) for a in answers],
                }
            )
        else:
            _dump([service.inquiry_doc(i) for i in inquiries])
        return
    t = Table("id", "claim", "trace", "mode", "state", "sent", "error")
    for i in inquiries:
        t.add_row(
            str(i.id), str(i.claim_id), i.trace, i.mode, i.state,
            f"{i.sent_at:%Y-%m-%d %H:%M}" if i.sent_at else "", (i.error or "")[:60],
        )  # fmt: skip
    out_console.print(t)
    for a in answers:
        out_console.print(_answer_line(a), highlight=False)


@status.command("settings")
def settings(
    payer: Annotated[str | None, typer.Option("--payer", help="Payer ID to change")] = None,
    after_days: Annotated[
        int | None, typer.Option("--after-days", min=0, help="Quiet days before asking")
    ] = None,
    repeat_days: Annotated[
        int | None, typer.Option("--repeat-days", min=0, help="Days before asking again")
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show every payer's follow-up days, or change one payer's (--payer with the days)."""
    from revcycle.db.claim_status_repo import status_store
    from revcycle.services import claim_status as service

    with handled():
        ctx = state(db, practice).context()
        if payer is not None:
            service.configure(
                ctx, payer, store=status_store, after_days=after_days, repeat_days=repeat_days
            )
        rows = service.follow_up_settings(ctx, store=status_store)
    docs = [
        {"payer": s.payer_id, "after_days": s.after_days, "repeat_days": s.repeat_days}
        for s in rows
    ]
    if as_json:
        _dump(docs)
        return
    for d in docs:
        out_console.print(
            f"{d['payer']}: ask after {d['after_days']} quiet days, again every "
            f"{d['repeat_days']} days",
            highlight=False,
        )
