"""Patient payments, credits, refunds and small-balance write-offs on the real databases: each
operation posts balanced entries in one transaction, a retried payment posts once, and the
ledger invariant holds after every step."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from revcycle.cli.app import app
from revcycle.db.ledger_repo import LedgerRepository
from revcycle.db.ledger_tables import journal_entries
from revcycle.db.patient_billing_repo import billing_store
from revcycle.db.patient_ledger_repo import PatientLedgerRepository
from revcycle.domain.errors import Conflict
from revcycle.domain.ledger import (
    PATIENT,
    Ledger,
    LineRef,
    Party,
    contractual_adjustment,
    insurance_payment,
    transfer,
)
from revcycle.domain.money import Money
from revcycle.posting.patient import Tender
from revcycle.services import charges, claims, patient_billing
from revcycle.services.patient_billing import RefundAboveCredit
from tests.conftest import TODAY

PPO = Party.payer("SIMPPO")


# ---- helpers shared by the statement and API tests -------------------------------------------


def visit(billing, patient: int, dos: str, *procedures: str) -> int:
    """An office visit on ``dos`` billed as one claim; the claim id."""
    lines = [{"procedure": p, "pointers": "1,2"} for p in procedures or ("99213",)]
    enc = charges.enter_charges(billing.ctx, billing.encounter(patient, dos_from=dos, lines=lines))
    [claim] = claims.create_claims(billing.ctx, [enc.id])
    return claim.id


def adjudicate(billing, engine, claim_id: int, *, patient_share: str, paid: str = "0.00") -> None:
    """Insurance adjudicated the claim (whose charges went on the ledger when it was created):
    ``paid`` by the payer, the patient share moved to the patient and the rest written off as
    contractual (as an 835 would)."""
    record = claims.get_claim(billing.ctx, claim_id).record
    enc = charges.get_encounter(billing.ctx, record.encounter_id)
    pid, patient = str(billing.ctx.practice_id), str(enc.patient_id)
    entries = []
    for cl in record.lines:
        line = LineRef(pid, patient, str(claim_id), str(cl.id))
        share, pay = Money(patient_share), Money(paid)
        entries += [
            insurance_payment(line, PPO, pay, TODAY.date()),
            contractual_adjustment(line, PPO, cl.charge - pay - share, when=TODAY.date()),
            transfer(line, PPO, PATIENT, share, "PR-2", TODAY.date()),
        ]
    with engine.begin() as conn:
        LedgerRepository(conn).add_entries(
            billing.ctx.practice_id, [e for e in entries if e.postings], TODAY
        )


def patient_ledger(engine, practice_id: int, patient_id: int) -> Ledger:
    """The patient's entries rebuilt into a checking ledger (which re-checks every entry)."""
    ledger = Ledger()
    with engine.connect() as conn:
        ledger.post_all(PatientLedgerRepository(conn, practice_id).entries_for_patient(patient_id))
    return ledger


def assert_ledger_holds(engine, practice_id: int, patient_id: int) -> Ledger:
    ledger = patient_ledger(engine, practice_id, patient_id)
    assert all(e.is_balanced() for e in ledger.entries)
    assert ledger.check_line_invariants() == []
    return ledger


def cash(amount: str) -> Tender:
    return Tender("cash", Money(amount))


def check(amount: str, number: str) -> Tender:
    return Tender("check", Money(amount), number)


def account(ctx, patient):
    return patient_billing.account(ctx, patient, store=billing_store)


@pytest.fixture
def two_visits(billing, engine) -> tuple[int, int]:
    """Ana owes 30.00 for March (older) and 25.00 for May."""
    older = visit(billing, billing.self_pt, "2026-03-02")
    newer = visit(billing, billing.self_pt, "2026-05-04")
    adjudicate(billing, engine, newer, patient_share="25.00", paid="70.00")
    adjudicate(billing, engine, older, patient_share="30.00", paid="60.00")
    return older, newer


# ---- payments ----------------------------------------------------------------------------------


