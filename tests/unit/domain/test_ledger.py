"""The double-entry ledger: balanced entries only, balances derived along every dimension."""

from __future__ import annotations

import pytest

from revcycle.domain import ledger as lg
from revcycle.domain.ledger import (
    PATIENT,
    Account,
    AccountKind,
    EntryKind,
    JournalEntry,
    Ledger,
    LineRef,
    Party,
    Posting,
)
from revcycle.domain.money import Money

AETNA = Party.payer("60054")
MEDIGAP = Party.payer("MGAP1")
L1 = LineRef("pr1", "pat1", "c1", "l1")
L2 = LineRef("pr1", "pat1", "c1", "l2")


def m(x: str) -> Money:
    return Money(x)


def test_charge_debits_the_receivable_of_the_responsible_party() -> None:
    led = Ledger()
    led.post(lg.charge(L1, AETNA, m("150.00")))
    assert led.balance(L1.receivable(AETNA)) == m("150.00")
    assert led.balance(L1.account(AccountKind.CHARGES)) == m("-150.00")
    assert led.line_balance("pr1", "c1", "l1").charge == m("150.00")


def test_unbalanced_entry_is_refused_and_nothing_is_posted() -> None:
    led = Ledger()
    bad = JournalEntry(EntryKind.CHARGE, (Posting(L1.receivable(AETNA), m("10")),))
    with pytest.raises(lg.UnbalancedEntry) as err:
        led.post(bad)
    assert err.value.code == "unbalanced_entry"
    assert err.value.imbalance == m("10")
    assert not led.entries


def test_entry_balanced_overall_but_not_per_line_is_refused() -> None:
    led = Ledger()
    bad = JournalEntry(
        EntryKind.TRANSFER,
        (Posting(L1.receivable(AETNA), m("5")), Posting(L2.receivable(AETNA), m("-5"))),
    )
    with pytest.raises(lg.LineUnbalanced):
        led.post(bad)


def test_receivable_without_party_is_not_an_account() -> None:
    with pytest.raises(lg.InvalidAccount):
        Account(AccountKind.RECEIVABLE, "pr1", "pat1", "c1", "l1")
    with pytest.raises(lg.InvalidAccount):
        Account(AccountKind.CHARGES, "pr1", "pat1", "c1")


def test_payment_adjustment_and_transfer_keep_the_line_invariant() -> None:
    led = Ledger()
    led.post(lg.charge(L1, AETNA, m("150.00")))
    led.post(lg.insurance_payment(L1, AETNA, m("56.00")))
    led.post(lg.contractual_adjustment(L1, AETNA, m("50.00")))
    led.post(lg.transfer(L1, AETNA, MEDIGAP, m("44.00"), "PR-1"))
    led.post(lg.transfer(L1, MEDIGAP, PATIENT, m("10.00")))
    b = led.line_balance("pr1", "c1", "l1")
    assert (b.charge, b.payments, b.adjustments) == (m("150"), m("56"), m("50"))
    assert dict(b.open_by_party) == {AETNA: m("0"), MEDIGAP: m("34"), PATIENT: m("10")}
    assert b.holds()
    assert led.check_line_invariants() == []


def test_balances_by_claim_party_and_patient_account() -> None:
    led = Ledger()
    other = LineRef("pr1", "pat2", "c2", "l1")
    led.post_all(
        [
            lg.charge(L1, AETNA, m("100")),
            lg.charge(L2, AETNA, m("20")),
            lg.charge(other, AETNA, m("70")),
            lg.transfer(L1, AETNA, PATIENT, m("30")),
            lg.patient_payment(L1, m("10")),
        ]
    )
    assert led.claim_open_balance("pr1", "c1") == m("110")
    assert led.claim_open_balance("pr1", "c1", PATIENT) == m("20")
    assert led.party_open_balance("pr1", AETNA) == m("160")
    assert led.party_open_balance("pr1", PATIENT) == m("20")
    assert led.patient_open_balance("pr1", "pat1") == m("110")
    assert led.patient_open_balance("pr1", "pat2", PATIENT) == m("0")


def test_reversal_undoes_an_entry_exactly_and_only_once() -> None:
    led = Ledger()
    led.post(lg.charge(L1, AETNA, m("100")))
    paid = led.post(lg.insurance_payment(L1, AETNA, m("80")))
    led.post(paid.reversal())
    assert led.balance(L1.receivable(AETNA)) == m("100")
    assert led.is_reversed(paid.entry_id)
    with pytest.raises(lg.ReversalError):
        led.post(paid.reversal())


def test_post_all_is_all_or_nothing() -> None:
    led = Ledger()
    good = lg.charge(L1, AETNA, m("100"))
    bad = JournalEntry(EntryKind.CHARGE, (Posting(L1.receivable(AETNA), m("1")),))
    with pytest.raises(lg.UnbalancedEntry):
        led.post_all([good, bad])
    assert not led.entries


def test_refund_and_recoupment_count_as_payments() -> None:
    led = Ledger()
    led.post(lg.charge(L1, PATIENT, m("50")))
    led.post(lg.patient_payment(L1, m("60")))
    led.post(lg.refund(L1, PATIENT, m("10")))
    led.post(lg.charge(L2, AETNA, m("40")))
    led.post(lg.insurance_payment(L2, AETNA, m("40")))
    led.post(lg.recoupment(L2, AETNA, m("15")))
    assert led.line_balance("pr1", "c1", "l1").payments == m("50")
    assert led.line_balance("pr1", "c1", "l2").open_by_party[AETNA] == m("15")
    assert led.check_line_invariants() == []


def test_interest_credits_provider_level_income() -> None:
    led = Ledger()
    led.post(lg.interest("pr1", AETNA, m("-3.50"), claim_id="c1"))
    income = Account(AccountKind.INTEREST, "pr1", claim_id="c1", party=AETNA)
    assert led.balance(income) == m("3.50")


def test_recomputed_balance_equals_running_balance() -> None:
    led = Ledger()
    for _ in range(5):
        led.post(lg.charge(L1, AETNA, m("10.01")))
    acct = L1.receivable(AETNA)
    assert led.recompute_balance(acct) == led.balance(acct) == m("50.05")
