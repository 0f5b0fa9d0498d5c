"""ERA posting: each 835 scenario produces balanced entries, the right balances and the right
work (denials, secondary claims, crossovers, unmatched payments)."""

from __future__ import annotations

from revcycle.domain.ledger import PATIENT, Account, AccountKind, EntryKind, Ledger, Party
from revcycle.domain.money import Money
from revcycle.domain.remittance import ProviderAdjustment, Remittance
from revcycle.posting import BilledClaim, PostingConfig, PostingResult, post_remittance
from tests.unit.posting.builders import (
    PAID_ON,
    PRACTICE,
    PRIMARY,
    SECONDARY,
    billed_line,
    cas,
    charged_ledger,
    claim,
    clp,
    m,
    remit,
    svc,
)

AETNA = Party.payer(PRIMARY)
GAP = Party.payer(SECONDARY)


def post(
    led: Ledger, r: Remittance, *claims: BilledClaim, config: PostingConfig | None = None
) -> PostingResult:
    result = post_remittance(
        r, claims, practice_id=PRACTICE, history=led, config=config, posted_on=PAID_ON
    )
    led.post_all(result.entries)
    assert led.check_line_invariants() == []
    return result


def open_(led: Ledger, c: BilledClaim, line: str, party: Party) -> Money:
    return led.line_balance(PRACTICE, c.claim_id, line).open_by_party.get(party, Money.zero())


def cash_of(led: Ledger, source: str) -> Money:
    return Money.sum(
        p.amount
        for e in led.entries
        if e.source == source
        for p in e.postings
        if p.account.kind is AccountKind.INSURANCE_PAYMENTS
    )


def test_claim_paid_in_full_closes_the_line() -> None:
    c = claim("PCN1", billed_line(1, "99213", "100.00"))
    led = charged_ledger(c)
    result = post(led, remit(clp("PCN1", "1", svc("99213", "100", "100", lcn="LCN1"))), c)
    assert result.summary.status == "posted"
    assert result.summary.claims_matched == 1
    assert led.claim_open_balance(PRACTICE, c.claim_id) == m("0")
    assert led.line_balance(PRACTICE, c.claim_id, "L1").payments == m("100")


def test_deductible_and_coinsurance_go_to_the_patient_and_bundled_line_is_a_denial() -> None:
    # the worked example of remittance.md
    c = claim("PCN123", billed_line(1, "99213", "150"), billed_line(2, "81002", "20"))
    led = charged_ledger(c)
    r = remit(
        clp(
            "PCN123",
            "1",
            svc(
                "99213",
                "150",
                "56",
                cas("CO", "45", "50"),
                cas("PR", "1", "30"),
                cas("PR", "2", "14"),
            ),
            svc("81002", "20", "0", cas("CO", "97", "20")),
        )
    )
    result = post(led, r, c)
    assert open_(led, c, "L1", PATIENT) == m("44")
    assert open_(led, c, "L1", AETNA) == m("0")
    assert led.line_balance(PRACTICE, c.claim_id, "L1").adjustments == m("50")
    # CO-97 on a zero-paid line is a denial: still open with the payer, not written off
    assert open_(led, c, "L2", AETNA) == m("20")
    assert led.line_balance(PRACTICE, c.claim_id, "L2").adjustments == m("0")
    assert [(d.line_id, d.carcs, d.amount) for d in result.denials] == [("L2", ("CO-97",), m("20"))]
    s = result.summary
    assert (s.patient_responsibility, s.paid_total) == (m("44"), m("56"))
    assert s.adjustments_by_group == {"CO": m("70"), "PR": m("44"), "OA": m("0"), "PI": m("0")}
    assert s.denials_created == 1
    assert s.secondary_claims_created == 0


