"""Each documented scenario member ID gives its documented outcome (docs/simulator.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from revcycle.domain.money import Money
from revcycle.domain.remittance import ClaimPayment
from revcycle.payer.config import load_config

from .simkit import (
    LATER,
    NOW,
    Rig,
    balances,
    claim,
    ln,
    make_rig,
    reasons,
    remarks,
    remit_balances,
)

SCENARIO_CLAIMS = {
    "TERM": "1TE0A00AA01",
    "UNKNOWN": "1UN0A00AA02",
    "OTHERPRIMARY": "1CP0A00AA03",
    "DUP": "1DU0A00AA04",
    "NMN": "1MN0A00AA05",
    "NOAUTH": "1AU0A00AA06",
    "BUNDLE": "1NC0A00AA07",
    "DEDUCT": "1DE0A00AA08",
    "INTEREST": "1PP0A00AA09",
    "RECOUP": "1RC0A00AA10",
    "NORMAL": "MEM123456",
}


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> tuple[Rig, dict[str, list[ClaimPayment]]]:
    rig = make_rig(tmp_path_factory.mktemp("scenarios"))
    rig.upload_claims([claim(pcn, member) for pcn, member in SCENARIO_CLAIMS.items()])
    rig.sim.step(NOW)
    rig.sim.step(LATER)
    return rig, rig.paid_claims()


def only(paid: dict[str, list[ClaimPayment]], pcn: str) -> ClaimPayment:
    [c] = paid[pcn]
    assert balances(c), c
    return c


def test_every_documented_scenario_id_is_in_the_shipped_data() -> None:
    documented = Path(__file__).parents[3].joinpath("docs/simulator.md").read_text("utf-8")
    for member, scenario in load_config().scenarios.items():
        assert f"`{member}`" in documented, scenario.scenario


def test_every_scenario_id_passes_every_payers_member_format() -> None:
    cfg = load_config()
    for member in cfg.scenarios:
        assert all(p.member_id_valid(member) for p in cfg.payers.values()), member


def test_normal_member_is_paid_by_plan_rules(ran: Any) -> None:
    _, paid = ran
    c = only(paid, "NORMAL")
    assert (c.status, c.paid, c.patient_responsibility) == ("1", Money("121.20"), Money("32.80"))
    assert reasons(c) == [("CO", "45"), ("PR", "3"), ("CO", "45"), ("PR", "2")]
    assert [s.line_control_number for s in c.lines] == ["LCN0001", "LCN0002"]
    assert c.payer_claim_control_number.startswith("PP")


def test_unknown_member_is_rejected_on_the_277ca(ran: Any) -> None:
    rig, paid = ran
    status = rig.statuses()["UNKNOWN"]
    assert status["statuses"][0]["category"] == "A3"
    assert (status["statuses"][0]["code"], status["statuses"][0]["entity"]) == ("33", "IL")
    assert "UNKNOWN" not in paid


def test_accepted_claims_get_a2_and_the_payer_claim_number(ran: Any) -> None:
    rig, paid = ran
    status = rig.statuses()["NORMAL"]
    assert status["category"] == "A2"
    assert status["payer_claim_control_number"] == paid["NORMAL"][0].payer_claim_control_number


@pytest.mark.parametrize(
    ("pcn", "group", "carc", "remark"),
    [
        ("TERM", "CO", "27", None),
        ("OTHERPRIMARY", "CO", "22", "MA04"),
        ("DUP", "CO", "18", None),
        ("NMN", "CO", "50", "N115"),
        ("NOAUTH", "CO", "197", "M62"),
    ],
)
def test_denial_scenarios_deny_every_line(
    ran: Any, pcn: str, group: str, carc: str, remark: str | None
) -> None:
    _, paid = ran
    c = only(paid, pcn)
    assert c.status == "4" and c.paid == Money(0)
    assert reasons(c) == [(group, carc)] * len(c.lines)
    assert all(s.adjustments[0].amount == s.charge for s in c.lines)
    if remark:
        assert remark in remarks(c)


def test_bundled_service_pays_the_first_line_and_bundles_the_rest(ran: Any) -> None:
    _, paid = ran
    c = only(paid, "BUNDLE")
    assert c.status == "1"
    assert c.lines[0].paid == Money("90.00")
    assert [(a.group, a.reason) for a in c.lines[1].adjustments] == [("CO", "97")]
    assert "M15" in c.lines[1].remarks


def test_paid_with_deductible_takes_the_remaining_deductible(ran: Any) -> None:
    _, paid = ran
    c = only(paid, "DEDUCT")
    radiology = c.lines[1]
    assert [(a.reason, a.amount) for a in radiology.adjustments if a.group == "PR"] == [
        ("1", Money("30.00")),
        ("2", Money("1.80")),
    ]
    assert radiology.paid == Money("7.20") and c.paid == Money("97.20")


def test_paid_with_interest_adds_plb_l6_and_amt_i(ran: Any) -> None:
    rig, paid = ran
    c = only(paid, "INTEREST")
    assert dict(c.amounts)["I"] == Money("0.90")
    [remit] = [r for r in rig.remittances() if c in r.claims]
    l6 = [a for a in remit.provider_adjustments if a.reason == "L6"]
    assert [(a.amount, a.reference) for a in l6] == [(Money("-0.90"), c.payer_claim_control_number)]


def test_recoupment_takes_back_the_earlier_overpayment_with_plb_wo(ran: Any) -> None:
    rig, paid = ran
    c = only(paid, "RECOUP")
    assert c.status == "1"
    [remit] = [r for r in rig.remittances() if c in r.claims]
    wo = [a for a in remit.provider_adjustments if a.reason == "WO"]
    assert [(a.amount, a.reference) for a in wo] == [(Money("25.00"), "RECOUP-ORIGINAL-1")]


def test_every_835_balances(ran: Any) -> None:
    rig, _ = ran
    remits = rig.remittances()
    assert remits
    for r in remits:
        assert remit_balances(r)
        assert r.payment.amount >= Money(0)
        assert all(balances(c) for c in r.claims)


def test_an_exact_duplicate_of_an_earlier_claim_is_denied_co18(tmp_path: Path) -> None:
    rig = make_rig(tmp_path, delay_days=0)
    rig.upload_claims([claim("FIRST")], "one.837")
    rig.sim.step(NOW)
    rig.upload_claims([claim("AGAIN")], "two.837", start=5)
    rig.sim.step(NOW)
    paid = rig.paid_claims()
    assert paid["FIRST"][0].status == "1"
    assert paid["AGAIN"][0].status == "4" and ("CO", "18") in reasons(paid["AGAIN"][0])


def test_medicare_not_medically_necessary_with_abn_is_patient_liable(tmp_path: Path) -> None:
    rig = make_rig(tmp_path, delay_days=0)
    lines = (ln(1, "99213", "150.00", modifiers=("GA",)), ln(2, "71046", "80.00"))
    rig.upload_claims([claim("ABN", "1MN0A00AA05", "SIMMCR", lines)])
    rig.sim.step(NOW)
    c = rig.paid_claims()["ABN"][0]
    assert reasons(c) == [("PR", "50"), ("CO", "50")]
    assert c.patient_responsibility == Money("150.00")


def test_a_cycle_with_more_claims_than_one_835_carries_is_paid_in_several(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from revcycle.payer import simulator

    monkeypatch.setattr(simulator, "REMIT_CLAIMS", 2)
    rig = make_rig(tmp_path, delay_days=0)
    pcns = [f"SPLIT{i}" for i in range(5)]
    rig.upload_claims([claim(pcn) for pcn in pcns])
    rig.sim.step(NOW)
    remits = rig.remittances("SIMPPO")
    assert [len(r.claims) for r in remits] == [2, 2, 1]
    assert len({r.payment.trace_number for r in remits}) == 3  # three payments
    assert all(remit_balances(r) for r in remits)
    paid = rig.paid_claims("SIMPPO")
    assert sorted(paid) == pcns and all(len(v) == 1 for v in paid.values())
    assert Money.sum(r.payment.amount for r in remits) == Money.sum(
        c.paid for r in remits for c in r.claims
    )
    rig.sim.step(LATER)  # nothing is paid twice
    assert len(rig.remittances("SIMPPO")) == 3
