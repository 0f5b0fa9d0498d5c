"""Denial records: creation from the sources, the work queue and prevention patterns.

Creation runs inside the unit of work that applies the source, so a denial exists exactly when
its 835, 277CA or 999 has been applied: ``record_era_denials`` (from ``services.era``'s
posting), ``record_rejection`` (from ``services.inbox``'s 277CA / 999 rejection paths). Each
record is classified (``revcycle.denials.classify``) and given its deadlines
(``revcycle.denials.deadlines``); recording the same source twice creates nothing.

The queue: ``list_denials`` (filters + keyset page, highest priority first), ``show``,
``assign``, ``add_note``, ``set_follow_up``, ``close`` (by ids or by filter), ``queues`` (every
queue with its count) and ``patterns`` (payer x procedure x CARC with a suggested scrubber
rule). Reads need ``billing:read`` and are audited; changes need ``billing:write`` and are
recorded in the denial's history. The store comes from ``revcycle.db.denial_repo`` through
``DenialStoreFactory`` (default resolved by name, so this module imports nothing of ``db``).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, cast

from revcycle.codesets.reference import bundled_lists
from revcycle.denials.classify import carc_description, classify
from revcycle.denials.deadlines import appeal_deadline, timely_filing_deadline
from revcycle.domain.claim_record import ClaimRecord
from revcycle.domain.denial import (
    AGING_BUCKETS,
    FINAL_STATUSES,
    STATUSES,
    Denial,
    DenialEvent,
    aging_bucket,
)
from revcycle.domain.errors import DomainValidationError
from revcycle.domain.money import Money
from revcycle.domain.payer import Payer
from revcycle.domain.user import READ_BILLING, WRITE_BILLING
from revcycle.domain.workqueue import QUEUES
from revcycle.posting.model import BilledClaim, DenialRecord
from revcycle.services.context import Context
from revcycle.services.denial_ports import (
    DenialFilter,
    DenialPage,
    DenialPattern,
    DenialStore,
    DenialStoreFactory,
)
from revcycle.services.ports import UnitOfWork

DEFAULT_STORE = "revcycle.db.denial_repo:denial_store"
MAX_PAGE = 500
#: Queues ``revcycle queues`` always lists, even before a module fills them.
EXTRA_QUEUES: dict[str, str] = {"underpayments": "Lines paid below the contract (variance)"}


def default_store(uow: UnitOfWork) -> DenialStore:
    """The database's denial store on ``uow`` (resolved at call time, by name)."""
    module, _, name = DEFAULT_STORE.partition(":")
    factory = cast(DenialStoreFactory, getattr(importlib.import_module(module), name))
    return factory(uow)


# ---- creation ---------------------------------------------------------------------------------


def _payers(uow: UnitOfWork) -> dict[int, Payer]:
    return {p.id: p for p in uow.payers.list() if p.id is not None}


def _build(
    claim: ClaimRecord,
    payer: Payer | None,
    *,
    source: str,
    source_ref: str,
    amount: Money,
    denied_on: date,
    dos: date | None,
    line_id: int | None = None,
    carcs: Sequence[str] = (),
    rarcs: Sequence[str] = (),
    statuses: Sequence[str] = (),
    errors: str = "",
    payer_claim_number: str | None = None,
) -> Denial:
    payer_class = payer.payer_class if payer else "commercial"
    found = classify(
        source, carcs, rarcs, payer_class=payer_class, statuses=statuses, errors=errors
    )
    assert claim.id is not None
    return Denial(
        claim_id=claim.id,
        source=source,
        source_ref=source_ref,
        category=found.category,
        action=found.action,
        amount=amount,
        denied_on=denied_on,
        line_id=line_id,
        payer_id=claim.payer_id,
        payer_claim_number=payer_claim_number or claim.payer_claim_number,
        carcs=tuple(carcs) or tuple(statuses),
        rarcs=tuple(rarcs),
        timely_filing_deadline=timely_filing_deadline(
            dos, payer.timely_filing_days if payer else 365
        ),
        appeal_deadline=(
            appeal_deadline(denied_on, payer_class, appealable=found.appealable)
            if source == "835"
            else None
        ),
    )


