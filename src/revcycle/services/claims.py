"""Claims: created from encounters, moved through their lifecycle, scrubbed, shown.

Rules kept here:
- one original claim per encounter and coverage: ``create_claims`` bills each encounter that
  has none yet to its first coverage (the primary on the date of service), so running it twice
  creates nothing twice;
- the patient control number comes from the practice's ``claim`` sequence and never changes;
  every line gets a line item control number (REF*6R);
- every status change is checked against ``domain.claim_status`` and recorded in the claim's
  history with who, when and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from revcycle.domain.audit import AuditEntry
from revcycle.domain.claim_record import (
    ClaimEvent,
    ClaimLineRecord,
    ClaimRecord,
    StoredFinding,
    line_control_number,
    patient_control_number,
)
from revcycle.domain.claim_status import EDITABLE, check_transition
from revcycle.domain.encounter import Encounter
from revcycle.domain.errors import DomainValidationError
from revcycle.domain.money import Money
from revcycle.domain.user import READ_REGISTRATION, WRITE_PATIENTS
from revcycle.services.context import Context
from revcycle.services.ports import UnitOfWork


def _records_for(
    ctx: Context, uow: UnitOfWork, encounters: Sequence[Encounter]
) -> list[ClaimRecord]:
    """Claim records (not yet stored) for encounters billed to their first coverage."""
    assert ctx.practice_id is not None
    billable = [e for e in encounters if e.coverage_ids]  # self-pay: nothing to bill to a payer
    if not billable:
        return []
    numbers = uow.sequences.next_block(ctx.practice_id, "claim", len(billable))
    payer_of_plan = {p.id: p.payer_id for p in uow.plans.list()}
    payer_of_coverage: dict[int, tuple[int, int]] = {}
    wanted = {e.coverage_ids[0] for e in billable}
    if len(wanted) > 20:  # many coverages: read together instead of one at a time
        for cov in uow.coverages.get_many(sorted(wanted)):
            if cov.id is not None:
                payer_of_coverage[cov.id] = (cov.id, payer_of_plan[cov.plan_id])
    records = []
    for enc, number in zip(billable, numbers, strict=True):
        assert enc.id is not None
        cov_id = enc.coverage_ids[0]
        if cov_id not in payer_of_coverage:
            coverage = uow.coverages.get(cov_id)
            payer_of_coverage[cov_id] = (coverage.id or 0, payer_of_plan[coverage.plan_id])
        coverage_id, payer_id = payer_of_coverage[cov_id]
        pcn = patient_control_number(ctx.practice_id, number)
        lines = tuple(
            ClaimLineRecord(
                n, line.id or 0, line_control_number(pcn, n), line.charge or Money.zero()
            )
            for n, line in enumerate(enc.lines, start=1)
        )
        records.append(
            ClaimRecord(
                encounter_id=enc.id,
                coverage_id=coverage_id,
                payer_id=payer_id,
                kind=enc.kind,
                patient_control_number=pcn,
                total_charge=Money.sum(line.charge for line in lines),
                lines=lines,
            )
        )
    return records


def _post_charges(
    ctx: Context, uow: UnitOfWork, created: Sequence[ClaimRecord], now: datetime
) -> None:
    """Put the new claims' charges on the ledger, owed by the payer billed: the receivable
    exists from the day the claim does (A/R, days in A/R), not from the day it is paid."""
    from revcycle.posting import claim_charge_entry

    if not created or ctx.practice_id is None:
        return
    billed = uow.ledger.billed_claims(ctx.practice_id, [c.patient_control_number for c in created])
    uow.ledger.add_entries(
        ctx.practice_id,
        [
            claim_charge_entry(
                b, min((ln.service_date for ln in b.lines if ln.service_date), default=None)
            )
            for b in billed
        ],
        now,
    )


CREATE_CHUNK = 2000  # encounters read and billed at a time (memory stays flat)


def create_claims(ctx: Context, encounter_ids: Sequence[int] | None = None) -> list[ClaimRecord]:
    """Claims for the given encounters (default: every encounter without one), in one
    transaction: all are created or none. Without ``encounter_ids`` the encounters are read
    and billed ``CREATE_CHUNK`` at a time, in the same order (and so with the same numbers)
    as all at once, so a month of encounters is never held in memory together."""
    ctx.require(WRITE_PATIENTS)
    created: list[ClaimRecord] = []
    with ctx.uow() as uow:
        if encounter_ids is None:
            ids = uow.encounters.ids_without_claims(ctx.clock.today())
            for start in range(0, len(ids), CREATE_CHUNK):
                chunk = ids[start : start + CREATE_CHUNK]
                by_id = {e.id: e for e in uow.encounters.get_many(chunk)}
                created.extend(_create(ctx, uow, [by_id[i] for i in chunk]))
        else:
            encounters = [uow.encounters.get(i) for i in encounter_ids]
            encounters = [e for e in encounters if not uow.claims.for_encounter(e.id or 0)]
            created = _create(ctx, uow, encounters)
        uow.commit()
    return created


def _create(ctx: Context, uow: UnitOfWork, encounters: Sequence[Encounter]) -> list[ClaimRecord]:
    """``create_claims`` for ``encounters`` inside the caller's unit of work."""
    created = uow.claims.add_many(_records_for(ctx, uow, encounters))
    now = ctx.clock.now()
    _post_charges(ctx, uow, created, now)
    uow.claims.add_events(
        [
            (c.id or 0, ClaimEvent(now, ctx.actor, None, "draft", "created from encounter"))
            for c in created
        ]
    )
    uow.audit.record_many(
        [
            AuditEntry(now, ctx.actor, ctx.channel, "create", "claim", str(c.id), ctx.practice_id)
            for c in created
        ]
    )
    return created