def test_patient_responsibility_moves_to_the_secondary_with_cob_data() -> None:
    c = claim("PCN2", billed_line(1, "99214", "100"), coverages=(PRIMARY, SECONDARY))
    led = charged_ledger(c)
    r = remit(
        clp(
            "PCN2",
            "1",
            svc("99214", "100", "65", cas("CO", "45", "25"), cas("PR", "3", "10"), lcn="LCN1"),
            icn="ICN77",
        )
    )
    result = post(led, r, c)
    assert open_(led, c, "L1", GAP) == m("10")
    assert open_(led, c, "L1", PATIENT) == m("0")
    assert result.summary.patient_responsibility == m("0")
    (sec,) = result.secondary_claims
    assert (sec.prior_payer_id, sec.next_payer_id) == (PRIMARY, SECONDARY)
    assert sec.prior_payer_paid == m("65")
    assert sec.remaining_patient_liability == m("10")
    assert sec.payer_claim_control_number == "ICN77"
    (line,) = sec.line_adjudications
    assert line.line_number == 1
    assert line.paid == m("65")
    assert [(a.group, a.reason, a.amount) for a in line.adjustments] == [
        ("CO", "45", m("25")),
        ("PR", "3", m("10")),
    ]
    assert line.adjudication_date == PAID_ON
    # 2430 balance: SV102 = SVD02 + CAS; 2320 balance: sum SVD02 - claim CAS = AMT*D
    assert Money.sum(a.amount for a in line.adjustments) + line.paid == m("100")
    assert line.paid - Money.sum(a.amount for a in sec.claim_adjustments) == sec.prior_payer_paid
    assert result.summary.secondary_claims_created == 1

    # the secondary's 835 reports the primary's impact as OA-23 (ignored), then its own
    r2 = remit(
        clp(
            "PCN2",
            "2",
            svc("99214", "100", "5", cas("OA", "23", "90"), cas("CO", "45", "5"), lcn="LCN1"),
            icn="GAP9",
        ),
        payer_id=SECONDARY,
        trace="TRACE2",
    )
    post(led, r2, c)
    assert led.claim_open_balance(PRACTICE, c.claim_id) == m("0")
    b = led.line_balance(PRACTICE, c.claim_id, "L1")
    assert (b.payments, b.adjustments) == (m("70"), m("30"))


def test_medicare_crossover_marks_the_secondary_forwarded_without_a_claim() -> None:
    c = claim("PCN3", billed_line(1, "99213", "120"), coverages=(PRIMARY, SECONDARY))
    led = charged_ledger(c)
    r = remit(
        clp(
            "PCN3",
            "19",
            svc("99213", "120", "64", cas("CO", "45", "40"), cas("PR", "2", "16")),
            remarks=("MA18",),
            crossover_payer="MEDIGAP OF OHIO",
        )
    )
    result = post(led, r, c)
    assert result.secondary_claims == ()
    (fwd,) = result.forwarded
    assert (fwd.next_payer_id, fwd.amount_forwarded, fwd.crossover_payer_name) == (
        SECONDARY,
        m("16"),
        "MEDIGAP OF OHIO",
    )
    assert open_(led, c, "L1", GAP) == m("16")
    assert result.summary.secondary_claims_created == 0


def test_denied_claim_becomes_denial_records_not_write_offs() -> None:
    c = claim("PCN4", billed_line(1, "97110", "80"), billed_line(2, "97112", "90"))
    led = charged_ledger(c)
    r = remit(
        clp(
            "PCN4",
            "4",
            svc("97110", "80", "0", cas("CO", "50", "80"), remarks=("N115",)),
            svc("97112", "90", "0", cas("CO", "50", "90")),
            remarks=("M25",),
        )
    )
    result = post(led, r, c)
    assert [(d.line_id, d.amount, d.remarks) for d in result.denials] == [
        ("L1", m("80"), ("N115", "M25")),
        ("L2", m("90"), ("M25",)),
    ]
    assert led.claim_open_balance(PRACTICE, c.claim_id, AETNA) == m("170")
    assert all(
        a.kind not in (AccountKind.CONTRACTUAL_ADJUSTMENTS, AccountKind.WRITE_OFFS)
        for a in led.accounts()
    )
    assert result.summary.denials_created == 2


