"""Scrubbing claims: run the scrubber's rules, store the findings, move the claim on.

Rules kept here:
- a claim with an error finding becomes ``scrubbed_errors`` and gets an open item in the
  ``scrubber_hold`` work queue (one per claim); a clean one becomes ``scrubbed_clean`` then
  ``ready`` and its hold item, if any, is closed;
- the result of a claim's first scrub is kept (``first_pass_clean``) for the clean claim rate;
- every run's findings are stored under its run number.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from revcycle.codesets import CodeSets, Finding, default_codesets
from revcycle.domain.claim_record import ClaimRecord, StoredFinding
from revcycle.domain.payer import Enrollment
from revcycle.domain.user import WRITE_PATIENTS
from revcycle.domain.workqueue import WorkItem
from revcycle.scrubber import (
    EligibilitySnapshot,
    PayerRules,
    PriorService,
    ScrubInput,
    load_payer_rules,
    scrub,
)
from revcycle.scrubber.engine import is_clean
from revcycle.services.claim_builder import ReferenceReads, build_claim, load_sources_many
from revcycle.services.context import Context
from revcycle.services.ports import UnitOfWork
from revcycle.services.submission import ClaimWrites

if TYPE_CHECKING:
    from revcycle.services.eligibility import LatestEligibility

SCRUBBABLE = ("draft", "scrubbed_errors", "scrubbed_clean")
CHUNK = 250  # claims scrubbed in one transaction (a failing chunk is redone claim by claim)
HOLD_QUEUE = "scrubber_hold"
PRIOR_SERVICE_DAYS = 90  # how far back the patient's earlier services are read (global periods)


@dataclass
class ScrubRun:
    """What a scrub run reads once and keeps for every claim it scrubs: reference rows, each
    payer's enrollments and each coverage's eligibility snapshot (the latest 271, parsed once).
    None of these change while claims are scrubbed."""

    reads: ReferenceReads = field(default_factory=ReferenceReads)
    enrollments: dict[int, Sequence[Enrollment]] = field(default_factory=dict)
    eligibility: dict[int, EligibilitySnapshot | None] = field(default_factory=dict)


@dataclass(frozen=True)
class ScrubResult:
    claim: ClaimRecord
    findings: Sequence[Finding]

    @property
    def clean(self) -> bool:
        return is_clean(self.findings)


def scrub_input(
    ctx: Context, uow: UnitOfWork, record: ClaimRecord, codesets: CodeSets, rules: PayerRules
) -> ScrubInput:
    return scrub_inputs(ctx, uow, [record], codesets, rules)[0]


def scrub_inputs(
    ctx: Context,
    uow: UnitOfWork,
    records: Sequence[ClaimRecord],
    codesets: CodeSets,
    rules: PayerRules,
    run: ScrubRun | None = None,
) -> list[ScrubInput]:
    """The scrubber's input for each record, in order, from a few batch reads: the claims'
    sources, their COB chains (billing the same service to the next payer is not a duplicate),
    the open claims billing the same patient, provider, date and code (duplicates), the
    patients' services of the last 90 days, authorizations, enrollments and eligibility."""
    if not records:
        return []
    run = run if run is not None else ScrubRun()
    sources = load_sources_many(uow, records, run.reads)
    ids = [r.id or 0 for r in records]
    chains: dict[int, set[int]] = {i: set() for i in ids}  # as secondary.related_claims
    for claim_id, priors in uow.cob.prior_payers_many(ids).items():
        chains[claim_id].update(p.source_claim_id for p in priors)
    for claim_id, links in uow.cob.links_from_many(ids).items():
        chains[claim_id].update(ln.claim_id for ln in links if ln.claim_id is not None)
    patients = sorted({s.encounter.patient_id for s in sources})
    billed: dict[tuple[int, int, date, str], list[int]] = {}
    for b in uow.claims.billed_lines_for_patients(patients):
        billed.setdefault((b.patient_id, b.provider_id, b.dos, b.procedure), []).append(b.claim_id)
    earliest = min(s.encounter.dos_from for s in sources) - timedelta(days=PRIOR_SERVICE_DAYS)
    latest = max(s.encounter.dos_from for s in sources)
    earlier: dict[int, list[tuple[int, date, PriorService]]] = {}  # by patient
    for k in uow.encounters.lines_of_patients(patients, earliest, latest):
        service = PriorService(k.procedure, k.dos, k.provider_id, k.modifiers)
        earlier.setdefault(k.patient_id, []).append((k.encounter_id, k.encounter_dos, service))
    authorizations = uow.authorizations.for_patients(patients)
    for payer_id in sorted({s.payer.id or 0 for s in sources} - run.enrollments.keys()):
        run.enrollments[payer_id] = uow.enrollments.for_payer(payer_id)
    _read_eligibility(uow, run, [r.coverage_id for r in records])
    out = []
    for record, s in zip(records, sources, strict=True):
        enc = s.encounter
        chain = chains[record.id or 0]
        duplicates: list[tuple[int, int]] = []
        lines_by_id = {line.id: line for line in enc.lines}
        for cl in record.lines:
            line = lines_by_id[cl.encounter_line_id]
            key = (enc.patient_id, enc.rendering_provider_id, line.dos_from or enc.dos_from)
            for other_claim in billed.get((*key, line.procedure), ()):
                if other_claim != record.id and other_claim not in chain:
                    duplicates.append((cl.line_no, other_claim))
        window = enc.dos_from - timedelta(days=PRIOR_SERVICE_DAYS)
        prior = [
            service
            for encounter_id, dos, service in earlier.get(enc.patient_id, ())
            if window <= dos < enc.dos_from and encounter_id != enc.id
        ]
        out.append(
            ScrubInput(
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
                enrollments=run.enrollments[s.payer.id or 0],
                authorizations=list(authorizations.get(enc.patient_id, ())),
                duplicates=duplicates,
                prior_services=prior,
                eligibility=run.eligibility[record.coverage_id],
            )
        )
    return out