def transition(
    uow: UnitOfWork, ctx: Context, claim: ClaimRecord, target: str, reason: str
) -> ClaimRecord:
    """Move a claim to ``target`` inside the caller's unit of work, recording why."""
    assert claim.id is not None
    check_transition(claim.status, target)
    updated = replace(claim, status=target)
    uow.claims.update(updated)
    uow.claims.add_event(
        claim.id, ClaimEvent(ctx.clock.now(), ctx.actor, claim.status, target, reason)
    )
    ctx.audit(uow, "update", "claim", claim.id)
    return updated


def change_status(ctx: Context, claim_id: int, target: str, reason: str) -> ClaimRecord:
    ctx.require(WRITE_PATIENTS)
    if not reason.strip():
        raise DomainValidationError.single("reason", "required", "say why the claim changes state")
    with ctx.uow() as uow:
        claim = transition(uow, ctx, uow.claims.get(claim_id), target, reason.strip())
        uow.commit()
    return claim


@dataclass(frozen=True)
class ClaimDetail:
    record: ClaimRecord
    encounter: Encounter
    history: Sequence[ClaimEvent]
    findings: Sequence[StoredFinding]


def get_claim(ctx: Context, claim_id: int) -> ClaimDetail:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        record = uow.claims.get(claim_id)
        detail = ClaimDetail(
            record,
            uow.encounters.get(record.encounter_id),
            uow.claims.history(claim_id),
            uow.claims.findings(claim_id, record.scrub_runs) if record.scrub_runs else (),
        )
        ctx.audit(uow, "read", "claim", claim_id)
        uow.commit()
    return detail


def claim_id_of(ctx: Context, key: str) -> int:
    """The id of a claim given by id or patient control number."""
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        return find_claim(uow, key).id or 0


def list_claims(ctx: Context, status: str | None = None) -> Sequence[ClaimRecord]:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        return uow.claims.list(status=status)


def find_claim(uow: UnitOfWork, key: str) -> ClaimRecord:
    """A claim by id or patient control number."""
    claim = uow.claims.by_pcn(key.strip().upper())
    if claim is None and key.strip().isdigit():
        claim = uow.claims.get(int(key))
    if claim is None:
        from revcycle.domain.errors import NotFound

        raise NotFound("claim", key)
    return claim


def is_editable(claim: ClaimRecord) -> bool:
    return claim.status in EDITABLE


FOLLOW_UP = {"7": "replacement", "8": "void"}


def follow_up_claim(ctx: Context, claim_id: int, frequency: str, reason: str) -> ClaimRecord:
    """A replacement (frequency 7) or void (frequency 8) of a claim the payer has adjudicated:
    a new claim for the same encounter and coverage, carrying the payer's claim number (REF*F8).
    The original is marked ``corrected`` (superseded), both with the reason in their history."""
    ctx.require(WRITE_PATIENTS)
    with ctx.uow() as uow:
        created = follow_up(uow, ctx, claim_id, frequency, reason)
        uow.commit()
    return created


def follow_up(
    uow: UnitOfWork, ctx: Context, claim_id: int, frequency: str, reason: str
) -> ClaimRecord:
    """``follow_up_claim`` inside the caller's unit of work (which commits)."""
    if frequency not in FOLLOW_UP:
        raise DomainValidationError.single(
            "frequency", "frequency_unknown", "7 (replacement) or 8 (void)"
        )
    if not reason.strip():
        raise DomainValidationError.single(
            "reason", "required", "say why the claim is replaced or voided"
        )
    original = uow.claims.get(claim_id)
    if not original.payer_claim_number:
        raise DomainValidationError.single(
            "claim",
            "no_payer_claim_number",
            "the payer has not given this claim a number yet; correct and resend it instead",
        )
    check_transition(original.status, "corrected")
    enc = uow.encounters.get(original.encounter_id)
    [record] = _records_for(ctx, uow, [replace(enc, coverage_ids=(original.coverage_id,))])
    record = replace(record, frequency=frequency, original_claim_id=original.id)
    [created] = uow.claims.add_many([record])
    now = ctx.clock.now()
    kind = FOLLOW_UP[frequency]
    uow.claims.add_events(
        [
            (
                created.id or 0,
                ClaimEvent(
                    now,
                    ctx.actor,
                    None,
                    "draft",
                    f"{kind} of claim {original.id}: {reason.strip()}",
                ),
            )
        ]
    )
    transition(
        uow, ctx, original, "corrected", f"{kind} sent as claim {created.id}: {reason.strip()}"
    )
    ctx.audit(uow, "create", "claim", created.id)
    return created


def new_claim_for(
    uow: UnitOfWork, ctx: Context, original: ClaimRecord, coverage_id: int, reason: str
) -> ClaimRecord:
    """A new original claim (frequency 1) for ``original``'s encounter billed to
    ``coverage_id`` (the same coverage when the payer wants a new claim instead of a
    replacement, another one to rebill), its charges put on the ledger; inside the caller's
    unit of work. The caller decides what happens to ``original``."""
    enc = uow.encounters.get(original.encounter_id)
    [record] = _records_for(ctx, uow, [replace(enc, coverage_ids=(coverage_id,))])
    [created] = uow.claims.add_many([record])
    now = ctx.clock.now()
    _post_charges(ctx, uow, [created], now)
    uow.claims.add_event(
        created.id or 0,
        ClaimEvent(now, ctx.actor, None, "draft", f"new claim for claim {original.id}: {reason}"),
    )
    ctx.audit(uow, "create", "claim", created.id)
    return created
