"""The standalone report page: self-contained, escaped, every section present."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

from revcycle.web.report import ReportData, format_value, render_html

KPIS = {
    "days_in_ar": {
        "value": "41.27",
        "numerator": "12000.00",
        "denominator": "290.77",
        "definition": "A/R balance divided by average daily charges",
    },
    "clean_claim_rate": {
        "value": "0.8750",
        "numerator": "7",
        "denominator": "8",
        "definition": "Claims passing the scrubber the first time <over> claims scrubbed",
    },
    "bad_debt_rate": {"value": None, "numerator": "0.00", "denominator": "0.00", "definition": ""},
}
DATA = ReportData(
    practice="Maple & Oak <Family> Medicine",
    start=date(2025, 10, 1),
    end=date(2025, 10, 31),
    kpis=KPIS,
    aging={
        "buckets": ["0-30", "31-60", "61-90", "91-120", "over_120"],
        "by_payer": {
            "SIMHMO": {"0-30": "120.00", "over_120": "10.00", "total": "130.00"},
            "SIMPPO": {"0-30": "300.00", "31-60": "50.00", "total": "350.00"},
            "total": {"0-30": "420.00", "31-60": "50.00", "over_120": "10.00"},
        },
    },
    denials={
        "trend": [
            {"month": "2025-10", "category": "eligibility", "count": 3},
            {"month": "2025-10", "category": "coding", "count": 1},
        ]
    },
    payers=[
        {
            "payer_id": "SIMPPO",
            "payer_name": "Acme <PPO>",
            "claims": 8,
            "charge_share": "0.6250",
            "scorecard": {"claims_denied": 2, "denied_amount": "1150.00"},
        }
    ],
    monthly=[
        {
            "month": "2025-10",
            "charges": "5000.00",
            "collections": "3100.50",
            "clean_claim_rate": "0.8750",
        },
        {
            "month": "2025-11",
            "charges": "4000.00",
            "collections": "3900.00",
            "clean_claim_rate": None,
        },
    ],
)


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parsed(page: str) -> Collect:
    c = Collect()
    c.feed(page)
    return c


def test_the_report_references_nothing_outside_itself() -> None:
    page = render_html(DATA)
    tags = parsed(page).tags
    assert not [t for t, _ in tags if t in {"script", "link", "img", "iframe"}]
    assert not [a for _, a in tags if a.get("src") or a.get("href")]
    assert "url(" not in page and "@import" not in page


def test_the_report_has_a_tile_per_kpi_with_its_definition_as_tooltip() -> None:
    tiles = [a for t, a in parsed(render_html(DATA)).tags if t == "div" and "data-kpi" in a]
    assert [a["data-kpi"] for a in tiles] == ["days_in_ar", "clean_claim_rate", "bad_debt_rate"]
    assert tiles[1]["title"] == KPIS["clean_claim_rate"]["definition"]
    page = render_html(DATA)
    assert "41.3 days" in page and "87.5%" in page and "7 / 8" in page


def test_the_report_draws_the_four_charts_and_the_scorecard() -> None:
    page = render_html(DATA)
    assert page.count("<svg ") == 4
    for title in (
        "A/R aging by payer",
        "Denials by category and month",
        "Charges and collections by month",
        "Clean claim rate by month",
    ):
        assert f'aria-label="{title}"' in page
    assert "2025-10 · eligibility: 3" in page
    assert "31-60 · SIMPPO: $50.00" in page
    assert "over 120 · SIMHMO: $10.00" in page
    assert "· total:" not in page  # the total row is not a payer
    assert '<table id="scorecard">' in page and "<th>Payer mix</th>" in page
    assert "<td>62.5%</td>" in page and "<td>$1,150.00</td>" in page


def test_names_from_the_database_are_escaped() -> None:
    page = render_html(DATA)
    assert "Maple &amp; Oak &lt;Family&gt; Medicine" in page
    assert "<Family>" not in page and "<over>" not in page and "<PPO>" not in page


def test_kpi_values_are_formatted_by_unit_and_missing_ones_show_a_dash() -> None:
    assert format_value("0.12345", "%") == "12.3%"
    assert format_value("3.25", "days") == "3.3 days"
    assert format_value(None, "%") == "—"
