"""``revcycle era post FILE``, ``era manual EOB.json``, ``era files``: post 835s and paper
EOBs to the ledger, once, and list what was posted.

Exit status: 0 when the file was posted or had already been posted, 1 when it was rejected
(the findings say why; nothing was posted), 2 for a bad EOB form (each bad field named). With
``--json`` stdout carries only the summary.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from revcycle.cli.common import DbOpt, JsonOpt, PracticeOpt, fail, handled, out_console, state

if TYPE_CHECKING:
    from revcycle.posting import PostingConfig

era = typer.Typer(
    help="Electronic remittances (835): post them to the ledger.", no_args_is_help=True
)


TREATMENTS = ("adjust", "patient", "keep_open", "ignore")
OaOpt = Annotated[
    str,
    typer.Option(
        "--oa",
        help="OA (other adjustment) amounts: adjust (post as other adjustments), patient "
        "(bill like PR), keep_open (work them with the payer) or ignore; OA-23 is always ignored",
    ),
]
PiOpt = Annotated[
    str,
    typer.Option("--pi", help="PI (payer initiated) amounts: adjust, patient, keep_open, ignore"),
]


def _config(oa: str, pi: str) -> PostingConfig:
    from revcycle.posting import PostingConfig

    for name, value in (("--oa", oa), ("--pi", pi)):
        if value not in TREATMENTS:
            fail(2, f"{name} must be one of {', '.join(TREATMENTS)}, not {value!r}")
    return PostingConfig(oa=oa, pi=pi)  # type: ignore[arg-type]


@era.command("post")
def era_post(
    file: Annotated[Path, typer.Argument(help="The 835 file", show_default=False)],
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
    oa: OaOpt = "adjust",
    pi: PiOpt = "adjust",
) -> None:
    """Validate the 835, match its claims and post payments, adjustments and transfers."""
    from revcycle.db.ledger_repo import ledger_store
    from revcycle.services.era import post_era

    config = _config(oa, pi)

    try:
        content = file.read_bytes()
    except OSError as exc:
        fail(2, f"cannot read {file}: {exc.strerror}")
        raise AssertionError from exc
    with handled():
        st = state(db, practice)
        ctx = st.context(need_practice=False)
        summary = post_era(ctx, content, ledger=ledger_store, config=config)
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        _print(summary)
    if summary["status"] == "rejected":
        raise typer.Exit(1)


@era.command("manual")
def era_manual(
    file: Annotated[
        Path, typer.Argument(help="The paper EOB as JSON (see docs/posting.md)", show_default=False)
    ],
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
    oa: OaOpt = "adjust",
    pi: PiOpt = "adjust",
) -> None:
    """Post a paper EOB keyed in as JSON, through the same checks and rules as an 835."""
    from revcycle.db.ledger_repo import ledger_store
    from revcycle.services.era import post_manual_eob

    config = _config(oa, pi)

    try:
        form = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        fail(2, f"cannot read {file}: {exc.strerror}")
        raise AssertionError from exc
    except ValueError as exc:
        fail(2, f"{file} is not JSON: {exc}")
        raise AssertionError from exc
    if not isinstance(form, dict):
        fail(2, f"{file} must hold one JSON object (the EOB)")
    with handled():
        ctx = state(db, practice).context()
        summary = post_manual_eob(ctx, form, ledger=ledger_store, config=config)
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        _print(summary)
    if summary["status"] == "rejected":
        raise typer.Exit(1)


@era.command("files")
def era_files(db: DbOpt = None, practice: PracticeOpt = None, as_json: JsonOpt = False) -> None:
    """The 835 files and EOBs seen, newest first, with their status and totals."""
    from rich.table import Table

    from revcycle.db.ledger_repo import ledger_store
    from revcycle.services.era import list_files

    with handled():
        ctx = state(db, practice).context(need_practice=False)
        files = list_files(ctx, ledger=ledger_store)
    if as_json:
        sys.stdout.write(json.dumps(files, indent=2) + "\n")
        return
    table = Table("id", "practice", "status", "sender", "trace", "matched", "unmatched", "paid")
    for f in files:
        s = f["summary"]
        table.add_row(
            str(f["id"]),
            str(f["practice_id"] or "none"),
            f["status"],
            f["sender_id"],
            f["trace_numbers"][:30],
            str(s.get("claims_matched", 0)),
            str(s.get("claims_unmatched", 0)),
            s.get("paid_total", "0.00"),
        )
    out_console.print(table)


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
