"""Use case ``post_era``: post one 835 file to the ledger, once, all or nothing.

Order of work, and the guarantees it keeps:

1. Read and validate the file (X12 syntax by the validator, then the 835's arithmetic by
   ``revcycle.posting``). Any error: status ``rejected`` with the findings, nothing posted. This
   comes before the idempotency check, so an invalid file is rejected even when a valid file
   with the same control and trace numbers was posted before.
2. Idempotency: a file whose content hash, or whose sender + ISA13 + GS06 + ST02s + TRN02s, is
   already recorded as ``posted`` answers ``already_posted`` and changes nothing.
3. Routing: the context's practice, else the one practice whose group NPI or TIN is the payee.
   A file no practice claims is recorded as posted with every claim payment unmatched and no
   entries (there is no practice ledger to hold its unapplied money).
4. Claims are found by patient control number; each one gets its charge entry first if the
   ledger has none. All entries, the work items (``denials``, ``secondary_claims``) and the
   ``era_postings`` row are written in the unit of work's single transaction: a crash leaves
   nothing half-posted (one transaction per file).

Creating the secondary claim itself (837 with COB loops) is not done here yet: the
``secondary_claims`` work item carries the prior payer's adjudication totals for now.

The ledger persistence comes in through ``LedgerStoreFactory`` (the ``db`` layer provides it),
so this module imports nothing of ``revcycle.db``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from revcycle.domain.claim_record import ClaimRecord
from revcycle.domain.coverage import ORDERS
from revcycle.domain.ledger import JournalEntry
from revcycle.domain.money import Money
from revcycle.domain.remittance import Remittance
from revcycle.domain.user import WRITE_SETUP
from revcycle.domain.workqueue import WorkItem
from revcycle.posting import (
    BilledClaim,
    BilledLine,
    PostingHistory,
    PostingResult,
    claim_charge_entry,
    post_remittance,
)
from revcycle.posting.model import GROUPS
from revcycle.services.context import Context
from revcycle.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class EraIdentity:
    """What makes an 835 file the same file: its content hash, or its envelope and traces."""

    sha256: str
    sender_id: str
    interchange_control_number: str
    group_control_number: str
    set_control_numbers: str  # ST02s joined by ","
    trace_numbers: str  # TRN02s joined by ","


class LedgerStore(Protocol):
    """The ledger tables, bound to the unit of work's transaction."""

    def posted_summary(self, identity: EraIdentity) -> Mapping[str, Any] | None:
        """The summary of a file already posted with this hash or this envelope + traces."""
        ...

    def record_file(
        self,
        identity: EraIdentity,
        practice_id: int | None,
        status: str,
        summary: Mapping[str, Any],
        at: datetime,
    ) -> None: ...

    def has_charges(self, practice_id: int, claim_id: str) -> bool: ...

    def add_entries(
        self, practice_id: int, entries: Sequence[JournalEntry], at: datetime
    ) -> None: ...

    def history(self, practice_id: int) -> PostingHistory: ...


LedgerStoreFactory = Callable[[UnitOfWork], LedgerStore]


def post_era(ctx: Context, content: bytes, *, ledger: LedgerStoreFactory) -> dict[str, Any]:
    """Post the 835 in ``content``; the summary of ``revcycle era post --json``."""
    from revcycle.x12.errors import X12Error
    from revcycle.x12.mapping.remit835 import read_835

    ctx.require(WRITE_SETUP)
    try:
        remittances, report = read_835(content)
        identity = _identity(content, remittances)
    except X12Error as exc:
        finding = {"code": "x12.unreadable", "severity": "error", "message": str(exc)}
        return _rejected(ctx, None, [finding], ledger)
    findings: list[dict[str, Any]] = [
        {
            "code": f.code,
            "severity": f.severity,
            "message": f.message,
            "location": f"segment {f.location.segment_number} {f.location.segment_id}".strip(),
        }
        for f in report.findings
        if f.severity == "error"
    ]
    if not report.valid or not remittances:
        if not remittances and not findings:
            findings.append(
                {"code": "era.no_835", "severity": "error", "message": "no 835 in the file"}
            )
        return _rejected(ctx, identity, findings, ledger)
    from revcycle.posting import validate_remittance

    for i, r in enumerate(remittances):
        findings += [
            {**_finding_json(f), "location": f"835[{i}].{f.location}"}
            for f in validate_remittance(r)
            if f.severity == "error"
        ]
    if findings:
        return _rejected(ctx, identity, findings, ledger)

    practice_id = ctx.practice_id or _route(ctx, remittances)
    scoped = ctx.with_practice(practice_id) if practice_id is not None else ctx
    with scoped.uow() as uow:
        store = ledger(uow)
        if store.posted_summary(identity) is not None:
            return {**_empty_summary("already_posted")}
        if practice_id is None:
            results = [post_remittance(r, [], practice_id="") for r in remittances]
            summary = _merge(results)
            store.record_file(identity, None, "posted", summary, ctx.clock.now())
            uow.commit()
            return summary
        results = _post(scoped, uow, store, practice_id, remittances)
        summary = _merge(results)
        store.record_file(identity, practice_id, "posted", summary, ctx.clock.now())
        scoped.audit(uow, "era.post", "era", identity.sha256[:16])
        uow.commit()
    return summary


