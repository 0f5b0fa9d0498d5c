"""Payment-plan schedules: installments always sum to the total, due monthly; payments fill
installments oldest first; overdue detection honours the grace days."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from revcycle.domain.errors import DomainValidationError
from revcycle.domain.money import Money
from revcycle.services.billing_ports import PaymentPlan
from revcycle.services.payment_plans import (
    add_months,
    due_now,
    overdue,
    pay_installments,
    schedule,
)

totals = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("50000.00"), places=2).map(Money)
NO_DEADLINE = settings(deadline=None)  # a shared CI machine may be slow; no timing asserted
starts = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


@NO_DEADLINE
@given(total=totals, count=st.integers(min_value=1, max_value=60), start=starts)
def test_installments_always_sum_to_the_total(total, count, start):
    parts = schedule(total, start, installments=count)
    assert Money.sum(p.amount for p in parts) == total
    assert len(parts) == count
    assert max(p.amount for p in parts) - min(p.amount for p in parts) <= Money("0.01")
    assert [p.due_date for p in parts] == [add_months(start, i) for i in range(count)]


@NO_DEADLINE
@given(total=totals, per=st.decimals(min_value=Decimal("25.00"), max_value=Decimal("5000.00"), places=2).map(Money), start=starts)  # fmt: skip
def test_an_amount_per_installment_sums_to_the_total_with_the_rest_last(total, per, start):
    assume(total.amount <= per.amount * 120)  # longer plans are refused
    parts = schedule(total, start, amount=per)
    assert Money.sum(p.amount for p in parts) == total
    assert all(p.amount == per for p in parts[:-1]) and parts[-1].amount <= per


@NO_DEADLINE
@given(total=totals, count=st.integers(min_value=1, max_value=24), paid=totals)
def test_payments_fill_installments_oldest_first_and_never_overfill(total, count, paid):
    plan = PaymentPlan(1, total, date(2026, 1, 31), schedule(total, date(2026, 1, 31),
                                                             installments=count))  # fmt: skip
    updated, left = pay_installments(plan, paid, date(2026, 2, 1))
    assert updated.paid + left == paid
    assert all(not i.remaining.is_negative() for i in updated.installments)
    started = [i for i in updated.installments if i.paid]
    assert all(not i.remaining for i in started[:-1])
    assert (updated.status == "completed") == (paid >= total)


def test_month_ends_are_clamped():
    assert [add_months(date(2026, 1, 31), i) for i in range(4)] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]


def test_an_installment_is_overdue_only_after_the_grace_days():
    plan = PaymentPlan(1, Money("30.00"), date(2026, 7, 1),
                       schedule(Money("30.00"), date(2026, 7, 1), installments=3))  # fmt: skip
    assert overdue(plan, date(2026, 7, 11), 10) == []
    assert [i.seq for i in overdue(plan, date(2026, 7, 12), 10)] == [1]
    assert due_now(plan, date(2026, 6, 1)) == Money("10.00")
    assert due_now(plan, date(2026, 8, 1)) == Money("20.00")


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"installments": 0}, {"installments": 2, "amount": Money("5.00")},
     {"amount": Money("0.00")}, {"amount": Money("0.01")}],
)  # fmt: skip
def test_bad_schedules_are_refused(kwargs):
    with pytest.raises(DomainValidationError):
        schedule(Money("100.00"), date(2026, 7, 1), **kwargs)


def test_a_total_too_small_for_the_installments_is_refused():
    with pytest.raises(DomainValidationError, match="cannot be split"):
        schedule(Money("0.02"), date(2026, 7, 1), installments=3)
