"""Accounting commands: ``deposits`` (import, list, reconcile), ``credits`` (payer credit
balances, refunds, Medicare 60-day deadlines), ``periods`` (close, reopen, list) and
``journal export``. Each calls one service; see docs/accounting.md."""

from __future__ import annotations

import json
import sys
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
    require_file,
    state,
)

deposits = typer.Typer(
    help="Bank deposits: import bank CSV / BAI2 files, reconcile them with posted 835s.",
    no_args_is_help=True,
)
credits = typer.Typer(
    help="Payer credit balances: overpayments, refunds with a letter, Medicare 60-day rule.",
    no_args_is_help=True,
)
periods = typer.Typer(help="Accounting periods: close and reopen months.", no_args_is_help=True)
journal = typer.Typer(help="The ledger as general-ledger journal exports.", no_args_is_help=True)


def _json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def _read(path: Path) -> bytes:
    require_file(path)
    try:
        return path.read_bytes()
    except OSError as exc:
        fail(2, f"cannot read {path}: {exc.strerror}")
        raise AssertionError from exc


# ---- deposits ---------------------------------------------------------------------------------


@deposits.command("import")
def deposits_import(
    file: Annotated[Path, typer.Argument(help="Bank CSV or BAI2 file", show_default=False)],
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or bai2 (default: from the content)")
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import the deposits of a bank file, once (re-importing a file imports nothing)."""
    from revcycle.db.accounting_repo import accounting_store
    from revcycle.services.deposits import import_deposits

    content = _read(file)
    with handled():
        ctx = state(db, practice).context()
        result = import_deposits(ctx, content, name=file.name, fmt=fmt, store=accounting_store)
    if as_json:
        _json(result.to_json())
        return
    out_console.print(
        f"{result.status} ({result.file_format}): {result.imported} deposits, "
        f"{result.total.to_json()}; {result.duplicates} already known, "
        f"{result.debits_skipped} debits left out",
        highlight=False,
    )


@deposits.command("list")
def deposits_list(db: DbOpt = None, practice: PracticeOpt = None, as_json: JsonOpt = False) -> None:
    """List the practice's deposits."""
    from rich.table import Table

    from revcycle.db.accounting_repo import accounting_store
    from revcycle.services.deposits import deposit_json, list_deposits

    with handled():
        items = [deposit_json(d) for d in list_deposits(state(db, practice).context(),
                                                         store=accounting_store)]  # fmt: skip
    if as_json:
        _json(items)
        return
    t = Table("id", "date", "amount", "method", "reference", "trace")
    for d in items:
        t.add_row(str(d["id"]), d["date"], d["amount"], d["method"], d["reference"],
                  d["trace_number"])  # fmt: skip
    out_console.print(t)


@deposits.command("reconcile")
def deposits_reconcile(
    db: DbOpt = None, practice: PracticeOpt = None, as_json: JsonOpt = False
) -> None:
    """Match posted 835 payments to deposits (trace, then amount within 3 business days)."""
    from rich.table import Table

    from revcycle.db.accounting_repo import accounting_store
    from revcycle.services.reconciliation import reconcile

    with handled():
        report = reconcile(state(db, practice).context(), store=accounting_store).to_json()
    if as_json:
        _json(report)
        return
    t = Table("result", "trace", "payer", "ERA amount", "ERA date", "deposit", "deposit date",
              "difference", title="EFT reconciliation", title_justify="left")  # fmt: skip
    for m in report["matched"]:
        e, d = m["era"], m["deposit"]
        result = "variance" if m["difference"] != "0.00" else f"matched ({m['kind']})"
        t.add_row(result, e["trace_number"], e["payer_name"], e["amount"], e["payment_date"],
                  f"{d['amount']} #{d['deposit_id']}", d["date"], m["difference"])  # fmt: skip
    for e in report["eras_without_deposit"]:
        t.add_row("ERA without deposit", e["trace_number"], e["payer_name"], e["amount"],
                  e["payment_date"], "", "", "")  # fmt: skip
    for d in report["deposits_without_era"]:
        t.add_row("deposit without ERA", d["trace_number"], "", "", "",
                  f"{d['amount']} #{d['deposit_id']}", d["date"], "")  # fmt: skip
    out_console.print(t)
    err_console.print(f"{report['new_matches']} new matches", highlight=False)


# ---- payer credits ----------------------------------------------------------------------------


def _credit_table(items: list[dict[str, Any]], title: str) -> None:
    from rich.table import Table

    t = Table("id", "claim", "line", "payer", "open", "refunded", "identified", "deadline",
              "urgency", "status", title=title, title_justify="left")  # fmt: skip
    for c in items:
        t.add_row(str(c["id"]), c["claim_id"], c["line_id"], c["payer_id"], c["open_amount"],
                  c["refunded_amount"], c["identified_on"], c["deadline"] or "",
                  c["urgency"], c["status"])  # fmt: skip
    out_console.print(t)


@credits.command("list")
def credits_list(
    include_closed: Annotated[
        bool, typer.Option("--all", help="Also refunded and resolved credits")
    ] = False,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Lines a payer overpaid (its receivable below zero, or paid more than the charge)."""
    from revcycle.db.accounting_repo import accounting_store
    from revcycle.services.payer_credits import credits_json, payer_credits

    with handled():
        ctx = state(db, practice).context()
        items = credits_json(
            payer_credits(ctx, store=accounting_store, include_closed=include_closed)
        )
    if as_json:
        _json(items)
    else:
        _credit_table(items, "Payer credit balances")


@credits.command("due")
def credits_due(
    within: Annotated[int, typer.Option("--within", help="Days to the deadline")] = 14,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Medicare overpayments due (60 days after identification) within N days, or overdue."""
    from revcycle.db.accounting_repo import accounting_store
    from revcycle.services.payer_credits import credits_json, medicare_due

    with handled():
        ctx = state(db, practice).context()
        items = credits_json(medicare_due(ctx, store=accounting_store, within_days=within))
    if as_json:
        _json(items)
    else:
        _credit_table(items, "Medicare overpayments due or overdue")


@credits.command("refund")
def credits_refund(
    credit_id: Annotated[int, typer.Argument(help="Payer credit id (credits list)")],
    reason: Annotated[str, typer.Option("--reason", help="Why the money goes back")],
    amount: Annotated[
        str | None, typer.Option("--amount", help="Default: the whole open credit")
    ] = None,
    letter: Annotated[
        Path | None, typer.Option("--letter", help="Write the refund letter PDF here")
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Post the refund to the payer (a balanced entry) and write the refund letter."""
    from revcycle.db.accounting_repo import accounting_store
    from revcycle.domain.money import Money
    from revcycle.services.payer_credits import refund_payer_credit

    with handled():
        ctx = state(db, practice).context()
        value = Money(amount) if amount is not None else None
        result = refund_payer_credit(
            ctx, credit_id, reason=reason, amount=value, store=accounting_store
        )
    if letter is not None:
        letter.write_bytes(result.letter_pdf)
    if as_json:
        _json(result.to_json() | {"letter": str(letter) if letter else None})
        return
    out_console.print(
        f"refunded {result.amount.to_json()} (entry {result.entry_id}); credit "
        f"{result.credit.id} {result.credit.status}"
        + (f"; letter written to {letter}" if letter else ""),
        highlight=False,
    )


@credits.command("letter")
def credits_letter(
    credit_id: Annotated[int, typer.Argument(help="Payer credit id")],
    out: Annotated[Path, typer.Option("--out", help="PDF file to write")],
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """Write the refund letter of a refunded credit again."""
    from revcycle.db.accounting_repo import accounting_store
    from revcycle.services.payer_credits import refund_letter

    with handled():
        pdf = refund_letter(state(db, practice).context(), credit_id, store=accounting_store)
    out.write_bytes(pdf)
    err_console.print(f"letter written to {out}", highlight=False)


# ---- periods ----------------------------------------------------------------------------------


@periods.command("close")
def periods_close(
    period: Annotated[str, typer.Argument(help="YYYY-MM")],
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Close a month: later entries dated inside it post on the first day of the next open one."""
    from revcycle.db.accounting_repo import accounting_store
    from revcycle.services.periods import close_period, period_json

    with handled():
        p = period_json(close_period(state(db, practice).context(), period,
                                     store=accounting_store))  # fmt: skip
    if as_json:
        _json(p)
    else:
        out_console.print(f"{p['period']} closed", highlight=False)


@periods.command("reopen")
def periods_reopen(
    period: Annotated[str, typer.Argument(help="YYYY-MM")],
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Reopen a closed month (manager role; audited)."""
    from revcycle.db.accounting_repo import accounting_store
    from revcycle.services.periods import period_json, reopen_period

    with handled():
        p = period_json(reopen_period(state(db, practice).context(), period,
                                      store=accounting_store))  # fmt: skip
    if as_json:
        _json(p)
    else:
        out_console.print(f"{p['period']} reopened", highlight=False)


@periods.command("list")
def periods_list(db: DbOpt = None, practice: PracticeOpt = None, as_json: JsonOpt = False) -> None:
    """Months closed or reopened, with who and when."""
    from rich.table import Table

    from revcycle.db.accounting_repo import accounting_store
    from revcycle.services.periods import list_periods, period_json

    with handled():
        items = [period_json(p) for p in list_periods(state(db, practice).context(),
                                                      store=accounting_store)]  # fmt: skip
    if as_json:
        _json(items)
        return
    t = Table("period", "status", "closed", "by", "reopened", "by")
    for p in items:
        t.add_row(p["period"], p["status"], p["closed_at"], p["closed_by"],
                  p["reopened_at"] or "", p["reopened_by"] or "")  # fmt: skip
    out_console.print(t)


# ---- journal ----------------------------------------------------------------------------------


@journal.command("export")
def journal_export(
    period: Annotated[str, typer.Option("--period", help="YYYY-MM")],
    out: Annotated[Path | None, typer.Option("--out", help="CSV file (default: stdout)")] = None,
    detail: Annotated[
        bool, typer.Option("--detail", help="One row per posting instead of per GL account")
    ] = False,
    accounts: Annotated[
        Path | None,
        typer.Option("--accounts", help='JSON {"kind": {"number": .., "name": ..}} overrides'),
    ] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
) -> None:
    """The month's journal by GL account (debit / credit, balanced totals) as CSV."""
    from revcycle.db.accounting_repo import accounting_store
    from revcycle.services.journal import (
        DEFAULT_GL_ACCOUNTS,
        export_journal,
        gl_accounts_from_json,
    )

    with handled():
        table = (
            gl_accounts_from_json(_read(accounts).decode("utf-8"))
            if accounts is not None
            else DEFAULT_GL_ACCOUNTS
        )
        export = export_journal(
            state(db, practice).context(), period, store=accounting_store, accounts=table
        )
    text = export.detail_csv() if detail else export.summary_csv()
    if out is None:
        sys.stdout.write(text)
        return
    out.write_text(text, encoding="utf-8")
    err_console.print(
        f"{export.period}: debits {export.total_debit.to_json()} = credits "
        f"{export.total_credit.to_json()}; written to {out}",
        highlight=False,
    )
