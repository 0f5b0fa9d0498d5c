"""``revcycle underpayments list|show|scan|tolerance`` and ``revcycle scorecard``: lines an
835 paid below the payer's contract, and each payer's scorecard over a range of dates.

Exit status: 0 on success, 2 for a bad option (a date, an amount), 3 for an unknown line. With
``--json`` stdout carries only the result (amounts as strings).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Annotated, Any

import typer

from revcycle.cli.common import DbOpt, JsonOpt, PracticeOpt, fail, handled, out_console, state

underpayments = typer.Typer(
    help="Underpayments: 835 lines paid below the payer's contract.", no_args_is_help=True
)
scorecard = typer.Typer(help="The payer scorecard.", invoke_without_command=True)

FromOpt = Annotated[str | None, typer.Option("--from", help="First payment date (YYYY-MM-DD)")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last payment date (YYYY-MM-DD)")]


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(2, f"{option} must be a date YYYY-MM-DD, not {value!r}")
        raise AssertionError from None


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


@underpayments.command("list")
def list_cmd(
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    all_lines: Annotated[
        bool, typer.Option("--all", help="Every checked line, not only underpaid ones")
    ] = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Lines paid in the range whose payment is below the contract by more than the tolerance."""
    from rich.table import Table

    from revcycle.db.underpayment_repo import underpayment_store
    from revcycle.services.underpayments import list_lines

    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    with handled():
        ctx = state(db, practice).context()
        found = list_lines(
            ctx,
            store=underpayment_store,
            date_from=start,
            date_to=end,
            outcome=None if all_lines else "underpaid",
        )
    if as_json:
        _emit([ln.to_json() for ln in found])
        return
    table = Table("id", "claim", "paid on", "code", "expected", "allowed", "paid", "variance")
    for ln in found:
        d = ln.to_json()
        table.add_row(
            str(ln.id),
            str(ln.claim_id),
            d["paid_on"],
            ln.procedure,
            d["expected_paid"] or "-",
            d["allowed"],
            d["paid"],
            d["variance"] or "-",
        )
    out_console.print(table)


@underpayments.command("show")
def show_cmd(
    line_id: Annotated[int, typer.Argument(help="The checked line's id", show_default=False)],
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One checked line: the 835's amounts, the expected amounts and the contract term."""
    from revcycle.db.underpayment_repo import underpayment_store
    from revcycle.services.underpayments import get_line

    with handled():
        ctx = state(db, practice).context()
        found = get_line(ctx, line_id, store=underpayment_store)
    data = found.to_json()
    if as_json:
        _emit(data)
        return
    for key, value in data.items():
        out_console.print(f"{key}: {value}")


@underpayments.command("scan")
def scan_cmd(
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check the lines paid in the range again (after a contract or the tolerance changed)."""
    from revcycle.db.underpayment_repo import underpayment_store
    from revcycle.services.underpayments import scan

    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    with handled():
        ctx = state(db, practice).context()
        result = scan(ctx, store=underpayment_store, date_from=start, date_to=end)
    if as_json:
        _emit(result.to_json())
        return
    out_console.print(
        f"checked {result.checked} lines: {result.underpaid} underpaid "
        f"({result.newly_underpaid} new), {result.no_contract} with no contract rate"
    )


@underpayments.command("tolerance")
def tolerance_cmd(
    amount: Annotated[
        str | None, typer.Argument(help="New tolerance (e.g. 1.00); none shows it")
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show or set the variance a line may have before it is underpaid (default 1.00)."""
    from revcycle.db.underpayment_repo import underpayment_store
    from revcycle.services.underpayments import get_tolerance, set_tolerance

    with handled():
        ctx = state(db, practice).context()
        if amount is None:
            value = get_tolerance(ctx, store=underpayment_store)
        else:
            value = set_tolerance(ctx, amount, store=underpayment_store)
    if as_json:
        _emit({"tolerance": value.to_json()})
    else:
        out_console.print(f"tolerance: {value.to_json()}")


@scorecard.callback()
def scorecard_cmd(
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Per payer: claims and charges, denial rate, paid vs expected, underpayments, days to
    pay."""
    from rich.table import Table

    from revcycle.db.underpayment_repo import underpayment_store
    from revcycle.services.underpayments import scorecard as compute

    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    with handled():
        ctx = state(db, practice).context()
        scores = compute(ctx, store=underpayment_store, date_from=start, date_to=end)
    if as_json:
        _emit([s.to_json() for s in scores])
        return
    table = Table(
        "payer", "claims", "charges", "denial rate", "paid", "expected", "underpaid", "days to pay"
    )
    for s in scores:
        d = s.to_json()
        table.add_row(
            f"{s.payer_id} {s.payer_name}",
            str(s.claims_submitted),
            d["charges_submitted"],
            d["denial_rate"] or "-",
            d["paid"],
            d["expected"],
            f"{s.underpaid_lines} ({d['underpaid_amount']})",
            d["days_to_pay_avg"] or "-",
        )
    out_console.print(table)
