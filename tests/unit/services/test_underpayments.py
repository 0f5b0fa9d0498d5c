"""The payer scorecard's denied claims: a claim payment that denied every line denies the claim,
however the claim ends; a payment that denied only some lines does not."""

from datetime import date
from decimal import Decimal

from revcycle.domain.money import Money
from revcycle.services.underpayments import NOT_PRIMARY, UnderpaymentLine, denied_claims

ZERO = Money.zero()


def line(
    claim: int,
    line_id: int,
    outcome: str,
    *,
    status: str = "1",
    trace: str = "T1",
    paid_on: date = date(2026, 10, 1),
    charge: str = "100.00",
    paid: str = "0.00",
) -> UnderpaymentLine:
    return UnderpaymentLine(
        claim_id=claim,
        claim_line_id=line_id,
        payer_ref=1,
        status_code=status,
        payer_claim_number=f"ICN{claim}",
        trace_number=trace,
        paid_on=paid_on,
        service_date=date(2026, 9, 1),
        procedure="99213",
        modifiers=(),
        units=Decimal(1),
        place_of_service="11",
        mult_proc="",
        charge=Money(charge),
        allowed=Money(paid),
        paid=Money(paid),
        patient_responsibility=ZERO,
        sequestration=ZERO,
        outcome=outcome,
    )


def test_a_claim_denied_then_paid_on_appeal_was_denied_with_the_first_payments_lines() -> None:
    denied = [
        line(1, 11, "denied", status="4", charge="125.00"),
        line(1, 12, "denied", status="4", charge="210.00"),
    ]
    appeal = [
        line(1, 11, "no_contract", trace="T2", paid_on=date(2026, 11, 2), paid="90.00"),
        line(1, 12, "no_contract", trace="T2", paid_on=date(2026, 11, 2), paid="150.00"),
    ]
    [found] = denied_claims([*denied, *appeal])
    assert found == denied
    assert Money.sum(r.charge for r in found).to_json() == "335.00"


def test_a_payment_that_denied_one_line_of_two_does_not_deny_the_claim() -> None:
    lines = [line(2, 21, "no_contract", paid="90.00"), line(2, 22, "denied", charge="12.00")]
    assert denied_claims(lines) == []


def test_a_claim_denied_twice_counts_once_and_other_claims_are_apart() -> None:
    first = [line(3, 31, "denied", status="4")]
    again = [line(3, 31, "denied", status="4", trace="T9", paid_on=date(2026, 11, 2))]
    reversal = [line(4, 41, NOT_PRIMARY, status="22", charge="-100.00")]
    paid = [line(5, 51, "ok", paid="80.00")]
    assert denied_claims([*first, *again, *reversal, *paid]) == [first]
    assert denied_claims([]) == []
