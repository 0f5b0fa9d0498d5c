"""Patient payments with tenders, credits, refunds and small-balance write-offs."""

from __future__ import annotations

from datetime import date

import pytest

from revcycle.domain import ledger as lg
from revcycle.domain.ledger import PATIENT, Ledger, LineRef, Party
from revcycle.domain.money import Money
from revcycle.posting.patient import (
    OpenLine,
    PatientPostingError,
    Tender,
    apply_credit,
    patient_payment,
    refund_credit,
    small_balance_write_offs,
)

OLD = LineRef("pr1", "pat1", "c1", "l1")
NEW = LineRef("pr1", "pat1", "c2", "l1")


def m(x: str) -> Money:
    return Money(x)


def owed(led: Ledger) -> list[OpenLine]:
    dates = {OLD: date(2026, 1, 5), NEW: date(2026, 3, 9)}
    return [
        OpenLine(
            line, led.line_balance("pr1", line.claim_id, line.line_id).open_by_party[PATIENT], d
        )
        for line, d in dates.items()
    ]


@pytest.fixture
def led() -> Ledger:
    led = Ledger()
    led.post(lg.charge(OLD, PATIENT, m("30.00")))
    led.post(lg.charge(NEW, PATIENT, m("50.00")))
    return led


def test_payment_with_two_tenders_pays_oldest_first_and_keeps_the_rest_as_credit(
    led: Ledger,
) -> None:
    result = patient_payment(
        "pr1",
        "pat1",
        [Tender("cash", m("40.00")), Tender("check", m("60.00"), "1042")],
        owed(led),
    )
    led.post(result.entry)
    assert result.applied == ((OLD, m("30.00")), (NEW, m("50.00")))
    assert result.unapplied == m("20.00")
    assert result.entry.reference == "cash+check:1042"
    assert led.patient_open_balance("pr1", "pat1", PATIENT) == m("0")
    assert led.patient_credit("pr1", "pat1") == m("20.00")
    assert led.check_line_invariants() == []


def test_copay_at_check_in_becomes_a_credit_applied_when_the_charge_posts() -> None:
    led = Ledger()
    copay = patient_payment("pr1", "pat1", [Tender("card", m("25.00"), "4242")])
    led.post(copay.entry)
    assert led.patient_credit("pr1", "pat1") == m("25.00")
    led.post(lg.charge(OLD, Party.payer("60054"), m("100.00")))
    led.post(lg.transfer(OLD, Party.payer("60054"), PATIENT, m("25.00"), "PR-3"))
    entry = apply_credit("pr1", "pat1", m("25.00"), owed_old_only(led))
    assert entry is not None
    led.post(entry)
    assert led.patient_credit("pr1", "pat1") == m("0")
    assert led.line_balance("pr1", "c1", "l1").payments == m("25.00")
    assert led.check_line_invariants() == []


def owed_old_only(led: Ledger) -> list[OpenLine]:
    open_ = led.line_balance("pr1", "c1", "l1").open_by_party[PATIENT]
    return [OpenLine(OLD, open_, date(2026, 1, 5))]


def test_refund_pays_back_a_credit_but_never_more(led: Ledger) -> None:
    led.post(patient_payment("pr1", "pat1", [Tender("cash", m("100.00"))], owed(led)).entry)
    credit = led.patient_credit("pr1", "pat1")
    with pytest.raises(PatientPostingError):
        refund_credit("pr1", "pat1", m("20.01"), credit, Tender("check", m("20.01"), "9"))
    led.post(refund_credit("pr1", "pat1", m("20.00"), credit, Tender("check", m("20.00"), "9")))
    assert led.patient_credit("pr1", "pat1") == m("0")


def test_small_balance_is_written_off_only_under_the_threshold(led: Ledger) -> None:
    led.post(patient_payment("pr1", "pat1", [Tender("cash", m("76.00"))], owed(led)).entry)
    assert small_balance_write_offs(owed(led), m("3.99")) == []
    entries = small_balance_write_offs(owed(led), m("5.00"))
    led.post_all(entries)
    assert led.patient_open_balance("pr1", "pat1", PATIENT) == m("0")
    assert led.line_balance("pr1", "c2", "l1").adjustments == m("4.00")


def test_payment_without_a_positive_tender_is_refused() -> None:
    with pytest.raises(PatientPostingError):
        patient_payment("pr1", "pat1", [])
    with pytest.raises(PatientPostingError):
        patient_payment("pr1", "pat1", [Tender("cash", m("-5"))])