def test_two_tenders_pay_the_oldest_visit_first_and_leave_a_credit(billing, engine, two_visits):
    older, newer = two_visits
    ctx = billing.ctx
    outcome = patient_billing.post_payment(
        ctx, billing.self_pt, [cash("20.00"), check("50.00", "1234")], store=billing_store
    )
    assert [(a.claim_id, a.amount) for a in outcome.applied] == [
        (str(older), Money("30.00")),
        (str(newer), Money("25.00")),
    ]
    assert outcome.receipt.amount == Money("70.00")
    assert outcome.receipt.unapplied == Money("15.00") == outcome.credit
    assert [t["method"] for t in outcome.receipt.tenders] == ["cash", "check"]
    view = account(ctx, billing.self_pt)
    assert view.patient_open == Money.zero() and view.credit == Money("15.00")
    assert view.amount_due == Money("-15.00")
    assert_ledger_holds(engine, ctx.practice_id, billing.self_pt)


def test_a_partial_payment_leaves_the_newer_visit_open(billing, engine, two_visits):
    older, newer = two_visits
    patient_billing.post_payment(billing.ctx, "S1", [cash("40.00")], store=billing_store)
    view = account(billing.ctx, billing.self_pt)
    owed = {ln.totals.claim_id: ln.totals.patient_open for ln in view.lines}
    assert owed == {str(newer): Money("15.00")}  # the paid-off March visit is not shown
    assert older != newer
    assert view.lines[0].info.procedure == "99213"
    assert view.lines[0].service_date == date(2026, 5, 4)
    assert_ledger_holds(engine, billing.ctx.practice_id, billing.self_pt)


def test_the_same_idempotency_key_posts_a_payment_once(billing, engine, two_visits):
    ctx = billing.ctx
    first = patient_billing.post_payment(
        ctx, billing.self_pt, [cash("10.00")], store=billing_store, idempotency_key="desk-77"
    )
    again = patient_billing.post_payment(
        ctx, billing.self_pt, [cash("10.00")], store=billing_store, idempotency_key="desk-77"
    )
    assert again.replayed and not first.replayed
    assert again.receipt.receipt_number == first.receipt.receipt_number
    with engine.connect() as conn:
        payments = conn.execute(
            select(func.count())
            .select_from(journal_entries)
            .where(journal_entries.c.kind == "patient_payment")
        ).scalar_one()
    assert payments == 1
    assert account(ctx, billing.self_pt).patient_open == Money("45.00")


def test_an_idempotency_key_reused_for_another_amount_is_refused(billing, two_visits):
    ctx = billing.ctx
    patient_billing.post_payment(
        ctx, billing.self_pt, [cash("10.00")], store=billing_store, idempotency_key="k1"
    )
    with pytest.raises(Conflict, match="k1"):
        patient_billing.post_payment(
            ctx, billing.self_pt, [cash("11.00")], store=billing_store, idempotency_key="k1"
        )


def test_a_copay_at_check_in_becomes_credit_then_pays_the_visit(billing, engine):
    ctx = billing.ctx
    outcome = patient_billing.post_payment(
        ctx,
        billing.hmo_pt,
        [Tender("card", Money("25.00"), "4242")],
        store=billing_store,
        copay=True,
        service_date=date(2026, 6, 10),
    )
    assert outcome.receipt.kind == "copay" and outcome.applied == ()
    assert outcome.credit == Money("25.00")
    claim = visit(billing, billing.hmo_pt, "2026-06-10")
    adjudicate(billing, engine, claim, patient_share="25.00", paid="80.00")
    applied = patient_billing.apply_credit(ctx, billing.hmo_pt, store=billing_store)
    assert [a.amount for a in applied.applied] == [Money("25.00")]
    view = account(ctx, billing.hmo_pt)
    assert view.credit == Money.zero() and view.patient_open == Money.zero()
    assert_ledger_holds(engine, ctx.practice_id, billing.hmo_pt)


# ---- refunds and credits -------------------------------------------------------------------------


