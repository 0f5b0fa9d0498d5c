"""The batch reads and writes of the adjudication stage give what the one-by-one ones give:
secondary claims made for a whole 835 at once, the COB repository's batch methods (also when
their ids are split into many chunks), encounters read by id, and the inbox's light reads."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from revcycle.db import charges_repo, cob_repo
from revcycle.domain.claim import ClaimAdjustment, LineAdjudication
from revcycle.domain.money import Money
from revcycle.domain.workqueue import WorkItem
from revcycle.posting.model import SecondaryClaimNeeded
from revcycle.services import charges, claims
from revcycle.services.ports import CobLink, InboundFile
from revcycle.services.secondary import create_secondary_claims, secondary_claims_each
from tests.conftest import TODAY
from tests.integration.test_secondary_claims import claims_of_encounter, medigap
from tests.integration.test_submission import ready_claims

pytestmark = pytest.mark.db


def need(claim_id: int, icn: str = "MB0001", paid: str = "54.88", payer: str = "SIMMGP"):
    line_paid = Money(paid)
    return SecondaryClaimNeeded(
        claim_id=str(claim_id),
        prior_payer_id="SIMMCR",
        next_payer_id=payer,
        payer_claim_control_number=icn,
        prior_payer_paid=line_paid,
        claim_adjustments=(ClaimAdjustment("CO", "45", Money("20.00")),),
        line_adjudications=(
            LineAdjudication(
                1,
                line_paid,
                "99213",
                Decimal(1),
                date(2026, 6, 15),
                adjustments=(ClaimAdjustment("PR", "1", Money("30.00")),),
            ),
        ),
        remaining_patient_liability=Money("30.00"),
        adjudication_date=date(2026, 6, 15),
    )


def follow_up(n: SecondaryClaimNeeded, claim_id: int) -> WorkItem:
    return WorkItem("secondary_claims", "claim", int(n.claim_id), "send the secondary")


@pytest.fixture
def two_primaries(billing) -> list[int]:
    """Two ready Medicare claims of the patient with Medigap as secondary."""
    medigap(billing)
    for day in ("2026-06-01", "2026-06-02"):
        charges.enter_charges(billing.ctx, billing.encounter(billing.medicare_pt, dos_from=day))
    return [c.id for c in claims.create_claims(billing.ctx)]


def snapshot(uow, primaries: list[int]) -> dict:
    """What the needs left behind in ``uow``: claims (named by their PCN, as ids from a
    PostgreSQL sequence differ after a rollback), prior payers, links, history, work items."""
    pcn = {}
    out: dict = {}
    for p in primaries:
        for c in uow.claims.for_encounter(uow.claims.get(p).encounter_id):
            pcn[c.id] = c.patient_control_number
            if c.id == p:
                continue
            out[c.patient_control_number] = (
                c.status, c.payer_id, c.coverage_id, c.total_charge,
                [(ln.line_no, ln.encounter_line_id, ln.charge) for ln in c.lines],
                [(x.position, x.payer_id, x.paid, x.payer_claim_control_number,
                  x.line_adjudications) for x in uow.cob.prior_payers(c.id)],
                [(e.from_status, e.to_status, e.reason) for e in uow.claims.history(c.id)],
            )  # fmt: skip
    for p in primaries:
        out[p] = [(x.payer_id, x.state, pcn.get(x.claim_id)) for x in uow.cob.links_from(p)]
    out["queue"] = [
        (i.target_id, i.reason.replace(str(i.target_id), "#"))
        for i in uow.work_items.list("secondary_claims")
    ]
    return out


def test_one_batch_of_needs_leaves_what_one_need_at_a_time_leaves(billing, two_primaries):
    ctx = billing.ctx
    a, b = two_primaries
    needs = [
        need(a),
        need(b, "MB0002", "40.00"),
        need(a, "MB0003", "60.00"),  # the same claim and payer again: updates, no new claim
        need(b, payer="NOSUCH"),  # no coverage with that payer: a work item says so
    ]
    got = {}
    for batched in (True, False):
        with ctx.uow() as uow:  # never committed: both ways start from the same database
            if batched:
                made = secondary_claims_each(ctx, uow, needs, follow_up)
            else:
                made = [secondary_claims_each(ctx, uow, [n], follow_up)[0] for n in needs]
            assert made[0] is not None and made[1] is not None and made[0] != made[1]
            assert made[2] == made[0] and made[3] is None
            got[batched] = snapshot(uow, [a, b])
    assert got[True] == got[False]
    queue = got[True]["queue"]
    assert sorted(t for t, _ in queue) == sorted([a, b, b])  # two follow-ups, one missing payer
    assert [t for t, r in queue if "no later coverage with NOSUCH" in r] == [b]
    [sec_a] = [v for k, v in got[True].items() if isinstance(k, str) and k != "queue"][:1]
    assert [p[3] for p in sec_a[5]] == ["MB0003"]  # the later adjudication kept
    assert [e[1] for e in sec_a[6]] == ["draft", "draft"]  # made, then updated


def test_create_secondary_claims_keeps_its_answer(billing, two_primaries):
    ctx = billing.ctx
    a, b = two_primaries
    with ctx.uow() as uow:
        ids = create_secondary_claims(ctx, uow, [need(a), need(a, "MB0004"), need(b)])
        uow.commit()
    assert len(ids) == 2  # one id per claim made or updated, not per need
    assert len(claims_of_encounter(ctx, a)) == len(claims_of_encounter(ctx, b)) == 2


def test_cob_batch_reads_equal_the_one_by_one_reads_in_any_chunking(
    billing, two_primaries, monkeypatch
):
    ctx = billing.ctx
    a, b = two_primaries
    with ctx.uow() as uow:
        [sa, sb] = create_secondary_claims(ctx, uow, [need(a), need(b, "MB0002")])
        uow.cob.add_links([CobLink(a, "OTHER", "forwarded", crossover_payer_name="X")])
        uow.commit()
    for chunk in (5000, 1):  # 1: every id in its own statement
        monkeypatch.setattr(cob_repo, "_CHUNK", chunk)
        with ctx.uow() as uow:
            links = uow.cob.links_for([a, b, sa])
            assert links == {
                (x.source_claim_id, x.payer_id): x
                for c in (a, b, sa)
                for x in uow.cob.links_from(c)
            }
            assert links[(a, "OTHER")].state == "forwarded"
            priors = uow.cob.prior_payers_many([sa, sb, a])
            assert priors == {
                sa: list(uow.cob.prior_payers(sa)),
                sb: list(uow.cob.prior_payers(sb)),
            }
            service = uow.cob.service_of([a, b, sa])
            enc = uow.encounters.get(uow.claims.get(a).encounter_id)
            assert service[a] == service[sa] == (enc.patient_id, enc.dos_from)
            covs = uow.cob.coverages_of([billing.medicare_pt, billing.self_pt])
            assert covs == {
                p: list(uow.coverages.for_patient(p))
                for p in (billing.medicare_pt, billing.self_pt)
            }


def test_added_prior_payers_read_back_as_given(billing, two_primaries, monkeypatch):
    ctx = billing.ctx
    a, b = two_primaries
    monkeypatch.setattr(cob_repo, "_CHUNK", 1)
    with ctx.uow() as uow:
        [sa, sb] = create_secondary_claims(ctx, uow, [need(a), need(b, "MB0002", "40.00")])
        before = uow.cob.prior_payers_many([sa, sb])
        assert [p.payer_claim_control_number for p in before[sb]] == ["MB0002"]
        assert before[sb][0].line_adjudications[0].paid == Money("40.00")
        assert before[sa][0].line_adjudications == need(a).line_adjudications


def test_encounters_by_id_equal_encounters_one_by_one(billing, monkeypatch):
    ctx = billing.ctx
    ids = ready_claims(billing, [billing.self_pt, billing.child_pt, billing.medicare_pt])
    monkeypatch.setattr(charges_repo, "_BUILD_CHUNK", 2)  # three encounters, two statements
    with ctx.uow() as uow:
        enc_ids = [uow.claims.get(i).encounter_id for i in ids]
        got = uow.encounters.get_by_ids([*enc_ids, 999_999])
        assert got == {e: uow.encounters.get(e) for e in enc_ids}
    assert claims.get_claim(ctx, ids[0]).record.status == "ready"


def test_inbox_light_reads_match_the_stored_file(billing):
    ctx = billing.ctx
    item = InboundFile(
        mailbox_name="00000001-835.x12",
        sha256="ab" * 32,
        content=b"ISA*00*...~",
        kind="835",
        sender_id="SIMCLEARHOUSE",
        receiver_id="RC123456789",
        interchange_control_number="000000001",
        state="received",
        summary={"kind": "835", "transactions": []},
        received_at=TODAY,
        practice_id=ctx.practice_id,
    )
    with ctx.uow() as uow:
        stored = uow.inbound_files.add_file(item)
        assert stored.id is not None
        read = uow.inbound_files.get(stored.id)
        assert replace(read, received_at=TODAY) == stored  # SQLite gives the time back naive
        assert uow.inbound_files.content_of(stored.id) == item.content
        assert uow.inbound_files.states([stored.id, 12345]) == {stored.id: "received"}


def test_many_underpayment_lines_get_their_ids_in_order(billing):
    """Above the COPY threshold PostgreSQL takes ids from the sequence and copies the rows;
    either way each line reads back as given, ids in the order of the lines."""
    from revcycle.db.underpayment_repo import underpayment_store
    from revcycle.services.underpayments import UnderpaymentLine

    ctx = billing.ctx
    [claim_id] = ready_claims(billing, [billing.self_pt])
    lines = [
        UnderpaymentLine(
            claim_id=claim_id,
            claim_line_id=None,
            payer_ref=billing.payers["SIMPPO"],
            status_code="1",
            payer_claim_number=f"ICN{i}",
            trace_number="EFT1",
            paid_on=date(2026, 6, 20),
            service_date=date(2026, 6, 1),
            procedure="99213",
            modifiers=("25",) if i % 2 else (),
            units=Decimal(1),
            place_of_service="11",
            mult_proc="",
            charge=Money("120.00"),
            allowed=Money("100.00"),
            paid=Money(f"{i}.01"),
            patient_responsibility=Money("20.00"),
            sequestration=Money(0),
            outcome="no_contract",
        )
        for i in range(250)
    ]
    with ctx.uow() as uow:
        repo = underpayment_store(uow)
        ids = repo.add(lines)
        assert ids == sorted(ids) and len(set(ids)) == 250
        stored = [repo.get(i) for i in ids]
        assert stored == [replace(line, id=i) for line, i in zip(lines, ids, strict=True)]