def test_reversal_undoes_the_original_exactly_and_the_correction_posts() -> None:
    c = claim("PCN5", billed_line(1, "99214", "200"), coverages=(PRIMARY, SECONDARY))
    led = charged_ledger(c)
    first = remit(
        clp(
            "PCN5",
            "1",
            svc("99214", "200", "120", cas("CO", "45", "50"), cas("PR", "1", "30")),
            icn="ICN5",
        )
    )
    post(led, first, c)
    before = led.line_balance(PRACTICE, c.claim_id, "L1")
    assert before.open_by_party[GAP] == m("30")

    second = remit(
        clp(
            "PCN5",
            "22",
            svc("99214", "-200", "-120", cas("CO", "45", "-50"), cas("PR", "1", "-30")),
            icn="ICN5",
        ),
        clp("PCN5", "1", svc("99214", "200", "150", cas("CO", "45", "50")), icn="ICN6"),
        trace="TRACE2",
    )
    result = post(led, second, c)
    assert result.summary.claims_matched == 2
    reversal = next(e for e in result.entries if e.kind is EntryKind.REVERSAL)
    original = next(
        e for e in led.entries if e.reference == "ICN5" and e.kind is EntryKind.INSURANCE_PAYMENT
    )
    assert reversal.reverses == original.entry_id
    assert [(p.account, -p.amount, p.reason) for p in reversal.postings] == [
        (p.account, p.amount, p.reason) for p in original.postings
    ]
    after = led.line_balance(PRACTICE, c.claim_id, "L1")
    assert (after.payments, after.adjustments) == (m("150"), m("50"))
    assert after.open_by_party.get(GAP, m("0")) == m("0")
    assert result.summary.secondary_claims_created == 0


def test_reversal_without_original_posts_the_negative_amounts_with_a_warning() -> None:
    c = claim("PCN6", billed_line(1, "99213", "100"))
    led = charged_ledger(c)
    r = remit(
        clp("PCN6", "22", svc("99213", "-100", "-80", cas("CO", "45", "-20"))),
        amount="0",
        plb=[ProviderAdjustment("FB", m("-80"), "PCN6")],
    )
    result = post(led, r, c)
    assert "posting.reversal_original_not_found" in [f.code for f in result.summary.findings]
    assert open_(led, c, "L1", AETNA) == m("200")


def test_provider_level_adjustments_post_to_provider_accounts_tied_to_claims() -> None:
    c = claim("PCN7", billed_line(1, "99213", "100"))
    led = charged_ledger(c)
    plb = [
        ProviderAdjustment("L6", m("-2.50"), "PCN7"),
        ProviderAdjustment("WO", m("30.00"), "ICN-OLD"),
        ProviderAdjustment("FB", m("10.00"), "X123"),
    ]
    r = remit(
        clp("PCN7", "1", svc("99213", "100", "80", cas("CO", "45", "20")), icn="ICN7"), plb=plb
    )
    assert r.payment.amount == m("42.50")
    result = post(led, r, c)
    interest = Account(AccountKind.INTEREST, PRACTICE, claim_id=c.claim_id, party=AETNA)
    recouped = Account(AccountKind.RECOUPMENTS, PRACTICE, party=AETNA)
    forward = Account(AccountKind.PROVIDER_ADJUSTMENTS, PRACTICE, party=AETNA)
    assert led.balance(interest) == m("-2.50")
    assert led.balance(recouped) == m("30")
    assert led.balance(forward) == m("10")
    assert result.summary.provider_adjustments_total == m("37.50")
    # the insurance money the 835 posted is exactly its deposit
    assert cash_of(led, "835:TRACE1") == r.payment.amount


def test_unmatched_claim_payment_is_reported_and_held_as_unapplied() -> None:
    c = claim("PCN8", billed_line(1, "99213", "100"))
    led = charged_ledger(c)
    r = remit(
        clp("PCN8", "1", svc("99213", "100", "100")),
        clp("NOBODY", "1", svc("99215", "250", "180", cas("CO", "45", "70")), icn="ICNX"),
    )
    result = post(led, r, c)
    s = result.summary
    assert (s.claims_matched, s.claims_unmatched) == (1, 1)
    (u,) = result.unmatched
    assert (u.patient_control_number, u.paid, u.index) == ("NOBODY", m("180"), 1)
    unapplied = Account(AccountKind.UNAPPLIED_INSURANCE, PRACTICE, party=AETNA)
    assert led.balance(unapplied) == m("-180")
    assert cash_of(led, "835:TRACE1") == r.payment.amount


