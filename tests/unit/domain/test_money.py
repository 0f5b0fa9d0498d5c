from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revcycle.domain.errors import InvalidAmount
from revcycle.domain.money import Money, round_cents


def test_money_is_exact_to_the_cent():
    assert Money("0.10") + Money("0.20") == Money("0.30")
    assert str(Money("12.5")) == "12.50"


def test_rounding_is_half_up_in_one_place():
    assert round_cents(Decimal("2.345")) == Decimal("2.35")
    assert Money("2.344").amount == Decimal("2.34")
    assert Money("-2.345").amount == Decimal("-2.35")


@pytest.mark.parametrize("bad", [0.1, 1.0, float("nan"), True, "abc", "NaN", "Infinity", None, [1]])
def test_money_refuses_floats_and_non_numbers(bad):
    with pytest.raises(InvalidAmount):
        Money(bad)


def test_money_refuses_float_multiplier():
    with pytest.raises(TypeError):
        Money("1.00") * 1.5  # type: ignore[operator]


def test_allocate_splits_cents_by_largest_remainder():
    parts = Money("100.00").allocate([1, 1, 1])
    assert parts == [Money("33.34"), Money("33.33"), Money("33.33")]


def test_allocate_negative_amount():
    assert Money("-0.05").allocate([1, 1]) == [Money("-0.03"), Money("-0.02")]


def test_allocate_refuses_bad_weights():
    with pytest.raises(InvalidAmount):
        Money("1.00").allocate([])
    with pytest.raises(InvalidAmount):
        Money("1.00").allocate([0, 0])
    with pytest.raises(InvalidAmount):
        Money("1.00").allocate([1, -1])


def test_json_amount_is_a_string():
    assert Money("7").to_json() == "7.00"


amounts = st.decimals(
    min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=2, allow_nan=False
)


@given(
    amount=amounts,
    weights=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12),
)
def test_allocation_preserves_the_total(amount, weights):
    if sum(weights) == 0:
        weights = [*weights[:-1], 1]
    parts = Money(amount).allocate(weights)
    assert Money.sum(parts) == Money(amount)
    assert len(parts) == len(weights)


@given(a=amounts, b=amounts)
def test_addition_then_subtraction_round_trips(a, b):
    assert (Money(a) + Money(b)) - Money(b) == Money(a)


@given(amount=st.decimals(min_value=-(10**12), max_value=10**12, places=4))
def test_a_decimal_takes_the_quick_path_to_the_same_amount(amount):
    assert Money(amount).amount.as_tuple() == round_cents(amount).as_tuple()


def test_a_decimal_that_is_not_finite_is_still_refused():
    for bad in ("NaN", "Infinity", "-Infinity"):
        with pytest.raises(InvalidAmount):
            Money(Decimal(bad))


@given(a=amounts)
def test_a_trusted_stored_amount_is_the_checked_one(a):
    trusted = Money.trusted(a)
    assert trusted == Money(a) and str(trusted.amount) == str(Money(a).amount)
    assert hash(trusted) == hash(Money(a))


def test_a_trusted_amount_that_is_not_a_decimal_goes_through_the_checks():
    assert Money.trusted("12.5").amount == Decimal("12.50")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount):
        Money.trusted(1.5)  # type: ignore[arg-type]
