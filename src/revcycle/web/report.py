"""The revenue-cycle report as one self-contained HTML page.

``render_report(ctx, start, end)`` gathers the KPIs, A/R aging, denials, payer scorecard and
monthly series from ``revcycle.services.reports`` and ``render_html`` lays them out: KPI tiles
(value, with the definition, numerator and denominator as a tooltip), aging stacked by payer,
the denial trend by category, collections and charges by month, the clean claim rate trend and
the payer scorecard table. The page has inline CSS and inline SVG charts (``revcycle.web.charts``)
and references nothing outside itself, so the demo can write it to a file and the dashboard can
serve the same markup. Every value from the database is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from html import escape
from typing import Any

from revcycle.services import reports as report_service
from revcycle.services.context import Context
from revcycle.web import charts

KPI_LABELS: Mapping[str, tuple[str, str]] = {
    "days_in_ar": ("Days in A/R (net)", "days"),
    "gross_days_in_ar": ("Days in A/R (gross)", "days"),
    "ar_over_90_pct": ("A/R over 90 days", "%"),
    "clean_claim_rate": ("Clean claim rate", "%"),
    "first_pass_resolution_rate": ("First-pass resolution", "%"),
    "initial_denial_rate": ("Initial denial rate", "%"),
    "denial_dollars_rate": ("Denial rate (dollars)", "%"),
    "denials_overturned_rate": ("Denials overturned", "%"),
    "net_collection_rate": ("Net collection rate", "%"),
    "gross_collection_rate": ("Gross collection rate", "%"),
    "charge_lag_days": ("Charge lag", "days"),
    "payment_lag_days": ("Payment lag", "days"),
    "bad_debt_rate": ("Bad debt", "%"),
    "pos_collection_rate": ("Point-of-service collections", "%"),
}
"""Tile label and unit of each KPI identifier; an identifier not listed shows as it is."""

AGING_BUCKETS = ("0-30", "31-60", "61-90", "91-120", "over_120")
"""The aging buckets when the data does not name its own."""

SCORECARD_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("payer_class", "Class", ""),
    ("claims", "Claims", ""),
    ("charges", "Charges", "$"),
    ("charge_share", "Payer mix", "%"),
    ("claims_adjudicated", "Adjudicated", ""),
    ("claims_denied", "Denied", ""),
    ("denial_rate", "Denial rate", "%"),
    ("denied_amount", "Denied $", "$"),
    ("paid", "Paid", "$"),
    ("underpaid_amount", "Underpaid $", "$"),
    ("days_to_pay_avg", "Days to pay (avg)", ""),
)
"""Scorecard columns after the payer name: key (in the row or its ``scorecard``), header,
unit."""

_CSS = """
*{box-sizing:border-box}body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;
margin:0;color:#1a202c;background:#f7fafc}header{background:#1a365d;color:#fff;
padding:12px 24px;display:flex;justify-content:space-between;align-items:center}
header h1{font-size:18px;margin:0}header a{color:#bee3f8}main{padding:16px 24px;
max-width:1400px;margin:auto}.range{color:#cbd5e0;font-size:13px}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:12px}
.tile{background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:10px 12px}
.tile .label{font-size:12px;color:#4a5568}.tile .value{font-size:22px;font-weight:600}
.tile .ratio{font-size:11px;color:#718096}.charts{display:grid;
grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:16px;margin-top:16px}
.panel{background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:8px}
svg.chart{width:100%;height:auto}table{border-collapse:collapse;width:100%;font-size:13px;
background:#fff}th,td{border-bottom:1px solid #e2e8f0;padding:6px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#edf2f7}h2{font-size:16px;
margin:20px 0 8px}
"""


@dataclass(frozen=True, slots=True)
class ReportData:
    """What the page shows, as the reporting service returns it (amounts as strings)."""

    practice: str
    start: date | None
    end: date | None
    kpis: Mapping[str, Mapping[str, Any]]
    aging: Mapping[str, Any]
    denials: Mapping[str, Any]
    payers: Sequence[Mapping[str, Any]]
    monthly: Sequence[Mapping[str, Any]]


def gather(ctx: Context, start: date | None, end: date | None) -> ReportData:
    """The report's data for the context's practice (permission checks in the service)."""
    with ctx.uow() as uow:
        practice = uow.practices.get(ctx.practice_id or 0).legal_name
    return ReportData(
        practice=practice,
        start=start,
        end=end,
        kpis=report_service.kpis(ctx, start, end),
        aging=report_service.aging(ctx, end),
        denials=report_service.denials(ctx, start, end),
        payers=report_service.payers(ctx, start, end),
        monthly=report_service.monthly(ctx, start, end),
    )


def render_report(ctx: Context, start: date | None, end: date | None) -> str:
    """The standalone report of the context's practice over ``start``..``end`` (None: open)."""
    return render_html(gather(ctx, start, end))


def _dec(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def format_value(value: object, unit: str) -> str:
    """A KPI value for a tile: rates as percentages with one decimal, days with one decimal,
    amounts with cents; ``None`` (no denominator) as an em dash."""
    d = _dec(value)
    if d is None:
        return "—"
    if unit == "%":
        return f"{(d * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
    if unit == "days":
        return f"{d.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} days"
    return str(d)


def _range_text(start: date | None, end: date | None) -> str:
    if start is None and end is None:
        return "all dates"
    return f"{start.isoformat() if start else 'beginning'} to {end.isoformat() if end else 'today'}"


def kpi_tiles(kpis: Mapping[str, Mapping[str, Any]]) -> str:
    out = ['<section class="tiles" id="kpis">']
    for kpi_id, kpi in kpis.items():
        label, unit = KPI_LABELS.get(kpi_id, (kpi_id, ""))
        definition = str(kpi.get("definition", ""))
        ratio = f"{kpi.get('numerator', '')} / {kpi.get('denominator', '')}"
        out.append(
            f'<div class="tile" data-kpi="{escape(kpi_id)}" title="{escape(definition)}">'
            f'<div class="label">{escape(label)}</div>'
            f'<div class="value">{escape(format_value(kpi.get("value"), unit))}</div>'
            f'<div class="ratio">{escape(ratio)}</div></div>'
        )
    out.append("</section>")
    return "".join(out)


def _rows(value: object) -> list[Mapping[str, Any]]:
    """A list of row mappings from a list, or from a mapping of name -> row."""
    if isinstance(value, Mapping):
        return [
            {"name": k, **v} if isinstance(v, Mapping) else {"name": k, "value": v}
            for k, v in value.items()
        ]
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [r for r in value if isinstance(r, Mapping)]
    return []


def _name(row: Mapping[str, Any], *keys: str) -> str:
    for k in (*keys, "name", "payer", "category", "month", "label"):
        if row.get(k) not in (None, ""):
            return str(row[k])
    return "?"


def aging_chart(aging: Mapping[str, Any]) -> str:
    """A/R aging: one bar per bucket, stacked by payer."""
    names = aging.get("buckets")
    buckets = [str(b) for b in names] if isinstance(names, list) and names else AGING_BUCKETS
    rows = [r for r in _rows(aging.get("by_payer")) if r.get("name") != "total"]
    series = []
    for row in rows:
        amounts = row.get("buckets", row)
        if not isinstance(amounts, Mapping):
            amounts = {}
        series.append(
            charts.Series(
                _name(row, "payer_name", "payer"), tuple(_dec(amounts.get(b)) for b in buckets)
            )
        )
    labels = [b.replace("_", " ") for b in buckets]
    return charts.stacked_bars("A/R aging by payer", labels, series, unit="$")


def _months(monthly: Sequence[Mapping[str, Any]]) -> list[str]:
    return [str(m.get("month", "?")) for m in monthly]


def collections_chart(monthly: Sequence[Mapping[str, Any]]) -> str:
    months = _months(monthly)
    return charts.grouped_bars(
        "Charges and collections by month",
        months,
        [
            charts.Series("charges", tuple(_dec(m.get("charges")) for m in monthly)),
            charts.Series("collections", tuple(_dec(m.get("collections")) for m in monthly)),
        ],
        unit="$",
    )


def clean_claim_chart(monthly: Sequence[Mapping[str, Any]]) -> str:
    months = _months(monthly)
    rate = charts.Series(
        "clean claim rate", tuple(_dec(m.get("clean_claim_rate")) for m in monthly)
    )
    return charts.lines("Clean claim rate by month", months, [rate], unit="%", top=Decimal(1))


def _count(value: object) -> Decimal | None:
    if isinstance(value, Mapping):
        return _dec(value.get("count", value.get("denials")))
    return _dec(value)


def denial_trend_chart(denials: Mapping[str, Any], monthly: Sequence[Mapping[str, Any]]) -> str:
    """Denials per month, stacked by root-cause category."""
    per_month: dict[str, dict[str, Decimal | None]] = {}
    trend = denials.get("trend")
    for row in _rows(trend):
        month = str(row.get("month", "?"))
        cat = _name(row, "category")
        per_month.setdefault(month, {})[cat] = _count(row)
    if not per_month:
        for m in monthly:
            cats = m.get("denials_by_category")
            per_month[str(m.get("month", "?"))] = {
                str(k): _count(v) for k, v in (cats.items() if isinstance(cats, Mapping) else [])
            }
    months = sorted(per_month)
    categories = sorted({c for m in per_month.values() for c in m})
    series = [charts.Series(c, tuple(per_month[m].get(c) for m in months)) for c in categories]
    return charts.stacked_bars("Denials by category and month", months, series)


def _scorecard_value(row: Mapping[str, Any], key: str) -> object:
    if key in row:
        return row[key]
    card = row.get("scorecard")
    return card.get(key) if isinstance(card, Mapping) else None


def _cell(value: object, unit: str) -> str:
    if value is None or isinstance(value, Mapping | list | tuple):
        return ""
    if unit == "%":
        return format_value(value, "%")
    if unit == "$":
        d = _dec(value)
        return "" if d is None else f"${d:,}"
    return str(value)


def scorecard_table(payers: Sequence[Mapping[str, Any]]) -> str:
    """The payer scorecard with the payer mix: one row per payer."""
    head = "<th>Payer</th>" + "".join(f"<th>{escape(h)}</th>" for _, h, _ in SCORECARD_COLUMNS)
    body = "".join(
        f"<tr><td>{escape(_name(r, 'payer_name', 'payer', 'payer_id'))}</td>"
        + "".join(
            f"<td>{escape(_cell(_scorecard_value(r, k), unit))}</td>"
            for k, _, unit in SCORECARD_COLUMNS
        )
        + "</tr>"
        for r in payers
    )
    if not payers:
        body = '<tr><td class="empty">no payer activity in this range</td></tr>'
    return f'<table id="scorecard"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def render_html(data: ReportData, *, nav: str = "") -> str:
    """The whole page. ``nav`` is trusted markup placed in the header (the dashboard's logout
    form); the standalone file has none."""
    title = f"Revenue cycle — {data.practice}"
    panels = [
        aging_chart(data.aging),
        denial_trend_chart(data.denials, data.monthly),
        collections_chart(data.monthly),
        clean_claim_chart(data.monthly),
    ]
    return "".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
            f"<header><div><h1>{escape(title)}</h1>",
            f'<span class="range">{escape(_range_text(data.start, data.end))}</span></div>',
            f"{nav}</header><main>",
            "<h2>Key performance indicators</h2>",
            kpi_tiles(data.kpis),
            '<section class="charts">',
            *(f'<div class="panel">{p}</div>' for p in panels),
            "</section>",
            "<h2>Payer scorecard</h2>",
            scorecard_table(data.payers),
            "</main></body></html>",
        ]
    )
