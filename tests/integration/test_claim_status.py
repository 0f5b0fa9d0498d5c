"""Claim status follow-up end to end: claims are sent to the simulator over the mailbox and
accepted, then asked about with 276s, in real time over HTTP (the simulator's endpoint under
uvicorn) or in a batch through the mailbox, and the 277 answers land in the claims' history;
claims the payer does not know go to the ``no_response`` queue."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from revcycle.api.app import create_app
from revcycle.cli.app import app as cli_app
from revcycle.config import Settings
from revcycle.db.claim_status_repo import status_store
from revcycle.db.eligibility_repo import eligibility_store
from revcycle.domain.errors import NotFound
from revcycle.domain.money import Money
from revcycle.payer.mailboxes import ClearinghouseMailboxes
from revcycle.payer.realtime import REALTIME_PATH, create_realtime_app
from revcycle.payer.simulator import Simulator
from revcycle.services import (
    auth,
    charges,
    claim_status,
    claims,
    eligibility,
    inbox,
    patients,
    setup,
    submission,
)
from revcycle.services.scrubbing import scrub_claims
from revcycle.transport import RealtimeClient, RetryPolicy, open_mailbox
from tests.conftest import patient_data, practice_data
from tests.integration.test_submission import SUBMITTER, ctx_factory
from tests.integration.transport.conftest import free_port, serving, start_uvicorn, stop_uvicorn

QUICK = RetryPolicy(attempts=3, initial_delay=0.01, max_delay=0.05)


@dataclass
class Loop:
    billing: object
    ctx: object
    mailbox: object
    sim: Simulator
    clock: object
    root: Path
    url: str
    patients: int = 0

    def client(self, url: str | None = None) -> RealtimeClient:
        return RealtimeClient(url or self.url, retry=QUICK, timeout=5)

    def poll(self) -> None:
        inbox.poll(ctx_factory(self.ctx), self.mailbox)

    def send_claims(self, members: list[tuple[str, str]], *, answer: bool = True) -> list[int]:
        """One office visit per (payer, member ID), submitted; with ``answer`` the simulator
        takes the upload and its 999 / 277CA are applied (the claims are ``accepted``)."""
        ids = []
        for payer, member in members:
            self.patients += 1
            p = patients.register_patient(
                self.ctx,
                patient_data(
                    mrn=f"Q{self.patients}",
                    last_name="Quiet",
                    first_name="ABCDEFGHIJKLMNOPQRSTUVWXYZ"[self.patients] + "lex",
                ),
            )
            patients.add_coverage(
                self.ctx, p.id, {"payer": payer, "member_id": member, "effective": "2026-01-01"}
            )
            enc = charges.enter_charges(self.ctx, self.billing.encounter(p.id))
            [created] = claims.create_claims(self.ctx, [enc.id])
            ids.append(created.id)
        results = scrub_claims(self.ctx, ids)
        assert all(r.clean for r in results), [r.findings for r in results]
        submission.submit(self.ctx, self.mailbox)
        if answer:
            self.sim.process_uploads(self.clock.now())
            self.poll()
        return ids


@pytest.fixture
def loop(billing, tmp_path, clock) -> Iterator[Loop]:
    root = tmp_path / "clearinghouse"
    with open_mailbox(f"file://{root}?submitter={SUBMITTER}") as mailbox:
        sim = Simulator(tmp_path / "sim", ClearinghouseMailboxes(root), clock.now, seed=3)
        try:
            with serving(create_realtime_app(sim.realtime_handler)) as port:
                yield Loop(
                    billing, billing.ctx, mailbox, sim, clock, root,
                    f"http://127.0.0.1:{port}{REALTIME_PATH}",
                )  # fmt: skip
        finally:
            sim.close()


def record(ctx, claim_id: int):
    return claims.get_claim(ctx, claim_id).record


def queue(ctx, name: str = "no_response") -> dict[int, str]:
    with ctx.uow() as uow:
        return {i.target_id: i.reason for i in uow.work_items.list(name)}


def test_a_claim_asked_in_real_time_is_pending_then_paid_with_the_eft_of_its_835(loop):
    [claim_id] = loop.send_claims([("SIMPPO", "MEM123456")])
    assert record(loop.ctx, claim_id).status == "accepted"

    got = claim_status.check(loop.ctx, str(claim_id), loop.client(), store=status_store)
    assert (got.state, got.answer.category, got.answer.status_code) == ("answered", "A2", "20")
    assert got.answer.payer_claim_number == record(loop.ctx, claim_id).payer_claim_number
    assert got.answer.raw.startswith("ISA") and "ST*277*" in got.answer.raw

    loop.clock.advance(timedelta(days=20))
    loop.sim.step(loop.clock.now())  # adjudicated and paid; the 835 is not fetched yet
    got = claim_status.check(loop.ctx, str(claim_id), loop.client(), store=status_store)
    answer = got.answer
    assert (answer.category, answer.status_code, answer.outcome) == ("F1", "65", "finalized")
    assert answer.paid is not None and answer.paid > Money(0)
    assert answer.check_number and answer.check_date is not None
    assert answer.info["paid"] == answer.paid.to_json()  # amounts as strings in the JSON
    assert [line["statuses"][0]["codes"][0]["category"] for line in answer.info["lines"]] == ["F1"]
    assert record(loop.ctx, claim_id).status == "accepted"  # a 277 never pays: the 835 does

    history = claim_status.history(loop.ctx, str(claim_id), store=status_store)
    assert [a.category for a in history.answers] == ["A2", "F1"]
    assert [i.state for i in history.inquiries] == ["answered", "answered"]
    reasons = [e.reason for e in claims.get_claim(loop.ctx, claim_id).history]
    assert reasons[-1].startswith("claim status (277): F1:65 paid")

    loop.poll()  # the 835 comes in; the simulator's EFT trace is the one the 277 named
    with loop.ctx.uow() as uow:
        [remit] = uow.remittances.list()
    assert remit.trace_number.endswith(answer.check_number)


def test_a_claim_the_payer_does_not_know_goes_to_the_no_response_queue_until_it_knows(loop):
    [claim_id] = loop.send_claims([("SIMPPO", "MEM200001")], answer=False)
    assert record(loop.ctx, claim_id).status == "submitted"  # not taken by the payer yet

    got = claim_status.check(loop.ctx, str(claim_id), loop.client(), store=status_store)
    assert (got.answer.category, got.answer.status_code, got.answer.outcome) == (
        "A4", "35", "not_found",
    )  # fmt: skip
    assert "payer does not know the claim: 277 A4:35" in queue(loop.ctx)[claim_id]
    assert record(loop.ctx, claim_id).status == "submitted"

    loop.sim.process_uploads(loop.clock.now())  # the payer receives it (277CA not polled)
    got = claim_status.check(loop.ctx, str(claim_id), loop.client(), store=status_store)
    assert got.answer.category == "A2"
    assert claim_id not in queue(loop.ctx)  # the item is closed
    claim = record(loop.ctx, claim_id)
    assert claim.status == "accepted" and claim.payer_claim_number == got.answer.payer_claim_number


def test_an_unreachable_clearinghouse_is_retried_then_reported_and_the_request_kept(loop):
    [claim_id] = loop.send_claims([("SIMPPO", "MEM300001")])
    port = free_port()
    retries: list[int] = []
    down = RealtimeClient(
        f"http://127.0.0.1:{port}{REALTIME_PATH}", retry=QUICK, timeout=5,
        on_retry=lambda n, e: retries.append(n),
    )  # fmt: skip
    with pytest.raises(claim_status.StatusInquiryFailed) as failed:
        claim_status.check(loop.ctx, str(claim_id), down, store=status_store)
    assert retries == [1, 2]
    [kept] = claim_status.list_inquiries(loop.ctx, store=status_store, state="failed")
    assert kept.id == failed.value.inquiry_id
    assert kept.claim_id == claim_id and kept.error and str(port) in kept.error
    assert "ST*276*" in kept.request

    server = start_uvicorn(create_realtime_app(loop.sim.realtime_handler), port)
    try:
        got = claim_status.check(loop.ctx, str(claim_id), down, store=status_store)
    finally:
        stop_uvicorn(server)
    assert (got.inquiry.id, got.inquiry.trace, got.inquiry.attempts) == (kept.id, kept.trace, 2)
    assert got.state == "answered" and got.answer.trace == kept.trace


def test_a_batch_sweep_asks_through_the_mailbox_and_the_inbox_applies_the_277(loop):
    ids = loop.send_claims(
        [("SIMPPO", "MEM400001"), ("SIMPPO", "1TE0A00AA01"), ("SIMMCR", "1AA0AA0AA00")]
    )
    assert claim_status.due_claims(loop.ctx, store=status_store) == []  # not quiet yet
    loop.clock.advance(timedelta(days=31))
    loop.sim.adjudicate(loop.clock.now())  # decided and paid; the 835s stay in the mailbox
    claim_status.configure(loop.ctx, "SIMMCR", store=status_store, after_days=60)

    result = claim_status.sweep(loop.ctx, store=status_store, mailbox=loop.mailbox)
    pcns = [record(loop.ctx, i).patient_control_number for i in ids]
    assert result.mode == "batch" and list(result.asked) == pcns[:2]  # Medicare waits 60 days
    assert any(e.name == result.file_name for e in loop.mailbox.list_outbound())

    [upload] = loop.sim.process_uploads(loop.clock.now())
    assert [r.split("-", 1)[1] for r in upload.responses] == ["999.x12", "277.x12"]
    for name in loop.sim.mailboxes.undelivered(SUBMITTER):
        if "835" in name:  # keep this test about the 277: the remittances come later
            (loop.root / SUBMITTER / "inbound" / name).rename(loop.root / name)
    loop.poll()
    with loop.ctx.uow() as uow:
        [applied] = [f for f in uow.inbound_files.list() if f.kind == "277"]
    assert applied.state == "applied"
    assert applied.notes[0] == "277: 2 claim statuses applied (1 denied, 1 finalized)"

    answers = {
        i: claim_status.history(loop.ctx, str(i), store=status_store).answers for i in ids[:2]
    }
    assert [(a.category, a.inbound_file_id) for a in answers[ids[0]]] == [("F1", applied.id)]
    assert [a.category for a in answers[ids[1]]] == ["F2"]
    assert "CO-27" in answers[ids[1]][0].info["statuses"][0]["message"]
    assert claim_status.list_inquiries(loop.ctx, store=status_store, state="pending") == []
    [attempt] = submission.attempts(loop.ctx, ids[0])
    assert [(r.kind, r.outcome) for r in attempt.responses][-1] == ("277", "finalized")

    # asked a moment ago: the next sweep leaves them alone, until the payer's repeat days
    assert claim_status.due_claims(loop.ctx, store=status_store) == []
    loop.clock.advance(timedelta(days=7))
    assert len(claim_status.due_claims(loop.ctx, store=status_store)) == 2


def test_a_long_batch_sweep_goes_in_several_276s_each_answered(loop, monkeypatch):
    monkeypatch.setattr(claim_status, "BATCH_CLAIMS", 2)
    ids = loop.send_claims([("SIMPPO", f"MEM40010{i}") for i in range(5)], answer=False)
    loop.clock.advance(timedelta(days=31))

    result = claim_status.sweep(loop.ctx, store=status_store, mailbox=loop.mailbox)
    pcns = [record(loop.ctx, i).patient_control_number for i in ids]
    assert result.mode == "batch" and sorted(result.asked) == sorted(pcns)
    assert len(result.file_names) == 3 and result.file_name == result.file_names[0]
    assert len(set(result.file_names)) == 3 and result.outcomes == {"pending": 5}
    sent = {e.name for e in loop.mailbox.list_outbound()}
    assert set(result.file_names) <= sent
    inquiries = claim_status.list_inquiries(loop.ctx, store=status_store, state="pending")
    per_file = sorted(
        sum(1 for i in inquiries if i.file_name == name) for name in result.file_names
    )
    assert per_file == [1, 2, 2]

    uploads = loop.sim.process_uploads(loop.clock.now())
    answers = sorted(r for u in uploads for r in u.responses if r.endswith("-277.x12"))
    assert len(answers) == 3  # one 277 per 276
    loop.poll()
    assert claim_status.list_inquiries(loop.ctx, store=status_store, state="pending") == []
    for claim_id in ids:
        assert claim_status.history(loop.ctx, str(claim_id), store=status_store).answers


def test_a_real_time_sweep_asks_each_quiet_claim_and_skips_remitted_ones(loop):
    ids = loop.send_claims([("SIMPPO", "MEM500001"), ("SIMPPO", "MEM500002")])
    loop.clock.advance(timedelta(days=31))
    loop.sim.step(loop.clock.now())
    loop.poll()  # the 835 comes in: both claims are paid, nothing is quiet
    assert {record(loop.ctx, i).status for i in ids} == {"paid"}
    [late] = loop.send_claims([("SIMPPO", "MEM500003")], answer=False)
    loop.clock.advance(timedelta(days=31))

    result = claim_status.sweep(loop.ctx, store=status_store, sender=loop.client(), days=30)
    assert result.asked == (record(loop.ctx, late).patient_control_number,)
    assert result.outcomes == {"not_found": 1} and result.failed == ()
    assert list(queue(loop.ctx)) == [late]
    # a claim in the no_response queue is a person's to look at: sweeps leave it alone
    assert claim_status.due_claims(loop.ctx, store=status_store, days=0) == []


def test_status_inquiries_belong_to_their_practice(loop, operator):
    [claim_id] = loop.send_claims([("SIMPPO", "MEM600001")])
    claim_status.check(loop.ctx, str(claim_id), loop.client(), store=status_store)
    practice = setup.create_practice(
        operator, practice_data(legal_name="Practice B", tin="987654321")
    )
    other = operator.with_practice(practice.id)
    assert claim_status.list_inquiries(other, store=status_store) == []
    with pytest.raises(NotFound):
        claim_status.history(other, str(claim_id), store=status_store)


def test_the_cli_checks_sweeps_and_lists(loop, database_url, monkeypatch):
    [claim_id] = loop.send_claims([("SIMPPO", "MEM700001")])
    pcn = record(loop.ctx, claim_id).patient_control_number
    monkeypatch.setenv("REVCYCLE_CLOCK", loop.clock.now().isoformat())
    monkeypatch.delenv("REVCYCLE_CLEARINGHOUSE_URL", raising=False)
    runner = CliRunner()
    base = ["--db", database_url]

    done = runner.invoke(
        cli_app, [*base, "status", "check", pcn, "--clearinghouse", loop.url, "--json"]
    )
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    assert (doc["state"], doc["answer"]["category"], doc["answer"]["status_code"]) == (
        "answered", "A2", "20",
    )  # fmt: skip
    assert doc["claim"]["patient_control_number"] == pcn

    missing = runner.invoke(cli_app, [*base, "status", "check", pcn])
    assert missing.exit_code == 4 and "--clearinghouse" in missing.stderr

    down = f"http://127.0.0.1:{free_port()}{REALTIME_PATH}"
    failed = runner.invoke(
        cli_app, [*base, "status", "check", pcn, "--clearinghouse", down, "--retries", "1"]
    )
    assert failed.exit_code == 4 and "kept" in failed.stderr

    later = (loop.clock.now() + timedelta(days=40)).isoformat()
    monkeypatch.setenv("REVCYCLE_CLOCK", later)
    mailbox = f"file://{loop.root}?submitter={SUBMITTER}"
    swept = runner.invoke(
        cli_app, [*base, "status", "sweep", "--batch", "--mailbox", mailbox, "--json"]
    )
    assert swept.exit_code == 0, swept.output
    assert json.loads(swept.stdout)["asked"] == [pcn]

    listed = runner.invoke(cli_app, [*base, "status", "list", "--json"])
    assert [i["state"] for i in json.loads(listed.stdout)] == ["pending", "failed", "answered"]
    shown = runner.invoke(cli_app, [*base, "status", "list", "--claim", pcn])
    assert shown.exit_code == 0 and "A2:20" in shown.stdout


def test_the_api_checks_a_claim_and_shows_its_status_history(loop, database_url, clock):
    [claim_id] = loop.send_claims([("SIMPPO", "MEM800001")])
    auth.create_user(loop.ctx, "biller1", "biller", "pw-Secret-123")
    eligibility.set_clearinghouse_url(loop.ctx, loop.url, eligibility_store)  # the practice's
    app = create_app(Settings(database_url=database_url, clock=clock))
    with TestClient(app) as client:
        token = client.post(
            "/api/v1/auth/token", data={"username": "biller1", "password": "pw-Secret-123"}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        done = client.post(f"/api/v1/claims/{claim_id}/status-inquiries", headers=headers)
        assert done.status_code == 201, done.text
        assert done.json()["answer"]["category"] == "A2"
        shown = client.get(f"/api/v1/claims/{claim_id}/status", headers=headers).json()
        assert [a["status_code"] for a in shown["answers"]] == ["20"]
        assert shown["inquiries"][0]["state"] == "answered"
        assert client.get(f"/api/v1/claims/{claim_id}/status").status_code == 401