def record_era_denials(
    ctx: Context,
    uow: UnitOfWork,
    records: Sequence[DenialRecord],
    billed: Sequence[BilledClaim],
    denied_on: date,
    trace: str,
    *,
    store: DenialStoreFactory | None = None,
) -> list[Denial]:
    """Denial records for the denials of one posted 835 transaction (claim and line level).

    ``source_ref`` is ``"<TRN02 trace>:<payer claim number>"``: one adjudication of one claim.
    """
    if not records:
        return []
    claims = {
        c.id: c
        for c in uow.claims.get_many(sorted({int(r.claim_id) for r in records}))
        if c.id is not None
    }
    payers = _payers(uow)
    dates: dict[str, date | None] = {}
    for b in billed:
        for ln in b.lines:
            dates[ln.line_id] = ln.service_date
        dates[b.claim_id] = min(
            (ln.service_date for ln in b.lines if ln.service_date), default=None
        )
    out: list[Denial] = []
    for r in records:
        claim = claims.get(int(r.claim_id))
        if claim is None:
            continue
        out.append(
            _build(
                claim,
                payers.get(claim.payer_id),
                source="835",
                source_ref=f"{trace}:{r.payer_claim_control_number}",
                amount=r.amount,
                denied_on=denied_on,
                dos=dates.get(r.line_id or r.claim_id) or dates.get(r.claim_id),
                line_id=int(r.line_id) if r.line_id else None,
                carcs=r.carcs,
                rarcs=r.remarks,
                payer_claim_number=r.payer_claim_control_number or None,
            )
        )
    return (store or default_store)(uow).add_many(out, ctx.actor)


def record_rejection(
    ctx: Context,
    uow: UnitOfWork,
    claim: ClaimRecord,
    source: str,
    source_ref: str,
    *,
    statuses: Sequence[str] = (),
    errors: str = "",
    store: DenialStoreFactory | None = None,
) -> list[Denial]:
    """A denial record for a claim a 277CA (STC codes) or a 999 (set errors) rejected."""
    payer = uow.payers.get(claim.payer_id)
    dos = uow.encounters.get(claim.encounter_id).dos_from
    denial = _build(
        claim,
        payer,
        source=source,
        source_ref=source_ref,
        amount=claim.total_charge,
        denied_on=ctx.clock.today(),
        dos=dos,
        statuses=statuses,
        errors=errors,
    )
    return (store or default_store)(uow).add_many([denial], ctx.actor)


# ---- the queue --------------------------------------------------------------------------------


def _choice(field: str, value: str | None, allowed: Sequence[str]) -> None:
    if value is not None and value not in allowed:
        raise DomainValidationError.single(
            field, "choice", f"{field} must be one of {', '.join(allowed)}"
        )


def make_filter(
    *,
    status: str | None = None,
    category: str | None = None,
    payer_id: int | None = None,
    owner: str | None = None,
    aging: str | None = None,
    due_before: date | None = None,
    claim_id: int | None = None,
) -> DenialFilter:
    """A checked filter; ``status`` ``None`` means the open ones, ``"all"`` any status."""
    from revcycle.codesets.reference import ROOT_CAUSES

    if status not in (None, "all"):
        _choice("status", status, STATUSES)
    _choice("category", category, ROOT_CAUSES)
    _choice("aging", aging, tuple(AGING_BUCKETS))
    statuses: tuple[str, ...]
    if status is None:
        statuses = ("open", "in_progress")
    elif status == "all":
        statuses = ()
    else:
        statuses = (status,)
    return DenialFilter(statuses, category, payer_id, owner, aging, due_before, claim_id)


def list_denials(
    ctx: Context,
    where: DenialFilter | None = None,
    *,
    limit: int = 50,
    after: str | None = None,
    store: DenialStoreFactory | None = None,
) -> DenialPage:
    """One page of the denial queue, highest priority (dollars x urgency) first."""
    ctx.require(READ_BILLING)
    if not 1 <= limit <= MAX_PAGE:
        raise DomainValidationError.single("limit", "range", f"limit must be 1 to {MAX_PAGE}")
    with ctx.uow() as uow:
        page = (store or default_store)(uow).page(
            where or DenialFilter(), ctx.clock.today(), limit, after
        )
        ctx.audit(uow, "list", "denials", len(page.items))
        uow.commit()
    return page


def show(
    ctx: Context, denial_id: int, *, store: DenialStoreFactory | None = None
) -> dict[str, Any]:
    """A denial with its claim, its codes and their meaning, and its history (JSON-ready)."""
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        denials = (store or default_store)(uow)
        d = denials.get(denial_id)
        claim = uow.claims.get(d.claim_id)
        payer = uow.payers.get(d.payer_id) if d.payer_id else None
        events = denials.events(denial_id)
        ctx.audit(uow, "read", "denial", denial_id)
        uow.commit()
    doc = denial_json(d, ctx.clock.today())
    doc["claim"] = {
        "id": claim.id,
        "patient_control_number": claim.patient_control_number,
        "status": claim.status,
        "total_charge": claim.total_charge.to_json(),
        "payer_claim_number": claim.payer_claim_number,
        "frequency": claim.frequency,
    }
    doc["payer"] = None if payer is None else {"name": payer.name, "payer_id": payer.payer_id}
    doc["codes"] = code_meanings(d)
    doc["history"] = [event_json(e) for e in events]
    return doc


