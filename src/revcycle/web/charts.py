"""Small server-side SVG charts: stacked bars, grouped bars and lines.

Pure functions from data to an SVG string, so the dashboard and the standalone report carry
their charts inline with no JavaScript and no third-party file. Values are ``Decimal`` (money
and rates never pass through ``float``); pixel positions are rounded to one decimal place, so
the same data always gives byte-identical markup. Every label is escaped, every bar and point
carries a ``<title>`` (the browser's tooltip) with its exact value, and an empty chart still
renders (with a "no data" note) rather than dividing by zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape

PALETTE = (
    "#2b6cb0",
    "#dd6b20",
    "#38a169",
    "#c53030",
    "#805ad5",
    "#d69e2e",
    "#319795",
    "#b83280",
    "#4a5568",
    "#718096",
)
"""Series colours, in order; series past the tenth reuse them."""

WIDTH = 640
HEIGHT = 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 16, 28, 56
_ONE_PLACE = Decimal("0.1")
_NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))


@dataclass(frozen=True, slots=True)
class Series:
    """One named row of values, one value per category (``None``: no value there)."""

    name: str
    values: tuple[Decimal | None, ...]


def series(name: str, values: Sequence[Decimal | int | str | None]) -> Series:
    """A ``Series`` from decimals, integers or decimal strings (amounts arrive as strings)."""
    return Series(name, tuple(None if v is None else Decimal(v) for v in values))


def _fmt(x: Decimal) -> str:
    """A pixel coordinate with one decimal place and no trailing ``.0``."""
    q = x.quantize(_ONE_PLACE, rounding=ROUND_HALF_UP)
    return str(q.to_integral_value()) if q == q.to_integral_value() else str(q)


def nice_max(value: Decimal) -> Decimal:
    """The smallest 1/2/2.5/5 x 10^n at or above ``value`` (1 for zero or less): the top of the
    value axis, so tick labels are round numbers."""
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** value.adjusted()  # magnitude <= value < 10 * magnitude
    return next(step * magnitude for step in _NICE_STEPS if step * magnitude >= value)


def _label(value: Decimal, unit: str) -> str:
    if unit == "%":
        return f"{(value * 100).normalize():f}%"
    if unit == "$":
        return f"${value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
    return f"{value.normalize():f}"


def _tick_label(value: Decimal, unit: str) -> str:
    if unit == "$":
        whole = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return f"${whole:,}" if whole == value else f"${value:,}"
    return _label(value, unit)


def _check(categories: Sequence[str], rows: Sequence[Series]) -> None:
    for s in rows:
        if len(s.values) != len(categories):
            raise ValueError(
                f"series {s.name!r} has {len(s.values)} values for {len(categories)} categories"
            )


class _Frame:
    """The plot area of one chart: value axis, gridlines, category labels and the legend."""

    def __init__(
        self, title: str, categories: Sequence[str], rows: Sequence[Series], top: Decimal
    ) -> None:
        self.title = title
        self.categories = categories
        self.rows = rows
        self.top = top
        self.plot_w = Decimal(WIDTH - _LEFT - _RIGHT)
        self.plot_h = Decimal(HEIGHT - _TOP - _BOTTOM)
        self.slot = self.plot_w / max(len(categories), 1)

    def y(self, value: Decimal) -> Decimal:
        return Decimal(_TOP) + self.plot_h - self.plot_h * value / self.top

    def height(self, value: Decimal) -> Decimal:
        return self.plot_h * value / self.top

    def x(self, index: int) -> Decimal:
        return Decimal(_LEFT) + self.slot * index

    def open(self, kind: str) -> list[str]:
        t = escape(self.title)
        out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{t}">',
            f"<title>{t}</title>",
            f'<text x="{_LEFT}" y="16" class="chart-title" font-size="13" '
            f'font-weight="600">{t}</text>',
        ]
        return out

    def axes(self, unit: str) -> list[str]:
        out: list[str] = []
        for i in range(5):
            v = self.top * i / 4
            y = _fmt(self.y(v))
            out.append(
                f'<line x1="{_LEFT}" y1="{y}" x2="{WIDTH - _RIGHT}" y2="{y}" '
                f'stroke="#e2e8f0" stroke-width="1"/>'
            )
            out.append(
                f'<text x="{_LEFT - 6}" y="{y}" text-anchor="end" dominant-baseline="middle" '
                f'font-size="10" fill="#4a5568">{escape(_tick_label(v, unit))}</text>'
            )
        base = _fmt(self.y(Decimal(0)))
        for i, c in enumerate(self.categories):
            cx = _fmt(self.x(i) + self.slot / 2)
            out.append(
                f'<text x="{cx}" y="{_fmt(Decimal(base) + 14)}" text-anchor="middle" '
                f'font-size="10" fill="#4a5568">{escape(c)}</text>'
            )
        if not self.categories or not any(v is not None for s in self.rows for v in s.values):
            out.append(
                f'<text x="{WIDTH // 2}" y="{HEIGHT // 2}" text-anchor="middle" '
                f'font-size="12" fill="#718096" class="chart-empty">no data</text>'
            )
        return out

    def legend(self) -> list[str]:
        out: list[str] = []
        x = _LEFT
        y = HEIGHT - 14
        for i, s in enumerate(self.rows):
            colour = PALETTE[i % len(PALETTE)]
            out.append(
                f'<rect x="{x}" y="{y - 8}" width="10" height="10" fill="{colour}"/>'
                f'<text x="{x + 14}" y="{y}" font-size="10" fill="#2d3748">{escape(s.name)}</text>'
            )
            x += 24 + 6 * len(s.name)
        return out


def stacked_bars(
    title: str, categories: Sequence[str], rows: Sequence[Series], *, unit: str = ""
) -> str:
    """One bar per category, the series stacked bottom-up in order (negative and missing
    values count as zero). ``unit`` is "$", "%" (values are fractions) or "" (plain numbers)."""
    _check(categories, rows)
    totals = [
        sum((max(s.values[i] or Decimal(0), Decimal(0)) for s in rows), Decimal(0))
        for i in range(len(categories))
    ]
    frame = _Frame(title, categories, rows, nice_max(max(totals, default=Decimal(0))))
    out = frame.open("stacked") + frame.axes(unit)
    bar_w = frame.slot * Decimal("0.6")
    for i, cat in enumerate(categories):
        base = Decimal(0)
        x = frame.x(i) + (frame.slot - bar_w) / 2
        for k, s in enumerate(rows):
            v = max(s.values[i] or Decimal(0), Decimal(0))
            if v == 0:
                continue
            out.append(
                f'<rect x="{_fmt(x)}" y="{_fmt(frame.y(base + v))}" width="{_fmt(bar_w)}" '
                f'height="{_fmt(frame.height(v))}" fill="{PALETTE[k % len(PALETTE)]}">'
                f"<title>{escape(f'{cat} · {s.name}: {_label(v, unit)}')}</title></rect>"
            )
            base += v
    return "".join([*out, *frame.legend(), "</svg>"])


def grouped_bars(
    title: str, categories: Sequence[str], rows: Sequence[Series], *, unit: str = ""
) -> str:
    """One group per category, one bar per series side by side (negative values as zero)."""
    _check(categories, rows)
    peak = max((v for s in rows for v in s.values if v is not None), default=Decimal(0))
    frame = _Frame(title, categories, rows, nice_max(peak))
    out = frame.open("grouped") + frame.axes(unit)
    group_w = frame.slot * Decimal("0.8")
    bar_w = group_w / max(len(rows), 1)
    for i, cat in enumerate(categories):
        left = frame.x(i) + (frame.slot - group_w) / 2
        for k, s in enumerate(rows):
            raw = s.values[i]
            if raw is None:
                continue
            v = max(raw, Decimal(0))
            out.append(
                f'<rect x="{_fmt(left + bar_w * k)}" y="{_fmt(frame.y(v))}" '
                f'width="{_fmt(bar_w)}" height="{_fmt(frame.height(v))}" '
                f'fill="{PALETTE[k % len(PALETTE)]}">'
                f"<title>{escape(f'{cat} · {s.name}: {_label(raw, unit)}')}</title></rect>"
            )
    return "".join([*out, *frame.legend(), "</svg>"])


def lines(
    title: str,
    categories: Sequence[str],
    rows: Sequence[Series],
    *,
    unit: str = "",
    top: Decimal | None = None,
) -> str:
    """One polyline per series through the category midpoints; a missing value breaks the line.
    ``top`` fixes the axis maximum (1 for a rate shown as 0-100%)."""
    _check(categories, rows)
    peak = max((v for s in rows for v in s.values if v is not None), default=Decimal(0))
    frame = _Frame(title, categories, rows, top if top is not None else nice_max(peak))
    out = frame.open("lines") + frame.axes(unit)
    points: list[str] = []
    for k, s in enumerate(rows):
        colour = PALETTE[k % len(PALETTE)]
        run: list[str] = []
        segments: list[list[str]] = [run]
        for i, v in enumerate(s.values):
            if v is None:
                run = []
                segments.append(run)
                continue
            cx = _fmt(frame.x(i) + frame.slot / 2)
            cy = _fmt(frame.y(min(max(v, Decimal(0)), frame.top)))
            run.append(f"{cx},{cy}")
            label = escape(f"{categories[i]} · {s.name}: {_label(v, unit)}")
            points.append(
                f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}"><title>{label}</title></circle>'
            )
        for seg in segments:
            if len(seg) > 1:
                out.append(
                    f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"/>'
                )
    return "".join([*out, *points, *frame.legend(), "</svg>"])
