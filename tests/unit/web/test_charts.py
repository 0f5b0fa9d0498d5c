"""The SVG chart helpers: well-formed, escaped, deterministic, proportional."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revcycle.web import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def rects(svg: str) -> list[ET.Element]:
    return [r for r in parse(svg).iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]


def test_stacked_bars_stack_series_bottom_up_with_heights_proportional_to_values() -> None:
    svg = charts.stacked_bars(
        "Aging",
        ["0-30", "31-60"],
        [charts.series("SIMPPO", ["300.00", "100.00"]), charts.series("SIMHMO", ["100.00", 0])],
        unit="$",
    )
    bars = rects(svg)
    assert len(bars) == 3  # a zero value draws no bar
    first, second, third = (float(b.get("height", "0")) for b in bars)
    assert first == pytest.approx(3 * third, abs=0.2)
    assert second == pytest.approx(third, abs=0.2)
    # the second series sits on top of the first in the same column
    assert float(bars[1].get("y", "0")) + second == pytest.approx(float(bars[0].get("y", "0")))
    assert bars[0].find(f"{SVG}title").text == "0-30 · SIMPPO: $300.00"  # type: ignore[union-attr]


def test_grouped_bars_draw_one_bar_per_series_and_category_side_by_side() -> None:
    svg = charts.grouped_bars(
        "Money",
        ["2025-10", "2025-11"],
        [charts.series("charges", ["10", "20"]), charts.series("collections", ["5", None])],
    )
    bars = rects(svg)
    assert len(bars) == 3  # the missing value is not drawn
    assert float(bars[0].get("x", "0")) < float(bars[1].get("x", "0"))
    assert float(bars[1].get("height", "0")) * 2 == pytest.approx(
        float(bars[0].get("height", "0")), abs=0.2
    )


def test_lines_break_at_missing_values_and_show_rates_as_percentages() -> None:
    svg = charts.lines(
        "Clean claim rate",
        ["a", "b", "c", "d"],
        [charts.series("rate", ["0.9", "0.8", None, "1"])],
        unit="%",
        top=Decimal(1),
    )
    root = parse(svg)
    polylines = list(root.iter(f"{SVG}polyline"))
    assert len(polylines) == 1  # "d" stands alone after the gap
    assert len(polylines[0].get("points", "").split()) == 2
    titles = [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")]  # type: ignore[union-attr]
    assert titles == ["a · rate: 90%", "b · rate: 80%", "d · rate: 100%"]


def test_labels_are_escaped() -> None:
    svg = charts.stacked_bars("<b>&", ["<x>"], [charts.series('a"<', ["1"])])
    assert "<b>" not in svg and "<x>" not in svg
    assert parse(svg).find(f"{SVG}title").text == "<b>&"  # type: ignore[union-attr]


def test_an_empty_chart_says_no_data() -> None:
    svg = charts.lines("Nothing", [], [])
    assert "no data" in svg
    parse(svg)


def test_a_series_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="2 values for 1 categories"):
        charts.grouped_bars("x", ["a"], [charts.series("s", [1, 2])])


@pytest.mark.parametrize(
    ("value", "top"),
    [
        ("0", "1"),
        ("0.83", "1"),
        ("1", "1"),
        ("7", "10"),
        ("12", "20"),
        ("230", "250"),
        ("4100", "5000"),
    ],
)
def test_the_value_axis_ends_at_a_round_number(value: str, top: str) -> None:
    assert charts.nice_max(Decimal(value)) == Decimal(top)


amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)


@given(st.lists(st.tuples(amounts, amounts), min_size=1, max_size=12))
def test_any_data_gives_the_same_well_formed_svg_with_bars_inside_the_plot(
    pairs: list[tuple[Decimal, Decimal]],
) -> None:
    cats = [f"m{i}" for i in range(len(pairs))]
    rows = [
        charts.Series("a", tuple(p[0] for p in pairs)),
        charts.Series("b", tuple(p[1] for p in pairs)),
    ]
    svg = charts.stacked_bars("t", cats, rows, unit="$")
    assert svg == charts.stacked_bars("t", cats, rows, unit="$")
    assert charts.nice_max(max(a + b for a, b in pairs)) >= max(a + b for a, b in pairs)
    for bar in rects(svg):
        y, h = float(bar.get("y", "0")), float(bar.get("height", "0"))
        assert h >= 0
        assert y >= 0 and y + h <= charts.HEIGHT