def code_meanings(d: Denial) -> list[dict[str, str]]:
    """Each code of the denial with its meaning (bundled descriptions)."""
    rarc_list = bundled_lists()["rarc"]
    out: list[dict[str, str]] = []
    if d.source == "835":
        for carc in d.carcs:
            code = carc.split("-", 1)[-1]
            out.append({"kind": "CARC", "code": carc, "meaning": carc_description(code)})
    else:
        out.extend({"kind": f"{d.source} status", "code": c, "meaning": ""} for c in d.carcs)
    for rarc in d.rarcs:
        entry = rarc_list.get(rarc)
        out.append({"kind": "RARC", "code": rarc, "meaning": entry.description if entry else ""})
    return out


def _ids_or_filter(
    denials: DenialStore, ids: Sequence[int], where: DenialFilter | None, today: date
) -> list[int]:
    if ids and where is not None:
        raise DomainValidationError.single("ids", "either", "give ids or a filter, not both")
    if ids:
        return list(dict.fromkeys(ids))
    if where is None:
        raise DomainValidationError.single("ids", "required", "give ids or a filter")
    return denials.ids(where, today)


def assign(
    ctx: Context,
    ids: Sequence[int],
    owner: str,
    *,
    where: DenialFilter | None = None,
    store: DenialStoreFactory | None = None,
) -> list[Denial]:
    """Give denials (by ids, or every one a filter matches) to ``owner``; open ones start."""
    ctx.require(WRITE_BILLING)
    owner = owner.strip()
    if not owner:
        raise DomainValidationError.single("owner", "required", "name who works the denials")
    with ctx.uow() as uow:
        denials = (store or default_store)(uow)
        done: list[Denial] = []
        for denial_id in _ids_or_filter(denials, ids, where, ctx.clock.today()):
            d = denials.get(denial_id)
            moved = replace(d, owner=owner[:80])
            if d.status == "open":
                moved = moved.moved_to("in_progress")
            done.append(denials.update(moved))
            denials.add_event(denial_id, "assigned", ctx.actor, f"to {owner}")
        uow.commit()
    return done


def add_note(
    ctx: Context, denial_id: int, text: str, *, store: DenialStoreFactory | None = None
) -> DenialEvent:
    """Record a note in the denial's history."""
    ctx.require(WRITE_BILLING)
    if not text.strip():
        raise DomainValidationError.single("note", "required", "the note is empty")
    with ctx.uow() as uow:
        denials = (store or default_store)(uow)
        denials.get(denial_id)
        event = denials.add_event(denial_id, "note", ctx.actor, text.strip())
        uow.commit()
    return event


def set_follow_up(
    ctx: Context, denial_id: int, when: date, *, store: DenialStoreFactory | None = None
) -> Denial:
    """Set the date the denial must be looked at again."""
    ctx.require(WRITE_BILLING)
    with ctx.uow() as uow:
        denials = (store or default_store)(uow)
        d = denials.update(replace(denials.get(denial_id), follow_up=when))
        denials.add_event(denial_id, "follow_up", ctx.actor, when.isoformat())
        uow.commit()
    return d


def close(
    ctx: Context,
    ids: Sequence[int],
    reason: str,
    *,
    where: DenialFilter | None = None,
    store: DenialStoreFactory | None = None,
) -> list[Denial]:
    """Close denials (by ids or filter) with a resolution text; final ones are left as they are."""
    ctx.require(WRITE_BILLING)
    if not reason.strip():
        raise DomainValidationError.single("reason", "required", "say why the denials are closed")
    with ctx.uow() as uow:
        denials = (store or default_store)(uow)
        done: list[Denial] = []
        for denial_id in _ids_or_filter(denials, ids, where, ctx.clock.today()):
            d = denials.get(denial_id)
            if d.status == "closed":
                continue
            moved = replace(d.moved_to("closed"), resolution=reason.strip()[:1000])
            done.append(denials.update(moved))
            denials.add_event(denial_id, "closed", ctx.actor, reason.strip())
        uow.commit()
    return done


def reprioritize(ctx: Context, *, store: DenialStoreFactory | None = None) -> int:
    """Recompute the priority of every open denial for today (run daily)."""
    ctx.require(WRITE_BILLING)
    with ctx.uow() as uow:
        n = (store or default_store)(uow).reprioritize(ctx.clock.today())
        uow.commit()
    return n


