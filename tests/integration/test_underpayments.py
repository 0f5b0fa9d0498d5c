"""Underpayments end to end: claims are submitted to the payer simulator, its 835s are posted
by the inbox, and each line is checked against the payer's contract (SIMPPO allows 99213 at
115.00 and 99214 at 160.00; the test contract expects more for 99213)."""

from datetime import timedelta

import pytest

from revcycle.db.underpayment_repo import underpayment_store
from revcycle.payer.mailboxes import ClearinghouseMailboxes
from revcycle.payer.simulator import Simulator
from revcycle.services import (
    charges,
    claims,
    inbox,
    patients,
    submission,
    underpayments,
    workqueues,
)
from revcycle.services.scrubbing import scrub_claims
from revcycle.transport import open_mailbox
from tests.conftest import patient_data
from tests.integration.test_submission import SUBMITTER, ctx_factory

CONTRACT = {
    "kind": "fee_schedule",
    "effective": "2026-01-01",
    "rates": [
        {"procedure": "99213", "amount": "130.00"},
        {"procedure": "99214", "amount": "160.00"},
    ],
}


@pytest.fixture
def cycle(billing, tmp_path, clock):
    """Bill a 99213 and a 99214 to SIMPPO and run the simulator until both are paid."""

    def run(contract: bool, member_id: str = "UP0000001") -> list[int]:
        ctx = billing.ctx
        if contract:
            charges.add_contract(ctx, billing.payers["SIMPPO"], CONTRACT)
        pt = patients.register_patient(ctx, patient_data(mrn="UP1", last_name="Under"))
        patients.add_coverage(
            ctx, pt.id, {"payer": "SIMPPO", "member_id": member_id, "effective": "2026-01-01"}
        )
        made = []
        for day, code in (("2026-06-01", "99213"), ("2026-06-02", "99214")):
            enc = charges.enter_charges(
                ctx,
                billing.encounter(
                    pt.id, dos_from=day, lines=[{"procedure": code, "pointers": "1"}]
                ),
            )
            made += [c.id for c in claims.create_claims(ctx, [enc.id])]
        assert all(r.clean for r in scrub_claims(ctx, made))
        root = tmp_path / "clearinghouse"
        with open_mailbox(f"file://{root}?submitter={SUBMITTER}") as mailbox:
            sim = Simulator(tmp_path / "sim", ClearinghouseMailboxes(root), clock.now, seed=3)
            try:
                submission.submit(ctx, mailbox)
                for _ in range(12):
                    sim.step(clock.now())
                    inbox.poll(ctx_factory(ctx), mailbox)
                    clock.advance(timedelta(days=1))
            finally:
                sim.close()
        return made

    return run


def test_an_underpaid_line_lands_in_the_underpayments_queue_and_a_paid_one_does_not(billing, cycle):
    under, right = cycle(contract=True)
    ctx = billing.ctx
    lines = underpayments.list_lines(ctx, store=underpayment_store, outcome=None)
    by_claim = {ln.claim_id: ln for ln in lines}
    bad = by_claim[under]
    assert bad.outcome == "underpaid"
    # 120.00 charge < 130.00 rate: expected allowed 120.00; the payer allowed 115.00
    assert (bad.expected_allowed.to_json(), bad.allowed.to_json()) == ("120.00", "115.00")
    assert bad.variance.to_json() == "5.00"
    assert bad.expected_paid - bad.paid == bad.variance
    assert "fee schedule" in bad.term
    assert by_claim[right].outcome == "ok" and by_claim[right].variance.to_json() == "0.00"
    items = workqueues.list_items(ctx, queue="underpayments")
    assert [i.target_id for i in items] == [bad.claim_line_id]
    assert "expected paid" in items[0].reason and "paid" in items[0].reason


def test_a_contract_added_later_is_applied_by_a_scan_once(billing, cycle):
    under, _ = cycle(contract=False)
    ctx = billing.ctx
    lines = underpayments.list_lines(ctx, store=underpayment_store, outcome=None)
    assert {ln.outcome for ln in lines} == {"no_contract"}
    charges.add_contract(ctx, billing.payers["SIMPPO"], CONTRACT)
    first = underpayments.scan(ctx, store=underpayment_store)
    assert (first.checked, first.underpaid, first.newly_underpaid) == (2, 1, 1)
    again = underpayments.scan(ctx, store=underpayment_store)
    assert (again.underpaid, again.newly_underpaid) == (1, 0)
    assert len(workqueues.list_items(ctx, queue="underpayments")) == 1
    [found] = underpayments.list_lines(ctx, store=underpayment_store)
    assert found.claim_id == under


def test_a_higher_tolerance_clears_the_variance_on_the_next_scan(billing, cycle):
    cycle(contract=True)
    ctx = billing.ctx
    underpayments.set_tolerance(ctx, "10.00", store=underpayment_store)
    result = underpayments.scan(ctx, store=underpayment_store)
    assert result.underpaid == 0
    assert underpayments.list_lines(ctx, store=underpayment_store) == []


def test_first_submissions_answers_for_more_claims_than_a_statement_takes(billing, cycle):
    """The payer scorecard asks for every claim's first submission: a month of 100,000
    claims is more ids than PostgreSQL takes in one statement (65,535 parameters)."""
    made = cycle(contract=False)
    with billing.ctx.uow() as uow:
        repo = underpayment_store(uow)
        few = repo.first_submissions(made)
        many = repo.first_submissions([*range(10_000_000, 10_070_000), *made])
    assert set(few) == set(made)
    assert many == few
