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

Patient responsibility moved to a next payer becomes the secondary claim itself, in the same
transaction (``services.secondary.secondary_claims_each``: a draft claim to the next coverage
with the prior payer's adjudication stored for its 837 COB loops, once per claim and payer), with
a ``secondary_claims`` work item naming it; a crossover (the payer forwarded the claim itself)
is recorded by ``mark_forwarded`` and no claim is made for that payer.

The ledger persistence comes in through ``LedgerStoreFactory`` (the ``db`` layer provides it),
so this module imports nothing of ``revcycle.db``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from revcycle.domain.ledger import JournalEntry
from revcycle.domain.money import Money
from revcycle.domain.remittance import Remittance
from revcycle.domain.user import POST_REMITTANCES, READ_BILLING
from revcycle.domain.validation import Checks
from revcycle.domain.workqueue import WorkItem
from revcycle.posting import (
    BilledClaim,
    PostingConfig,
    PostingHistory,
    PostingResult,
    claim_charge_entry,
    post_remittance,
)
from revcycle.posting.model import GROUPS, SecondaryClaimNeeded
from revcycle.services.context import Context
from revcycle.services.denials import record_era_denials
from revcycle.services.jobs import JobEnv
from revcycle.services.ports import Job, UnitOfWork
from revcycle.services.secondary import mark_forwarded, secondary_claims_each
from revcycle.services.underpayments import check_remittance


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

    def lock(self, identity: EraIdentity) -> None:
        """Serialise posters of the same file until the transaction ends."""
        ...

    def record_file(
        self,
        identity: EraIdentity,
        practice_id: int | None,
        status: str,
        summary: Mapping[str, Any],
        at: datetime,
    ) -> int:
        """The id of the file's record (an existing one when the same content was recorded)."""
        ...

    def record_payments(
        self, practice_id: int, sha256: str, remittances: Sequence[Remittance]
    ) -> None:
        """Keep each 835's payment (BPR / TRN) for reconciliation with bank deposits."""
        ...

    def claims_with_charges(self, practice_id: int, claim_ids: Sequence[str]) -> set[str]: ...

    def files(self, practice_id: int | None) -> list[dict[str, Any]]:
        """Recorded files, newest first: the practice's, or every file when ``None``."""
        ...

    def billed_claims(self, practice_id: int, pcns: Sequence[str]) -> list[BilledClaim]: ...

    def add_entries(
        self, practice_id: int, entries: Sequence[JournalEntry], at: datetime
    ) -> None: ...

    def history(self, practice_id: int) -> PostingHistory: ...


LedgerStoreFactory = Callable[[UnitOfWork], LedgerStore]


def uow_ledger(uow: UnitOfWork) -> LedgerStore:
    """The unit of work's own ledger store (the default everywhere but in tests)."""
    return uow.ledger


def post_era(
    ctx: Context,
    content: bytes,
    *,
    ledger: LedgerStoreFactory = uow_ledger,
    config: PostingConfig | None = None,
) -> dict[str, Any]:
    """Post the 835 in ``content``; the summary of ``revcycle era post --json``. ``config``
    says what OA and PI amounts become (default: other adjustments; OA-23 ignored)."""
    from revcycle.x12.errors import X12Error
    from revcycle.x12.mapping.remit835 import read_835
    from revcycle.x12.parse import recall

    ctx.require(POST_REMITTANCES)
    try:
        built = recall(content)  # the inbox read this file just now: what it built
        if built is not None:
            remittances, report = list(built.remittances), built.report
        else:
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

    return _post_file(ctx, identity, remittances, ledger, config=config)


def post_manual_eob(
    ctx: Context,
    form: Mapping[str, Any],
    *,
    ledger: LedgerStoreFactory = uow_ledger,
    config: PostingConfig | None = None,
) -> dict[str, Any]:
    """Post a paper EOB (the JSON form of ``revcycle.posting.manual``) exactly as an 835 is
    posted: same validation, same engine, same idempotency (by content and by payer + check
    number: one check is entered once). Bad fields raise ``DomainValidationError`` naming them."""
    from revcycle.domain.errors import NotFound
    from revcycle.domain.remittance import RemitParty
    from revcycle.posting import validate_remittance
    from revcycle.posting.manual import canonical, read_manual_eob

    ctx.require(POST_REMITTANCES)
    practice_id = ctx.practice_id
    if practice_id is None:
        check = Checks()
        check.fail("practice", "required", "a paper EOB is posted for one practice: choose it")
        check.raise_if_any()
        raise AssertionError  # unreachable
    with ctx.uow() as uow:
        practice = uow.practices.get(practice_id)
        known = {p.payer_id for p in uow.payers.list()}
    payee = RemitParty(name=practice.legal_name, identifier=practice.group_npi, tax_id=practice.tin)
    remittance = read_manual_eob(form, payee)
    if remittance.payer.identifier not in known:
        raise NotFound("payer", remittance.payer.identifier)
    identity = EraIdentity(
        sha256=hashlib.sha256(canonical([form])).hexdigest(),
        sender_id=remittance.payer.identifier[:15],
        interchange_control_number="EOB",
        group_control_number="",
        set_control_numbers="manual",
        trace_numbers=remittance.payment.trace_number,
    )
    findings = [_finding_json(f) for f in validate_remittance(remittance) if f.severity == "error"]
    if findings:
        return _rejected(ctx, identity, findings, ledger)
    return _post_file(ctx, identity, [remittance], ledger, source="manual EOB", config=config)


def run_post_job(env: JobEnv, job: Job) -> None:
    """Job ``era.post``: post a stored 835 (an inbound file) to the ledger. Idempotent: a file
    posted before answers ``already_posted``; a rejected one is recorded with its findings."""
    file_id = job.payload["inbound_file_id"]
    assert isinstance(file_id, int) and job.practice_id is not None
    ctx = env.ctx_factory(job.practice_id)
    with ctx.uow() as uow:
        content = uow.inbound_files.content_of(file_id)
    post_era(ctx, content)


def list_files(ctx: Context, *, ledger: LedgerStoreFactory = uow_ledger) -> list[dict[str, Any]]:
    """The 835 files and EOBs seen (posted or rejected) with their summaries. The CLI operator
    without a practice also sees files no practice claimed (``practice_id`` null)."""
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        rows = ledger(uow).files(ctx.practice_id)
    return [
        {
            "id": r["id"],
            "practice_id": r["practice_id"],
            "status": r["status"],
            "sender_id": r["sender_id"],
            "interchange_control_number": r["interchange_control_number"],
            "trace_numbers": r["trace_numbers"],
            "sha256": r["sha256"],
            "posted_at": r["posted_at"].isoformat(),
            "summary": r["summary"],
        }
        for r in rows
    ]


def _post_file(
    ctx: Context,
    identity: EraIdentity,
    remittances: Sequence[Remittance],
    ledger: LedgerStoreFactory,
    source: str = "835",
    config: PostingConfig | None = None,
) -> dict[str, Any]:
    """Post a validated file: one transaction, after taking the file's lock (so a second
    process posting the same file waits, then finds it posted and answers ``already_posted``)."""
    practice_id = ctx.practice_id or _route(ctx, remittances)
    scoped = ctx.with_practice(practice_id) if practice_id is not None else ctx
    with scoped.uow() as uow:
        store = ledger(uow)
        store.lock(identity)
        if store.posted_summary(identity) is not None:
            return {**_empty_summary("already_posted")}
        if practice_id is None:
            results = [post_remittance(r, [], practice_id="") for r in remittances]
            summary = _merge(results)
            store.record_file(identity, None, "posted", summary, ctx.clock.now())
            uow.commit()
            return summary
        results = _post(scoped, uow, store, practice_id, remittances, config or PostingConfig())
        summary = _merge(results)
        file_id = store.record_file(identity, practice_id, "posted", summary, ctx.clock.now())
        _queue_unmatched(uow, results, file_id, source)
        store.record_payments(practice_id, identity.sha256, remittances)
        scoped.audit(uow, "era.post", "era", identity.sha256[:16])
        uow.commit()
    return summary


def _queue_unmatched(
    uow: UnitOfWork, results: Sequence[PostingResult], file_id: int, source: str
) -> None:
    """One ``unmatched_remittances`` item per claim payment that found no claim (or line)."""
    uow.work_items.add_many(
        [
            WorkItem(
                "unmatched_remittances",
                "remittance",
                file_id,
                f"{source} claim {u.patient_control_number or '?'} (payer claim "
                f"{u.payer_claim_control_number or '?'}) paid {u.paid.to_json()}: {u.reason}",
                priority=1,
            )
            for r in results
            for u in r.unmatched
        ]
    )


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
    config: PostingConfig,
) -> list[PostingResult]:
    now, today = ctx.clock.now(), ctx.clock.today()
    results: list[PostingResult] = []
    history = store.history(practice_id)
    for r in remittances:
        billed = store.billed_claims(practice_id, [cp.patient_control_number for cp in r.claims])
        charged = store.claims_with_charges(practice_id, [c.claim_id for c in billed])
        store.add_entries(
            practice_id,
            [
                claim_charge_entry(claim, _first_service_date(claim))
                for claim in billed
                if claim.claim_id not in charged
            ],
            now,
        )
        result = post_remittance(
            r,
            billed,
            practice_id=str(practice_id),
            config=config,
            history=history,
            posted_on=r.payment.date or today,
        )
        store.add_entries(practice_id, result.entries, now)
        check_remittance(ctx, uow, billed, r)  # underpayments against the contract
        uow.work_items.add_many(
            [
                WorkItem(
                    "denials",
                    "claim_line" if d.line_id else "claim",
                    int(d.line_id) if d.line_id else int(d.claim_id),
                    f"{d.payer_id} denied {d.amount.to_json()} ({' '.join(d.carcs)}"
                    f"{' ' + ' '.join(d.remarks) if d.remarks else ''}), "
                    f"payer claim {d.payer_claim_control_number}",
                    priority=1,
                )
                for d in result.denials
            ]
        )
        record_era_denials(
            ctx, uow, result.denials, billed, r.payment.date or today, r.payment.trace_number
        )
        secondary_claims_each(ctx, uow, result.secondary_claims, _secondary_item)
        mark_forwarded(ctx, uow, result.forwarded)
        results.append(result)
    return results


def _secondary_item(s: SecondaryClaimNeeded, claim_id: int) -> WorkItem:
    """The ``secondary_claims`` work item asking for secondary claim ``claim_id`` to go out."""
    return WorkItem(
        "secondary_claims",
        "claim",
        int(s.claim_id),
        f"bill {s.next_payer_id} after {s.prior_payer_id}: secondary claim "
        f"{claim_id} in draft (prior paid {s.prior_payer_paid.to_json()}, "
        f"patient liability {s.remaining_patient_liability.to_json()}); "
        "scrub and submit it",
    )


def _first_service_date(claim: BilledClaim) -> date | None:
    return min((ln.service_date for ln in claim.lines if ln.service_date), default=None)


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
    # Secondary claims the posting created (in draft, with their COB data).
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