# ---- reading ----------------------------------------------------------------------------------


def _identity(content: bytes, remittances: Sequence[Remittance]) -> EraIdentity:
    from revcycle.x12.reader import read_segments

    isa: list[str] = []
    gs: list[str] = []
    sets: list[str] = []
    for seg in read_segments(content):
        if seg[0] == "ISA" and not isa:
            isa = seg
        elif seg[0] == "GS" and not gs:
            gs = seg
        elif seg[0] == "ST" and len(seg) > 2:
            sets.append(seg[2].strip())

    def at(seg: list[str], i: int) -> str:
        return seg[i].strip() if len(seg) > i else ""

    return EraIdentity(
        sha256=hashlib.sha256(content).hexdigest(),
        sender_id=at(isa, 6)[:15],
        interchange_control_number=at(isa, 13)[:9],
        group_control_number=at(gs, 6)[:9],
        set_control_numbers=",".join(sets)[:200],
        trace_numbers=",".join(r.payment.trace_number for r in remittances)[:400],
    )


def _finding_json(f: Any) -> dict[str, Any]:
    return {"code": f.code, "severity": f.severity, "message": f.message, "location": f.location}


def _route(ctx: Context, remittances: Sequence[Remittance]) -> int | None:
    with ctx.uow() as uow:
        practices = uow.practices.list()
    ids = {r.payee.identifier for r in remittances} | {r.payee.tax_id for r in remittances}
    ids.discard("")
    found = [p.id for p in practices if p.group_npi in ids or p.tin in ids]
    return found[0] if len(found) == 1 else None


# ---- posting ----------------------------------------------------------------------------------


def _post(
    ctx: Context,
    uow: UnitOfWork,
    store: LedgerStore,
    practice_id: int,
    remittances: Sequence[Remittance],
) -> list[PostingResult]:
    now, today = ctx.clock.now(), ctx.clock.today()
    results: list[PostingResult] = []
    for r in remittances:
        billed: dict[str, BilledClaim] = {}
        for cp in r.claims:
            pcn = cp.patient_control_number
            if pcn in billed:
                continue
            record = uow.claims.by_pcn(pcn)
            if record is not None:
                billed[pcn] = _billed_claim(uow, practice_id, record)
        for claim in billed.values():
            if not store.has_charges(practice_id, claim.claim_id):
                when = min((ln.service_date for ln in claim.lines if ln.service_date), default=None)
                store.add_entries(practice_id, [claim_charge_entry(claim, when)], now)
        result = post_remittance(
            r,
            billed.values(),
            practice_id=str(practice_id),
            history=store.history(practice_id),
            posted_on=r.payment.date or today,
        )
        store.add_entries(practice_id, result.entries, now)
        for d in result.denials:
            target = ("claim_line", int(d.line_id)) if d.line_id else ("claim", int(d.claim_id))
            uow.work_items.add(
                WorkItem(
                    "denials",
                    target[0],
                    target[1],
                    f"{d.payer_id} denied {d.amount.to_json()} ({' '.join(d.carcs)}"
                    f"{' ' + ' '.join(d.remarks) if d.remarks else ''}), "
                    f"payer claim {d.payer_claim_control_number}",
                    priority=1,
                )
            )
        for s in result.secondary_claims:
            uow.work_items.add(
                WorkItem(
                    "secondary_claims",
                    "claim",
                    int(s.claim_id),
                    f"bill {s.next_payer_id} after {s.prior_payer_id}: prior paid "
                    f"{s.prior_payer_paid.to_json()}, patient liability "
                    f"{s.remaining_patient_liability.to_json()} "
                    "(secondary claim to be created)",
                )
            )
        results.append(result)
    return results