def _read_eligibility(uow: UnitOfWork, run: ScrubRun, coverage_ids: Sequence[int]) -> None:
    """The snapshots of the coverages ``run`` has not seen yet (their 271s read in one batch,
    each parsed once)."""
    from revcycle.services.eligibility import latest_eligibilities

    missing = set(coverage_ids) - run.eligibility.keys()
    for coverage_id, found in latest_eligibilities(uow.eligibility, missing).items():
        run.eligibility[coverage_id] = _snapshot(found)


def _snapshot(found: LatestEligibility | None) -> EligibilitySnapshot | None:
    """What the latest usable 271 for the coverage said, for the rules that compare the claim
    with it (R11 coverage dates, R12 member, R39 other payer primary); None without one."""
    if found is None:
        return None
    response = found.response
    member = response.subscriber
    others = [e.name or e.identifier for e in response.other_payers if e.entity_code == "PRP"]
    others = others or [
        e.name or e.identifier for b in response.benefits if b.code == "R" for e in b.entities
    ]
    return EligibilitySnapshot(
        member_id=member.member_id if member else "",
        subscriber_last_name=member.last_name if member else "",
        subscriber_first_name=member.first_name if member else "",
        active_from=member.plan_begin if member else None,
        active_to=member.plan_end if member else None,
        active=response.coverage_status() != "inactive" and not response.rejected,
        other_payer_primary=others[0] if others else "",
    )


class _Holds:
    """The ``scrubber_hold`` items of one chunk's claims: opened, updated or closed in memory,
    written together by ``flush`` (events in the order the claims were scrubbed)."""

    def __init__(self, ctx: Context, uow: UnitOfWork, claim_ids: Sequence[int]) -> None:
        self.ctx, self.uow = ctx, uow
        self.open = uow.work_items.open_for_many(HOLD_QUEUE, "claim", claim_ids)
        self.added: list[WorkItem] = []
        self.updated: list[WorkItem] = []
        # (item id, or the claim id of an item added here; action, note)
        self.events: list[tuple[int | None, int, str, str]] = []

    def hold(self, claim: ClaimRecord, findings: Sequence[Finding]) -> None:
        assert claim.id is not None
        errors = [f for f in findings if f.severity == "error"]
        item = self.open.get(claim.id)
        if errors:
            reason = "; ".join(f"{f.code} {f.message}" for f in errors)[:400]
            if item is None:
                self.added.append(
                    WorkItem(
                        HOLD_QUEUE,
                        "claim",
                        claim.id,
                        reason,
                        priority=int(claim.total_charge.amount),
                    )
                )
                self.events.append((None, claim.id, "opened", reason))
            else:
                self.updated.append(replace(item, reason=reason))
                self.events.append((item.id or 0, claim.id, "rescrubbed", reason))
        elif item is not None:
            self.updated.append(replace(item, status="done"))
            self.events.append((item.id or 0, claim.id, "closed", "claim scrubbed clean"))

    def flush(self) -> None:
        self.uow.work_items.add_many(self.added)
        added = (
            self.uow.work_items.open_for_many(
                HOLD_QUEUE, "claim", [i.target_id for i in self.added]
            )
            if self.added
            else {}
        )
        self.uow.work_items.update_many(self.updated)
        now: datetime = self.ctx.clock.now()
        self.uow.work_items.add_events(
            [
                (item_id if item_id is not None else added[claim_id].id or 0,
                 now, self.ctx.actor, action, note)
                for item_id, claim_id, action, note in self.events
            ]
        )  # fmt: skip


