"""Responses come back: stored once, routed to their practice, applied once. 999 and TA1
rejections and 277CA rejections put claims in the rejections queue; acceptances record the
payer claim number; 835s are kept for posting and move claims to their outcome. Full loops
over the filesystem mailbox and the real SFTP server."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from revcycle.domain.money import Money
from revcycle.domain.remittance import Adjustment, ClaimPayment, ServicePayment
from revcycle.payer.sftp_server import SftpServerThread, SftpUser
from revcycle.services import claims, era, inbox, submission
from revcycle.services.scrubbing import scrub_claims
from revcycle.transport import RetryPolicy, SftpConfig, open_mailbox
from revcycle.x12 import parse as parse_module
from tests.integration.test_submission import (
    SUBMITTER,
    Clearinghouse,
    Crash,
    ctx_factory,
    ready_claims,
    status_of,
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "clearinghouse"


@pytest.fixture
def mailbox(root: Path):
    with open_mailbox(f"file://{root}?submitter={SUBMITTER}") as box:
        yield box


@pytest.fixture
def clearinghouse(root: Path, mailbox) -> Clearinghouse:
    return Clearinghouse(root)


def pcn(ctx, claim_id: int) -> str:
    return claims.get_claim(ctx, claim_id).record.patient_control_number


def paid_in_full(pcn: str, icn: str) -> ClaimPayment:
    """$120 charged: $80 paid, $20 contractual, $20 coinsurance (balances)."""
    return ClaimPayment(
        pcn, "1", Money("120.00"), Money("80.00"), Money("20.00"), "12", icn,
        patient_name="RIVERA ANA", patient_member_id="W100",
        lines=(
            ServicePayment(
                "99213", Money("120.00"), Money("80.00"), units=Decimal(1),
                line_control_number=f"{pcn}L01", allowed=Money("100.00"),
                adjustments=(Adjustment("CO", "45", Money("20.00")),
                             Adjustment("PR", "2", Money("20.00"))),
            ),
        ),
    )  # fmt: skip


def denied(pcn: str, icn: str) -> ClaimPayment:
    return ClaimPayment(
        pcn, "4", Money("120.00"), Money("0.00"), None, "12", icn,
        patient_name="RIVERA LEO", adjustments=(Adjustment("CO", "50", Money("120.00")),),
    )  # fmt: skip


def rejections(ctx) -> dict[int, str]:
    with ctx.uow() as uow:
        return {i.target_id: i.reason for i in uow.work_items.list("rejections")}


def full_loop(billing, mailbox, clearinghouse) -> None:
    ctx, factory = billing.ctx, ctx_factory(billing.ctx)
    ids = ready_claims(billing, [billing.self_pt, billing.child_pt])
    first, second = (pcn(ctx, i) for i in ids)
    submission.submit(ctx, mailbox)
    [sent] = clearinghouse.take()

    clearinghouse.ack_999(sent)
    polled = inbox.poll(factory, mailbox)
    assert len(polled.stored) == 1 and polled.applied == polled.stored
    assert {status_of(ctx, i) for i in ids} == {"submitted"}
    assert submission.list_submissions(ctx)[0].ack_status == "999 A"

    clearinghouse.ack_277({first: ("A2", "20", "ICN0001"), second: ("A2", "20", "ICN0002")})
    inbox.poll(factory, mailbox)
    records = [claims.get_claim(ctx, i).record for i in ids]
    assert [(r.status, r.payer_claim_number) for r in records] == [
        ("accepted", "ICN0001"),
        ("accepted", "ICN0002"),
    ]

    clearinghouse.remit([paid_in_full(first, "ICN0001"), denied(second, "ICN0002")])
    inbox.poll(factory, mailbox)
    assert [status_of(ctx, i) for i in ids] == ["paid", "denied"]
    # the 835 posted itself to the ledger (job era.post), once
    [posted] = era.list_files(ctx)
    assert (posted["status"], posted["summary"]["paid_total"]) == ("posted", "80.00")
    assert posted["summary"]["denials_created"] == 1
    assert posted["summary"]["patient_responsibility"] == "20.00"
    with ctx.uow() as uow:
        [remit] = uow.remittances.list()
        assert remit.payment_amount == Money("80.00") and remit.trace_number == "EFT0001"
        assert [(c.claim_id, c.outcome, c.paid) for c in remit.claims] == [
            (ids[0], "paid", Money("80.00")),
            (ids[1], "denied", Money("0.00")),
        ]
        assert remit.claims[0].detail["lines"][0]["line_control_number"] == f"{first}L01"
        files = uow.inbound_files.list()
        assert [f.state for f in files] == ["applied"] * 3
        # names and bytes without the parsed summaries: what the demo writes under x12/inbound
        assert uow.inbound_files.names(ctx.practice_id) == [(f.id, f.mailbox_name) for f in files]
        assert [
            uow.inbound_files.content_of(i) for i, _ in uow.inbound_files.names(ctx.practice_id)
        ] == [f.content for f in files]
        assert uow.inbound_files.names(ctx.practice_id + 1000) == []
    [attempt] = submission.attempts(ctx, ids[0])
    assert [(r.kind, r.outcome) for r in attempt.responses] == [
        ("999", "accepted"),
        ("277CA", "accepted"),
        ("835", "paid"),
    ]
    history = [e.to_status for e in claims.get_claim(ctx, ids[0]).history]
    assert history[-4:] == ["ready", "submitted", "accepted", "paid"]
    assert mailbox.list_inbound() == []


def test_full_loop_over_the_filesystem_mailbox(billing, mailbox, clearinghouse):
    full_loop(billing, mailbox, clearinghouse)


def test_full_loop_over_sftp(billing, tmp_path):
    root = tmp_path / "sftp-root"
    with SftpServerThread(root, [SftpUser(SUBMITTER, password="pw-Secret-1")]) as server:
        config = SftpConfig(
            host="127.0.0.1",
            port=server.port,
            username=SUBMITTER,
            password="pw-Secret-1",
            host_key=server.host_key,
            retry=RetryPolicy(attempts=3, initial_delay=0.01, max_delay=0.05),
        )
        with open_mailbox(config) as box:
            full_loop(billing, box, Clearinghouse(root))


def test_999_rejection_sends_claims_to_the_rejection_queue_and_a_fix_goes_out_again(
    billing, mailbox, clearinghouse
):
    ctx, factory = billing.ctx, ctx_factory(billing.ctx)
    ids = ready_claims(billing, [billing.self_pt, billing.child_pt])
    submission.submit(ctx, mailbox)
    [sent] = clearinghouse.take()
    clearinghouse.ack_999(sent, rejected_sets=tuple(sent.sets))
    inbox.poll(factory, mailbox)
    assert {status_of(ctx, i) for i in ids} == {"rejected"}
    reasons = rejections(ctx)
    assert set(reasons) == set(ids)
    assert "999: set 0001 rejected (IK5 5)" in reasons[ids[0]]
    assert "NM1 #8 element 9 error 7 value 'BAD ID'" in reasons[ids[0]]
    assert submission.list_submissions(ctx)[0].ack_status == "999 R"

    for claim_id in ids:  # corrected, rescrubbed, resubmitted
        claims.change_status(ctx, claim_id, "draft", "subscriber id corrected")
    assert all(r.clean for r in scrub_claims(ctx, ids))
    again = submission.submit(ctx, mailbox)
    assert [len(b.claim_ids) for b in again.batches] == [2]
    [resent] = clearinghouse.take()
    assert resent.interchange != sent.interchange
    assert {status_of(ctx, i) for i in ids} == {"submitted"}
    assert rejections(ctx) == {}  # the items closed on resubmission
    attempts = submission.attempts(ctx, ids[0])
    assert [a.submission.file_name for a in attempts] == [sent.name, resent.name]
    assert [r.outcome for r in attempts[0].responses] == ["rejected"]
    history = [e.to_status for e in claims.get_claim(ctx, ids[0]).history]
    assert history.count("submitted") == 2 and history.count("rejected") == 1


def test_ta1_rejection_rejects_the_interchange_but_a_duplicate_notice_changes_nothing(
    billing, mailbox, clearinghouse
):
    ctx, factory = billing.ctx, ctx_factory(billing.ctx)
    ids = ready_claims(billing, [billing.self_pt, billing.child_pt])
    submission.submit(ctx, mailbox)
    [sent] = clearinghouse.take()
    clearinghouse.ta1(sent, note="025")
    inbox.poll(factory, mailbox)
    assert {status_of(ctx, i) for i in ids} == {"submitted"}
    clearinghouse.ta1(sent, note="024")
    inbox.poll(factory, mailbox)
    assert {status_of(ctx, i) for i in ids} == {"rejected"}
    assert "TA1 note 024: invalid interchange content" in rejections(ctx)[ids[0]]


def test_277ca_rejects_claims_one_by_one(billing, mailbox, clearinghouse):
    ctx, factory = billing.ctx, ctx_factory(billing.ctx)
    ids = ready_claims(billing, [billing.self_pt, billing.child_pt])
    submission.submit(ctx, mailbox)
    clearinghouse.take()
    clearinghouse.ack_277(
        {pcn(ctx, ids[0]): ("A2", "20", "ICN7"), pcn(ctx, ids[1]): ("A7", "562", "")}
    )
    inbox.poll(factory, mailbox)
    assert [status_of(ctx, i) for i in ids] == ["accepted", "rejected"]
    assert rejections(ctx) == {ids[1]: "277CA: claim status A7:562:85"}


def test_polling_again_or_receiving_the_same_file_twice_applies_it_once(
    billing, mailbox, clearinghouse
):
    ctx, factory = billing.ctx, ctx_factory(billing.ctx)
    ids = ready_claims(billing, [billing.self_pt])
    submission.submit(ctx, mailbox)
    clearinghouse.take()
    clearinghouse.ack_277({pcn(ctx, ids[0]): ("A7", "562", "")})
    data = (Path(clearinghouse.boxes.root) / SUBMITTER / "inbound" / "R0001.277").read_bytes()
    first = inbox.poll(factory, mailbox)
    # the same bytes again, e.g. the mailbox was not acknowledged before a crash
    clearinghouse.boxes.deliver(SUBMITTER, "R0001.277", data)
    second = inbox.poll(factory, mailbox)
    assert len(first.stored) == 1 and second.stored == [] and second.already_stored == ["R0001.277"]
    assert inbox.poll(factory, mailbox) == inbox.PollResult()
    with ctx.uow() as uow:
        assert len(uow.submissions.responses(ids[0])) == 1
    history = [e.to_status for e in claims.get_claim(ctx, ids[0]).history]
    assert history.count("rejected") == 1


def test_a_crash_while_applying_leaves_nothing_half_done(
    billing, mailbox, clearinghouse, clock, monkeypatch
):
    ctx, factory = billing.ctx, ctx_factory(billing.ctx)
    ids = ready_claims(billing, [billing.self_pt, billing.child_pt])
    submission.submit(ctx, mailbox)
    clearinghouse.take()
    clearinghouse.ack_277({pcn(ctx, i): ("A7", "562", "") for i in ids})
    real_reject = inbox._Applier._reject
    calls = []

    def reject_then_die(self, *args):
        real_reject(self, *args)
        calls.append(1)
        if len(calls) == 1:
            raise Crash("mid-file")

    monkeypatch.setattr(inbox._Applier, "_reject", reject_then_die)
    with pytest.raises(Crash):
        inbox.poll(factory, mailbox)
    assert {status_of(ctx, i) for i in ids} == {"submitted"}  # rolled back as a whole
    with ctx.uow() as uow:
        [stored] = uow.inbound_files.list()
        assert stored.state == "received"
    assert inbox.poll(factory, mailbox).applied == []  # its job is still leased
    clock.advance(timedelta(minutes=11))  # the lease of the dead runner expires
    inbox.poll(factory, mailbox)
    assert {status_of(ctx, i) for i in ids} == {"rejected"}


def test_a_file_for_no_known_practice_is_kept_unmatched(billing, root, mailbox):
    ctx, factory = billing.ctx, ctx_factory(billing.ctx)
    stranger = Clearinghouse(root, submitter=SUBMITTER)
    stranger.envelope = type(stranger.envelope)(
        sender_id="SIMCLEARHOUSE", receiver_id="RC999999999"
    )
    stranger.ack_277({"P9C0000001": ("A2", "20", "ICN1")})
    result = inbox.poll(factory, mailbox)
    assert result.unmatched == result.stored and len(result.stored) == 1
    with ctx.uow() as uow:
        [f] = uow.inbound_files.list()
    assert (f.state, f.practice_id, f.receiver_id) == ("unmatched", None, "RC999999999")
    assert inbox.retry_unmatched(factory) == []


def test_full_loop_against_the_simulator(billing, root, mailbox, clock, tmp_path):
    from revcycle.payer.mailboxes import ClearinghouseMailboxes
    from revcycle.payer.simulator import Simulator
    from revcycle.services import patients
    from tests.conftest import patient_data

    ctx, factory = billing.ctx, ctx_factory(billing.ctx)
    valid = patients.register_patient(ctx, patient_data(mrn="V1", first_name="Vera"))
    patients.add_coverage(
        ctx, valid.id, {"payer": "SIMPPO", "member_id": "ABC123456", "effective": "2026-01-01"}
    )
    # W100 is too short for the PPO's member ID format: the payer's front end rejects it
    ids = ready_claims(billing, [valid.id, billing.medicare_pt, billing.self_pt])
    submission.submit(ctx, mailbox)
    sim = Simulator(tmp_path / "sim-state", ClearinghouseMailboxes(root), clock.now, seed=7)
    try:
        sim.step(clock.now())
        inbox.poll(factory, mailbox)
        records = [claims.get_claim(ctx, i).record for i in ids]
        assert [r.status for r in records] == ["accepted", "accepted", "rejected"]
        assert all(r.payer_claim_number for r in records[:2])
        assert "277CA: claim status A7:164" in rejections(ctx)[ids[2]]
        for _ in range(20):
            clock.advance(timedelta(days=1))
            sim.step(clock.now())
        inbox.poll(factory, mailbox)
    finally:
        sim.close()
    assert {status_of(ctx, i) for i in ids[:2]} <= {"paid", "partially_paid", "denied"}
    with ctx.uow() as uow:
        remitted: dict[int, list] = {}
        for r in uow.remittances.list():
            for c in r.claims:
                remitted.setdefault(c.claim_id, []).append(c)
        assert all(f.state == "applied" for f in uow.inbound_files.list())
    assert set(remitted) == set(ids[:2])
    for claim_id, record in zip(ids[:2], records[:2], strict=True):
        assert remitted[claim_id][0].payer_claim_number == record.payer_claim_number
    # Medicare crossed the claim over to the member's Medigap plan, which paid later
    assert [c.status_code for c in remitted[ids[1]]][:1] == ["19"]


def test_the_835_posts_from_what_the_inbox_read_without_reading_the_file_again(
    billing, mailbox, clearinghouse, monkeypatch
):
    from revcycle.x12.mapping import remit835

    def read_again(content):  # the post job must take what the inbox's read built
        raise AssertionError("the 835 was read a second time")

    monkeypatch.setattr(remit835, "read_835", read_again)
    full_loop(billing, mailbox, clearinghouse)
    assert not parse_module._KEPT  # each poll lets go of what its jobs did not take


def test_a_poll_that_does_not_apply_keeps_nothing_of_what_it_read(billing, mailbox, clearinghouse):
    ctx, factory = billing.ctx, ctx_factory(billing.ctx)
    ids = ready_claims(billing, [billing.self_pt])
    submission.submit(ctx, mailbox)
    clearinghouse.take()
    clearinghouse.remit([paid_in_full(pcn(ctx, ids[0]), "ICN0001")])
    polled = inbox.poll(factory, mailbox, apply=False)
    assert len(polled.stored) == 1 and not parse_module._KEPT