def test_a_refund_above_the_credit_is_refused_naming_the_amounts(billing, engine, two_visits):
    ctx = billing.ctx
    patient_billing.post_payment(ctx, billing.self_pt, [cash("60.00")], store=billing_store)
    with pytest.raises(RefundAboveCredit) as err:
        patient_billing.refund(
            ctx, billing.self_pt, Money("8.00"), check("8.00", "R1"), store=billing_store
        )
    assert "8.00" in str(err.value) and "5.00" in str(err.value)
    done = patient_billing.refund(
        ctx, billing.self_pt, Money("5.00"), check("5.00", "R1"), store=billing_store
    )
    assert done.credit == Money.zero() and done.receipt.kind == "refund"
    assert_ledger_holds(engine, ctx.practice_id, billing.self_pt)


def test_an_overpaid_line_counts_as_credit_and_can_be_refunded(billing, engine):
    ctx = billing.ctx
    claim = visit(billing, billing.self_pt, "2026-04-01")
    adjudicate(billing, engine, claim, patient_share="40.00", paid="60.00")
    patient_billing.post_payment(ctx, billing.self_pt, [cash("40.00")], store=billing_store)
    # the payer reprocesses: 10.00 of the patient's share is its own after all
    record = claims.get_claim(ctx, claim).record
    line = LineRef(str(ctx.practice_id), str(billing.self_pt), str(claim), str(record.lines[0].id))
    with engine.begin() as conn:
        LedgerRepository(conn).add_entries(
            ctx.practice_id,
            [
                transfer(line, PATIENT, PPO, Money("10.00")),
                insurance_payment(line, PPO, Money("10.00")),
            ],
            TODAY,
        )
    [listed] = patient_billing.credit_balances(ctx, store=billing_store)
    assert (listed.patient_id, listed.overpaid_lines, listed.unapplied) == (
        billing.self_pt,
        Money("10.00"),
        Money.zero(),
    )
    patient_billing.refund(
        ctx, billing.self_pt, Money("10.00"), check("10.00", "R9"), store=billing_store
    )
    assert patient_billing.credit_balances(ctx, store=billing_store) == []
    ledger = assert_ledger_holds(engine, ctx.practice_id, billing.self_pt)
    balance = ledger.line_balance(*line_key(line))
    assert balance.payments == Money("100.00")  # payer 70, patient 40 of which 10 moved back
    assert balance.open_total == Money.zero()


def line_key(line: LineRef) -> tuple[str, str, str]:
    return (line.practice_id, line.claim_id, line.line_id)


def test_a_credit_is_applied_to_a_later_balance(billing, engine):
    ctx = billing.ctx
    patient_billing.post_payment(ctx, billing.self_pt, [cash("50.00")], store=billing_store)
    claim = visit(billing, billing.self_pt, "2026-05-20")
    adjudicate(billing, engine, claim, patient_share="35.00", paid="60.00")
    applied = patient_billing.apply_credit(ctx, billing.self_pt, store=billing_store)
    assert applied.receipt.applied == Money("35.00") and applied.credit == Money("15.00")
    assert account(ctx, billing.self_pt).patient_open == Money.zero()
    assert_ledger_holds(engine, ctx.practice_id, billing.self_pt)


def test_small_balances_are_written_off_at_the_threshold(billing, engine):
    ctx = billing.ctx
    small = visit(billing, billing.self_pt, "2026-05-01")
    adjudicate(billing, engine, small, patient_share="3.50", paid="90.00")
    large = visit(billing, billing.child_pt, "2026-05-01")
    adjudicate(billing, engine, large, patient_share="12.00", paid="80.00")
    done = patient_billing.write_off_small_balances(ctx, store=billing_store)
    assert [(w.patient_id, w.amount) for w in done] == [(billing.self_pt, Money("3.50"))]
    assert account(ctx, billing.self_pt).patient_open == Money.zero()
    assert account(ctx, billing.child_pt).patient_open == Money("12.00")
    more = patient_billing.write_off_small_balances(
        ctx, store=billing_store, threshold=Money("15.00")
    )
    assert [w.patient_id for w in more] == [billing.child_pt]
    for pid in (billing.self_pt, billing.child_pt):
        assert_ledger_holds(engine, ctx.practice_id, pid)


def test_account_flags_are_kept_per_patient(billing):
    ctx = billing.ctx
    patient_billing.set_flags(ctx, billing.self_pt, store=billing_store, hold=True)
    flags = patient_billing.set_flags(ctx, "S1", store=billing_store, do_not_send=True)
    assert flags.hold and flags.do_not_send
    assert not account(ctx, billing.child_pt).flags.hold


