"""Expected allowed amounts: the payer's contract (never above the charge), else the fee
schedule; self-pay the fee schedule less the discount; planned services parsed like encounter
lines, in a short form for the command line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from revcycle.domain.errors import DomainValidationError
from revcycle.domain.fees import Chargemaster, Contract, FeeEntry
from revcycle.domain.money import Money
from revcycle.estimates.pricing import (
    CONTRACT,
    FEE_SCHEDULE,
    SELF_PAY,
    PlannedService,
    contract_in_effect,
    parse_service_spec,
    parse_services,
    price_services,
)

DOS = date(2026, 6, 1)
FEES = Chargemaster(
    (
        FeeEntry("99213", Money("120.00")),
        FeeEntry("80053", Money("38.00")),
        FeeEntry("93000", Money("45.00")),
        FeeEntry("93000", Money("15.00"), "26"),
    )
)
CONTRACT_RATES = Contract(
    payer_id=1,
    kind="fee_schedule",
    effective=date(2026, 1, 1),
    rates=(FeeEntry("99213", Money("92.50")), FeeEntry("80053", Money("50.00"))),
)


def test_the_contract_prices_a_line_and_the_fee_schedule_the_rest():
    services = [
        PlannedService("99213"),
        PlannedService("80053", Decimal(2)),
        PlannedService("93000", modifiers=("26",)),
    ]
    visit, lab, ekg = price_services(services, day=DOS, chargemaster=FEES, contract=CONTRACT_RATES)
    assert (visit.charge, visit.allowed, visit.source) == (
        Money("120.00"),
        Money("92.50"),
        CONTRACT,
    )
    # the contract's 100.00 for two units is above the charge of 76.00: the charge is allowed
    assert (lab.charge, lab.allowed, lab.source) == (Money("76.00"), Money("76.00"), CONTRACT)
    assert (ekg.charge, ekg.allowed, ekg.source) == (Money("15.00"), Money("15.00"), FEE_SCHEDULE)


def test_self_pay_takes_the_discount_off_the_fee_schedule_per_line():
    [visit] = price_services(
        [PlannedService("99213")],
        day=DOS,
        chargemaster=FEES,
        self_pay=True,
        discount=Decimal("0.15"),
    )
    assert (visit.charge, visit.allowed, visit.source) == (
        Money("120.00"),
        Money("102.00"),
        SELF_PAY,
    )


def test_an_entered_charge_replaces_the_fee_schedule():
    [line] = price_services(
        [PlannedService("99499", charge=Money("60.00"))], day=DOS, chargemaster=FEES
    )
    assert line.allowed == Money("60.00")


def test_a_service_without_a_fee_is_refused_by_its_position():
    with pytest.raises(DomainValidationError) as err:
        price_services(
            [PlannedService("99213"), PlannedService("99499")], day=DOS, chargemaster=FEES
        )
    assert [(e.field, e.reason) for e in err.value.errors] == [("services.2.procedure", "no_fee")]


def test_the_contract_in_effect_is_the_latest_started_and_not_ended():
    old = Contract(1, "fee_schedule", date(2025, 1, 1), rates=CONTRACT_RATES.rates)
    ended = Contract(1, "fee_schedule", date(2026, 1, 1), rates=(), termination=date(2026, 3, 1))
    new = Contract(1, "fee_schedule", date(2026, 5, 1), rates=())
    assert contract_in_effect([old, ended, new], DOS) is new
    assert contract_in_effect([old, ended, new], date(2026, 2, 1)) is ended
    assert contract_in_effect([new], date(2026, 4, 1)) is None


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("99213", {"procedure": "99213"}),
        ("80053x2", {"procedure": "80053", "units": "2"}),
        ("93000-26", {"procedure": "93000", "modifiers": ["26"]}),
        (
            "20610-rt-lt X1.5@1,2",
            {"procedure": "20610", "modifiers": ["RT", "LT"], "units": "1.5", "pointers": "1,2"},
        ),
    ],
)
def test_the_short_form_of_a_service(spec, expected):
    assert parse_service_spec(spec) == expected


@pytest.mark.parametrize("spec", ["", "9921", "99213x", "99213-2", "99213@"])
def test_a_malformed_short_form_is_refused(spec):
    with pytest.raises(DomainValidationError) as err:
        parse_service_spec(spec)
    assert err.value.errors[0].reason == "service_format"


def test_services_point_at_the_first_diagnoses_unless_told():
    a, b = parse_services([{"procedure": "99213"}, {"procedure": "80053", "pointers": "2"}], 5)
    assert a.pointers == (1, 2, 3, 4) and b.pointers == (2,)
    with pytest.raises(DomainValidationError) as err:
        parse_services([{"procedure": "99213"}, {"procedure": "X", "units": "0"}], 1)
    assert {e.field for e in err.value.errors} == {"services.2.procedure", "services.2.units"}
