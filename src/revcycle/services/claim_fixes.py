"""Fixes the scrubber's own rules point to, applied to held claims before they go out.

A held claim waits in the ``scrubber_hold`` queue. Some findings carry their remedy: R38 says
which modifiers the payer requires with a code; when the rule names one (or the payer's list
includes ``GP``, the physical-therapy plan of care the demo's therapy codes follow), the
modifier is added to the encounter line the claim bills and the claim is scrubbed again. What
needs a person (a referral or authorization number to obtain, a diagnosis to code from the
note, a duplicate to judge) stays queued. Each claim is fixed and rescrubbed in its own
transaction; the change is audited.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from revcycle.codesets import CodeSets
from revcycle.domain.user import WRITE_PATIENTS
from revcycle.scrubber.payer_rules import load_payer_rules
from revcycle.services.context import Context
from revcycle.services.denial_actions import ActionStoreFactory
from revcycle.services.scrubbing import ScrubResult, scrub_claims

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
    report = FixReport()
    touched: list[int] = []
    for result in results:
        claim = result.claim
        if result.clean or claim.id is None:
            continue
        errors = [f for f in result.findings if f.severity == "error"]
        if not errors or any(f.code not in FIXABLE for f in errors):
            report.still_held.append(claim.id)
            continue
        with ctx.uow() as uow:
            record = uow.claims.get(claim.id)
            if record.status != "scrubbed_errors":  # fixed or sent since: not held any more
                continue
            payer = uow.payers.get(record.payer_id)
            required = dict(rules.for_payer(payer.payer_id).required_modifiers)
            encounter = uow.encounters.get(record.encounter_id)
            by_id = {ln.id: ln for ln in encounter.lines}
            added = 0
            for cl in record.lines:
                line = by_id[cl.encounter_line_id]
                options = required.get(line.procedure)
                if not options or options & set(line.modifiers) or line.id is None:
                    continue
                modifier = _modifier_for(options)
                if modifier is None or len(line.modifiers) >= 4:
                    continue
                store(uow).edit_encounter_line(line.id, (*line.modifiers, modifier), line.procedure)
                ctx.audit(uow, "update", "encounter_line", line.id)
                added += 1
            uow.commit()
        if not added:
            report.still_held.append(claim.id)
            continue
        report.modifiers_added += added
        touched.append(claim.id)
        if progress is not None:
            progress(1)
    if touched:
        for again in scrub_claims(ctx, touched, codesets=codesets, payer_rules=payer_rules):
            assert again.claim.id is not None
            (report.fixed if again.clean else report.still_held).append(again.claim.id)
    return report
