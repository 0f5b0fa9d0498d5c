"""The clearinghouse's acknowledgments: TA1 for envelope errors, 999 per group (accepted,
rejected, partially accepted with IK3/IK4), 277CA per claim; all of them pass pyx12."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from revcycle.domain.claim import Frequency
from revcycle.x12.parse import parse
from revcycle.x12.writer import Envelope
from tests.unit.x12.pyx12_helper import pyx12_errors

from .simkit import NOW, SUBMITTER_ID, claim, make_rig


def test_an_interchange_for_another_receiver_gets_a_ta1_rejection(tmp_path: Path) -> None:
    rig = make_rig(tmp_path)
    rig.upload_claims([claim("P1")], envelope=Envelope(SUBMITTER_ID, "OTHERHOUSE"))
    [result] = rig.sim.process_uploads(NOW)
    assert result.accepted_claims == 0
    [(name, text)] = rig.inbound()
    assert "-TA1" in name and "TA1*000000001*" in text and "*R*008~" in text


def test_a_sender_that_is_not_the_mailbox_owner_gets_a_ta1_rejection(tmp_path: Path) -> None:
    rig = make_rig(tmp_path)
    rig.upload_claims([claim("P1")], envelope=Envelope("RC999999999", "SIMCLEARHOUSE"))
    rig.sim.process_uploads(NOW)
    [(_, text)] = rig.inbound()
    assert "*R*006~" in text


def test_a_broken_envelope_gets_a_ta1_rejection(tmp_path: Path) -> None:
    rig = make_rig(tmp_path)
    text = rig.upload_claims([claim("P1")])
    rig.upload_text(text.replace("IEA*1*000000001~", "IEA*1*000000777~"))
    rig.sim.process_uploads(NOW)
    [(name, ta1)] = rig.inbound()
    assert "-TA1" in name and "*R*" in ta1
    assert rig.statuses() == {}


def test_clean_batch_gets_an_accepting_999_then_a_277ca(tmp_path: Path) -> None:
    rig = make_rig(tmp_path)
    rig.upload_claims([claim("P1"), claim("P2", "MEM777777")])
    [result] = rig.sim.process_uploads(NOW)
    assert (result.accepted_claims, result.rejected_claims) == (2, 0)
    [(_, ack)] = rig.inbound("999")
    doc, _ = parse(ack)
    group = doc["transactions"][0]["groups"][0]
    assert group["status"] == "A"
    assert {c: s["category"] for c, s in rig.statuses().items()} == {"P1": "A2", "P2": "A2"}


def test_a_bad_element_rejects_its_set_and_partially_accepts_the_group(
    tmp_path: Path,
) -> None:
    rig = make_rig(tmp_path)
    text = rig.upload_claims([claim("GOOD"), claim("BAD", "MEM777777")], per_set=1)
    assert text.count("DMG*D8*19800501*F~") == 2
    head, _, tail = text.rpartition("DMG*D8*19800501*F~")
    rig.upload_text(head + "DMG*D8*19800501*X~" + tail)
    rig.sim.process_uploads(NOW)
    [(_, ack)] = rig.inbound("999")
    doc, _ = parse(ack)
    group = doc["transactions"][0]["groups"][0]
    assert group["status"] == "P"
    bad = [s for s in group["sets"] if s["status"] == "R"]
    assert len(bad) == 1
    errors = bad[0]["errors"]
    assert errors[0]["segment"] == "DMG"
    assert any(e.get("element") == "3" and e.get("element_error") == "7" for e in errors)
    assert set(rig.statuses()) == {"GOOD"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"payer": replace(claim("x").payer, payer_id="NOSUCH")}, ("A3", "116", "PR")),
        ({"subscriber_member": "bad id!"}, ("A7", "164", "IL")),
        ({"frequency": Frequency.REPLACEMENT, "original_reference": "NOPE1"}, ("A7", "21", "")),
    ],
)
def test_front_end_edits_reject_claims_on_the_277ca(
    tmp_path: Path, change: dict[str, object], expected: tuple[str, str, str]
) -> None:
    rig = make_rig(tmp_path)
    c = claim("EDIT")
    member = change.pop("subscriber_member", None)
    if member is not None:
        c = replace(c, subscriber=replace(c.subscriber, member_id="X" * 30))
    c = replace(c, **change)
    rig.upload_claims([c])
    [result] = rig.sim.process_uploads(NOW)
    assert result.rejected_claims == 1
    stc = rig.statuses()["EDIT"]["statuses"][0]
    assert (stc["category"], stc["code"], stc["entity"]) == expected
    assert rig.statuses()["EDIT"]["payer_claim_control_number"] == ""


def test_medicare_rejects_a_part_b_replacement_claim_and_asks_for_a_reopening(
    tmp_path: Path,
) -> None:
    rig = make_rig(tmp_path)
    c = claim("MCR7", "1AA0AA0AA00", "SIMMCR", frequency=Frequency.REPLACEMENT,
              original_reference="MB260610000001")  # fmt: skip
    rig.upload_claims([c])
    rig.sim.process_uploads(NOW)
    stc = rig.statuses()["MCR7"]["statuses"][0]
    assert (stc["category"], stc["code"]) == ("A7", "535")


def test_999_277ca_and_835_pass_pyx12(tmp_path: Path) -> None:
    rig = make_rig(tmp_path, delay_days=0)
    claims = [
        claim("PPO1"),
        claim("UNK", "1UN0A00AA02"),
        claim("MCR1", "1EG4TE5MK73", "SIMMCR"),
        claim("INT", "1PP0A00AA09"),
        claim("REC", "1RC0A00AA10"),
        claim("DEN", "1TE0A00AA01"),
    ]
    text = rig.upload_claims(claims, per_set=2)
    head, _, tail = text.rpartition("DMG*D8*19800501*F~")
    rig.upload_text(head + "DMG*D8*19800501*X~" + tail)
    rig.sim.step(NOW)
    rig.sim.step(NOW)  # the Medigap crossover
    kinds = {name.split("-")[1].split(".")[0] for name, _ in rig.inbound()}
    assert {"999", "277CA", "835"} <= kinds
    for name, x12 in rig.inbound():
        assert pyx12_errors(x12, tmp_path) == [], name
        assert parse(x12)[1].valid, name
