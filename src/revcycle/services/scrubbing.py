"""Scrubbing claims: run the scrubber's rules, store the findings, move the claim on.

Rules kept here:
- a claim with an error finding becomes ``scrubbed_errors`` and gets an open item in the
  ``scrubber_hold`` work queue (one per claim); a clean one becomes ``scrubbed_clean`` then
  ``ready`` and its hold item, if any, is closed;
- the result of a claim's first scrub is kept (``first_pass_clean``) for the clean claim rate;
- every run's findings are stored under its run number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from revcycle.codesets import CodeSets, Finding, default_codesets
from revcycle.domain.claim_record import ClaimRecord, StoredFinding
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
from revcycle.services.claim_builder import build_claim, load_sources
from revcycle.services.claims import transition
from revcycle.services.context import Context
from revcycle.services.ports import UnitOfWork
from revcycle.services.secondary import related_claims

SCRUBBABLE = ("draft", "scrubbed_errors", "scrubbed_clean")

# Reference data a scrub run reads for every claim and never changes: read once per run.
_REFERENCE_READS = {
    "practices": ("get",),
    "payers": ("get",),
    "plans": ("get",),
    "providers": ("get",),
    "facilities": ("get",),
    "enrollments": ("for_payer",),
}


class _RememberedReads:
    """One repository of ``_REFERENCE_READS`` whose listed reads are answered from memory after
    the first; anything else goes to the repository."""

    def __init__(self, repo: object, methods: tuple[str, ...], memo: dict[Any, Any]) -> None:
        self._repo, self._methods, self._memo = repo, methods, memo

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._repo, name)
        if name not in self._methods:
            return target

        def remembered(*args: Any) -> Any:
            key = (name, args)
            if key not in self._memo:
                self._memo[key] = target(*args)
            return self._memo[key]

        return remembered


class _ScrubRunUow:
    """The unit of work of one claim's scrub, sharing the run's remembered reference reads."""

    def __init__(self, uow: UnitOfWork, memo: dict[str, dict[Any, Any]]) -> None:
        self._uow, self._memo = uow, memo

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._uow, name)
        methods = _REFERENCE_READS.get(name)
        if methods is None:
            return target
        return _RememberedReads(target, methods, self._memo.setdefault(name, {}))


def _with_remembered_reads(memo: dict[str, dict[Any, Any]]) -> Callable[[UnitOfWork], UnitOfWork]:
    return lambda uow: cast(UnitOfWork, _ScrubRunUow(uow, memo))


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
    s = load_sources(uow, record)
    claim = build_claim(s)
    enc = s.encounter
    duplicates: list[tuple[int, int]] = []
    cob_chain = related_claims(uow, record.id or 0)  # the same service to the next payer: COB
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
        claim=claim,
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
        eligibility=_snapshot(uow, record.coverage_id),
    )


def _snapshot(uow: UnitOfWork, coverage_id: int) -> EligibilitySnapshot | None:
    """What the latest usable 271 for the coverage said, for the rules that compare the claim
    with it (R11 coverage dates, R12 member, R39 other payer primary); None without one."""
    from revcycle.services.eligibility import latest_eligibility

    found = latest_eligibility(uow.eligibility, coverage_id)
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


def _hold(ctx: Context, uow: UnitOfWork, claim: ClaimRecord, findings: Sequence[Finding]) -> None:
    assert claim.id is not None
    errors = [f for f in findings if f.severity == "error"]
    item = uow.work_items.open_for("scrubber_hold", "claim", claim.id)
    now = ctx.clock.now()
    if errors:
        reason = "; ".join(f"{f.code} {f.message}" for f in errors)[:400]
        if item is None:
            item = uow.work_items.add(
                WorkItem(
                    "scrubber_hold",
                    "claim",
                    claim.id,
                    reason,
                    priority=int(claim.total_charge.amount),
                )
            )
            uow.work_items.add_event(item.id or 0, now, ctx.actor, "opened", reason)
        else:
            uow.work_items.update(replace(item, reason=reason))
            uow.work_items.add_event(item.id or 0, now, ctx.actor, "rescrubbed", reason)
    elif item is not None:
        uow.work_items.update(replace(item, status="done"))
        uow.work_items.add_event(item.id or 0, now, ctx.actor, "closed", "claim scrubbed clean")


def scrub_one(
    ctx: Context, uow: UnitOfWork, record: ClaimRecord, codesets: CodeSets, rules: PayerRules
) -> ScrubResult:
    assert record.id is not None
    findings = scrub(scrub_input(ctx, uow, record, codesets, rules))
    clean = is_clean(findings)
    run = record.scrub_runs + 1
    uow.claims.save_findings(
        record.id, [StoredFinding(run, f.code, f.severity, f.message, f.location) for f in findings]
    )
    record = replace(
        record,
        scrub_runs=run,
        first_pass_clean=clean if record.first_pass_clean is None else record.first_pass_clean,
    )
    uow.claims.update(record)
    errors = sum(f.severity == "error" for f in findings)
    if clean:
        record = transition(uow, ctx, record, "scrubbed_clean", f"scrub run {run}: clean")
        record = transition(uow, ctx, record, "ready", "clean claim, ready to submit")
    else:
        record = transition(
            uow, ctx, record, "scrubbed_errors", f"scrub run {run}: {errors} errors"
        )
    _hold(ctx, uow, record, findings)
    return ScrubResult(record, findings)


def scrub_claims(
    ctx: Context,
    claim_ids: Sequence[int] | None = None,
    *,
    codesets: CodeSets | None = None,
    payer_rules: Path | None = None,
) -> list[ScrubResult]:
    """Scrub the given claims (default: every claim waiting for a scrub), one transaction each."""
    ctx.require(WRITE_PATIENTS)
    cs = codesets or default_codesets()
    rules = load_payer_rules(payer_rules)
    with ctx.uow() as uow:
        ids = (
            list(claim_ids)
            if claim_ids is not None
            else [
                c.id
                for status in SCRUBBABLE
                for c in uow.claims.list(status=status)
                if c.id is not None
            ]
        )
    results = []
    remembered = _with_remembered_reads({})
    for claim_id in ids:
        with ctx.uow() as uow:
            run = remembered(uow)
            results.append(scrub_one(ctx, run, uow.claims.get(claim_id), cs, rules))
            uow.commit()
    return results
