"""``revcycle era post FILE [--json]``: post an 835 to the ledger, once.

Exit status: 0 when the file was posted or had already been posted, 1 when it was rejected
(the findings say why; nothing was posted). With ``--json`` stdout carries only the summary.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from revcycle.cli.common import DbOpt, JsonOpt, PracticeOpt, fail, handled, out_console, state

era = typer.Typer(
    help="Electronic remittances (835): post them to the ledger.", no_args_is_help=True
)


@era.command("post")
def era_post(
    file: Annotated[Path, typer.Argument(help="The 835 file", show_default=False)],
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate the 835, match its claims and post payments, adjustments and transfers."""
    from revcycle.db.ledger_repo import ledger_store
    from revcycle.services.era import post_era

    try:
        content = file.read_bytes()
    except OSError as exc:
        fail(2, f"cannot read {file}: {exc.strerror}")
        raise AssertionError from exc
    with handled():
        st = state(db, practice)
        ctx = st.context(need_practice=False)
        summary = post_era(ctx, content, ledger=ledger_store)
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        _print(summary)
    if summary["status"] == "rejected":
        raise typer.Exit(1)


def _print(s: dict[str, Any]) -> None:
    out_console.print(
        f"{s['status']}: {s['claims_matched']} claims matched, "
        f"{s['claims_unmatched']} unmatched, paid {s['paid_total']}",
        highlight=False,
    )
    groups = ", ".join(f"{g} {v}" for g, v in s["adjustments_by_group"].items())
    out_console.print(
        f"adjustments: {groups}; patient responsibility "
        f"{s['patient_responsibility']}; PLB {s['provider_adjustments_total']}",
        highlight=False,
    )
    out_console.print(
        f"denials queued: {s['denials_created']}; secondary claims queued: "
        f"{s['secondary_claims_created']}",
        highlight=False,
    )
    for f in s["findings"]:
        out_console.print(
            f"{f['severity']}: {f['code']} {f['message']} ({f.get('location', '')})",
            highlight=False,
        )