def test_line_found_when_payer_changed_the_code_and_dropped_a_modifier() -> None:
    c = claim(
        "PCN9",
        billed_line(1, "99214", "150", lcn="", mods=("25",)),
        billed_line(2, "20610", "200", lcn="", mods=("RT",)),
    )
    led = charged_ledger(c)
    r = remit(
        clp(
            "PCN9",
            "1",
            svc("20610", "200", "120", cas("CO", "45", "80")),  # modifier RT dropped
            svc("99213", "150", "70", cas("CO", "45", "80")),  # downcoded 99214 -> 99213
        )
    )
    result = post(led, r, c)
    assert result.summary.claims_matched == 1
    assert led.line_balance(PRACTICE, c.claim_id, "L1").payments == m("70")
    assert led.line_balance(PRACTICE, c.claim_id, "L2").payments == m("120")


def test_unbalanced_835_is_rejected_with_findings_and_posts_nothing() -> None:
    c = claim("PCN10", billed_line(1, "99213", "100"))
    bad_line = svc("99213", "100", "90", cas("CO", "45", "20"))  # 100 - 20 != 90
    r = remit(clp("PCN10", "1", bad_line, paid="90"), amount="95")
    result = post_remittance(r, [c], practice_id=PRACTICE)
    assert result.summary.status == "rejected"
    assert result.entries == ()
    codes = {f.code for f in result.summary.findings}
    assert codes == {
        "remit.line_unbalanced",
        "remit.claim_unbalanced",
        "remit.transaction_unbalanced",
    }


def test_claim_level_adjustments_and_claim_only_payments_are_spread_over_lines() -> None:
    c = claim("PCN11", billed_line(1, "A", "100"), billed_line(2, "B", "50"))
    led = charged_ledger(c)
    r = remit(
        clp(
            "PCN11", "1", adjustments=[cas("CO", "45", "30.01"), cas("PR", "1", "20")], charge="150"
        )
    )
    post(led, r, c)
    l1 = led.line_balance(PRACTICE, c.claim_id, "L1")
    l2 = led.line_balance(PRACTICE, c.claim_id, "L2")
    assert l1.payments + l2.payments == m("99.99")
    assert l1.adjustments + l2.adjustments == m("30.01")
    assert l1.open_by_party[PATIENT] + l2.open_by_party[PATIENT] == m("20")
    assert led.claim_open_balance(PRACTICE, c.claim_id, AETNA) == m("0")


def test_oa_and_pi_follow_the_configuration() -> None:
    c = claim("PCN12", billed_line(1, "99213", "100"))
    r = remit(
        clp("PCN12", "1", svc("99213", "100", "70", cas("OA", "94", "10"), cas("PI", "104", "20")))
    )
    adjusting = charged_ledger(c)
    post(adjusting, r, c)
    assert adjusting.claim_open_balance(PRACTICE, c.claim_id) == m("0")
    kept = charged_ledger(c)
    post(kept, r, c, config=PostingConfig(oa="patient", pi="keep_open"))
    assert open_(kept, c, "L1", PATIENT) == m("10")
    assert open_(kept, c, "L1", AETNA) == m("20")


def test_summary_json_carries_amounts_as_strings() -> None:
    c = claim("PCN13", billed_line(1, "99213", "100"))
    led = charged_ledger(c)
    result = post(led, remit(clp("PCN13", "1", svc("99213", "100", "80", cas("PR", "2", "20")))), c)
    assert result.summary.to_json() == {
        "status": "posted",
        "claims_matched": 1,
        "claims_unmatched": 0,
        "paid_total": "80.00",
        "adjustments_by_group": {"CO": "0.00", "PR": "20.00", "OA": "0.00", "PI": "0.00"},
        "patient_responsibility": "20.00",
        "provider_adjustments_total": "0.00",
        "denials_created": 0,
        "secondary_claims_created": 0,
        "findings": [],
    }
