"""Secondary claims and crossovers on the real databases: posting a primary's 835 creates the
secondary claim (draft, COB data stored) once; it scrubs clean, its 837 carries loops
2320/2330/2430 and passes pyx12, and the payer simulator pays its share; a Medicare crossover
records the secondary as forwarded and creates nothing to send."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from revcycle.cli.app import app
from revcycle.db.ledger_repo import ledger_store
from revcycle.db.underpayment_repo import underpayment_store
from revcycle.domain.claim import ClaimAdjustment, LineAdjudication
from revcycle.domain.money import Money
from revcycle.domain.remittance import (
    Adjustment,
    ClaimPayment,
    Payment,
    RemitParty,
    Remittance,
    ServicePayment,
)
from revcycle.payer.config import load_config
from revcycle.posting.model import ForwardedClaim, SecondaryClaimNeeded
from revcycle.services import claims, patients, setup, underpayments
from revcycle.services.claim_builder import build_claim, load_sources
from revcycle.services.era import post_era
from revcycle.services.scrubbing import scrub_claims
from revcycle.services.secondary import (
    create_secondary_claims,
    mark_forwarded,
    secondary_detail,
)
from revcycle.services.x12_out import CLEARINGHOUSE_ID
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.mapping.claim837 import write_837
from revcycle.x12.mapping.remit835 import transaction_835
from revcycle.x12.writer import Envelope, write_interchange
from tests.conftest import TODAY
from tests.integration.test_claims import ENVELOPE, SUBMITTER
from tests.integration.test_submission import SUBMITTER as SUBMITTER_ID
from tests.integration.test_submission import ready_claims
from tests.unit.payer.simkit import ENVELOPE as SIM_ENVELOPE
from tests.unit.payer.simkit import SUBMITTER as SIM_SUBMITTER
from tests.unit.payer.simkit import make_rig
from tests.unit.x12.pyx12_helper import pyx12_errors

MEDICARE = RemitParty("SIM MEDICARE PART B", "SIMMCR", "XV", "PO BOX 3003", "NASHVILLE", "TN",
                      "37202")  # fmt: skip
PAID_ON = TODAY.date()


MEDIGAP = RemitParty("SIM MEDIGAP", "SIMMGP", "XV", "PO BOX 4004", "OMAHA", "NE", "68101")


def remit(
    payments: list[ClaimPayment],
    trace: str = "EFT7001",
    start: int = 800,
    payer: RemitParty = MEDICARE,
) -> bytes:
    """An 835 from Medicare Part B (or ``payer``) paying ``payments``."""
    r = Remittance(
        payment=Payment(Money.sum(c.paid for c in payments), "ACH", date=PAID_ON,
                        trace_number=trace, payer_identifier="1310000003"),
        payer=payer,
        payee=RemitParty("TEST FAMILY PRACTICE", "1234567893", "XX", tax_id="123456789"),
        claims=tuple(payments),
    )  # fmt: skip
    envelope = Envelope(sender_id=CLEARINGHOUSE_ID, receiver_id=SUBMITTER_ID)
    return write_interchange(
        envelope, "HP", [transaction_835(r)], InMemoryControlNumbers(start=start), TODAY
    ).encode()


def medicare_paid(
    pcn: str,
    icn: str = "MB0001",
    *,
    deductible: str = "30.00",
    coinsurance: str = "14.00",
    status: str = "1",
    remarks: tuple[str, ...] = (),
    crossover: str = "",
) -> ClaimPayment:
    """99213 billed 120.00, allowed 100.00 (CO-45 20.00), PR-1 deductible and PR-2
    coinsurance, 2% sequestration (CO-253) of what is left."""
    pr = Money(deductible) + Money(coinsurance)
    before = Money("100.00") - pr
    seq = Money(before.amount * Decimal("0.02"))
    paid = before - seq
    return ClaimPayment(
        pcn, status, Money("120.00"), paid, pr, "MB", icn,
        patient_name="HALE WALT", patient_member_id="1EG4TE5MK73", crossover_payer=crossover,
        remarks=remarks,
        lines=(
            ServicePayment(
                "99213", Money("120.00"), paid, units=Decimal(1),
                line_control_number=f"{pcn}L01", allowed=Money("100.00"),
                adjustments=(Adjustment("CO", "45", Money("20.00")),
                             Adjustment("PR", "1", Money(deductible)),
                             Adjustment("PR", "2", Money(coinsurance)),
                             Adjustment("CO", "253", seq)),
            ),
        ),
    )  # fmt: skip


def reversal_of(cp: ClaimPayment) -> ClaimPayment:
    def neg(a: Adjustment) -> Adjustment:
        return replace(a, amount=-a.amount)

    return replace(
        cp,
        status="22",
        charge=-cp.charge,
        paid=-cp.paid,
        patient_responsibility=-cp.patient_responsibility if cp.patient_responsibility else None,
        lines=tuple(
            replace(s, charge=-s.charge, paid=-s.paid, allowed=None,
                    adjustments=tuple(neg(a) for a in s.adjustments))
            for s in cp.lines
        ),
    )  # fmt: skip


def post(ctx, content: bytes) -> dict:
    return post_era(ctx, content, ledger=ledger_store)


def claims_of_encounter(ctx, claim_id: int) -> list:
    with ctx.uow() as uow:
        return list(uow.claims.for_encounter(uow.claims.get(claim_id).encounter_id))


def secondary_queue(ctx) -> dict[int, str]:
    with ctx.uow() as uow:
        return {i.target_id: i.reason for i in uow.work_items.list("secondary_claims")}


def built_claim(ctx, claim_id: int):
    with ctx.uow() as uow:
        return build_claim(load_sources(uow, uow.claims.get(claim_id)))


def medigap(billing) -> int:
    """A Medigap payer (the simulator's SIMMGP) as the Medicare patient's secondary."""
    ctx = billing.ctx
    payer = setup.create_payer(
        ctx,
        {
            "name": "SIM MEDIGAP",
            "payer_id": "SIMMGP",
            "payer_class": "commercial",
            "address": {"line1": "PO Box 4004", "city": "Omaha", "state": "NE", "zip": "68101"},
        },
    )
    setup.add_plan(ctx, payer.id, {"name": "Medigap G", "claim_filing_indicator": "CI"})
    setup.add_enrollment(ctx, payer.id, {"effective": "2020-01-01", "era": True})
    patients.add_coverage(
        ctx,
        billing.medicare_pt,
        {
            "payer": "SIMMGP",
            "member_id": "MG1EG4TE5MK73",
            "order": "secondary",
            "effective": "2026-01-01",
        },
    )
    return payer.id


@pytest.fixture
def primary(billing) -> tuple[int, str]:
    """A ready Medicare claim of a patient with Medigap as secondary: (claim id, PCN)."""
    medigap(billing)
    [cid] = ready_claims(billing, [billing.medicare_pt])
    return cid, claims.get_claim(billing.ctx, cid).record.patient_control_number


def the_secondary(ctx, primary_id: int):
    [secondary] = [c for c in claims_of_encounter(ctx, primary_id) if c.id != primary_id]
    return secondary


def test_a_primary_835_creates_the_secondary_claim_in_draft_with_the_cob_amounts(billing, primary):
    ctx, (cid, pcn) = billing.ctx, primary
    summary = post(ctx, remit([medicare_paid(pcn)]))
    assert summary["status"] == "posted" and summary["secondary_claims_created"] == 1
    first = claims.get_claim(ctx, cid).record
    secondary = the_secondary(ctx, cid)
    with ctx.uow() as uow:
        coverage = uow.coverages.get(secondary.coverage_id)
        payer = uow.payers.get(secondary.payer_id)
    assert secondary.status == "draft" and secondary.frequency == "1"
    assert secondary.original_claim_id is None  # not a replacement: no REF*F8
    assert (coverage.order, coverage.member_id) == ("secondary", "MG1EG4TE5MK73")
    assert payer.payer_id == "SIMMGP"
    assert secondary.patient_control_number != pcn
    assert [(ln.line_no, ln.encounter_line_id, ln.charge) for ln in secondary.lines] == [
        (ln.line_no, ln.encounter_line_id, ln.charge) for ln in first.lines
    ]
    assert secondary.total_charge == first.total_charge == Money("120.00")

    doc = secondary_detail(ctx, str(secondary.id)).to_json()
    assert doc["source_claim_id"] == cid
    [prior] = doc["prior_payers"]
    assert prior | {"lines": None, "adjustments": None} == {
        "position": 1,
        "payer_id": "SIMMCR",
        "payer_name": "Medicare Part B",
        "member_id": "1EG4TE5MK73",
        "claim_filing_indicator": "MB",
        "source_claim_id": cid,
        "payer_claim_control_number": "MB0001",
        "paid": "54.88",
        "remaining_patient_liability": "44.00",
        "adjudication_date": PAID_ON.isoformat(),
        "adjustments": None,
        "lines": None,
    }
    [line] = prior["lines"]
    assert (line["line_no"], line["procedure"], line["paid"], line["remaining_patient_liability"]) == (
        1, "99213", "54.88", "44.00"
    )  # fmt: skip
    assert [(a["group"], a["reason"], a["amount"]) for a in line["adjustments"]] == [
        ("CO", "45", "20.00"), ("CO", "253", "1.12"), ("PR", "1", "30.00"), ("PR", "2", "14.00"),
    ]  # fmt: skip
    assert f"secondary claim {secondary.id}" in secondary_queue(ctx)[cid]
    assert doc == secondary_detail(ctx, secondary.patient_control_number).to_json()


def test_the_secondary_claim_scrubs_clean_and_its_837_carries_the_cob_loops(
    billing, primary, tmp_path
):
    ctx, (cid, pcn) = billing.ctx, primary
    post(ctx, remit([medicare_paid(pcn)]))
    secondary = the_secondary(ctx, cid)
    [result] = scrub_claims(ctx, [secondary.id])
    assert result.clean, result.findings
    assert result.claim.status == "ready"

    built = built_claim(ctx, secondary.id)
    assert built.subscriber.payer_responsibility == "S" and built.payer.payer_id == "SIMMGP"
    [other] = built.other_payers
    assert (other.payer.payer_id, other.member_id, other.claim_filing_indicator) == (
        "SIMMCR", "1EG4TE5MK73", "MB"
    )  # fmt: skip
    assert (other.paid, other.remaining_patient_liability) == (Money("54.88"), Money("44.00"))
    assert other.adjudication_date is None  # given per line (2430), never at both levels
    text = write_837(
        [built], SUBMITTER, ENVELOPE, InMemoryControlNumbers(),
        datetime(2026, 6, 16, 9, 0, tzinfo=UTC),
    )  # fmt: skip
    segments = [s.strip() for s in text.split("~")]
    expected = [
        "SBR*P*18*******MB",  # 2320: the prior payer's SBR
        "AMT*D*54.88",
        "AMT*EAF*44",
        "NM1*IL*1*Hale*Walt****MI*1EG4TE5MK73",  # 2330A
        "NM1*PR*2*Medicare Part B*****PI*SIMMCR",  # 2330B
        "REF*F8*MB0001",
        "SVD*SIMMCR*54.88*HC:99213**1",  # 2430
        "CAS*CO*45*20**253*1.12",
        "CAS*PR*1*30**2*14",
        f"DTP*573*D8*{PAID_ON:%Y%m%d}",
    ]
    for segment in expected:
        assert segment in segments, segment
    assert segments.index("SBR*S*18*******CI") < segments.index("SBR*P*18*******MB")
    assert pyx12_errors(text, tmp_path) == []


def test_the_payer_simulator_pays_the_secondary_share(billing, primary, tmp_path):
    ctx, (cid, pcn) = billing.ctx, primary
    post(ctx, remit([medicare_paid(pcn)]))
    secondary = the_secondary(ctx, cid)
    rig = make_rig(tmp_path)
    rig.upload_text(
        write_837(
            [built_claim(ctx, secondary.id)], SIM_SUBMITTER, SIM_ENVELOPE,
            InMemoryControlNumbers(), datetime(2026, 6, 16, 9, 0),  # noqa: DTZ001
        )
    )  # fmt: skip
    day = datetime(2026, 6, 16, 9, 0)  # noqa: DTZ001 - the simulator's wall clock
    rig.sim.step(day)
    rig.sim.step(day + timedelta(days=load_config().payers["SIMMGP"].adjudication_delay_days + 3))
    [paid] = rig.paid_claims("SIMMGP")[secondary.patient_control_number]
    # Medigap plan G covers the coinsurance (PR-2), not the Part B deductible (PR-1)
    assert (paid.status, paid.paid) == ("2", Money("14.00"))
    [line] = paid.lines
    assert [(a.group, a.reason, a.amount) for a in line.adjustments] == [
        ("OA", "23", Money("76.00")),
        ("PR", "1", Money("30.00")),
    ]


def test_posting_the_same_835_twice_creates_one_secondary(billing, primary):
    ctx, (cid, pcn) = billing.ctx, primary
    content = remit([medicare_paid(pcn)])
    assert post(ctx, content)["status"] == "posted"
    assert post(ctx, content)["status"] == "already_posted"
    # the same adjudication sent again in another file: still one secondary claim
    assert post(ctx, remit([medicare_paid(pcn)], trace="EFT7002", start=810))["status"] == "posted"
    assert len(claims_of_encounter(ctx, cid)) == 2
    assert len(secondary_queue(ctx)) == 1


def test_a_reversal_and_correction_update_the_unsent_secondary(billing, primary):
    ctx, (cid, pcn) = billing.ctx, primary
    first = medicare_paid(pcn)
    post(ctx, remit([first]))
    secondary = the_secondary(ctx, cid)
    [scrubbed] = scrub_claims(ctx, [secondary.id])
    assert scrubbed.claim.status == "ready"
    corrected = medicare_paid(pcn, "MB0002", deductible="0.00", coinsurance="20.00")
    summary = post(ctx, remit([reversal_of(first), corrected], trace="EFT7003", start=820))
    assert summary["status"] == "posted" and summary["claims_matched"] == 2
    assert the_secondary(ctx, cid).id == secondary.id  # updated, not a second claim
    after = claims.get_claim(ctx, secondary.id)
    assert after.record.status == "draft"  # to be scrubbed again with the new adjudication
    assert "prior payer's adjudication updated" in after.history[-1].reason
    [prior] = secondary_detail(ctx, str(secondary.id)).to_json()["prior_payers"]
    assert (prior["payer_claim_control_number"], prior["paid"], prior["remaining_patient_liability"]) == (
        "MB0002", "78.40", "20.00"
    )  # fmt: skip
    [result] = scrub_claims(ctx, [secondary.id])
    assert result.clean, result.findings


def test_a_correction_after_the_secondary_was_submitted_asks_for_a_corrected_claim(
    billing, primary
):
    ctx, (cid, pcn) = billing.ctx, primary
    first = medicare_paid(pcn)
    post(ctx, remit([first]))
    secondary = the_secondary(ctx, cid)
    scrub_claims(ctx, [secondary.id])
    with ctx.uow() as uow:  # as if sent in a batch
        claims.transition(uow, ctx, uow.claims.get(secondary.id), "submitted", "test")
        uow.commit()
    corrected = medicare_paid(pcn, "MB0002", deductible="0.00", coinsurance="20.00")
    post(ctx, remit([reversal_of(first), corrected], trace="EFT7003", start=820))
    assert the_secondary(ctx, cid).id == secondary.id
    assert claims.get_claim(ctx, secondary.id).record.status == "submitted"
    reason = secondary_queue(ctx)[secondary.id]
    assert reason.startswith(f"corrected secondary claim needed: claim {secondary.id}")
    [prior] = secondary_detail(ctx, str(secondary.id)).to_json()["prior_payers"]
    assert prior["paid"] == "54.88"  # what was sent stays as sent


@pytest.mark.parametrize(
    ("status", "remarks", "crossover"),
    [("19", ("MA18",), "SIM MEDIGAP"), ("1", ("MA18",), ""), ("19", (), "")],
    ids=["clp02-19-ma18-nm1tt", "ma18-remark", "clp02-19"],
)
def test_a_crossover_835_records_forwarded_and_creates_no_claim(
    billing, primary, status, remarks, crossover
):
    ctx, (cid, pcn) = billing.ctx, primary
    paid = medicare_paid(pcn, status=status, remarks=remarks, crossover=crossover)
    summary = post(ctx, remit([paid]))
    assert summary["status"] == "posted"
    assert claims_of_encounter(ctx, cid) == [claims.get_claim(ctx, cid).record]
    assert secondary_queue(ctx) == {}
    doc = secondary_detail(ctx, pcn).to_json()
    assert doc["next_payers"] == [
        {
            "payer_id": "SIMMGP",
            "state": "forwarded",
            "claim_id": None,
            "crossover_payer_name": crossover,
            "amount_forwarded": "44.00",
        }
    ]
    # a later adjudication without the crossover remark (a correction) creates no claim either
    again = medicare_paid(pcn, "MB0002", deductible="0.00", coinsurance="20.00")
    post(ctx, remit([reversal_of(paid), again], trace="EFT7004", start=830))
    assert len(claims_of_encounter(ctx, cid)) == 1


def test_a_crossover_known_after_the_secondary_was_made_voids_the_unsent_claim(billing, primary):
    ctx, (cid, pcn) = billing.ctx, primary
    post(ctx, remit([medicare_paid(pcn)]))
    secondary = the_secondary(ctx, cid)
    forwarded = ForwardedClaim(str(cid), "SIMMCR", "SIMMGP", "SIM MEDIGAP", Money("44.00"))
    with ctx.uow() as uow:
        assert mark_forwarded(ctx, uow, [forwarded]) == 1
        assert mark_forwarded(ctx, uow, [forwarded]) == 0  # once
        uow.commit()
    assert claims.get_claim(ctx, secondary.id).record.status == "voided"
    [link] = secondary_detail(ctx, str(cid)).to_json()["next_payers"]
    assert (link["state"], link["claim_id"]) == ("forwarded", secondary.id)


def test_a_claim_after_a_secondary_carries_both_prior_payers(billing, primary, tmp_path):
    """A tertiary: the claim billed after the secondary keeps the primary's adjudication and
    adds the secondary's; its 837 has one 2320 per prior payer and passes pyx12."""
    ctx, (cid, pcn) = billing.ctx, primary
    post(ctx, remit([medicare_paid(pcn)]))
    secondary = the_secondary(ctx, cid)
    patients.add_coverage(
        ctx,
        billing.medicare_pt,
        {"payer": "SIMPPO", "member_id": "W300", "order": "tertiary", "effective": "2026-01-01"},
    )
    need = SecondaryClaimNeeded(
        claim_id=str(secondary.id),
        prior_payer_id="SIMMGP",
        next_payer_id="SIMPPO",
        payer_claim_control_number="MG0001",
        prior_payer_paid=Money("14.00"),
        claim_adjustments=(),
        line_adjudications=(
            replace(
                built_claim(ctx, secondary.id).other_payers[0].line_adjudications[0],
                paid=Money("14.00"),
                adjustments=(
                    ClaimAdjustment("OA", "23", Money("76.00")),
                    ClaimAdjustment("PR", "1", Money("30.00")),
                ),
                remaining_patient_liability=Money("30.00"),
                adjudication_date=date(2026, 6, 25),
            ),
        ),
        remaining_patient_liability=Money("30.00"),
        adjudication_date=date(2026, 6, 25),
    )
    with ctx.uow() as uow:
        [tertiary_id] = create_secondary_claims(ctx, uow, [need])
        assert create_secondary_claims(ctx, uow, [need]) == [tertiary_id]  # updated, not new
        uow.commit()
    built = built_claim(ctx, tertiary_id)
    assert built.subscriber.payer_responsibility == "T"
    assert [(o.payer.payer_id, o.responsibility, o.paid) for o in built.other_payers] == [
        ("SIMMCR", "P", Money("54.88")),
        ("SIMMGP", "S", Money("14.00")),
    ]
    [result] = scrub_claims(ctx, [tertiary_id])
    assert result.clean, result.findings
    text = write_837(
        [built], SUBMITTER, ENVELOPE, InMemoryControlNumbers(),
        datetime(2026, 6, 26, 9, 0, tzinfo=UTC),
    )  # fmt: skip
    assert "SVD*SIMMGP*14*HC:99213**1~" in text and "AMT*D*14~" in text
    assert pyx12_errors(text, tmp_path) == []


def test_claims_secondary_from_the_command_line(billing, primary, database_url, monkeypatch):
    ctx, (cid, pcn) = billing.ctx, primary
    post(ctx, remit([medicare_paid(pcn)]))
    secondary = the_secondary(ctx, cid)
    monkeypatch.setenv("REVCYCLE_DATABASE_URL", database_url)
    monkeypatch.setenv("REVCYCLE_CLOCK", "2026-06-15T12:00:00+00:00")
    runner = CliRunner()
    result = runner.invoke(app, ["claims", "secondary", str(secondary.id), "--json"])
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    doc = json.loads(result.stdout)
    assert doc["claim_id"] == secondary.id and doc["source_claim_id"] == cid
    assert [(p["payer_id"], p["paid"]) for p in doc["prior_payers"]] == [("SIMMCR", "54.88")]
    text = runner.invoke(app, ["claims", "secondary", pcn])
    assert text.exit_code == 0, (text.stdout, text.stderr, text.exception)
    assert f"next payer SIMMGP: billed on claim {secondary.id}" in text.stdout
    shown = runner.invoke(app, ["claims", "secondary", str(secondary.id)])
    assert "paid 54.88" in shown.stdout and "PR-1 30.00" in shown.stdout
    missing = runner.invoke(app, ["claims", "secondary", "999999"])
    assert missing.exit_code != 0


amounts = st.integers(min_value=0, max_value=4000).map(lambda cents: Money(Decimal(cents) / 100))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(co=amounts, deductible=amounts, coinsurance=amounts, claim_level=amounts)
def test_any_balanced_prior_adjudication_gives_balanced_cob_loops_on_one_claim(
    billing, primary, co, deductible, coinsurance, claim_level
):
    """Whatever the primary paid and adjusted (line CAS, claim-level CAS), the one secondary
    claim (updated, never duplicated) stores it as sent and its COB loops balance:
    SV102 = SVD02 + 2430 CAS, AMT*D = sum of SVD02 - 2320 CAS, and the scrubber's COB rule
    (R30) finds nothing."""
    ctx, (cid, _pcn) = billing.ctx, primary
    charge = Money("120.00")
    line_paid = charge - co - deductible - coinsurance
    cas = tuple(
        ClaimAdjustment(g, r, a)
        for g, r, a in (("CO", "45", co), ("PR", "1", deductible), ("PR", "2", coinsurance))
        if a
    )
    need = SecondaryClaimNeeded(
        claim_id=str(cid),
        prior_payer_id="SIMMCR",
        next_payer_id="SIMMGP",
        payer_claim_control_number="MB0009",
        prior_payer_paid=line_paid - claim_level,
        claim_adjustments=(ClaimAdjustment("OA", "94", claim_level),) if claim_level else (),
        line_adjudications=(
            LineAdjudication(1, line_paid, "99213", Decimal(1), PAID_ON, adjustments=cas),
        ),
        remaining_patient_liability=deductible + coinsurance,
        adjudication_date=date(2026, 6, 15),
    )
    with ctx.uow() as uow:
        [claim_id] = create_secondary_claims(ctx, uow, [need])
        uow.commit()
    assert len(claims_of_encounter(ctx, cid)) == 2
    built = built_claim(ctx, claim_id)
    [other] = built.other_payers
    [line] = built.lines
    [la] = other.line_adjudications
    assert (other.paid, other.adjustments, la.paid, la.adjustments) == (
        need.prior_payer_paid, need.claim_adjustments, line_paid, cas
    )  # fmt: skip
    assert la.paid + Money.sum(a.amount for a in la.adjustments) == line.charge
    assert la.paid - Money.sum(a.amount for a in other.adjustments) == other.paid
    [scrubbed] = scrub_claims(ctx, [claim_id])  # ready now; the next example updates it
    assert [f for f in scrubbed.findings if f.code == "R30"] == []


def medigap_paid(pcn: str) -> ClaimPayment:
    """Medigap paying the Medicare coinsurance (14.00) as secondary."""
    return ClaimPayment(
        pcn, "2", Money("120.00"), Money("14.00"), Money("30.00"), "CI", "MG0001",
        patient_name="HALE WALT", patient_member_id="MG1EG4TE5MK73",
        lines=(
            ServicePayment(
                "99213", Money("120.00"), Money("14.00"), units=Decimal(1),
                line_control_number=f"{pcn}L01",
                adjustments=(Adjustment("OA", "23", Money("76.00")),
                             Adjustment("PR", "1", Money("30.00"))),
            ),
        ),
    )  # fmt: skip


@pytest.mark.parametrize("crossover", [False, True], ids=["secondary claim", "crossover"])
def test_what_medigap_paid_is_medigaps_on_the_payer_scorecard(billing, primary, crossover):
    ctx, (cid, pcn) = billing.ctx, primary
    post(ctx, remit([medicare_paid(pcn)]))
    # a secondary claim of its own, or Medicare's claim crossed over (the primary's PCN)
    answered = cid if crossover else the_secondary(ctx, cid).id
    answered_pcn = (
        pcn if crossover else claims.get_claim(ctx, answered).record.patient_control_number
    )
    assert (
        post(ctx, remit([medigap_paid(answered_pcn)], "EFT8001", 900, MEDIGAP))["status"]
        == "posted"
    )
    lines = underpayments.list_lines(ctx, store=underpayment_store, outcome=None)
    scores = {s.payer_id: s for s in underpayments.scorecard(ctx, store=underpayment_store)}
    by_status = {ln.status_code: ln for ln in lines}
    assert (by_status["1"].claim_id, by_status["1"].payer_ref) == (cid, scores["SIMMCR"].payer_ref)
    assert (by_status["2"].claim_id, by_status["2"].payer_ref) == (
        answered,
        scores["SIMMGP"].payer_ref,
    )
    assert by_status["2"].outcome == underpayments.NOT_PRIMARY
    assert (scores["SIMMGP"].claims_adjudicated, scores["SIMMGP"].paid) == (1, Money("14.00"))
    assert scores["SIMMCR"].paid == by_status["1"].paid  # Medicare's own payment only
