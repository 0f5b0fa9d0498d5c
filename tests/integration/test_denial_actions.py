"""Denial actions on real claims: submitted over the clearinghouse mailbox, denied by the payer
simulator, the denial recorded from the 835, then worked: write-off with and without a
manager's approval, void, rebill to the patient's other coverage, move to the patient, timely
filing alerts and proof. The ledger stays balanced through every action."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revcycle.db.appeal_repo import action_store
from revcycle.db.denial_repo import denial_store
from revcycle.domain.errors import Conflict, DomainValidationError, PermissionDenied
from revcycle.domain.ledger import PATIENT, Ledger, Party
from revcycle.domain.money import Money
from revcycle.domain.user import User
from revcycle.payer.mailboxes import ClearinghouseMailboxes
from revcycle.payer.simulator import Simulator
from revcycle.services import charges, claims, inbox, patients, submission
from revcycle.services import denial_actions as actions
from revcycle.services.context import Context
from revcycle.services.scrubbing import scrub_claims
from revcycle.transport import open_mailbox
from tests.conftest import patient_data
from tests.integration.test_submission import SUBMITTER, ctx_factory

STORES: dict[str, Any] = {"store": action_store, "denials": denial_store}


@dataclass
class Loop:
    """The practice, its mailbox, the simulator and the clock, run a day at a time."""

    billing: Any
    mailbox: Any
    sim: Simulator
    clock: Any

    @property
    def ctx(self) -> Context:
        return self.billing.ctx

    def run(self, days: int) -> None:
        factory = ctx_factory(self.ctx)
        for _ in range(days):
            self.sim.step(self.clock.now())
            inbox.poll(factory, self.mailbox)
            self.clock.advance(timedelta(days=1))

    def patient(self, mrn: str, *coverages: tuple[str, str], effective: str = "2026-01-01") -> int:
        letters = "".join(chr(ord("a") + int(c)) if c.isdigit() else c.lower() for c in mrn)
        p = patients.register_patient(
            self.ctx, patient_data(mrn=mrn, last_name=f"Denial{letters}", first_name="Pat")
        )
        for (payer, member), order in zip(coverages, ("primary", "secondary"), strict=False):
            patients.add_coverage(
                self.ctx,
                p.id,
                {"payer": payer, "member_id": member, "effective": effective, "order": order},
            )
        return p.id

    def bill(self, patient: int, lines: list[dict[str, Any]], **encounter: Any) -> int:
        enc = charges.enter_charges(
            self.ctx, self.billing.encounter(patient, lines=lines, **encounter)
        )
        [created] = claims.create_claims(self.ctx, [enc.id])
        return int(created.id)

    def send(self, *claim_ids: int) -> None:
        todo = [c for c in claim_ids if self.status(c) != "ready"]
        results = scrub_claims(self.ctx, todo) if todo else []
        assert all(r.clean for r in results), [(r.claim.id, r.findings) for r in results]
        submission.submit(self.ctx, self.mailbox)

    def denials(self, claim_id: int) -> list[Any]:
        with self.ctx.uow() as uow:
            return denial_store(uow).for_claim(claim_id)

    def status(self, claim_id: int) -> str:
        return claims.get_claim(self.ctx, claim_id).record.status

    def history(self, claim_id: int) -> str:
        return " | ".join(e.reason for e in claims.get_claim(self.ctx, claim_id).history)

    def events(self, denial_id: int) -> list[str]:
        with self.ctx.uow() as uow:
            return [e.action for e in denial_store(uow).events(denial_id)]

    def ledger(self, claim_id: int) -> Ledger:
        with self.ctx.uow() as uow:
            entries = action_store(uow).claim_entries(str(claim_id))
        ledger = Ledger()
        ledger.post_all(entries)
        return ledger

    def owed(self, claim_id: int, party: Party) -> Money:
        ledger = self.ledger(claim_id)
        return Money.sum(
            ledger.balance(a)
            for a in ledger.accounts()
            if a.party == party and a.kind.value == "receivable"
        )

    def as_user(self, role: str) -> Context:
        assert self.ctx.practice_id is not None
        user = User(self.ctx.practice_id, f"{role}1", role)
        return Context.for_user(user, self.clock, self.ctx.uow_factory)


@pytest.fixture
def loop(billing, tmp_path, clock):
    root = tmp_path / "clearinghouse"
    with open_mailbox(f"file://{root}?submitter={SUBMITTER}") as mailbox:
        sim = Simulator(tmp_path / "sim", ClearinghouseMailboxes(root), clock.now, seed=5)
        try:
            yield Loop(billing, mailbox, sim, clock)
        finally:
            sim.close()


def denied(loop: Loop, claim_id: int, carc: str) -> Any:
    found = [d for d in loop.denials(claim_id) if any(c.endswith(f"-{carc}") for c in d.carcs)]
    assert found, [(d.carcs, d.category) for d in loop.denials(claim_id)]
    return found[0]


PPO = Party.payer("SIMPPO")


def test_a_write_off_above_the_threshold_waits_for_a_manager_and_posts_only_when_approved(loop):
    # 99214 billed 175.00 seven months after the date of service: SIMPPO (180 days) denies CO-29
    pt = loop.patient("TF1", ("SIMPPO", "TFW12345"), effective="2025-06-01")
    claim_id = loop.bill(pt, [{"procedure": "99214", "pointers": "1"}], dos_from="2025-11-10")
    loop.send(claim_id)
    loop.run(6)
    denial = denied(loop, claim_id, "29")
    assert loop.owed(claim_id, PPO) == Money("175.00")

    result = actions.request_write_off(
        loop.ctx, denial.id, reason_code="timely_filing", note="past the limit", **STORES
    )
    assert result.pending is not None and result.action == "write_off_requested"
    assert loop.owed(claim_id, PPO) == Money("175.00")  # nothing posted yet
    with pytest.raises(PermissionDenied):
        actions.decide_write_off(loop.as_user("biller"), result.pending.id, **STORES)
    assert loop.owed(claim_id, PPO) == Money("175.00")

    done = actions.decide_write_off(loop.as_user("manager"), result.pending.id, **STORES)
    assert done.status == "approved" and done.decided_by == "user:manager1"
    assert loop.owed(claim_id, PPO) == Money.zero()
    ledger = loop.ledger(claim_id)
    assert not ledger.check_line_invariants()
    assert loop.denials(claim_id)[0].status == "written_off"
    assert "write_off_approved" in loop.events(denial.id)
    assert "write_off_approved" in loop.history(claim_id)
    with loop.ctx.uow() as uow:
        audited = [
            (e.action, e.record_type)
            for e in uow.audit.entries(loop.ctx.practice_id, record_type="write_off")
        ]
    assert ("approve", "write_off") in audited
    with pytest.raises(Conflict):
        actions.decide_write_off(loop.as_user("manager"), result.pending.id, **STORES)


def test_a_refused_write_off_posts_nothing_and_reopens_the_denial(loop):
    pt = loop.patient("TF2", ("SIMPPO", "TFW22345"), effective="2025-06-01")
    claim_id = loop.bill(pt, [{"procedure": "99214", "pointers": "1"}], dos_from="2025-11-10")
    loop.send(claim_id)
    loop.run(6)
    denial = denied(loop, claim_id, "29")
    pending = actions.request_write_off(
        loop.ctx, denial.id, reason_code="timely_filing", **STORES
    ).pending
    assert pending is not None
    refused = actions.decide_write_off(
        loop.as_user("manager"), pending.id, approve=False, note="appeal with proof", **STORES
    )
    assert refused.status == "refused"
    assert loop.owed(claim_id, PPO) == Money("175.00")
    assert loop.denials(claim_id)[0].status == "open"


def test_a_small_write_off_posts_at_once_with_its_reason_code(loop):
    actions.set_settings(loop.ctx, threshold=Money("500.00"), store=action_store)
    pt = loop.patient("TF3", ("SIMPPO", "TFW32345"), effective="2025-06-01")
    claim_id = loop.bill(pt, [{"procedure": "99214", "pointers": "1"}], dos_from="2025-11-10")
    loop.send(claim_id)
    loop.run(6)
    denial = denied(loop, claim_id, "29")
    result = actions.request_write_off(loop.ctx, denial.id, reason_code="timely_filing", **STORES)
    assert result.pending is None and result.denial.status == "written_off"
    assert loop.owed(claim_id, PPO) == Money.zero()
    reasons = {
        p.reason for e in loop.ledger(claim_id).entries if e.kind == "write_off" for p in e.postings
    }
    assert "TIMELY_FILING" in reasons
    assert actions.list_write_offs(loop.ctx, "approved", store=action_store)[0].amount == Money(
        "175.00"
    )


def test_moving_a_denied_balance_to_the_patient_keeps_the_ledger_balanced(loop):
    pt = loop.patient("NM1", ("SIMPPO", "1MN0A00AA05"))
    claim_id = loop.bill(pt, [{"procedure": "99213", "pointers": "1"}])
    loop.send(claim_id)
    loop.run(6)
    denial = denied(loop, claim_id, "50")
    before = loop.owed(claim_id, PPO)
    assert before == Money("120.00")

    result = actions.bill_patient(loop.ctx, denial.id, reason="ABN signed", **STORES)

    assert result.amount == before and result.denial.status == "billed_patient"
    assert loop.owed(claim_id, PPO) == Money.zero()
    assert loop.owed(claim_id, PATIENT) == before
    ledger = loop.ledger(claim_id)
    assert not ledger.check_line_invariants()
    assert all(not e.total() for e in ledger.entries)
    assert "billed_patient" in loop.events(denial.id)
    with pytest.raises(Conflict):  # nothing left to move
        actions.bill_patient(loop.ctx, denial.id, reason="again", **STORES)


def test_void_sends_a_frequency_8_claim_and_closes_the_denial(loop):
    pt = loop.patient("VD1", ("SIMPPO", "1DU0A00AA04"))
    claim_id = loop.bill(pt, [{"procedure": "99213", "pointers": "1"}])
    loop.send(claim_id)
    loop.run(6)
    denial = denied(loop, claim_id, "18")

    result = actions.void(loop.ctx, denial.id, reason="sent twice", denials=denial_store)

    assert result.claim is not None and result.claim.frequency == "8"
    assert result.claim.original_claim_id == claim_id and result.claim.status == "ready"
    assert result.denial.status == "closed" and "voided" in (result.denial.resolution or "")
    assert loop.status(claim_id) == "corrected"
    assert "voided" in loop.history(claim_id)
    loop.send(result.claim.id)
    loop.run(2)
    assert loop.status(result.claim.id) == "accepted"


def test_rebill_to_the_other_coverage_moves_the_receivable_to_the_new_payer(loop):
    # SIMPPO says the coverage had ended (CO-27); registration is fixed (the PPO coverage ended,
    # the patient's HMO covers the date) and the claim is billed again to the HMO
    pt = loop.patient("TE1", ("SIMPPO", "1TE0A00AA01"))
    claim_id = loop.bill(pt, [{"procedure": "99213", "pointers": "1"}], referral_number="R77")
    loop.send(claim_id)
    loop.run(6)
    denial = denied(loop, claim_id, "27")
    assert loop.owed(claim_id, PPO) == Money("120.00")
    [ppo] = patients.list_coverages(loop.ctx, pt)
    patients.update_coverage(loop.ctx, ppo.id, {"termination": "2026-05-31"})
    hmo = patients.add_coverage(
        loop.ctx, pt, {"payer": "SIMHMO", "member_id": "HMO12345", "effective": "2026-06-01"}
    )

    result = actions.rebill(loop.ctx, denial.id, reason="HMO since June", **STORES)

    new = result.claim
    assert new is not None and new.id != claim_id and new.frequency == "1"
    assert new.coverage_id == hmo.id and new.payer_id == loop.billing.payers["SIMHMO"]
    assert result.amount == Money("120.00") and result.denial.status == "rerouted"
    assert loop.owed(claim_id, PPO) == Money.zero()
    assert loop.owed(new.id, Party.payer("SIMHMO")) == Money("120.00")
    assert not loop.ledger(claim_id).check_line_invariants()
    assert loop.status(claim_id) == "corrected"
    assert "rebilled" in loop.events(denial.id)
    loop.send(new.id)
    loop.run(12)
    assert loop.status(new.id) in ("paid", "partially_paid"), loop.history(new.id)


def test_timely_filing_alerts_list_unpaid_claims_near_their_limit_and_the_proof_prints(loop):
    pt = loop.patient("TA1", ("SIMPPO", "PPO22345"), effective="2025-01-01")
    # the practice's payers take claims for 365 days: 2025-10-05 + 365 = 2026-10-05, 112 days
    # after the test's today
    near = loop.bill(pt, [{"procedure": "99213", "pointers": "1"}], dos_from="2025-10-05")
    far = loop.bill(pt, [{"procedure": "99213", "pointers": "1"}], dos_from="2026-06-01")
    alerts = actions.timely_filing_alerts(loop.ctx, 120, store=action_store)
    by_claim = {a.claim_id: a for a in alerts}
    assert near in by_claim and far not in by_claim
    assert by_claim[near].days_left == 112 and not by_claim[near].submitted

    loop.send(near)
    loop.run(1)
    proof = actions.timely_filing_proof(loop.ctx, str(near))
    assert proof.startswith(b"%PDF")
    text = pdf_text(proof)
    assert "Proof of timely filing" in text and "within the filing limit" in text
    assert "999" in text and "277CA" in text
    assert actions.timely_filing_proof(loop.ctx, str(near)) == proof  # deterministic


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_money_amounts_in_results_are_strings(loop):
    pt = loop.patient("NM2", ("SIMPPO", "1MN0A00AA05"))
    claim_id = loop.bill(pt, [{"procedure": "99213", "pointers": "1"}])
    loop.send(claim_id)
    loop.run(6)
    denial = denied(loop, claim_id, "50")
    doc = actions.bill_patient(loop.ctx, denial.id, reason="ABN", **STORES).to_json()
    assert doc["amount"] == "120.00" and Decimal(doc["amount"]) == Decimal("120.00")


PASSWORD = "correct horse battery"


def test_over_the_api_a_biller_requests_and_only_a_manager_approves_a_write_off(loop, database_url):
    from fastapi.testclient import TestClient

    from revcycle.api.app import create_app
    from revcycle.config import Settings
    from revcycle.services import auth

    for name, role in (("biller", "biller"), ("boss", "manager")):
        auth.create_user(loop.ctx, name, role, PASSWORD)
    pt = loop.patient("AP1", ("SIMPPO", "TFW42345"), effective="2025-06-01")
    claim_id = loop.bill(pt, [{"procedure": "99214", "pointers": "1"}], dos_from="2025-11-10")
    loop.send(claim_id)
    loop.run(6)
    denial = denied(loop, claim_id, "29")
    with TestClient(create_app(Settings(database_url=database_url, clock=loop.clock))) as api:

        def login(user: str) -> dict[str, str]:
            r = api.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
            return {"Authorization": f"Bearer {r.json()['access_token']}"}

        biller, boss = login("biller"), login("boss")
        r = api.post(
            f"/api/v1/denials/{denial.id}/write-off",
            json={"reason_code": "timely_filing"},
            headers=biller,
        )
        assert r.status_code == 200, r.text
        pending = r.json()["pending_write_off"]
        assert pending["amount"] == "175.00" and pending["status"] == "pending"
        listed = api.get("/api/v1/write-offs", headers=boss).json()
        assert [w["id"] for w in listed] == [pending["id"]]
        url = f"/api/v1/write-offs/{pending['id']}/approve"
        assert api.post(url, json={}, headers=biller).status_code == 403
        r = api.post(url, json={"note": "ok"}, headers=boss)
        assert r.status_code == 200 and r.json()["status"] == "approved"
        alerts = api.get("/api/v1/timely-filing?within=400", headers=biller)
        assert alerts.status_code == 200
        proof = api.get(f"/api/v1/claims/{claim_id}/timely-filing-proof", headers=biller)
        assert proof.status_code == 200 and proof.content.startswith(b"%PDF")
    assert loop.owed(claim_id, PPO) == Money.zero()


def test_the_cli_lists_timely_filing_alerts_and_writes_the_proof(
    loop, database_url, monkeypatch, tmp_path
):
    from typer.testing import CliRunner

    from revcycle.cli.app import app

    pt = loop.patient("CL1", ("SIMPPO", "PPO32345"), effective="2025-01-01")
    claim_id = loop.bill(pt, [{"procedure": "99213", "pointers": "1"}], dos_from="2025-10-05")
    loop.send(claim_id)
    loop.run(1)
    monkeypatch.setenv("REVCYCLE_DATABASE_URL", database_url)
    monkeypatch.setenv("REVCYCLE_CLOCK", loop.clock.now().isoformat())
    runner = CliRunner()
    r = runner.invoke(app, ["denials", "timely-filing", "--within", "200", "--json"])
    assert r.exit_code == 0, (r.stdout, r.stderr)
    [alert] = json.loads(r.stdout)
    assert alert["claim_id"] == claim_id and alert["submitted"] is True
    assert alert["deadline"] == "2026-10-05"
    out = tmp_path / "proof.pdf"
    r = runner.invoke(app, ["denials", "proof", str(claim_id), "--out", str(out)])
    assert r.exit_code == 0, (r.stdout, r.stderr)
    assert out.read_bytes().startswith(b"%PDF")
    r = runner.invoke(app, ["denials", "approve", "999"])
    assert r.exit_code == 1  # no such write-off request


MODIFIERS = st.sampled_from(["59", "XU", "XS", "25", "26", "TC", "GA", "LT", "RT"])


@given(
    current=st.lists(MODIFIERS, max_size=3, unique=True),
    add=st.lists(MODIFIERS, max_size=2),
    remove=st.lists(MODIFIERS, max_size=2),
)
def test_a_line_edit_adds_and_removes_modifiers_without_duplicates(current, add, remove):
    edit = actions.LineEdit(1, tuple(add), tuple(remove))
    expected = [m for m in current if m not in remove]
    expected += [m for m in dict.fromkeys(add) if m not in expected]
    if len(expected) > 4:
        with pytest.raises(DomainValidationError):
            actions._modifiers(tuple(current), edit)
        return
    result = actions._modifiers(tuple(current), edit)
    assert list(result) == expected
    assert len(set(result)) == len(result)
