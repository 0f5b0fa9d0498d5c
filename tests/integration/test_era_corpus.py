"""The public 835 samples pyx12 passes (tests/fixtures/x12/corpus/835, verdicts in its
MANIFEST) posted on the real databases: with their claims in the database every claim payment
matches and the totals agree; without them, every claim payment lands in the
unmatched-remittance queue and the file is still recorded as posted."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from revcycle.domain.claim_record import ClaimLineRecord, ClaimRecord
from revcycle.domain.encounter import Diagnosis, Encounter, ServiceLine
from revcycle.domain.money import Money
from revcycle.domain.remittance import ClaimPayment, Remittance
from revcycle.x12.mapping.remit835 import read_835
from tests.integration.test_era_post import post

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "x12" / "corpus"
with (CORPUS / "MANIFEST.csv").open(encoding="utf-8") as manifest:
    PASSED = sorted(
        row["file"]
        for row in csv.DictReader(manifest)
        if row["transaction"] == "835" and row["pyx12_4_0_0"] == "PASS"
    )
DEFAULT_DOS = date(2026, 6, 1)
PCN_LENGTH = 20  # revcycle's patient control numbers; a longer CLP01 is never one of ours


def remittances(name: str) -> list[Remittance]:
    found, _report = read_835(CORPUS / name)
    return found


def clps(name: str) -> list[ClaimPayment]:
    return [cp for r in remittances(name) for cp in r.claims]


def fits(cp: ClaimPayment, billed: ClaimPayment) -> bool:
    """Whether every SVC of ``cp`` is a line of the claim made from ``billed`` (same procedure
    and charge): a payer may split a claim into several CLPs, each paying some of its lines."""
    lines = Counter((sp.procedure, abs(sp.charge.amount)) for sp in billed.lines)
    wanted = Counter((sp.procedure, abs(sp.charge.amount)) for sp in cp.lines)
    return not wanted - lines and (bool(cp.lines) or abs(cp.charge.amount) == billed.charge.amount)


def create_claims_for(billing, name: str) -> dict[str, ClaimPayment]:
    """The claims the file pays, billed to the patient's PPO coverage: one per patient control
    number (unique in revcycle), its lines the SVCs of the first CLP naming it (procedure,
    charge, date). Some payers' files reuse one account number for several claims: the CLPs
    that are not the created claim then cannot match it."""
    ctx = billing.ctx
    first: dict[str, ClaimPayment] = {}
    for cp in sorted(clps(name), key=lambda c: c.status == "22"):
        if len(cp.patient_control_number) <= PCN_LENGTH:
            first.setdefault(cp.patient_control_number, cp)
    with ctx.uow() as uow:
        (coverage,) = uow.coverages.for_patient(billing.self_pt)
        plan = uow.plans.get(coverage.plan_id)
        records = []
        for pcn, cp in first.items():
            sign = Decimal(-1) if cp.status == "22" else Decimal(1)
            dos = cp.statement_from or DEFAULT_DOS
            # a drug paid by NDC (SVC01 N4) was billed as an unclassified drug with its NDC
            wanted = [
                (
                    ("J3490", sp.procedure) if sp.qualifier == "N4" else (sp.procedure, None),
                    Money(sp.charge.amount * sign),
                    sp.service_date or dos,
                )
                for sp in cp.lines
            ] or [(("99213", None), Money(cp.charge.amount * sign), dos)]
            enc = uow.encounters.add(
                Encounter(
                    patient_id=billing.self_pt,
                    dos_from=min(d for _, _, d in wanted),
                    dos_to=max(d for _, _, d in wanted),
                    rendering_provider_id=billing.rendering,
                    place_of_service="11",
                    diagnoses=(Diagnosis("I10"),),
                    lines=tuple(
                        ServiceLine(
                            proc,
                            Decimal(1),
                            (1,),
                            charge=charge,
                            dos_from=d,
                            ndc=ndc,
                            ndc_unit="UN" if ndc else None,
                            ndc_quantity=Decimal(1) if ndc else None,
                        )
                        for (proc, ndc), charge, d in wanted
                    ),
                ),
                ctx.clock.now(),
            )
            assert enc.id is not None
            records.append(
                ClaimRecord(
                    encounter_id=enc.id,
                    coverage_id=coverage.id,
                    payer_id=plan.payer_id,
                    kind="P",
                    patient_control_number=pcn,
                    total_charge=Money.sum(ln.charge for ln in enc.lines if ln.charge),
                    lines=tuple(
                        ClaimLineRecord(
                            n, ln.id or 0, f"C{len(records)}L{n}", ln.charge or Money.zero()
                        )
                        for n, ln in enumerate(enc.lines, start=1)
                    ),
                    status="accepted",
                )
            )
        uow.claims.add_many(records)
        uow.commit()
    return first


def test_the_corpus_has_the_835s_pyx12_passes():
    assert len(PASSED) >= 10


@pytest.mark.parametrize("name", PASSED, ids=[Path(n).name[:40] for n in PASSED])
def test_a_corpus_835_posts_with_matched_totals_when_its_claims_exist(billing, name):
    created = create_claims_for(billing, name)
    summary = post(billing.ctx, (CORPUS / name).read_bytes())
    assert summary["status"] == "posted", summary["findings"]
    payments = clps(name)
    others = [
        cp
        for cp in payments
        if cp.patient_control_number not in created
        or not fits(cp, created[cp.patient_control_number])
    ]
    assert (summary["claims_matched"], summary["claims_unmatched"]) == (
        len(payments) - len(others),
        len(others),
    )
    assert summary["paid_total"] == Money.sum(cp.paid for cp in payments).to_json()
    with billing.ctx.uow() as uow:
        assert len(uow.work_items.list("unmatched_remittances")) == len(others)


@pytest.mark.parametrize("name", PASSED, ids=[Path(n).name[:40] for n in PASSED])
def test_a_corpus_835_without_its_claims_goes_to_the_unmatched_queue(billing, name):
    summary = post(billing.ctx, (CORPUS / name).read_bytes())
    assert summary["status"] == "posted", summary["findings"]
    payments = clps(name)
    assert (summary["claims_matched"], summary["claims_unmatched"]) == (0, len(payments))
    with billing.ctx.uow() as uow:
        items = uow.work_items.list("unmatched_remittances")
    assert len(items) == len(payments)
