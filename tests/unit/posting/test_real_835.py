"""Real 835s from the shared corpus (copied into tests/fixtures/posting), read through
``revcycle.x12`` and posted against claims built to match them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from revcycle.domain.ledger import PATIENT, AccountKind, Ledger
from revcycle.domain.money import Money
from revcycle.domain.remittance import Remittance
from revcycle.posting import BilledClaim, BilledLine, claim_charge_entry, post_remittance
from revcycle.x12.mapping.remit835 import read_835

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "posting"
PRACTICE = "acme"


def read(name: str) -> Remittance:
    (remittance,), _report = read_835(FIXTURES / name)
    return remittance


def line(n: int, procedure: str, charge: str, dos: date) -> BilledLine:
    return BilledLine(f"L{n}", n, "", procedure, Money(charge), dos)


def billed(pcn: str, *lines: BilledLine) -> BilledClaim:
    return BilledClaim(f"C-{pcn}", PRACTICE, f"P-{pcn}", pcn, lines, ("RUSHMORE",))


MANAGED_CARE = (
    billed("5554555444", line(1, "99211", "800.00", date(2002, 3, 1))),
    billed("8765432112", line(1, "93555", "1200.00", date(2002, 3, 10))),
)


def test_managed_care_835_posts_with_matched_totals() -> None:
    r = read("lfh__managed-care.835")
    led = Ledger()
    for c in MANAGED_CARE:
        led.post(claim_charge_entry(c))
    result = post_remittance(r, MANAGED_CARE, practice_id=PRACTICE, history=led)
    led.post_all(result.entries)
    s = result.summary
    assert s.status == "posted"
    assert (s.claims_matched, s.claims_unmatched) == (2, 0)
    assert s.paid_total == Money("945.00") == r.payment.amount
    assert s.adjustments_by_group["CO"] == Money("155.00")
    assert s.adjustments_by_group["PR"] == Money("900.00")
    assert s.patient_responsibility == Money("900.00")
    assert led.check_line_invariants() == []
    first = led.line_balance(PRACTICE, "C-5554555444", "L1")
    assert (first.payments, first.adjustments) == (Money("450.00"), Money("50.00"))
    assert first.open_by_party[PATIENT] == Money("300.00")
    cash = Money.sum(
        p.amount
        for e in result.entries
        for p in e.postings
        if p.account.kind is AccountKind.INSURANCE_PAYMENTS
    )
    assert cash == r.payment.amount


def test_managed_care_835_without_its_claims_goes_to_the_unmatched_queue() -> None:
    r = read("lfh__managed-care.835")
    result = post_remittance(r, [], practice_id=PRACTICE)
    assert result.summary.status == "posted"
    assert (result.summary.claims_matched, result.summary.claims_unmatched) == (0, 2)
    assert Money.sum(u.paid for u in result.unmatched) == Money("945.00")


def test_denied_835_with_three_lines_creates_three_denials() -> None:
    r = read("pyx12__835_mult_loops.txt")
    c = BilledClaim(
        "C-2005555A",
        PRACTICE,
        "P1",
        "2005555A",
        (
            line(1, "T1005", "500.04", date(2003, 11, 29)),
            line(2, "T1005", "127.80", date(2003, 10, 30)),
            line(3, "T1005", "287.55", date(2003, 10, 31)),
        ),
        ("MDCH",),
    )
    led = Ledger()
    led.post(claim_charge_entry(c))
    result = post_remittance(r, [c], practice_id=PRACTICE, history=led)
    led.post_all(result.entries)
    assert [(d.line_id, d.carcs) for d in result.denials] == [
        ("L1", ("CO-16",)),
        ("L2", ("OA-A7",)),
        ("L3", ("OA-A7",)),
    ]
    assert led.claim_open_balance(PRACTICE, c.claim_id) == Money("915.39")


def test_united_835_matches_lines_by_ref_6r_and_bills_the_patient() -> None:
    r = read("edi835p__united_healthcare_legacy_sample.txt")

    def lcn_line(n: int, lcn: str, procedure: str, charge: str, dos: date) -> BilledLine:
        return BilledLine(f"L{n}", n, lcn, procedure, Money(charge), dos)

    claims = [
        BilledClaim(
            "C1",
            PRACTICE,
            "P1",
            "001-18573-358",
            (
                lcn_line(1, "800941258002", "B4152", "184.86", date(2021, 1, 1)),
                lcn_line(2, "800941258001", "B4152", "156.42", date(2020, 12, 21)),
            ),
            ("87726",),
        ),
        BilledClaim(
            "C2",
            PRACTICE,
            "P1",
            "001-18604-358",
            (
                lcn_line(1, "123456789012", "B4154", "459.90", date(2020, 12, 18)),
                lcn_line(2, "123456789013", "B4034", "27.84", date(2020, 12, 18)),
                lcn_line(3, "123456789014", "B4154", "328.50", date(2021, 1, 1)),
            ),
            ("87726",),
        ),
    ]
    led = Ledger()
    for c in claims:
        led.post(claim_charge_entry(c))
    result = post_remittance(r, claims, practice_id=PRACTICE, history=led)
    led.post_all(result.entries)
    s = result.summary
    assert (s.status, s.claims_matched, s.paid_total) == ("posted", 2, Money("349.99"))
    assert s.patient_responsibility == Money("220.39")
    # the first SVC (REF*6R ...001) pays the billed line listed second
    assert led.line_balance(PRACTICE, "C1", "L2").payments == Money("88.92")
    assert led.line_balance(PRACTICE, "C1", "L1").open_by_party[PATIENT] == Money("105.26")
    assert led.claim_open_balance(PRACTICE, "C2", PATIENT) == Money("115.13")
    assert led.party_open_balance(PRACTICE, PATIENT) == Money("220.39")
    assert led.check_line_invariants() == []


def test_835_whose_line_does_not_balance_is_rejected() -> None:
    # SVC*HC*24599.00*1766.50*187.50: the procedure code slid into SVC02, the charge
    r = read("lfh__tertiary-payment.835")
    result = post_remittance(r, [], practice_id=PRACTICE)
    assert result.summary.status == "rejected"
    assert result.entries == ()
    errors = {(f.code, f.location) for f in result.summary.findings if f.severity == "error"}
    assert errors == {("remit.line_unbalanced", "claims[0].lines[0]")}
