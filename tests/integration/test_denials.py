"""Denial records on the real databases: an 835's denials (claim and line level), a 277CA's
and a 999's rejections each become one classified record with its deadlines, in the same
transaction as the source, once however often the source is applied."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from revcycle.db.denial_repo import denial_store
from revcycle.domain.money import Money
from revcycle.domain.remittance import Adjustment, ClaimPayment, ServicePayment
from revcycle.services import denials, inbox, submission
from revcycle.services.denial_ports import DenialFilter
from tests.integration.test_era_post import pcn, post, remit_file
from tests.integration.test_inbox import clearinghouse, denied, mailbox, paid_in_full, root  # noqa: F401
from tests.integration.test_submission import ctx_factory, ready_claims


def all_denials(ctx) -> list:
    with ctx.uow() as uow:
        return denial_store(uow).page(DenialFilter(statuses=()), ctx.clock.today(), 500).items


def line_denied(pcn_: str, icn: str) -> ClaimPayment:
    """The line is denied for a missing modifier (CO-4 with N657): nothing paid."""
    return ClaimPayment(
        pcn_, "4", Money("120.00"), Money("0.00"), None, "12", icn,
        patient_name="RIVERA ANA",
        lines=(
            ServicePayment(
                "99213", Money("120.00"), Money("0.00"), units=Decimal(1),
                line_control_number=f"{pcn_}L01",
                adjustments=(Adjustment("CO", "4", Money("120.00")),), remarks=("N657",),
            ),
        ),
    )  # fmt: skip


def test_a_claim_denied_in_an_835_becomes_a_classified_denial_record(billing):
    ctx = billing.ctx
    ids = ready_claims(billing, [billing.self_pt, billing.child_pt])
    summary = post(ctx, remit_file([paid_in_full(pcn(ctx, ids[0]), "ICN1"),
                                    denied(pcn(ctx, ids[1]), "ICN2")]))  # fmt: skip
    assert summary["denials_created"] == 1
    [d] = all_denials(ctx)
    assert (d.claim_id, d.line_id, d.source) == (ids[1], None, "835")
    assert (d.carcs, d.category, d.action) == (("CO-50",), "medical_necessity", "appeal")
    assert d.amount == Money("120.00") and d.payer_claim_number == "ICN2"
    assert d.status == "open" and d.priority > 0
    # SIMPPO is commercial: appeal within 180 days of the denial; filing by DOS + its limit
    assert d.appeal_deadline == date(2026, 12, 12)
    assert d.timely_filing_deadline is not None and d.timely_filing_deadline > date(2026, 6, 1)
    with ctx.uow() as uow:  # the work item of the denials queue is still made
        assert [i.target_id for i in uow.work_items.list("denials")] == [ids[1]]
        [event] = denial_store(uow).events(d.id)
    assert event.action == "created" and "medical_necessity" in (event.note or "")


def test_a_denied_line_carries_its_line_codes_and_remarks(billing):
    ctx = billing.ctx
    [cid] = ready_claims(billing, [billing.self_pt])
    post(ctx, remit_file([line_denied(pcn(ctx, cid), "ICN5")]))
    [d] = all_denials(ctx)
    assert d.line_id is not None and d.claim_id == cid
    assert (d.carcs, d.rarcs, d.category, d.action) == (("CO-4",), ("N657",), "coding", "correct")


def test_medicare_timely_filing_denial_is_a_write_off_without_appeal_deadline(billing):
    ctx = billing.ctx
    [cid] = ready_claims(billing, [billing.medicare_pt])
    tf = ClaimPayment(
        pcn(ctx, cid), "4", Money("120.00"), Money("0.00"), None, "MB", "ICN9",
        patient_name="RIVERA ANA", adjustments=(Adjustment("CO", "29", Money("120.00")),),
    )  # fmt: skip
    post(ctx, remit_file([tf]))
    [d] = all_denials(ctx)
    assert (d.category, d.action, d.appeal_deadline) == ("timely_filing", "write_off", None)


def test_recording_the_same_denials_twice_creates_them_once(billing):
    ctx = billing.ctx
    [cid] = ready_claims(billing, [billing.child_pt])
    post(ctx, remit_file([denied(pcn(ctx, cid), "ICN2")]))
    [d] = all_denials(ctx)
    with ctx.uow() as uow:
        store = denial_store(uow)
        again = store.add_many([d], ctx.actor)
        uow.commit()
    assert again == [] and len(all_denials(ctx)) == 1


def test_a_277ca_rejection_becomes_a_denial_record(billing, mailbox, clearinghouse):  # noqa: F811
    ctx = billing.ctx
    ids = ready_claims(billing, [billing.self_pt, billing.child_pt])
    submission.submit(ctx, mailbox)
    clearinghouse.take()
    clearinghouse.ack_277(
        {pcn(ctx, ids[0]): ("A2", "20", "ICN7"), pcn(ctx, ids[1]): ("A3", "33", "")}
    )
    inbox.poll(ctx_factory(ctx), mailbox)
    inbox.poll(ctx_factory(ctx), mailbox)  # polling again applies nothing twice
    [d] = all_denials(ctx)
    assert (d.claim_id, d.source, d.category, d.action) == (
        ids[1],
        "277CA",
        "registration",
        "correct",
    )
    assert d.amount == Money("120.00") and d.appeal_deadline is None


def test_a_999_rejection_becomes_a_denial_record_per_claim(billing, mailbox, clearinghouse):  # noqa: F811
    ctx = billing.ctx
    ids = ready_claims(billing, [billing.self_pt, billing.child_pt])
    submission.submit(ctx, mailbox)
    [sent] = clearinghouse.take()
    clearinghouse.ack_999(sent, rejected_sets=tuple(sent.sets))
    inbox.poll(ctx_factory(ctx), mailbox)
    found = all_denials(ctx)
    assert sorted(d.claim_id for d in found) == sorted(ids)
    assert {(d.source, d.category, d.action) for d in found} == {("999", "other", "correct")}


def test_denials_of_a_claim_are_found_by_the_claim(billing):
    ctx = billing.ctx
    [cid] = ready_claims(billing, [billing.child_pt])
    post(ctx, remit_file([denied(pcn(ctx, cid), "ICN2")]))
    with ctx.uow() as uow:
        [d] = denial_store(uow).for_claim(cid)
    assert denials.show(ctx, d.id, store=denial_store)["claim"]["id"] == cid
