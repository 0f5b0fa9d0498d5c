"""``revcycle report kpis|aging|denials|payers``: the revenue-cycle KPIs with their numerators,
denominators and definitions, the A/R aging, denial analytics and the payers (mix and
scorecard) over a range of dates (default: all dates).

Output: a table by default, ``--json`` (stdout carries only the result, amounts as strings) or
``--csv``. Exit status: 0 on success, 2 for a bad option (a date, a range that ends before it
starts).
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from typing import Annotated, Any

import typer

from revcycle.cli.common import DbOpt, JsonOpt, PracticeOpt, fail, handled, out_console, state

report = typer.Typer(
    help="Revenue-cycle reports: KPIs, A/R aging, denials, payers.", no_args_is_help=True
)

FromOpt = Annotated[str | None, typer.Option("--from", help="First date (YYYY-MM-DD)")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last date (YYYY-MM-DD)")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="CSV on stdout")]


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


def _csv(header: list[str], rows: list[list[Any]]) -> None:
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)


def _show(title: str, header: list[str], rows: list[list[Any]]) -> None:
    from rich.table import Table

    table = Table(*header, title=title)
    for r in rows:
        table.add_row(*("-" if v is None else str(v) for v in r))
    out_console.print(table)


@report.command("kpis")
def kpis_cmd(
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Every KPI with its value, numerator, denominator and definition."""
    from revcycle.services.reports import kpis

    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    with handled():
        found = kpis(state(db, practice).context(), start, end)
    if as_json:
        _emit(found)
        return
    header = ["kpi", "value", "numerator", "denominator", "definition"]
    rows = [
        [k, v["value"], v["numerator"], v["denominator"], v["definition"]] for k, v in found.items()
    ]
    if as_csv:
        _csv(header, rows)
    else:
        _show("KPIs", header, rows)


@report.command("aging")
def aging_cmd(
    on: Annotated[str | None, typer.Option("--on", help="Report date (default today)")] = None,
    date_to: ToOpt = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Open A/R in the buckets 0-30 ... over 120 days (from the date of service), by payer,
    payer class and patient. ``--to`` is the same as ``--on``."""
    from revcycle.services.reports import aging

    when = _date(on, "--on") or _date(date_to, "--to")
    with handled():
        found = aging(state(db, practice).context(), when)
    if as_json:
        _emit(found)
        return
    header = ["by", "key", *found["buckets"], "total"]
    rows = [
        [dim, key, *amounts.values()]
        for dim in ("by_payer", "by_payer_class", "by_patient")
        for key, amounts in found[dim].items()
    ]
    if as_csv:
        _csv(header, rows)
    else:
        _show(f"A/R aging on {found['as_of']}", header, rows)
        out_console.print(found["definition"])


@report.command("denials")
def denials_cmd(
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """Denials by root-cause category, payer and CARC, denials overturned, top procedures."""
    from revcycle.services.reports import denials

    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    with handled():
        found = denials(state(db, practice).context(), start, end)
    if as_json:
        _emit(found)
        return
    header = ["by", "key", "count", "amount"]
    rows = [
        [dim, key, v["count"], v["amount"]]
        for dim in ("by_category", "by_payer", "by_carc")
        for key, v in found[dim].items()
    ]
    if as_csv:
        _csv(header, rows)
        return
    _show("Denials", header, rows)
    o = found["overturned"]
    out_console.print(f"overturned: {o['value']} ({o['numerator']} of {o['denominator']})")


@report.command("payers")
def payers_cmd(
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
    as_csv: CsvOpt = False,
) -> None:
    """The payer mix (claims, charges, share) with each payer's scorecard."""
    from revcycle.services.reports import payers

    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    with handled():
        found = payers(state(db, practice).context(), start, end)
    if as_json:
        _emit(found)
        return
    header = ["payer", "class", "claims", "charges", "share", "paid", "denial rate", "days to pay"]
    rows = []
    for r in found:
        s = r["scorecard"] or {}
        rows.append(
            [
                r["payer_id"],
                r["payer_class"],
                r["claims"],
                r["charges"],
                r["charge_share"],
                s.get("paid"),
                s.get("denial_rate"),
                s.get("days_to_pay_avg"),
            ]
        )
    if as_csv:
        _csv(header, rows)
    else:
        _show("Payers", header, rows)
