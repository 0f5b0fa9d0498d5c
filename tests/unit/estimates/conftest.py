"""Builders of 271 answers and priced services for the estimate engine's tests."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from revcycle.domain.eligibility import Benefit, EligibilityResponse, Entity, Rejection
from revcycle.domain.money import Money
from revcycle.estimates.pricing import PlannedService, PricedService


def benefit(code: str, *types: str, amount: str | None = None, percent: str | None = None,
            period: str = "", network: str = "Y") -> Benefit:  # fmt: skip
    return Benefit(
        code=code,
        coverage_level="IND",
        service_types=types,
        time_period=period,
        amount=Money(amount) if amount is not None else None,
        percent=Decimal(percent) if percent is not None else None,
        in_network=network,
    )


def response(*benefits: Benefit, rejections: tuple[Rejection, ...] = ()) -> EligibilityResponse:
    return EligibilityResponse(
        payer=Entity("Acme Health PPO", "SIMPPO", "PI", entity_code="PR"),
        provider=Entity("Test Family Practice", "1234567893", "XX", entity_code="1P"),
        created=datetime(2026, 6, 15, 12, 0, tzinfo=UTC),
        benefits=benefits,
        rejections=rejections,
    )


def plan(
    *,
    deductible: str | None = "1000.00",
    deductible_left: str | None = None,
    oop: str | None = "5000.00",
    oop_left: str | None = None,
    coinsurance: str | None = "0.2",
    office_copay: str | None = "25.00",
    extra: tuple[Benefit, ...] = (),
) -> EligibilityResponse:
    """An active plan: deductible and out-of-pocket totals (and what is left), plan-level
    coinsurance, and a copay for office visits (service type 98)."""
    items = [benefit("1", "30")]
    if deductible is not None:
        items.append(benefit("C", "30", amount=deductible, period="23"))
    if deductible_left is not None:
        items.append(benefit("C", "30", amount=deductible_left, period="29"))
    if oop is not None:
        items.append(benefit("G", "30", amount=oop, period="23"))
    if oop_left is not None:
        items.append(benefit("G", "30", amount=oop_left, period="29"))
    if coinsurance is not None:
        items.append(benefit("A", "30", percent=coinsurance))
    if office_copay is not None:
        items.append(benefit("B", "98", amount=office_copay, period="27"))
    return response(*items, *extra)


def priced(
    procedure: str, allowed: str, charge: str | None = None, units: int = 1
) -> PricedService:
    return PricedService(
        PlannedService(procedure, Decimal(units)),
        Money(charge or allowed),
        Money(allowed),
        "contract",
    )
