"""Fixes the scrubber's own rules point to, applied to held claims before they go out.

A held claim waits in the ``scrubber_hold`` queue. Some findings carry their remedy: R38 says
which modifiers the payer requires with a code; when the rule names one (or the payer's list
includes ``GP``, the physical-therapy plan of care the demo's therapy codes follow), the
modifier is added to the encounter line the claim bills and the claim is scrubbed again. What
needs a person (a referral or authorization number to obtain, a diagnosis to code from the
note, a duplicate to judge) stays queued. The claims are fixed a chunk a transaction (a
chunk that fails is redone one claim a transaction, so a bad claim does not hold back the
others), then rescrubbed; each change is audited.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from revcycle.codesets import CodeSets
from revcycle.domain.audit import AuditEntry
from revcycle.domain.payer import Payer
from revcycle.domain.user import WRITE_PATIENTS
from revcycle.scrubber.payer_rules import PayerRules, load_payer_rules
from revcycle.services.context import Context
from revcycle.services.denial_actions import ActionStoreFactory
from revcycle.services.scrubbing import CHUNK, ScrubResult, chunked, scrub_claims

FIXABLE = ("R38",)
PREFERRED_MODIFIERS = ("GP",)


@dataclass
class FixReport:
    fixed: list[int] = field(default_factory=list)  # claims now clean
    still_held: list[int] = field(default_factory=list)
    modifiers_added: int = 0


def _modifier_for(options: frozenset[str]) -> str | None:
    if len(options) == 1:
        return next(iter(options))
    return next((m for m in PREFERRED_MODIFIERS if m in options), None)


def fix_held(
    ctx: Context,
    results: Sequence[ScrubResult],
    *,
    store: ActionStoreFactory,
    codesets: CodeSets | None = None,
    payer_rules: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> FixReport:
    """Apply the fixes the findings of ``results`` carry and rescrub the claims fixed."""
    ctx.require(WRITE_PATIENTS)  # as the scrubber itself
    rules = load_payer_rules(payer_rules)
    fixable: list[int] = []
    for result in results:
        claim = result.claim
        if result.clean or claim.id is None:
            continue
        errors = [f for f in result.findings if f.severity == "error"]
        if errors and all(f.code in FIXABLE for f in errors):
            fixable.append(claim.id)
    # claim id -> modifiers added each time it was fixed (None: not held any more)
    added: dict[int, list[int | None]] = {}
    payers: dict[int, Payer] = {}
    for chunk in chunked(fixable, CHUNK):
        try:
            outcomes = _fix(ctx, chunk, rules, store, payers)
        except Exception:
            if len(chunk) == 1:
                raise
            outcomes = []  # the good ones land, the bad one raises as alone
            for claim_id in chunk:
                outcomes.extend(_fix(ctx, [claim_id], rules, store, payers))
        for claim_id, count in zip(chunk, outcomes, strict=True):
            added.setdefault(claim_id, []).append(count)
    report = FixReport()
    touched: list[int] = []
    for result in results:
        claim = result.claim
        if result.clean or claim.id is None:
            continue
        if claim.id not in added:  # a finding no rule fixes: a person's work
            report.still_held.append(claim.id)
            continue
        count = added[claim.id].pop(0)
        if count is None:  # fixed or sent since: not held any more
            continue
        if not count:
            report.still_held.append(claim.id)
            continue
        report.modifiers_added += count
        touched.append(claim.id)
        if progress is not None:
            progress(1)
    if touched:
        for again in scrub_claims(ctx, touched, codesets=codesets, payer_rules=payer_rules):
            assert again.claim.id is not None
            (report.fixed if again.clean else report.still_held).append(again.claim.id)
    return report


def _fix(
    ctx: Context,
    claim_ids: Sequence[int],
    rules: PayerRules,
    store: ActionStoreFactory,
    payers: dict[int, Payer],
) -> list[int | None]:
    """Add the required modifiers the claims ``claim_ids`` (distinct) lack, in one
    transaction: how many were added to each claim (None for a claim no longer held)."""
    out: list[int | None] = []
    with ctx.uow() as uow:
        by_id = {c.id: c for c in uow.claims.get_many(claim_ids)}
        records = [by_id[i] if i in by_id else uow.claims.get(i) for i in claim_ids]  # NotFound
        held = [r for r in records if r.status == "scrubbed_errors"]
        for payer in uow.payers.get_many(sorted({r.payer_id for r in held} - payers.keys())):
            payers[payer.id or 0] = payer
        encounters = {e.id: e for e in uow.encounters.get_many([r.encounter_id for r in held])}
        modifiers: dict[int, tuple[str, ...]] = {}  # lines changed here (two claims, one line)
        audits: list[AuditEntry] = []
        actions = store(uow)
        for record in records:
            assert record.id is not None
            if record.status != "scrubbed_errors":  # fixed or sent since: not held any more
                out.append(None)
                continue
            payer = payers.get(record.payer_id) or uow.payers.get(record.payer_id)  # NotFound
            required = dict(rules.for_payer(payer.payer_id).required_modifiers)
            encounter = encounters.get(record.encounter_id) or uow.encounters.get(
                record.encounter_id
            )
            by_line = {ln.id: ln for ln in encounter.lines}
            added = 0
            for cl in record.lines:
                line = by_line[cl.encounter_line_id]
                options = required.get(line.procedure)
                if line.id is None:
                    continue
                current = modifiers.get(line.id, line.modifiers)
                if not options or options & set(current):
                    continue
                modifier = _modifier_for(options)
                if modifier is None or len(current) >= 4:
                    continue
                modifiers[line.id] = (*current, modifier)
                actions.edit_encounter_line(line.id, modifiers[line.id], line.procedure)
                audits.append(
                    AuditEntry(
                        ctx.clock.now(), ctx.actor, ctx.channel, "update", "encounter_line",
                        str(line.id), ctx.practice_id,
                    )
                )  # fmt: skip
                added += 1
            out.append(added)
        uow.audit.record_many(audits)
        uow.commit()
    return out