def queues(ctx: Context, *, store: DenialStoreFactory | None = None) -> list[dict[str, Any]]:
    """Every queue with its open count; denials also by category."""
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        by_category = (store or default_store)(uow).counts_by_category()
        counts: dict[str, int] = {}
        for item in uow.work_items.list(None, "open"):
            counts[item.queue] = counts.get(item.queue, 0) + 1
    out: list[dict[str, Any]] = [
        {
            "queue": "denials",
            "description": "Denial records to work (open or in progress)",
            "count": sum(by_category.values()),
            "by_category": by_category,
        }
    ]
    for name, text in {**QUEUES, **EXTRA_QUEUES}.items():
        if name == "denials":
            continue
        out.append({"queue": name, "description": text, "count": counts.get(name, 0)})
    return out


# ---- prevention -------------------------------------------------------------------------------

_RULE_BY_CATEGORY: Mapping[str, str] = {
    "coding": "require_modifier",
    "bundling": "require_modifier",
    "authorization": "require_authorization",
    "missing_information": "require_information",
    "medical_necessity": "require_diagnosis_support",
    "registration": "verify_eligibility",
    "eligibility": "verify_eligibility",
    "cob": "verify_other_coverage",
    "provider_enrollment": "verify_enrollment",
    "timely_filing": "file_within_limit",
    "duplicate": "block_duplicate",
    "non_covered": "collect_waiver",
}


def suggested_rule(p: DenialPattern) -> dict[str, Any]:
    """A scrubber payer rule (``payer_rules`` JSON shape) that would have caught the pattern."""
    kind = _RULE_BY_CATEGORY.get(p.category, "review")
    rule: dict[str, Any] = {
        "payer": p.payer_name,
        "procedures": [p.procedure],
        "kind": kind,
        "reason": f"{p.count} denials {p.carc} ({p.category}) for {p.procedure}",
    }
    if kind == "require_modifier":
        wanted = "59" if p.category == "bundling" else (p.modifiers[0] if p.modifiers else "")
        rule["modifier"] = wanted
        rule["text"] = (
            f"require modifier {wanted or '(the right one)'} for procedure {p.procedure} "
            f"at payer {p.payer_name}"
        )
    else:
        rule["text"] = f"{kind.replace('_', ' ')} for procedure {p.procedure} at {p.payer_name}"
    return rule


def patterns(
    ctx: Context, minimum: int = 3, *, store: DenialStoreFactory | None = None
) -> list[dict[str, Any]]:
    """Denial patterns (payer x procedure x CARC) seen at least ``minimum`` times."""
    ctx.require(READ_BILLING)
    if minimum < 1:
        raise DomainValidationError.single("min", "range", "min must be at least 1")
    with ctx.uow() as uow:
        found = (store or default_store)(uow).patterns(minimum)
    return [
        {
            "payer_id": p.payer_id,
            "payer": p.payer_name,
            "procedure": p.procedure,
            "carc": p.carc,
            "category": p.category,
            "count": p.count,
            "amount": p.amount.to_json(),
            "suggested_rule": suggested_rule(p),
        }
        for p in found
    ]


# ---- JSON -------------------------------------------------------------------------------------


def denial_json(d: Denial, today: date) -> dict[str, Any]:
    def iso(x: date | None) -> str | None:
        return x.isoformat() if x else None

    days = (d.deadline - today).days if d.deadline else None
    return {
        "id": d.id,
        "claim_id": d.claim_id,
        "line_id": d.line_id,
        "source": d.source,
        "source_ref": d.source_ref,
        "payer_id": d.payer_id,
        "payer_claim_number": d.payer_claim_number,
        "carcs": list(d.carcs),
        "rarcs": list(d.rarcs),
        "category": d.category,
        "action": d.action,
        "amount": d.amount.to_json(),
        "denied_on": d.denied_on.isoformat(),
        "aging": aging_bucket(d.denied_on, today),
        "timely_filing_deadline": iso(d.timely_filing_deadline),
        "appeal_deadline": iso(d.appeal_deadline),
        "deadline": iso(d.deadline),
        "days_to_deadline": days,
        "appeal_level": d.appeal_level,
        "status": d.status,
        "final": d.status in FINAL_STATUSES,
        "priority": d.priority,
        "owner": d.owner,
        "follow_up": iso(d.follow_up),
        "resolution": d.resolution,
    }


def event_json(e: DenialEvent) -> dict[str, Any]:
    return {
        "at": e.at.isoformat() if e.at else None,
        "actor": e.actor,
        "action": e.action,
        "note": e.note,
    }
