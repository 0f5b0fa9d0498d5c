"""The pure KPI formulas: rates to 4 places, days to 2, no value over a zero denominator,
and A/R aging buckets."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from revcycle.domain.money import Money
from revcycle.reports import (
    BUCKETS,
    KPI_IDS,
    AgingRow,
    KpiFacts,
    aging_table,
    bucket_of,
    bucket_starts,
    compute_kpis,
    days,
    rate,
)
from revcycle.reports.kpis import days_in_ar


def facts(**overrides: object) -> KpiFacts:
    zero = Money.zero()
    base: dict[str, object] = {
        "period_days": 30,
        "receivable": zero,
        "credit_balances": zero,
        "ar_over_90": zero,
        "gross_charges": zero,
        "contractuals": zero,
        "payments": zero,
        "refunds": zero,
        "bad_debt": zero,
        "claims_scrubbed": 0,
        "claims_clean": 0,
        "claims_adjudicated": 0,
        "claims_first_pass": 0,
        "claims_denied": 0,
        "adjudicated_charges": zero,
        "denied_dollars": zero,
        "denials_worked": 0,
        "denials_overturned": 0,
        "encounters": 0,
        "charge_lag_days": 0,
        "paid_claims": 0,
        "payment_lag_days": 0,
        "pos_collections": zero,
        "patient_cash": zero,
    }
    base.update(overrides)
    return KpiFacts(**base)  # type: ignore[arg-type]


def test_a_rate_rounds_half_up_to_four_places_and_keeps_its_parts():
    k = rate(2, 3, "two of three")
    assert k.to_json() == {
        "value": "0.6667",
        "numerator": 2,
        "denominator": 3,
        "definition": "two of three",
    }
    assert rate(Money("1.00"), Money("8.00"), "").to_json()["value"] == "0.1250"
    assert rate(Money("185.00"), Money("1090.00"), "").to_json()["numerator"] == "185.00"


def test_nothing_over_zero_has_no_value():
    assert rate(0, 0, "d").value is None
    assert days(5, 0, "d").value is None
    assert all(k.value is None for k in compute_kpis(facts(period_days=0)).values())


def test_days_in_ar_is_computed_unrounded_and_shows_the_daily_revenue():
    # 1090.00 over 40 days = 27.25 a day; 900 / 27.25 = 33.027...
    k = days_in_ar(Money("900.00"), Money("1090.00"), 40, "d")
    assert (k.value, k.numerator, k.denominator) == (
        Decimal("33.03"),
        Money("900.00"),
        Money("27.25"),
    )


def test_every_kpi_is_there_with_its_definition_in_order():
    found = compute_kpis(
        facts(
            gross_charges=Money("1000.00"),
            contractuals=Money("200.00"),
            payments=Money("780.00"),
            refunds=Money("20.00"),
            claims_scrubbed=40,
            claims_clean=38,
        )
    )
    assert list(found) == list(KPI_IDS)
    assert all(k.definition for k in found.values())
    # (780 - 20) / (1000 - 200) = 0.95
    assert found["net_collection_rate"].value == Decimal("0.9500")
    assert found["gross_collection_rate"].value == Decimal("0.7800")
    assert found["clean_claim_rate"].value == Decimal("0.9500")


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=10_000))
def test_a_rate_of_counts_is_the_exact_fraction_within_half_a_unit(num, den):
    value = rate(num, den, "").value
    assert value is not None
    assert abs(value - Decimal(num) / Decimal(den)) <= Decimal("0.00005")


def test_buckets_have_inclusive_upper_bounds():
    assert [bucket_of(d) for d in (0, 30, 31, 60, 61, 90, 91, 120, 121, 4000)] == [
        "0-30", "0-30", "31-60", "31-60", "61-90", "61-90", "91-120", "91-120",
        "over_120", "over_120",
    ]  # fmt: skip
    assert bucket_of(-3) == "0-30"


@given(st.integers(min_value=0, max_value=2000))
def test_bucket_starts_agree_with_bucket_of(age):
    on = date(2026, 7, 10)
    dos = on - timedelta(days=age)
    starts = bucket_starts(on)
    index = next((i for i, s in enumerate(starts) if dos >= s), len(starts))
    assert BUCKETS[index] == bucket_of(age)


def test_the_aging_table_sums_by_key_and_in_total():
    table = aging_table(
        [
            AgingRow("SIMPPO", 0, Money("10.00")),
            AgingRow("SIMPPO", 4, Money("5.50")),
            AgingRow("patient", 1, Money("2.00")),
            AgingRow("SIMHMO", 2, Money("0.00")),
        ]
    )
    assert list(table) == ["SIMPPO", "patient", "total"]
    assert table["SIMPPO"] == {
        "0-30": "10.00", "31-60": "0.00", "61-90": "0.00", "91-120": "0.00",
        "over_120": "5.50", "total": "15.50",
    }  # fmt: skip
    assert table["total"]["total"] == "17.50"
