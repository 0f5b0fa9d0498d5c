"""Adjudication by plan rules: Medicare (sequestration, MOA, crossover to Medigap), the HMO's
referrals and authorizations, NCCI/MUE, timely filing, replacements and voids, secondary
claims, accumulators across restarts, and determinism for a seed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from revcycle.domain.claim import Frequency
from revcycle.domain.money import Money
from revcycle.payer.config import load_config
from revcycle.payer.mailboxes import ClearinghouseMailboxes
from revcycle.payer.simulator import Simulator
from tests.unit.x12.pyx12_helper import pyx12_errors
from tests.unit.x12.samples import variety

from .simkit import (
    LATER,
    NORMAL_MBI,
    NOW,
    PAYERS,
    balances,
    claim,
    ln,
    make_rig,
    reasons,
    remit_balances,
    run_claims,
)


def amounts(line: object) -> list[tuple[str, str, Money]]:
    return [(a.group, a.reason, a.amount) for a in line.adjustments]  # type: ignore[attr-defined]


def test_medicare_pays_80_percent_less_2_percent_sequestration_with_moa(tmp_path: Path) -> None:
    rig = make_rig(tmp_path)
    [c] = run_claims(rig, [claim("MCR", NORMAL_MBI, "SIMMCR")])["MCR"]
    assert balances(c)
    assert (c.status, c.claim_filing_indicator, c.paid) == ("1", "MB", Money("95.65"))
    assert sorted(amounts(c.lines[0])) == [
        ("CO", "253", Money("1.47")),
        ("CO", "45", Money("58.00")),
        ("PR", "2", Money("18.40")),
    ]
    assert c.remarks == ("MA01",)


def test_medicare_waits_for_its_adjudication_delay(tmp_path: Path) -> None:
    rig = make_rig(tmp_path)
    rig.upload_claims([claim("MCR", NORMAL_MBI, "SIMMCR")])
    rig.sim.step(NOW)
    assert rig.sim.adjudicate(NOW + timedelta(days=13)) == []
    [remit] = rig.sim.adjudicate(NOW + timedelta(days=14))
    assert remit.payer_id == "SIMMCR" and remit.amount == Money("95.65")


def test_medicare_crosses_over_to_medigap_which_pays_the_coinsurance_later(
    tmp_path: Path,
) -> None:
    rig = make_rig(tmp_path)
    rig.upload_claims([claim("XO", "1EG4TE5MK73", "SIMMCR")])
    rig.sim.step(NOW)
    rig.sim.step(LATER)
    [medicare] = rig.paid_claims("SIMMCR")["XO"]
    assert medicare.status == "19" and medicare.crossover_payer == "SIM MEDIGAP"
    assert "MA18" in medicare.remarks
    assert rig.paid_claims("SIMMGP") == {}
    rig.sim.step(LATER + timedelta(days=7))
    [gap] = rig.paid_claims("SIMMGP")["XO"]
    assert balances(gap)
    assert (gap.status, gap.paid, gap.patient_member_id) == ("2", Money("24.40"), "MG1EG4TE5MK73")
    assert amounts(gap.lines[0]) == [("OA", "23", Money("131.60"))]
    assert gap.payer_claim_control_number != medicare.payer_claim_control_number


def test_hmo_denies_without_referral_and_without_authorization(tmp_path: Path) -> None:
    rig = make_rig(tmp_path)
    mri = (ln(1, "99213", "150.00"), ln(2, "70551", "900.00"))
    paid = run_claims(
        rig,
        [
            claim("NOREF", "HMO000001", "SIMHMO", mri),
            claim("NOAUTH", "HMO000002", "SIMHMO", mri, referral_number="R1"),
            claim("OK", "HMO000003", "SIMHMO", mri, referral_number="R1", prior_authorization="A1"),
        ],
    )
    assert reasons(paid["NOREF"][0]) == [("CO", "243"), ("CO", "197")]  # auth first
    noauth = paid["NOAUTH"][0]
    assert noauth.lines[0].paid == Money("85.80")
    assert reasons(noauth)[-1] == ("CO", "197") and "M62" in noauth.lines[1].remarks
    ok = paid["OK"][0]
    assert (ok.status, ok.paid, ok.claim_filing_indicator) == ("1", Money("288.80"), "HM")


def test_timely_filing_limits_deny_old_services(tmp_path: Path) -> None:
    rig = make_rig(tmp_path)
    old = (ln(1, service_date=date(2025, 11, 25)),)  # 97 days before receipt
    paid = run_claims(
        rig,
        [
            claim("MCD", "MCD000001", "SIMMCD", old),
            claim("PPO", "PPO000001", "SIMPPO", old),
        ],
    )
    assert reasons(paid["MCD"][0]) == [("CO", "29")]  # Medicaid: 95 days
    assert paid["PPO"][0].status == "1"  # the PPO allows 180 days


def test_ncci_bundles_column_two_codes_unless_a_bypass_modifier_is_allowed(
    tmp_path: Path,
) -> None:
    rig = make_rig(tmp_path)
    paid = run_claims(
        rig,
        [
            claim("PANEL", "M0000001", lines=(ln(1, "80053", "40.00"), ln(2, "80048", "30.00"))),
            claim("DIST", "M0000002", lines=(ln(1), ln(2, "81002", "20.00", modifiers=("59",)))),
            claim("MUE", "M0000003", lines=(ln(1, "99213", "300.00", units=Decimal(2)),)),
        ],
    )
    assert reasons(paid["PANEL"][0])[-1] == ("CO", "97")
    assert ("CO", "97") not in reasons(paid["DIST"][0])
    assert reasons(paid["MUE"][0]) == [("CO", "151")]
    assert "N362" in paid["MUE"][0].lines[0].remarks


def test_replacement_reverses_the_original_and_pays_the_new_claim(tmp_path: Path) -> None:
    rig = make_rig(tmp_path, delay_days=0)
    rig.upload_claims([claim("P1")], "first.837")
    rig.sim.step(NOW)
    icn = rig.statuses()["P1"]["payer_claim_control_number"]
    fixed = claim("P1", lines=(ln(1, "99214", "200.00"), ln(2, "71046", "80.00")),
                  frequency=Frequency.REPLACEMENT, original_reference=icn)  # fmt: skip
    rig.upload_claims([fixed], "second.837", start=10)
    [_], [remit] = rig.sim.step(NOW)
    second = rig.remittances()[-1]
    reversal, new = second.claims
    assert (reversal.status, reversal.paid, reversal.payer_claim_control_number) == (
        "22",
        Money("-121.20"),
        icn,
    )
    assert balances(reversal) and balances(new)
    assert new.status == "1" and new.payer_claim_control_number != icn
    assert remit.amount == Money("45.00") and remit_balances(second)


def test_void_reverses_and_carries_a_negative_balance_forward(tmp_path: Path) -> None:
    rig = make_rig(tmp_path, delay_days=0)
    rig.upload_claims([claim("P1")], "first.837")
    rig.sim.step(NOW)
    icn = rig.statuses()["P1"]["payer_claim_control_number"]
    rig.upload_claims([claim("P1", frequency=Frequency.VOID, original_reference=icn)],
                      "void.837", start=10)  # fmt: skip
    rig.sim.step(NOW)
    void_remit = rig.remittances()[-1]
    assert [c.status for c in void_remit.claims] == ["22"]
    assert void_remit.payment.amount == Money(0) and void_remit.payment.method == "NON"
    assert [(a.reason, a.amount) for a in void_remit.provider_adjustments] == [
        ("FB", Money("-121.20"))
    ]
    rig.upload_claims([claim("P2", "MEM555555")], "next.837", start=20)
    rig.sim.step(NOW)
    nxt = rig.remittances()[-1]
    assert ("FB", Money("121.20")) in [(a.reason, a.amount) for a in nxt.provider_adjustments]
    assert remit_balances(nxt) and nxt.payment.amount == Money(0)
    for name, text in rig.inbound("835"):  # reversals and forward balances pass pyx12 too
        assert pyx12_errors(text, tmp_path) == [], name


def test_secondary_claim_reports_the_primary_as_oa23_and_pays_what_remains(
    tmp_path: Path,
) -> None:
    rig = make_rig(tmp_path)
    secondary = replace(variety()["secondary_cob"], payer=PAYERS["SIMPPO"])
    [c] = run_claims(rig, [secondary])["PCN-COB"]
    assert balances(c)
    assert (c.status, c.paid) == ("2", Money("44.00"))
    assert amounts(c.lines[0]) == [("OA", "23", Money("106.00"))]


def test_restart_keeps_the_accumulators(tmp_path: Path) -> None:
    rig = make_rig(tmp_path, delay_days=0)
    rig.upload_claims([claim("D1", "1DE0A00AA08")], "one.837")
    rig.sim.step(NOW)
    rig.sim.close()
    sim = Simulator(rig.state, ClearinghouseMailboxes(rig.root), lambda: NOW,
                    config=load_config().with_delays(0))  # fmt: skip
    acc = sim.state.accumulators("SIMPPO", "1DE0A00AA08", 2026)
    assert acc is not None and acc.deductible_met == Money("500.00")
    rig.sim = sim
    later = (ln(1), ln(2, "71046", "80.00", service_date=date(2026, 2, 21)))
    rig.upload_claims([claim("D2", "1DE0A00AA08", lines=later)], "two.837", start=10)
    sim.step(NOW)
    d2 = rig.paid_claims()["D2"][0]
    assert ("PR", "1") not in reasons(d2) and d2.paid == Money("121.20")


def _background_run(tmp_path: Path, seed: int) -> list[str]:
    rig = make_rig(tmp_path, seed=seed, delay_days=0)
    rig.sim.set_background_denial_rate("0.3")
    rig.upload_claims([claim(f"B{i:02d}", f"MEMB{i:05d}") for i in range(30)])
    rig.sim.step(NOW)
    return [text for _, text in rig.inbound()]


def test_the_same_seed_gives_the_same_files_and_another_seed_other_denials(
    tmp_path: Path,
) -> None:
    first = _background_run(tmp_path / "a", 7)
    assert first == _background_run(tmp_path / "b", 7)
    assert first[-1] != _background_run(tmp_path / "c", 8)[-1]
    denied = first[-1].count("*4*")
    assert 3 <= denied <= 20