def _scrub_records(
    ctx: Context,
    uow: UnitOfWork,
    records: Sequence[ClaimRecord],
    codesets: CodeSets,
    rules: PayerRules,
    run: ScrubRun,
) -> list[ScrubResult]:
    """Scrub ``records`` (distinct claims) inside ``uow``: findings stored under each claim's
    next run number, the claims moved on (history and audit), hold items kept; every kind of
    row written in one statement for all of them."""
    inputs = scrub_inputs(ctx, uow, records, codesets, rules, run)
    writes = ClaimWrites(ctx, uow)
    holds = _Holds(ctx, uow, [r.id or 0 for r in records])
    stored: list[tuple[int, StoredFinding]] = []
    results = []
    for given, scrub_in in zip(records, inputs, strict=True):
        assert given.id is not None
        findings = scrub(scrub_in)
        clean = is_clean(findings)
        run_no = given.scrub_runs + 1
        stored.extend(
            (given.id, StoredFinding(run_no, f.code, f.severity, f.message, f.location))
            for f in findings
        )
        record = writes.update(
            replace(
                given,
                scrub_runs=run_no,
                first_pass_clean=clean
                if given.first_pass_clean is None
                else given.first_pass_clean,
            )
        )
        errors = sum(f.severity == "error" for f in findings)
        if clean:
            record = writes.transition(record, "scrubbed_clean", f"scrub run {run_no}: clean")
            record = writes.transition(record, "ready", "clean claim, ready to submit")
        else:
            record = writes.transition(
                record, "scrubbed_errors", f"scrub run {run_no}: {errors} errors"
            )
        holds.hold(record, findings)
        results.append(ScrubResult(record, findings))
    uow.claims.save_findings_many(stored)
    writes.flush()
    holds.flush()
    return results


def scrub_one(
    ctx: Context, uow: UnitOfWork, record: ClaimRecord, codesets: CodeSets, rules: PayerRules
) -> ScrubResult:
    return _scrub_records(ctx, uow, [record], codesets, rules, ScrubRun())[0]


def chunked(ids: Sequence[int], size: int) -> Iterator[list[int]]:
    """``ids`` in order, at most ``size`` a chunk, a claim at most once a chunk (scrubbing it
    again must see what its first scrub wrote)."""
    chunk: list[int] = []
    seen: set[int] = set()
    for claim_id in ids:
        if len(chunk) == size or claim_id in seen:
            yield chunk
            chunk, seen = [], set()
        chunk.append(claim_id)
        seen.add(claim_id)
    if chunk:
        yield chunk


def _scrub_chunk(
    ctx: Context, ids: Sequence[int], codesets: CodeSets, rules: PayerRules, run: ScrubRun
) -> list[ScrubResult]:
    """Scrub the claims ``ids`` in one transaction."""
    with ctx.uow() as uow:
        by_id = {c.id: c for c in uow.claims.get_many(ids)}
        records = [by_id[i] if i in by_id else uow.claims.get(i) for i in ids]  # get: NotFound
        results = _scrub_records(ctx, uow, records, codesets, rules, run)
        uow.commit()
    return results


def scrub_claims(
    ctx: Context,
    claim_ids: Sequence[int] | None = None,
    *,
    codesets: CodeSets | None = None,
    payer_rules: Path | None = None,
    run: ScrubRun | None = None,
) -> list[ScrubResult]:
    """Scrub the given claims (default: every claim waiting for a scrub), in order, a chunk
    of claims a transaction. When a chunk fails, its claims are scrubbed again one
    transaction each, so those before the failing claim are kept and the failing one raises
    as it would alone. A caller scrubbing many claims in several calls passes one ``run``
    to all of them, so reference rows and eligibility snapshots are read (and each 271
    parsed) once, not once a call."""
    ctx.require(WRITE_PATIENTS)
    cs = codesets or default_codesets()
    rules = load_payer_rules(payer_rules)
    if claim_ids is not None:
        ids = list(claim_ids)
    else:
        with ctx.uow() as uow:
            ids = [i for status in SCRUBBABLE for i in uow.claims.ids_with_status(status)]
    results: list[ScrubResult] = []
    run = run if run is not None else ScrubRun()
    for chunk in chunked(ids, CHUNK):
        try:
            results.extend(_scrub_chunk(ctx, chunk, cs, rules, run))
        except Exception:
            if len(chunk) == 1:
                raise
            for claim_id in chunk:
                results.extend(_scrub_chunk(ctx, [claim_id], cs, rules, run))
    return results
