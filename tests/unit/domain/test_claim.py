from dataclasses import FrozenInstanceError, replace

import pytest

from revcycle.domain.claim import ClaimKind, Frequency
from revcycle.domain.money import Money
from revcycle.domain.remittance import (
    Adjustment,
    ClaimPayment,
    Payment,
    ProviderAdjustment,
    RemitParty,
    Remittance,
)
from tests.unit.x12.samples import professional, variety


def test_a_claim_is_immutable_and_compares_by_value():
    claim = professional()
    with pytest.raises(FrozenInstanceError):
        claim.patient_control_number = "X"  # type: ignore[misc]
    assert claim == professional()


def test_line_charge_total_is_the_sum_of_the_lines():
    assert professional().line_charge_total() == Money("170.00")


def test_secondary_claims_know_they_are_secondary():
    assert variety()["secondary_cob"].is_secondary
    assert not professional().is_secondary


def test_kinds_and_frequencies_are_the_x12_codes():
    assert ClaimKind.PROFESSIONAL == "P" and Frequency.REPLACEMENT == "7" and Frequency.VOID == "8"
    assert replace(professional(), frequency=Frequency.VOID).frequency.value == "8"


def test_remittance_totals():
    r = Remittance(
        payment=Payment(Money("40.00"), "ACH"),
        payer=RemitParty("P"),
        payee=RemitParty("C"),
        claims=(
            ClaimPayment(
                "A",
                "1",
                Money("100"),
                Money("50"),
                adjustments=(Adjustment("CO", "45", Money("50")),),
            ),
            ClaimPayment("B", "22", Money("-10"), Money("-10")),
        ),
        provider_adjustments=(ProviderAdjustment("WO", Money("0.00")),),
    )
    assert r.claims_paid_total() == Money("40.00")
    assert r.provider_adjustment_total() == Money(0)