def _billed_claim(uow: UnitOfWork, practice_id: int, record: ClaimRecord) -> BilledClaim:
    """The claim as posting sees it: its lines from the encounter, its payers in COB order."""
    assert record.id is not None
    enc = uow.encounters.get(record.encounter_id)
    by_id = {ln.id: ln for ln in enc.lines}
    coverage = uow.coverages.get(record.coverage_id)
    rank = ORDERS.index(coverage.order) if coverage.order in ORDERS else 0
    later = sorted(
        (
            c
            for c in uow.coverages.for_patient(enc.patient_id)
            if c.order in ORDERS and ORDERS.index(c.order) > rank and c.active_on(enc.dos_from)
        ),
        key=lambda c: ORDERS.index(c.order),
    )
    payers = [_payer_id(uow, coverage.plan_id)] + [_payer_id(uow, c.plan_id) for c in later]
    lines = []
    for cl in record.lines:
        src = by_id.get(cl.encounter_line_id)
        lines.append(
            BilledLine(
                line_id=str(cl.id),
                line_number=cl.line_no,
                line_control_number=cl.line_control_number,
                procedure=src.procedure if src else "",
                charge=cl.charge,
                service_date=(src.dos_from if src and src.dos_from else enc.dos_from),
                modifiers=src.modifiers if src else (),
                units=src.units if src else Decimal(1),
            )
        )
    return BilledClaim(
        claim_id=str(record.id),
        practice_id=str(practice_id),
        patient_id=str(enc.patient_id),
        patient_control_number=record.patient_control_number,
        lines=tuple(lines),
        coverages=tuple(payers),
    )


def _payer_id(uow: UnitOfWork, plan_id: int) -> str:
    return uow.payers.get(uow.plans.get(plan_id).payer_id).payer_id


# ---- summaries --------------------------------------------------------------------------------


def _empty_summary(status: str) -> dict[str, Any]:
    zero = Money.zero().to_json()
    return {
        "status": status,
        "claims_matched": 0,
        "claims_unmatched": 0,
        "paid_total": zero,
        "adjustments_by_group": dict.fromkeys(GROUPS, zero),
        "patient_responsibility": zero,
        "provider_adjustments_total": zero,
        "denials_created": 0,
        "secondary_claims_created": 0,
        "findings": [],
    }


def _merge(results: Sequence[PostingResult]) -> dict[str, Any]:
    """One summary for a file of several 835s: counts and amounts add up."""
    out = _empty_summary("posted")
    docs = [r.summary.to_json() for r in results]
    for key in ("claims_matched", "claims_unmatched", "denials_created"):
        out[key] = sum(d[key] for d in docs)
    # Queued as secondary_claims work items; the 837 itself is built later.
    out["secondary_claims_created"] = sum(d["secondary_claims_created"] for d in docs)
    for key in ("paid_total", "patient_responsibility", "provider_adjustments_total"):
        out[key] = Money.sum(Money(d[key]) for d in docs).to_json()
    out["adjustments_by_group"] = {
        g: Money.sum(Money(d["adjustments_by_group"][g]) for d in docs).to_json() for g in GROUPS
    }
    out["findings"] = [f for d in docs for f in d["findings"]]
    return out


def _rejected(
    ctx: Context,
    identity: EraIdentity | None,
    findings: list[dict[str, Any]],
    ledger: LedgerStoreFactory,
) -> dict[str, Any]:
    summary = {**_empty_summary("rejected"), "findings": findings[:100]}
    if identity is not None:
        with ctx.uow() as uow:
            ledger(uow).record_file(identity, ctx.practice_id, "rejected", summary, ctx.clock.now())
            uow.commit()
    return summary
