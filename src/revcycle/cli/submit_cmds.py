"""``revcycle submit`` and ``revcycle inbox poll|list``: claims out to the clearinghouse,
responses back in.

The mailbox is a URL (``file://...?submitter=ID`` or ``sftp://...``, see docs/transports.md);
without ``--mailbox`` it is the filesystem mailbox under ``./clearinghouse/`` named with the
practice's submitter ID (``RC`` + TIN), the folder the simulator serves by default.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any

import typer

from revcycle.cli.common import DbOpt, JsonOpt, PracticeOpt, handled, out_console, state

if TYPE_CHECKING:
    from revcycle.services.context import Context

MailboxOpt = Annotated[
    str | None,
    typer.Option(
        "--mailbox",
        help="Mailbox URL (file://ROOT?submitter=ID or sftp://...) "
        "[default: file://./clearinghouse?submitter=<practice submitter ID>]",
        show_default=False,
    ),
]

inbox = typer.Typer(
    help="Responses from the clearinghouse: TA1, 999, 277CA, 835.", no_args_is_help=True
)


def _dump(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, indent=2, default=str) + "\n")


def _mailbox_url(ctx: Context, mailbox: str | None) -> str:
    if mailbox:
        return mailbox
    from revcycle.services.setup import get_practice
    from revcycle.services.submission import default_mailbox_url

    return default_mailbox_url(get_practice(ctx, ctx.practice_id))


def submit(
    payer: Annotated[
        str | None, typer.Option("--payer", help="Only claims to this payer ID")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Build the files and report; store and send nothing")
    ] = False,
    max_per_file: Annotated[
        int, typer.Option("--max-claims-per-file", min=1, help="Claims per 837 interchange")
    ] = 5000,
    mailbox: MailboxOpt = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Batch the ready claims into 837 files, store them, send them, mark the claims submitted."""
    from revcycle.services.submission import submit as submit_claims
    from revcycle.transport import open_mailbox

    with handled():
        ctx = state(db, practice).context()
        with open_mailbox(_mailbox_url(ctx, mailbox)) as box:
            result = submit_claims(
                ctx, box, payer=payer, dry_run=dry_run, max_claims_per_file=max_per_file
            )
    batches = [
        {
            "file": b.file_name,
            "kind": b.kind,
            "route": b.route,
            "claims": len(b.claim_ids),
            "total_charge": b.total_charge.to_json(),
            "interchange_control_number": b.interchange_control_number,
            "sha256": b.sha256,
            "state": b.state,
        }
        for b in result.batches
    ]
    if as_json:
        _dump({"dry_run": result.dry_run, "recovered": result.recovered, "batches": batches})
        return
    for sid in result.recovered:
        out_console.print(f"completed submission {sid} left unfinished by an earlier run")
    verb = "would send" if result.dry_run else "sent"
    for b in batches:
        out_console.print(
            f"{verb} {b['file']}: {b['claims']} claims, {b['total_charge']} ({b['state']})"
        )
    if not batches:
        out_console.print("no ready claims to submit")


@inbox.command("poll")
def inbox_poll(
    mailbox: MailboxOpt = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Fetch response files, store each once, route it to its practice and apply it."""
    from revcycle.services.inbox import poll
    from revcycle.transport import open_mailbox

    with handled():
        ctx = state(db, practice).context()
        with open_mailbox(_mailbox_url(ctx, mailbox)) as box:
            result = poll(lambda pid: replace(ctx, practice_id=pid), box)
    doc = {
        "stored": result.stored,
        "already_stored": result.already_stored,
        "unmatched": result.unmatched,
        "applied": result.applied,
        "failed": result.failed,
    }
    if as_json:
        _dump(doc)
        return
    out_console.print(
        f"{len(result.stored)} new files, {len(result.applied)} applied, "
        f"{len(result.unmatched)} unmatched, {len(result.already_stored)} seen before"
    )
    for error in result.failed:
        out_console.print(f"[red]failed:[/red] {error}", highlight=False)


@inbox.command("list")
def inbox_list(
    status: Annotated[
        str | None, typer.Option("--state", help="received, applied, unmatched, duplicate, failed")
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Response files received, newest last."""
    from revcycle.services.inbox import list_files

    with handled():
        files = list_files(state(db, practice).context(), status)
    rows = [
        {
            "id": f.id,
            "name": f.mailbox_name,
            "kind": f.kind,
            "state": f.state,
            "received_at": f.received_at.isoformat(),
            "notes": list(f.notes or []),
        }
        for f in files
    ]
    if as_json:
        _dump(rows)
        return
    for r in rows:
        out_console.print(f"{r['id']:>6} {r['kind']:<6} {r['state']:<10} {r['name']}")
