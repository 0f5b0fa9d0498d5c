"""Scrubbing and claim building in batches: the same inputs, sources and writes as claim by
claim, chunks past the parameter limit of a statement, and a failing claim in a chunk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from revcycle.cli.demo_cmd import DEMO_NOW
from revcycle.codesets import CodeSets, default_codesets
from revcycle.db import tables
from revcycle.db.engine import make_engine
from revcycle.db.uow import SqlUnitOfWorkFactory
from revcycle.domain.claim_record import ClaimRecord, StoredFinding
from revcycle.domain.claim_status import InvalidTransition
from revcycle.domain.provider import Provider
from revcycle.domain.workqueue import WorkItem
from revcycle.scrubber import PayerRules, PriorService, ScrubInput, load_payer_rules, scrub
from revcycle.scrubber.engine import is_clean
from revcycle.services import charges, claims
from revcycle.services.claim_builder import (
    ClaimSources,
    PriorPayerSource,
    build_claim,
    load_sources_many,
)
from revcycle.services.claims import transition
from revcycle.services.clock import FixedClock
from revcycle.services.context import Context
from revcycle.services.eligibility import latest_eligibility
from revcycle.services.ports import EncounterLineKey, UnitOfWork
from revcycle.services.scrubbing import (
    ScrubRun,
    _snapshot,
    scrub_claims,
    scrub_inputs,
)
from revcycle.services.secondary import related_claims

MANY = 70_000  # more ids than PostgreSQL takes parameters in one statement (65,535)

# ---- the claim-by-claim reads, as they were before batching: the reference -----------------


def _sources_one_by_one(uow: UnitOfWork, record: ClaimRecord) -> ClaimSources:
    assert uow.practice_id is not None
    enc = uow.encounters.get(record.encounter_id)
    coverage = uow.coverages.get(record.coverage_id)
    plan = uow.plans.get(coverage.plan_id)

    def provider(pid: int | None) -> Provider | None:
        return uow.providers.get(pid) if pid is not None else None

    prior: list[PriorPayerSource] = []
    if record.id is not None and coverage.order != "primary":
        for p in uow.cob.prior_payers(record.id):
            cov = uow.coverages.get(p.coverage_id)
            pplan = uow.plans.get(cov.plan_id)
            prior.append(PriorPayerSource(p, cov, pplan, uow.payers.get(pplan.payer_id)))
    inst = enc.institutional
    return ClaimSources(
        record=record,
        practice=uow.practices.get(uow.practice_id),
        encounter=enc,
        patient=uow.patients.get(enc.patient_id),
        coverage=coverage,
        plan=plan,
        payer=uow.payers.get(plan.payer_id),
        rendering=uow.providers.get(enc.rendering_provider_id),
        referring=provider(enc.referring_provider_id),
        supervising=provider(enc.supervising_provider_id),
        facility=uow.facilities.get(enc.facility_id) if enc.facility_id is not None else None,
        attending=provider(inst.attending_provider_id) if inst else None,
        operating=provider(inst.operating_provider_id) if inst else None,
        original=uow.claims.get(record.original_claim_id) if record.original_claim_id else None,
        prior_payers=tuple(prior),
    )


def _input_one_by_one(
    ctx: Context, uow: UnitOfWork, record: ClaimRecord, codesets: CodeSets, rules: PayerRules
) -> ScrubInput:
    s = _sources_one_by_one(uow, record)
    enc = s.encounter
    duplicates: list[tuple[int, int]] = []
    cob_chain = related_claims(uow, record.id or 0)
    for cl in record.lines:
        line = next(x for x in enc.lines if x.id == cl.encounter_line_id)
        for other_claim, _ in uow.claims.billed_lines(
            enc.patient_id, enc.rendering_provider_id, line.dos_from or enc.dos_from, line.procedure
        ):
            if other_claim != record.id and other_claim not in cob_chain:
                duplicates.append((cl.line_no, other_claim))
    window = enc.dos_from - timedelta(days=90)
    prior = [
        PriorService(
            line.procedure, line.dos_from or e.dos_from, e.rendering_provider_id, line.modifiers
        )
        for e in uow.encounters.list(
            patient_id=enc.patient_id, dos_from=window, dos_before=enc.dos_from, limit=10_000
        )
        if e.id != enc.id
        for line in e.lines
    ]
    return ScrubInput(
        claim=build_claim(s),
        practice=s.practice,
        patient=s.patient,
        coverage=s.coverage,
        plan=s.plan,
        payer=s.payer,
        rendering=s.rendering,
        today=ctx.clock.today(),
        codesets=codesets,
        payer_rule=rules.for_payer(s.payer.payer_id),
        referring=s.referring,
        supervising=s.supervising,
        facility=s.facility,
        enrollments=uow.enrollments.for_payer(s.payer.id or 0),
        authorizations=uow.authorizations.for_patient(enc.patient_id),
        duplicates=duplicates,
        prior_services=prior,
        eligibility=_snapshot(latest_eligibility(uow.eligibility, record.coverage_id)),
    )


def _scrub_one_by_one(
    ctx: Context, uow: UnitOfWork, record: ClaimRecord, codesets: CodeSets, rules: PayerRules
) -> None:
    """What ``scrub_one`` wrote, statement by statement, before batching."""
    assert record.id is not None
    findings = scrub(_input_one_by_one(ctx, uow, record, codesets, rules))
    clean = is_clean(findings)
    run = record.scrub_runs + 1
    uow.claims.save_findings(
        record.id, [StoredFinding(run, f.code, f.severity, f.message, f.location) for f in findings]
    )
    first = clean if record.first_pass_clean is None else record.first_pass_clean
    record = replace(record, scrub_runs=run, first_pass_clean=first)
    uow.claims.update(record)
    errors = [f for f in findings if f.severity == "error"]
    if clean:
        record = transition(uow, ctx, record, "scrubbed_clean", f"scrub run {run}: clean")
        record = transition(uow, ctx, record, "ready", "clean claim, ready to submit")
    else:
        record = transition(
            uow, ctx, record, "scrubbed_errors", f"scrub run {run}: {len(errors)} errors"
        )
    item = uow.work_items.open_for("scrubber_hold", "claim", record.id)
    now = ctx.clock.now()
    if errors:
        reason = "; ".join(f"{f.code} {f.message}" for f in errors)[:400]
        if item is None:
            item = uow.work_items.add(
                WorkItem(
                    "scrubber_hold", "claim", record.id, reason, int(record.total_charge.amount)
                )
            )
            uow.work_items.add_event(item.id or 0, now, ctx.actor, "opened", reason)
        else:
            uow.work_items.update(replace(item, reason=reason))
            uow.work_items.add_event(item.id or 0, now, ctx.actor, "rescrubbed", reason)
    elif item is not None:
        uow.work_items.update(replace(item, status="done"))
        uow.work_items.add_event(item.id or 0, now, ctx.actor, "closed", "claim scrubbed clean")


# ---- a realistic practice: the demo's month, then duplicates, authorizations, drafts --------


@dataclass
class Demo:
    ctx: Context
    engine: Engine
    drafts: list[int]


def _run_demo(database_url: str, out: Path) -> int:
    exe = Path(sys.executable).parent / "revcycle"
    env = {k: v for k, v in os.environ.items() if k != "REVCYCLE_DATABASE_URL"}
    args = ["demo", "--out", str(out), "--encounters", "120", "--seed", "3", "--json"]
    r = subprocess.run(
        [str(exe), *args, "--db", database_url],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=out.parent,
    )
    assert r.returncode == 0, r.stderr
    summary = json.loads((out / "summary.json").read_text())
    return int(summary["registration"]["practice"]["id"])


@pytest.fixture
def demo(database_url: str, tmp_path: Path) -> Iterator[Demo]:
    practice_id = _run_demo(database_url, tmp_path / "out")
    engine = make_engine(database_url)
    clock = FixedClock(DEMO_NOW)
    ctx = Context.operator("tester", clock, SqlUnitOfWorkFactory(engine, clock))
    ctx = ctx.with_practice(practice_id)
    with ctx.uow() as uow:
        encounters = list(uow.encounters.list(limit=200))
        payers = {c.id: uow.payers.get(c.payer_id) for c in uow.claims.list(limit=1000)}
        by_encounter = {c.encounter_id: c for c in uow.claims.list(limit=1000)}
    # the same service entered again twice (duplicates of each other and of the first, which is
    # closed: not a duplicate) for a few patients, who also get an authorization
    seen: set[int] = set()
    for enc in encounters:
        claim = by_encounter.get(enc.id or 0)
        if claim is None or enc.patient_id in seen or enc.institutional is not None:
            continue
        seen.add(enc.patient_id)
        data: dict[str, Any] = {
            "patient_id": enc.patient_id,
            "dos_from": enc.dos_from.isoformat(),
            "rendering_provider_id": enc.rendering_provider_id,
            "facility_id": enc.facility_id,
            "place_of_service": enc.place_of_service,
            "diagnoses": [d.code for d in enc.diagnoses],
            "lines": [
                {"procedure": ln.procedure, "pointers": ",".join(map(str, ln.pointers))}
                for ln in enc.lines
            ],
        }
        charges.enter_charges(ctx, data)
        charges.enter_charges(
            ctx, {**data, "dos_from": (enc.dos_from + timedelta(days=3)).isoformat()}
        )
        charges.enter_charges(
            ctx, {**data, "dos_from": (enc.dos_from + timedelta(days=3)).isoformat()}
        )
        charges.add_authorization(
            ctx,
            enc.patient_id,
            {
                "payer": payers[claim.id].payer_id,
                "number": f"AUTH{enc.patient_id}",
                "start": (enc.dos_from - timedelta(days=30)).isoformat(),
                "end": (enc.dos_from + timedelta(days=60)).isoformat(),
                "service_codes": [ln.procedure for ln in enc.lines if ln.procedure[0].isdigit()],
            },
        )
        if len(seen) == 4:
            break
    drafts = [c.id or 0 for c in claims.create_claims(ctx)]
    assert len(drafts) == 12
    yield Demo(ctx, engine, drafts)
    engine.dispose()


def test_batch_scrub_inputs_equal_the_claim_by_claim_ones(demo: Demo) -> None:
    codesets, rules = default_codesets(), load_payer_rules(None)
    with demo.ctx.uow() as uow:
        records = sorted(uow.claims.list(limit=10_000), key=lambda c: c.id or 0)
        assert any(c.original_claim_id for c in records)  # corrected claims
        assert any(uow.cob.prior_payers(c.id or 0) for c in records)  # secondaries
        expected = [_input_one_by_one(demo.ctx, uow, r, codesets, rules) for r in records]
        assert any(i.duplicates for i in expected) and any(i.authorizations for i in expected)
        assert any(i.prior_services for i in expected) and any(i.eligibility for i in expected)
        run = ScrubRun()  # shared by the chunks, as in a scrub run
        got = [
            scrub_in
            for k in range(0, len(records), 7)
            for scrub_in in scrub_inputs(demo.ctx, uow, records[k : k + 7], codesets, rules, run)
        ]
        assert got == expected
        assert load_sources_many(uow, records) == [_sources_one_by_one(uow, r) for r in records]


WRITTEN = (
    tables.claim_findings,
    tables.claim_history,
    tables.audit_log,
    tables.work_items,
    tables.work_item_events,
)


def _marks(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar_one()
            for t in WRITTEN
        }


def _written(engine: Engine, since: dict[str, int], ids: list[int]) -> dict[str, Any]:
    """The claims ``ids`` and the rows added since ``since``, in insertion order, without ids
    and time stamps."""
    out = {}
    with engine.connect() as conn:
        for t in WRITTEN:
            cols = [c for c in t.c if c.name not in ("id", "item_id", "created_at", "updated_at")]
            rows = conn.execute(select(*cols).where(t.c.id > since[t.name]).order_by(t.c.id))
            out[t.name] = [tuple(r) for r in rows]
        c = tables.claims
        cols = [col for col in c.c if col.name != "updated_at"]
        out["claims"] = [
            tuple(r) for r in conn.execute(select(*cols).where(c.c.id.in_(ids)).order_by(c.c.id))
        ]
    return out


def _scrub_twice(demo: Demo, scrub_ids: Callable[[list[int]], object]) -> None:
    """Scrub the drafts, void one of each duplicate pair, scrub the held claims again (their
    holds are updated, or closed where the duplicate is gone)."""
    scrub_ids(demo.drafts)
    for claim_id in demo.drafts[2::3]:
        claims.change_status(demo.ctx, claim_id, "voided", "entered twice")
    with demo.ctx.uow() as uow:
        held = [
            c.id or 0 for c in uow.claims.get_many(demo.drafts) if c.status == "scrubbed_errors"
        ]
    assert held
    scrub_ids(held)


def test_batch_scrub_writes_what_claim_by_claim_scrubbing_wrote(demo: Demo) -> None:
    codesets, rules = default_codesets(), load_payer_rules(None)

    def one_by_one(ids: list[int]) -> None:
        with demo.ctx.uow() as uow:
            for record in uow.claims.get_many(ids):
                _scrub_one_by_one(demo.ctx, uow, record, codesets, rules)
            uow.commit()

    ids = demo.drafts
    since = _marks(demo.engine)
    _scrub_twice(demo, one_by_one)
    expected = _written(demo.engine, since, ids)
    actions = [r[-2] for r in expected["work_item_events"]]
    assert {"opened", "rescrubbed", "closed"} <= set(actions)
    # the same again in batches: the drafts restored, their hold items gone
    with demo.engine.begin() as conn:
        w, e = tables.work_items, tables.work_item_events
        held = select(w.c.id).where(w.c.queue == "scrubber_hold", w.c.target_id.in_(ids))
        conn.execute(e.delete().where(e.c.item_id.in_(held)))
        conn.execute(w.delete().where(w.c.queue == "scrubber_hold", w.c.target_id.in_(ids)))
        c = tables.claims
        conn.execute(
            c.update()
            .where(c.c.id.in_(ids))
            .values(status="draft", scrub_runs=0, first_pass_clean=None)
        )
    since = _marks(demo.engine)
    _scrub_twice(demo, lambda ids: scrub_claims(demo.ctx, ids))
    assert _written(demo.engine, since, ids) == expected


def test_a_failing_claim_in_a_chunk_leaves_the_claims_before_it_scrubbed(billing) -> None:
    ctx = billing.ctx
    for day in ("2026-06-01", "2026-06-02", "2026-06-03"):
        charges.enter_charges(ctx, billing.encounter(dos_from=day))
    first, bad, last = (c.id for c in claims.create_claims(ctx))
    claims.change_status(ctx, bad, "voided", "entered in error")
    with pytest.raises(InvalidTransition):
        scrub_claims(ctx, [first, bad, last])
    assert claims.get_claim(ctx, first).record.status == "ready"  # kept, as alone
    for claim_id in (bad, last):  # the failing claim wrote nothing, the next was not reached
        detail = claims.get_claim(ctx, claim_id)
        assert detail.record.scrub_runs == 0 and not detail.findings
    assert claims.get_claim(ctx, bad).record.status == "voided"
    [again] = scrub_claims(ctx, [last])
    assert again.claim.status == "ready" and again.claim.scrub_runs == 1


def test_scrubs_sharing_a_run_read_its_reference_rows_once(billing) -> None:
    ctx = billing.ctx
    for day in ("2026-06-01", "2026-06-02"):
        charges.enter_charges(ctx, billing.encounter(dos_from=day))
    first, second = (c.id or 0 for c in claims.create_claims(ctx))
    run = ScrubRun()
    [one] = scrub_claims(ctx, [first], run=run)
    assert run.reads.practice is not None and run.enrollments and run.eligibility
    kept = run.reads.practice
    [two] = scrub_claims(ctx, [second], run=run)
    assert run.reads.practice is kept  # read by the first call, not again
    assert one.claim.status == two.claim.status == "ready"


def test_the_same_claim_twice_is_scrubbed_twice_in_order(billing) -> None:
    ctx = billing.ctx
    charges.enter_charges(ctx, billing.encounter())
    [claim] = claims.create_claims(ctx)
    assert claim.id is not None
    with pytest.raises(InvalidTransition):  # ready cannot become scrubbed_clean: as before
        scrub_claims(ctx, [claim.id, claim.id])
    assert claims.get_claim(ctx, claim.id).record.scrub_runs == 1


def test_every_waiting_claim_is_scrubbed_not_only_the_first_thousand(billing) -> None:
    ctx = billing.ctx
    charges.enter_charges(ctx, billing.encounter())
    [claim] = claims.create_claims(ctx)
    with ctx.uow() as uow:
        copies = [
            replace(
                claim,
                id=None,
                patient_control_number=f"C{n:07d}",
                lines=tuple(
                    replace(ln, line_control_number=f"C{n:07d}L{ln.line_no}", id=None)
                    for ln in claim.lines
                ),
            )
            for n in range(1000)
        ]
        uow.claims.add_many(copies)
        assert len(uow.claims.list(status="draft")) == 1000  # list's default limit
        assert len(uow.claims.ids_with_status("draft")) == 1001
        uow.commit()


# ---- batch reads: equal to the one-by-one reads, in chunks past the parameter limit ---------


def test_batch_reads_equal_the_single_reads_across_chunks(billing) -> None:
    ctx = billing.ctx
    for patient, day in ((billing.self_pt, "2026-05-01"), (billing.self_pt, "2026-06-01")):
        charges.enter_charges(ctx, billing.encounter(patient=patient, dos_from=day))
    charges.enter_charges(ctx, billing.encounter(patient=billing.hmo_pt, dos_from="2026-06-02"))
    charges.add_authorization(
        ctx,
        billing.self_pt,
        {"payer": "SIMPPO", "number": "A1", "start": "2026-05-01", "end": "2026-07-01"},
    )
    made = claims.create_claims(ctx)
    many = list(range(1, MANY))
    patients = [billing.self_pt, billing.child_pt, billing.medicare_pt, billing.hmo_pt]
    with ctx.uow() as uow:
        assert list(uow.patients.get_many(many)) == [uow.patients.get(p) for p in patients]
        assert list(uow.providers.get_many([*many, billing.rendering])) == [
            uow.providers.get(p) for p in sorted({billing.rendering, billing.referring})
        ]
        encounters = uow.encounters.list()
        assert list(uow.encounters.get_many(many)) == list(encounters)
        lo, hi = encounters[0].dos_from, encounters[-1].dos_from
        assert list(uow.encounters.lines_of_patients(many, lo, hi)) == [
            EncounterLineKey(e.id or 0, e.patient_id, e.dos_from, e.rendering_provider_id, n,
                             ln.procedure, ln.dos_from or e.dos_from, ln.modifiers)
            for e in encounters
            if e.dos_from < hi
            for n, ln in enumerate(e.lines, start=1)
        ]  # fmt: skip
        assert uow.authorizations.for_patients(many) == {
            billing.self_pt: list(uow.authorizations.for_patient(billing.self_pt))
        }
        assert list(uow.claims.get_many(many)) == [uow.claims.get(c.id or 0) for c in made]
        billed = uow.claims.billed_lines_for_patients(many)
        assert sorted((b.claim_id, b.encounter_line_id) for b in billed) == sorted(
            pair
            for b in billed
            for pair in uow.claims.billed_lines(b.patient_id, b.provider_id, b.dos, b.procedure)
        )
        assert {b.claim_id for b in billed} == {c.id for c in made}
        assert uow.cob.prior_payers_many(many) == {} and uow.cob.links_from_many(many) == {}
        assert uow.eligibility.latest_for_coverages(many) == {}
        assert uow.work_items.open_for_many("scrubber_hold", "claim", many) == {}


def test_work_item_batch_writes_equal_the_single_ones(billing) -> None:
    ctx = billing.ctx
    with ctx.uow() as uow:
        a = uow.work_items.add(WorkItem("scrubber_hold", "claim", 1, "R1 x", 10))
        b = uow.work_items.add(WorkItem("scrubber_hold", "claim", 2, "R2 y", 20))
        uow.work_items.update_many([replace(a, status="done"), replace(b, reason="R3 z" * 200)])
        assert uow.work_items.get(a.id or 0).status == "done"
        assert uow.work_items.get(b.id or 0).reason == ("R3 z" * 200)[:400]
        with pytest.raises(Exception, match="work item"):
            uow.work_items.update_many([replace(a, id=10**9)])
        now = ctx.clock.now()
        uow.work_items.add_events(
            [(a.id or 0, now, "me", "closed", "done"), (b.id or 0, now, "me", "opened", None)]
        )
        uow.commit()


def test_claim_batch_updates_equal_the_single_ones_across_chunks(billing, monkeypatch) -> None:
    from revcycle.db import bulk

    monkeypatch.setattr(bulk, "UPDATE_CHUNK", 2)  # three statements for five claims
    ctx = billing.ctx
    for day in ("2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05"):
        charges.enter_charges(ctx, billing.encounter(patient=billing.self_pt, dos_from=day))
    made = claims.create_claims(ctx)
    assert len(made) == 5
    changed = [
        replace(c, status="ready", payer_claim_number=None, first_pass_clean=None, scrub_runs=1)
        if i % 2
        else replace(
            c,
            status="submitted",
            payer_claim_number=f"ICN{i}",
            first_pass_clean=bool(i % 3),
            scrub_runs=i + 2,
        )
        for i, c in enumerate(made)
    ]
    with ctx.uow() as uow:
        uow.claims.update_many(changed)
        uow.commit()
    with ctx.uow() as uow:
        got = [uow.claims.get(c.id or 0) for c in made]
    assert [(g.status, g.payer_claim_number, g.first_pass_clean, g.scrub_runs) for g in got] == [
        (c.status, c.payer_claim_number, c.first_pass_clean, c.scrub_runs) for c in changed
    ]
    # every claim of a statement without a control number or a scrub verdict: NULL columns
    cleared = [replace(c, payer_claim_number=None, first_pass_clean=None) for c in changed]
    with ctx.uow() as uow:
        uow.claims.update_many(cleared)
        uow.commit()
    with ctx.uow() as uow:
        got = [uow.claims.get(c.id or 0) for c in made]
    assert {(g.payer_claim_number, g.first_pass_clean) for g in got} == {(None, None)}
    assert [g.scrub_runs for g in got] == [c.scrub_runs for c in changed]
    with ctx.uow() as uow, pytest.raises(Exception, match="claim"):
        uow.claims.update_many([replace(made[0], id=10**9)])


def test_a_batch_update_refuses_a_value_too_long_for_its_column(billing) -> None:
    from sqlalchemy.exc import DataError

    ctx = billing.ctx
    charges.enter_charges(ctx, billing.encounter(patient=billing.self_pt, dos_from="2026-05-01"))
    made = claims.create_claims(ctx)
    with ctx.uow() as uow:
        if uow.engine.dialect.name != "postgresql":
            pytest.skip("SQLite does not enforce VARCHAR lengths")
        with pytest.raises(DataError, match="too long"):  # not cut to 50 characters
            uow.claims.update_many([replace(made[0], payer_claim_number="N" * 51)])
    with ctx.uow() as uow:
        assert uow.claims.get(made[0].id or 0).payer_claim_number == made[0].payer_claim_number
