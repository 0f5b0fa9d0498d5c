"""The simulator answers 276s with 277s (005010X212) from what its payers know: pending,
paid with the EFT of the 835, awaiting the payment cycle, denied, not found; line statuses
when the lines are asked about; in real time and for batches uploaded to the mailbox. Every
277 it writes is read back by revcycle's reader with the statuses it meant."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revcycle.domain.claim_status_inquiry import ClaimLine, ClaimStatusRequest
from revcycle.domain.eligibility import Entity, Member
from revcycle.domain.money import Money
from revcycle.payer.claim_status import claim_status_info, respond_276
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.mapping.claim_status import read_277, transaction_276
from revcycle.x12.writer import write_interchange
from tests.unit.payer.simkit import ENVELOPE, NOW, SUBMITTER_ID, Rig, claim, make_rig

PAYER_NAMES = {"SIMPPO": "SIM COMMERCIAL PPO", "SIMMCD": "SIM STATE MEDICAID"}


def ask(
    pcn: str,
    member: str = "MEM123456",
    payer: str = "SIMPPO",
    *,
    icn: str = "",
    lines: tuple[ClaimLine, ...] = (),
    trace: str = "",
) -> ClaimStatusRequest:
    return ClaimStatusRequest(
        payer=Entity(PAYER_NAMES[payer], payer, "PI"),
        receiver=Entity("HAPPY VALLEY CLINIC", SUBMITTER_ID, "46"),
        provider=Entity("HAPPY VALLEY CLINIC", "1234567893", "XX"),
        subscriber=Member("DOE", "JANE", member_id=member),
        trace=trace or f"TR-{pcn}",
        created=NOW,
        patient_control_number=pcn,
        payer_claim_number=icn,
        charge=Money("230.00"),
        lines=lines,
    )


def x12(*requests: ClaimStatusRequest) -> str:
    sets = [transaction_276(r) for r in requests]
    return write_interchange(ENVELOPE, "HR", sets, InMemoryControlNumbers(), NOW)


def answers(rig: Rig, *requests: ClaimStatusRequest, at=NOW) -> dict[str, object]:
    reply = respond_276(rig.sim, x12(*requests), at)
    assert reply is not None
    responses, report = read_277(reply)
    assert report.valid, [f.message for f in report.findings]
    return {c.trace: c for r in responses for c in r.claims}


LINE = ClaimLine("99213", Money("150.00"), line_control_number="LCN0001", service_from=NOW.date())


@pytest.fixture
def rig(tmp_path) -> Rig:
    rig = make_rig(tmp_path)
    rig.upload_claims(
        [
            claim("PCN1"),
            claim("PCN2", member="1TE0A00AA01"),  # timely filing: denied CO-27
            claim("PCN3", member="MEDICAID01", payer="SIMMCD"),
        ]
    )
    rig.sim.step(NOW)
    return rig


def test_a_received_claim_is_pending_with_the_payers_claim_number(rig):
    got = answers(rig, ask("PCN1"))["TR-PCN1"]
    assert (got.category, got.status_code, got.effective_date) == ("A2", "20", NOW.date())
    assert got.payer_claim_control_number.startswith("PP") and got.paid is None


def test_a_claim_the_payer_never_got_is_not_found(rig):
    found = answers(
        rig,
        ask("NOPE1"),
        ask("PCN1", member="SOMEONE99", trace="other-member"),
        ask("PCN3", payer="SIMPPO", member="MEDICAID01", trace="other-payer"),
    )
    assert {t: (c.category, c.status_code) for t, c in found.items()} == {
        "TR-NOPE1": ("A4", "35"),
        "other-member": ("A4", "35"),
        "other-payer": ("A4", "35"),
    }
    assert found["TR-NOPE1"].charge == Money("230.00")  # echoed from the 276


def test_a_paid_claim_names_the_eft_trace_and_date_of_its_835(rig):
    later = NOW + timedelta(days=30)
    [eft] = [r for r in rig.sim.step(later)[1] if r.payer_id == "SIMPPO"]
    got = answers(rig, ask("PCN1", lines=(LINE,)), at=later)["TR-PCN1"]
    [paid] = rig.paid_claims("SIMPPO")["PCN1"]
    assert (got.category, got.status_code) == ("F1", "65")
    assert got.paid == paid.paid and got.status.payment_method == "ACH"
    assert eft.trace.endswith(got.check_number) and len(got.check_number) <= 16
    assert got.status.message == f"EFT {eft.trace}"
    assert got.check_date is not None and got.status.adjudication_date is not None
    [line] = got.lines
    assert (line.line_control_number, line.statuses[0].primary.category) == ("LCN0001", "F1")
    assert line.paid == paid.lines[0].paid


def test_a_denied_claim_says_why(rig):
    later = NOW + timedelta(days=30)
    rig.sim.step(later)
    got = answers(rig, ask("PCN2", member="1TE0A00AA01"), at=later)["TR-PCN2"]
    assert (got.category, got.status_code, got.paid) == ("F2", "1", Money(0))
    assert "CO-27" in got.status.message


def test_an_adjudicated_claim_waits_for_its_payment_cycle(rig):
    due = NOW + timedelta(days=8)  # Medicaid decided, but it pays on Wednesdays
    rig.sim.adjudicate(due)
    got = answers(rig, ask("PCN3", member="MEDICAID01", payer="SIMMCD"), at=due)["TR-PCN3"]
    assert (got.category, got.status_code) == ("F1", "3")
    assert got.paid is not None and got.check_number == ""


def test_the_claim_is_found_by_its_payer_claim_number(rig):
    icn = answers(rig, ask("PCN1"))["TR-PCN1"].payer_claim_control_number
    got = answers(rig, ask("RENAMED", icn=icn))["TR-RENAMED"]
    assert (got.category, got.payer_claim_control_number) == ("A2", icn)


def test_lines_come_back_only_when_asked_about(rig):
    unknown = replace(LINE, procedure="99999", line_control_number="LCN9999")
    found = answers(rig, ask("PCN1"), ask("PCN1", lines=(LINE, unknown), trace="lines"))
    assert found["TR-PCN1"].lines == ()
    assert [(ln.procedure, ln.statuses[0].primary.category) for ln in found["lines"].lines] == [
        ("99213", "A2"),
        ("99999", "A4"),
    ]


def test_the_real_time_endpoint_answers_a_276_with_a_277(rig):
    reply = rig.sim.realtime_handler(x12(ask("PCN1")))
    responses, report = read_277(reply)
    assert report.valid and reply.startswith("ISA")
    assert f"*ZZ*{SUBMITTER_ID}" in reply.split("~")[0]  # back to the 276's sender
    assert [c.category for r in responses for c in r.claims] == ["A2"]


def test_a_276_batch_in_the_mailbox_gets_its_999_and_its_277(rig):
    rig.upload_text(x12(ask("PCN1"), ask("NOPE2")), "status.276")
    [result] = rig.sim.process_uploads(NOW)
    assert [name.split("-", 1)[1] for name in result.responses] == ["999.x12", "277.x12"]
    [(_, text)] = rig.inbound("-277.x12")
    responses, report = read_277(text)
    assert report.valid
    assert {c.trace: c.category for r in responses for c in r.claims} == {
        "TR-PCN1": "A2",
        "TR-NOPE2": "A4",
    }


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    asked=st.lists(st.sampled_from(["PCN1", "PCN2", "PCN3", "GONE"]), min_size=1, max_size=6),
    with_lines=st.booleans(),
)
def test_every_claim_asked_is_answered_once_as_the_state_says(rig, asked, with_lines):
    members = {"PCN2": "1TE0A00AA01", "PCN3": "MEDICAID01"}
    payers = {"PCN3": "SIMMCD"}
    requests = [
        ask(
            pcn, members.get(pcn, "MEM123456"), payers.get(pcn, "SIMPPO"),
            lines=(LINE,) if with_lines else (), trace=f"T{n}",
        )
        for n, pcn in enumerate(asked)
    ]  # fmt: skip
    reply = respond_276(rig.sim, x12(*requests), NOW)
    assert reply is not None
    responses, report = read_277(reply)
    assert report.valid
    got = [c for r in responses for c in r.claims]
    assert sorted(c.trace for c in got) == sorted(r.trace for r in requests)
    # the reader gives back exactly what the responder meant (the round trip)
    expected = {r.trace: claim_status_info(rig.sim.state, r, NOW) for r in requests}
    assert {c.trace: c for c in got} == expected
