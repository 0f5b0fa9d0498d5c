"""Finding the claim and the lines a CLP pays, where a wrong guess would post money to the
wrong patient's claim."""

from __future__ import annotations

from revcycle.posting import ClaimIndex, match_lines
from tests.unit.posting.builders import billed_line, claim, clp, svc


def test_a_claim_level_payment_with_another_total_is_not_this_claim() -> None:
    index = ClaimIndex([claim("PCN1", billed_line(1, "99213", "137.48"))])
    assert index.find(clp("PCN1", "1", charge="2286.99", paid="1481.99")) is None
    assert index.find(clp("PCN1", "1", charge="137.48", paid="100.00")) is not None


def test_a_line_payment_with_another_total_still_matches_a_split_claim() -> None:
    two_lines = claim("PCN2", billed_line(1, "99213", "100.00"), billed_line(2, "93000", "50.00"))
    index = ClaimIndex([two_lines])
    assert index.find(clp("PCN2", "1", svc("93000", "50.00", "40.00"))) is two_lines


def test_the_last_line_is_taken_by_position_only_when_procedure_or_charge_agree() -> None:
    billed = claim("PCN3", billed_line(1, "68382005501", "9.46", lcn=""))
    assert match_lines(billed, (svc("54092051902", "256.46", "223.64"),)) == [None]
    recoded = (svc("99214", "9.46", "5.00"),)  # the payer changed the code: same charge
    assert match_lines(billed, recoded) == [billed.lines[0]]
    repriced = claim("PCN4", billed_line(1, "99213", "120.00", lcn=""))
    same_code = (svc("99213", "110.00", "80.00"),)  # a charge keyed differently: same code
    assert match_lines(repriced, same_code) == [repriced.lines[0]]