def test_account_history_shows_each_entry_effect(billing, engine, two_visits):
    ctx = billing.ctx
    patient_billing.post_payment(ctx, billing.self_pt, [cash("20.00")], store=billing_store)
    history = account(ctx, billing.self_pt).history
    assert history[-1].kind == "patient_payment"
    assert history[-1].patient_effect == Money("-20.00")
    assert Money.sum(h.patient_effect for h in history) == Money("35.00")


# ---- CLI ---------------------------------------------------------------------------------------


def run(database_url: str, *args: str):
    return CliRunner().invoke(app, ["--db", database_url, *args], catch_exceptions=False)


def test_cli_posts_a_payment_shows_the_account_and_refunds(
    billing, engine, database_url, two_visits, monkeypatch
):
    import json

    monkeypatch.setenv("REVCYCLE_CLOCK", TODAY.isoformat())
    pid = str(billing.self_pt)
    args = ["--practice", str(billing.ctx.practice_id)]
    r = run(
        database_url,
        *args,
        "payments",
        "post",
        pid,
        "--cash",
        "20.00",
        "--check",
        "50.00:1234",
        "--card",
        "10.00:4242",
        "--receipt",
        "F-1",
        "--json",
    )
    assert r.exit_code == 0, r.output
    posted = json.loads(r.stdout)
    assert (posted["amount"], posted["applied"], posted["credit"]) == ("80.00", "55.00", "25.00")
    again = run(database_url, *args, "payments", "post", pid, "--cash", "20.00",
                "--check", "50.00:1234", "--card", "10.00:4242", "--receipt", "F-1", "--json")  # fmt: skip
    assert json.loads(again.stdout)["replayed"] is True
    r = run(database_url, *args, "accounts", "show", "S1", "--json")
    shown = json.loads(r.stdout)
    assert shown["credit"] == "25.00" and shown["patient_open"] == "0.00"
    assert shown["lines"] == []  # both visits are paid: nothing open is shown
    assert [h["kind"] for h in shown["history"]][-1] == "patient_payment"
    r = run(database_url, *args, "payments", "refund", pid, "30.00", "--check", "5001")
    assert r.exit_code == 2 and "30.00" in r.output and "25.00" in r.output
    r = run(database_url, *args, "payments", "refund", pid, "25.00", "--check", "5001", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["credit"] == "0.00"
    r = run(database_url, *args, "accounts", "credits", "--json")
    assert json.loads(r.stdout) == []
    r = run(database_url, *args, "payments", "post", pid, "--card", "10.00:42")
    assert r.exit_code == 2
    r = run(database_url, *args, "payments", "post", "NOPE", "--cash", "1.00")
    assert r.exit_code == 1
    assert_ledger_holds(engine, billing.ctx.practice_id, billing.self_pt)


def test_cli_flags_and_small_balance_write_off(billing, engine, database_url, monkeypatch):
    import json

    monkeypatch.setenv("REVCYCLE_CLOCK", TODAY.isoformat())
    args = ["--practice", str(billing.ctx.practice_id)]
    claim = visit(billing, billing.self_pt, "2026-05-01")
    adjudicate(billing, engine, claim, patient_share="4.00", paid="90.00")
    r = run(database_url, *args, "accounts", "flag", "S1", "--hold", "--do-not-send", "--json")
    assert json.loads(r.stdout)["hold"] is True
    r = run(database_url, *args, "accounts", "flag", "S1", "--no-hold", "--json")
    assert json.loads(r.stdout)["hold"] is False and json.loads(r.stdout)["do_not_send"] is True
    r = run(database_url, *args, "accounts", "write-off-small", "--threshold", "3.00", "--json")
    assert json.loads(r.stdout) == []
    r = run(database_url, *args, "accounts", "write-off-small", "--json")
    assert json.loads(r.stdout) == [{"patient_id": billing.self_pt, "amount": "4.00", "lines": 1}]
    assert_ledger_holds(engine, billing.ctx.practice_id, billing.self_pt)
