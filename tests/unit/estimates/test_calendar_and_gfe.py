"""Business days (weekends and observed US federal holidays) and the Good Faith Estimate's
deadline: 1 business day when scheduled 3+ business days ahead, 3 when 10+ ahead or asked
for; kept 6 years; a bill $400 above it can be disputed within 120 days."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from revcycle.domain.money import Money
from revcycle.estimates import gfe
from revcycle.estimates.calendar import (
    add_business_days,
    business_days_between,
    holidays,
    is_business_day,
)


def test_the_federal_holidays_of_2026_with_independence_day_observed_on_friday():
    assert sorted(holidays(2026)) == [
        date(2026, 1, 1), date(2026, 1, 19), date(2026, 2, 16), date(2026, 5, 25),
        date(2026, 6, 19), date(2026, 7, 3), date(2026, 9, 7), date(2026, 10, 12),
        date(2026, 11, 11), date(2026, 11, 26), date(2026, 12, 25),
    ]  # fmt: skip


def test_a_saturday_new_years_day_is_observed_the_friday_before_in_the_old_year():
    assert holidays(2021)[date(2021, 12, 31)] == "New Year's Day"
    assert date(2022, 1, 1) not in holidays(2022)


def test_business_days_skip_weekends_and_holidays():
    assert not is_business_day(date(2026, 7, 3))  # Independence Day observed
    assert add_business_days(date(2026, 7, 2), 1) == date(2026, 7, 6)
    assert add_business_days(date(2026, 6, 17), 3) == date(2026, 6, 23)  # over Juneteenth
    assert business_days_between(date(2026, 6, 15), date(2026, 6, 18)) == 3
    assert business_days_between(date(2026, 6, 18), date(2026, 6, 15)) == 0


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)), st.integers(0, 30))
def test_adding_business_days_then_counting_them_agrees(start, n):
    end = add_business_days(start, n)
    assert business_days_between(start, end) == n
    assert n == 0 or is_business_day(end)


def test_scheduled_three_business_days_ahead_is_due_the_next_business_day():
    d = gfe.deadline(date(2026, 6, 15), date(2026, 6, 18), requested=False)
    assert (d.business_days_ahead, d.due, d.rule) == (3, date(2026, 6, 16), gfe.THREE_DAYS_AHEAD)
    assert d.met_by(date(2026, 6, 16)) and not d.met_by(date(2026, 6, 17))


def test_scheduled_ten_business_days_ahead_is_due_within_three():
    # Friday June 12 to Monday June 29 2026: 10 business days (Juneteenth is not one)
    d = gfe.deadline(date(2026, 6, 12), date(2026, 6, 29), requested=False)
    assert (d.business_days_ahead, d.rule) == (10, gfe.TEN_DAYS_AHEAD)
    assert d.due == date(2026, 6, 17)


def test_scheduled_less_than_three_business_days_ahead_has_no_deadline():
    d = gfe.deadline(date(2026, 6, 15), date(2026, 6, 17), requested=False)
    assert d.due is None and d.rule == gfe.NOT_REQUIRED and d.met_by(date(2026, 12, 31))


def test_a_requested_gfe_is_due_within_three_business_days_of_the_request():
    d = gfe.deadline(date(2026, 7, 2), None, requested=True)
    assert (d.due, d.rule, d.business_days_ahead) == (date(2026, 7, 8), gfe.ON_REQUEST, None)


def test_a_gfe_is_kept_six_years_and_a_bill_400_above_it_can_be_disputed_for_120_days():
    assert gfe.retain_until(date(2026, 6, 15)) == date(2032, 6, 15)
    assert gfe.retain_until(date(2028, 2, 29)) == date(2034, 2, 28)
    bill = date(2026, 8, 1)
    assert gfe.dispute_window_ends(bill) == date(2026, 11, 29)
    assert gfe.may_dispute(Money("500.00"), Money("900.00"), bill, date(2026, 11, 29))
    assert not gfe.may_dispute(Money("500.00"), Money("899.99"), bill, date(2026, 9, 1))
    assert not gfe.may_dispute(Money("500.00"), Money("900.00"), bill, date(2026, 11, 30))
    assert "$400" in gfe.dispute_notice(date(2026, 6, 15))
    assert "120 calendar days" in gfe.dispute_notice(date(2026, 6, 15))
