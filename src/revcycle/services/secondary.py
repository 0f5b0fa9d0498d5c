"""Secondary claims and Medicare crossovers: what ERA posting hands on to the next payer.

``create_secondary_claims`` turns the posting engine's ``SecondaryClaimNeeded`` into the
secondary claim itself, inside the caller's unit of work (ERA posting's transaction): a new
claim record for the same encounter, lines and charges, billed to the patient's coverage with
the next payer in COB order, status ``draft``, with the prior payer's adjudication stored on it
(``uow.cob``) so that ``claim_builder.build_claim`` fills the 837's loops 2320/2330/2430. A
claim billed after a secondary (a tertiary) keeps every earlier payer's adjudication too.

``secondary_claims_each`` does it for all the needs of one 835 at once (ERA posting calls it):
the reads in a few queries, the new claims, prior payers, links, events, audit entries and work
items in a few multi-row writes, in the order one need at a time would write them.

``mark_forwarded`` records a ``ForwardedClaim``: the prior payer crossed the claim over to the
next payer itself (Medicare -> Medigap), so no claim is ever sent to that payer.

Rules kept here:
- one claim per (claim adjudicated, next payer): a second ``SecondaryClaimNeeded`` (a reversal
  and correction, say) updates the stored adjudication of a secondary not sent yet and puts it
  back to ``draft`` to be scrubbed again; once it was submitted, a ``secondary_claims`` work
  item asks for a corrected claim instead of a second original;
- a crossover wins: once forwarded, no later ``SecondaryClaimNeeded`` creates a claim for that
  payer, and an unsent secondary made before the crossover was known is voided;
- every claim created or changed gets its history event and audit entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from revcycle.domain.audit import AuditEntry
from revcycle.domain.claim_record import (
    ClaimEvent,
    ClaimLineRecord,
    ClaimRecord,
    line_control_number,
    patient_control_number,
)
from revcycle.domain.coverage import ORDERS, Coverage
from revcycle.domain.encounter import Encounter
from revcycle.domain.money import Money
from revcycle.domain.payer import Plan
from revcycle.domain.user import READ_REGISTRATION, WRITE_PATIENTS
from revcycle.domain.workqueue import WorkItem
from revcycle.posting.model import ForwardedClaim, SecondaryClaimNeeded
from revcycle.services.claims import find_claim, transition
from revcycle.services.context import Context
from revcycle.services.ports import CobLink, PriorPayerRecord, UnitOfWork

BILLED = "billed"
FORWARDED = "forwarded"
UNSENT = frozenset({"draft", "scrubbed_errors", "scrubbed_clean", "ready", "rejected"})
"""States of a secondary claim whose stored adjudication may still change (never filed)."""
QUEUE = "secondary_claims"


def create_secondary_claims(
    ctx: Context, uow: UnitOfWork, needs: Sequence[SecondaryClaimNeeded]
) -> list[int]:
    """The secondary claims for ``needs``, in ``uow``: the ids of the claims created or
    updated (a need whose payer was forwarded to, or whose claim went out already, adds none)."""
    out: list[int] = []
    for claim_id in secondary_claims_each(ctx, uow, needs):
        if claim_id is not None and claim_id not in out:
            out.append(claim_id)
    return out


FollowUp = Callable[[SecondaryClaimNeeded, int], WorkItem | None]
"""Asked once per need that made or updated a secondary claim, in the order of the needs, when
the claim's source has no open ``secondary_claims`` item yet: the item to queue (or None)."""


def secondary_claims_each(
    ctx: Context,
    uow: UnitOfWork,
    needs: Sequence[SecondaryClaimNeeded],
    follow_up: FollowUp | None = None,
) -> list[int | None]:
    """``create_secondary_claims`` need by need: the id of the claim each one created or updated
    (None: none). The batch's reads are a few queries and its new claims, prior payers, links,
    events, audit entries and work items a few multi-row writes; a need about a claim that
    already has a secondary for that payer goes the one-by-one way."""
    ctx.require(WRITE_PATIENTS)
    batch = _Batch(ctx, uow, needs, follow_up)
    made = [batch.secondary(need) for need in needs]
    batch.flush()
    return [m if m is None or isinstance(m, int) else m.claim_id for m in made]


def mark_forwarded(ctx: Context, uow: UnitOfWork, forwarded: Sequence[ForwardedClaim]) -> int:
    """Record crossovers in ``uow``: the number of (claim, next payer) newly marked forwarded."""
    ctx.require(WRITE_PATIENTS)
    count = 0
    for f in forwarded:
        source = uow.claims.get(int(f.claim_id))
        assert source.id is not None
        link = uow.cob.link(source.id, f.next_payer_id)
        if link is not None and link.state == FORWARDED:
            continue
        if link is None:
            uow.cob.add_link(
                CobLink(
                    source.id,
                    f.next_payer_id,
                    FORWARDED,
                    crossover_payer_name=f.crossover_payer_name,
                    amount_forwarded=f.amount_forwarded,
                )
            )
        else:
            assert link.claim_id is not None
            secondary = uow.claims.get(link.claim_id)
            if not _unsent(uow, secondary):
                _queue(
                    uow,
                    link.claim_id,
                    f"{f.prior_payer_id} crossed claim {source.id} over to {f.next_payer_id}, "
                    f"but secondary claim {link.claim_id} was already {secondary.status}: "
                    "watch for a duplicate payment",
                )
                continue
            _void(ctx, uow, secondary, f"{f.prior_payer_id} crossed the claim over itself")
            uow.cob.update_link(
                replace(
                    link,
                    state=FORWARDED,
                    crossover_payer_name=f.crossover_payer_name,
                    amount_forwarded=f.amount_forwarded,
                )
            )
        ctx.audit(uow, "update", "claim_crossover", source.id)
        count += 1
    return count


# ---- one 835's secondaries at once -------------------------------------------------------------


@dataclass
class _NewClaim:
    """A secondary claim decided in the batch, written at ``flush`` (its id comes then)."""

    source: ClaimRecord
    coverage: Coverage
    payer_ref: int
    need: SecondaryClaimNeeded
    prior: list[PriorPayerRecord]
    claim_id: int | None = None


class _Batch:
    """The reads of a batch of needs done up front, its writes gathered for ``flush``; the
    order of the writes (and so of ids, sequence numbers and work items) is the order the
    needs would have made them one by one."""

    def __init__(
        self,
        ctx: Context,
        uow: UnitOfWork,
        needs: Sequence[SecondaryClaimNeeded],
        follow_up: FollowUp | None,
    ) -> None:
        self.ctx, self.uow, self.follow_up = ctx, uow, follow_up
        ids = sorted({int(n.claim_id) for n in needs})
        self.sources: dict[int, ClaimRecord] = {
            c.id: c for c in uow.claims.get_many(ids) if c.id is not None
        }
        self.links = uow.cob.links_for(ids) if ids else {}
        self.service = uow.cob.service_of(ids) if ids else {}
        patients = sorted({p for p, _ in self.service.values()})
        self.coverages = uow.cob.coverages_of(patients) if patients else {}
        self.coverage_by_id = {c.id: c for cs in self.coverages.values() for c in cs}
        self.prior = uow.cob.prior_payers_many(ids) if ids else {}
        self.plans: dict[int, Plan] = {}
        self.payer_codes: dict[int, str] = {}
        self.new: list[_NewClaim] = []
        self.pending: set[tuple[int, str]] = set()
        # work items and follow-ups, in order: a WorkItem, or (need, claim) for ``follow_up``
        self.queued: list[WorkItem | tuple[SecondaryClaimNeeded, _NewClaim | int]] = []

    # -- reads --

    def source(self, claim_id: int) -> ClaimRecord:
        if claim_id not in self.sources:
            self.sources[claim_id] = self.uow.claims.get(claim_id)  # NotFound as before
        return self.sources[claim_id]

    def plan(self, plan_id: int) -> Plan:
        if plan_id not in self.plans:
            self.plans[plan_id] = self.uow.plans.get(plan_id)
        return self.plans[plan_id]

    def payer_code(self, coverage: Coverage) -> str:
        ref = self.plan(coverage.plan_id).payer_id
        if ref not in self.payer_codes:
            self.payer_codes[ref] = self.uow.payers.get(ref).payer_id
        return self.payer_codes[ref]

    def coverage(self, coverage_id: int) -> Coverage:
        found = self.coverage_by_id.get(coverage_id)
        return found if found is not None else self.uow.coverages.get(coverage_id)

    def patient_coverages(self, patient_id: int) -> Sequence[Coverage]:
        if patient_id not in self.coverages:
            self.coverages[patient_id] = list(self.uow.coverages.for_patient(patient_id))
        return self.coverages[patient_id]

    def service_of(self, source: ClaimRecord) -> tuple[int, date]:
        assert source.id is not None
        if source.id not in self.service:
            enc = self.uow.encounters.get(source.encounter_id)
            self.service[source.id] = (enc.patient_id, enc.dos_from)
        return self.service[source.id]

    # -- one need --

    def secondary(self, need: SecondaryClaimNeeded) -> int | _NewClaim | None:
        source = self.source(int(need.claim_id))
        assert source.id is not None
        key = (source.id, need.next_payer_id)
        if key in self.pending:  # made earlier in this batch: written first, then updated
            self.flush()
            written = self.uow.cob.link(*key)
            assert written is not None
            self.links[key] = written
        link = self.links.get(key)
        if link is not None:  # a crossover recorded, or a secondary made before
            self.flush()
            made = _existing(self.ctx, self.uow, need, link)
            if made is not None:
                self.queued.append((need, made))
            return made
        patient_id, dos = self.service_of(source)
        coverage = self.next_coverage(source, patient_id, dos, need.next_payer_id)
        if coverage is None:
            self.queued.append(
                _item(
                    source.id,
                    f"bill {need.next_payer_id} after {need.prior_payer_id}: the patient has no "
                    f"later coverage with {need.next_payer_id} on {dos}; add it to bill the "
                    "balance",
                )
            )
            return None
        new = _NewClaim(
            source,
            coverage,
            self.plan(coverage.plan_id).payer_id,
            need,
            self.prior_payers(source, patient_id, dos, need),
        )
        self.new.append(new)
        self.pending.add(key)
        self.queued.append((need, new))
        return new

    def next_coverage(
        self, source: ClaimRecord, patient_id: int, dos: date, payer_id: str
    ) -> Coverage | None:
        """``_next_coverage`` from the batch's reads."""
        rank = _rank(self.coverage(source.coverage_id))
        later = sorted(
            (c for c in self.patient_coverages(patient_id) if _rank(c) > rank and c.active_on(dos)),
            key=_rank,
        )
        return next((c for c in later if self.payer_code(c) == payer_id), None)

    def prior_payers(
        self, source: ClaimRecord, patient_id: int, dos: date, need: SecondaryClaimNeeded
    ) -> list[PriorPayerRecord]:
        """``_prior_payers`` from the batch's reads (``claim_id`` filled in at ``flush``)."""
        assert source.id is not None
        earlier = [
            replace(p, id=None)
            for p in self.prior.get(source.id, ())
            if p.payer_id != need.prior_payer_id
        ]
        coverage = self.coverage(source.coverage_id)
        if self.payer_code(coverage) != need.prior_payer_id:
            coverage = next(
                (
                    c
                    for c in self.patient_coverages(patient_id)
                    if c.active_on(dos) and self.payer_code(c) == need.prior_payer_id
                ),
                coverage,
            )
        assert coverage.id is not None
        return [*earlier, _prior_record(source.id, coverage.id, need, len(earlier) + 1)]

    # -- writes --

    def flush(self) -> None:
        """Write the claims, prior payers, links, events, audit entries and work items
        gathered so far (in the order one by one would have written them)."""
        ctx, uow = self.ctx, self.uow
        new, self.new = self.new, []
        self.pending = set()
        if new:
            assert ctx.practice_id is not None
            numbers = uow.sequences.next_block(ctx.practice_id, "claim", len(new))
            records = []
            for n, number in zip(new, numbers, strict=True):
                pcn = patient_control_number(ctx.practice_id, number)
                lines = tuple(
                    ClaimLineRecord(
                        ln.line_no,
                        ln.encounter_line_id,
                        line_control_number(pcn, ln.line_no),
                        ln.charge,
                    )
                    for ln in n.source.lines
                )
                assert n.coverage.id is not None
                records.append(
                    ClaimRecord(
                        encounter_id=n.source.encounter_id,
                        coverage_id=n.coverage.id,
                        payer_id=n.payer_ref,
                        kind=n.source.kind,
                        patient_control_number=pcn,
                        total_charge=Money.sum(ln.charge for ln in lines),
                        lines=lines,
                    )
                )
            created = uow.claims.add_many(records)
            now = ctx.clock.now()
            for n, c in zip(new, created, strict=True):
                n.claim_id = c.id
            events = []
            for n in new:
                assert n.claim_id is not None
                events.append((n.claim_id, ClaimEvent(now, ctx.actor, None, "draft", _made(n))))
            uow.claims.add_events(events)
            uow.audit.record_many(
                [
                    AuditEntry(
                        now, ctx.actor, ctx.channel, "create", "claim", str(n.claim_id),
                        ctx.practice_id,
                    )
                    for n in new
                ]
            )  # fmt: skip
            uow.cob.add_prior_payers(
                [replace(p, claim_id=n.claim_id or 0) for n in new for p in n.prior]
            )
            uow.cob.add_links(
                [
                    CobLink(n.source.id or 0, n.need.next_payer_id, BILLED, claim_id=n.claim_id)
                    for n in new
                ]
            )
        self.write_queued()

    def write_queued(self) -> None:
        queued, self.queued = self.queued, []
        follow = [q for q in queued if isinstance(q, tuple)]
        open_: set[int] = set()
        if follow and self.follow_up is not None:
            open_ = set(
                self.uow.work_items.open_for_many(
                    QUEUE, "claim", [int(need.claim_id) for need, _ in follow]
                )
            )
        items: list[WorkItem] = []
        for q in queued:
            if isinstance(q, WorkItem):
                items.append(q)
                if q.target_kind == "claim":
                    open_.add(q.target_id)
                continue
            need, made = q
            claim_id = made if isinstance(made, int) else made.claim_id
            if self.follow_up is None or claim_id is None or int(need.claim_id) in open_:
                continue
            item = self.follow_up(need, claim_id)
            if item is not None:
                items.append(item)
                if item.queue == QUEUE and item.target_kind == "claim":
                    open_.add(item.target_id)
        self.uow.work_items.add_many(items)


def _item(claim_id: int, reason: str) -> WorkItem:
    return WorkItem(QUEUE, "claim", claim_id, reason[:400], priority=1)


def _made(n: _NewClaim) -> str:
    need = n.need
    return (
        f"secondary of claim {n.source.id} ({n.source.patient_control_number}) after "
        f"{need.prior_payer_id}: prior paid {need.prior_payer_paid.to_json()}, patient "
        f"liability {need.remaining_patient_liability.to_json()}"
    )


def _prior_record(
    source_id: int, coverage_id: int, need: SecondaryClaimNeeded, position: int, claim_id: int = 0
) -> PriorPayerRecord:
    return PriorPayerRecord(
        claim_id=claim_id,
        position=position,
        source_claim_id=source_id,
        coverage_id=coverage_id,
        payer_id=need.prior_payer_id,
        payer_claim_control_number=need.payer_claim_control_number,
        paid=need.prior_payer_paid,
        remaining_patient_liability=need.remaining_patient_liability,
        adjudication_date=need.adjudication_date,
        claim_adjustments=need.claim_adjustments,
        line_adjudications=need.line_adjudications,
    )


# ---- creating and updating --------------------------------------------------------------------


def _existing(
    ctx: Context, uow: UnitOfWork, need: SecondaryClaimNeeded, link: CobLink
) -> int | None:
    """A need for a (claim, payer) that has its link already: nothing after a crossover, else
    the secondary claim made before is updated (or a corrected claim asked for)."""
    if link.state == FORWARDED or link.claim_id is None:
        return None
    source = uow.claims.get(int(need.claim_id))
    return _update(ctx, uow, source, need, uow.claims.get(link.claim_id))


def _update(
    ctx: Context,
    uow: UnitOfWork,
    source: ClaimRecord,
    need: SecondaryClaimNeeded,
    secondary: ClaimRecord,
) -> int | None:
    assert secondary.id is not None
    what = (
        f"{need.prior_payer_id} paid {need.prior_payer_paid.to_json()}, patient liability "
        f"{need.remaining_patient_liability.to_json()} (payer claim "
        f"{need.payer_claim_control_number or '?'})"
    )
    if not _unsent(uow, secondary):
        _queue(
            uow,
            secondary.id,
            f"corrected secondary claim needed: claim {secondary.id} "
            f"({secondary.patient_control_number}) was already {secondary.status}; now {what}",
        )
        return None
    enc = uow.encounters.get(source.encounter_id)
    uow.cob.replace_prior_payers(secondary.id, _prior_payers(uow, source, enc, need, secondary.id))
    reason = f"prior payer's adjudication updated: {what}"
    if secondary.status == "draft":
        uow.claims.add_event(
            secondary.id, ClaimEvent(ctx.clock.now(), ctx.actor, "draft", "draft", reason)
        )
        ctx.audit(uow, "update", "claim", secondary.id)
    else:
        transition(uow, ctx, secondary, "draft", reason)
    return secondary.id


def _unsent(uow: UnitOfWork, claim: ClaimRecord) -> bool:
    """Never filed with the payer: a state before submission and not in a batch in flight."""
    assert claim.id is not None
    if claim.status not in UNSENT:
        return False
    latest = uow.submissions.latest_attempts([claim.id]).get(claim.id)
    return latest is None or uow.submissions.get(latest).state == "done"


def _void(ctx: Context, uow: UnitOfWork, claim: ClaimRecord, reason: str) -> None:
    if claim.status == "ready":
        claim = transition(uow, ctx, claim, "draft", reason)
    transition(uow, ctx, claim, "voided", reason)


def _queue(uow: UnitOfWork, claim_id: int, reason: str) -> None:
    uow.work_items.add(_item(claim_id, reason))


def _payer_code(uow: UnitOfWork, coverage: Coverage) -> str:
    return uow.payers.get(uow.plans.get(coverage.plan_id).payer_id).payer_id


def _rank(coverage: Coverage) -> int:
    return ORDERS.index(coverage.order) if coverage.order in ORDERS else 0


def _prior_payers(
    uow: UnitOfWork,
    source: ClaimRecord,
    enc: Encounter,
    need: SecondaryClaimNeeded,
    claim_id: int,
) -> list[PriorPayerRecord]:
    """The payers before ``claim_id``'s: those before ``source`` (when it is itself a
    secondary), then the one whose adjudication ``need`` carries."""
    assert source.id is not None
    earlier = [
        replace(p, claim_id=claim_id, id=None)
        for p in uow.cob.prior_payers(source.id)
        if p.payer_id != need.prior_payer_id
    ]
    coverage = uow.coverages.get(source.coverage_id)
    if _payer_code(uow, coverage) != need.prior_payer_id:
        # the 835 came from another of the patient's payers than the one billed
        coverage = next(
            (
                c
                for c in uow.coverages.for_patient(enc.patient_id)
                if c.active_on(enc.dos_from) and _payer_code(uow, c) == need.prior_payer_id
            ),
            coverage,
        )
    assert coverage.id is not None
    return [*earlier, _prior_record(source.id, coverage.id, need, len(earlier) + 1, claim_id)]


# ---- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriorPayerView:
    record: PriorPayerRecord
    payer_name: str
    member_id: str
    claim_filing_indicator: str


@dataclass(frozen=True)
class SecondaryDetail:
    """The COB data of a claim: the prior payers' adjudications stored on it, the claim it was
    made from, and what became of its own balance with the next payers."""

    claim: ClaimRecord
    payer_id: str
    payer_name: str
    source_claim_id: int | None
    prior_payers: tuple[PriorPayerView, ...]
    next_payers: tuple[CobLink, ...]

    def to_json(self) -> dict[str, Any]:
        """The document of ``revcycle claims secondary --json`` (amounts as strings)."""

        def adjustments(items: Sequence[Any]) -> list[dict[str, Any]]:
            return [
                {"group": a.group, "reason": a.reason, "amount": a.amount.to_json()} for a in items
            ]

        return {
            "claim_id": self.claim.id,
            "patient_control_number": self.claim.patient_control_number,
            "status": self.claim.status,
            "payer": {"payer_id": self.payer_id, "name": self.payer_name},
            "source_claim_id": self.source_claim_id,
            "prior_payers": [
                {
                    "position": v.record.position,
                    "payer_id": v.record.payer_id,
                    "payer_name": v.payer_name,
                    "member_id": v.member_id,
                    "claim_filing_indicator": v.claim_filing_indicator,
                    "source_claim_id": v.record.source_claim_id,
                    "payer_claim_control_number": v.record.payer_claim_control_number,
                    "paid": v.record.paid.to_json(),
                    "remaining_patient_liability": v.record.remaining_patient_liability.to_json(),
                    "adjudication_date": v.record.adjudication_date.isoformat()
                    if v.record.adjudication_date
                    else None,
                    "adjustments": adjustments(v.record.claim_adjustments),
                    "lines": [
                        {
                            "line_no": la.line_number,
                            "procedure": la.procedure_code,
                            "modifiers": list(la.modifiers),
                            "units": str(la.units),
                            "paid": la.paid.to_json(),
                            "adjudication_date": la.adjudication_date.isoformat(),
                            "adjustments": adjustments(la.adjustments),
                            "remaining_patient_liability": la.remaining_patient_liability.to_json()
                            if la.remaining_patient_liability is not None
                            else None,
                        }
                        for la in v.record.line_adjudications
                    ],
                }
                for v in self.prior_payers
            ],
            "next_payers": [
                {
                    "payer_id": link.payer_id,
                    "state": link.state,
                    "claim_id": link.claim_id,
                    "crossover_payer_name": link.crossover_payer_name,
                    "amount_forwarded": link.amount_forwarded.to_json()
                    if link.amount_forwarded is not None
                    else None,
                }
                for link in self.next_payers
            ],
        }


def secondary_detail(ctx: Context, key: str) -> SecondaryDetail:
    """The COB data of the claim with this id or patient control number (read is audited)."""
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        claim = find_claim(uow, key)
        assert claim.id is not None
        payer = uow.payers.get(claim.payer_id)
        views = []
        for p in uow.cob.prior_payers(claim.id):
            coverage = uow.coverages.get(p.coverage_id)
            plan = uow.plans.get(coverage.plan_id)
            views.append(
                PriorPayerView(
                    p,
                    uow.payers.get(plan.payer_id).name,
                    coverage.member_id,
                    plan.claim_filing_indicator,
                )
            )
        link = uow.cob.link_to(claim.id)
        detail = SecondaryDetail(
            claim,
            payer.payer_id,
            payer.name,
            link.source_claim_id if link is not None else None,
            tuple(views),
            tuple(uow.cob.links_from(claim.id)),
        )
        ctx.audit(uow, "read", "claim_cob", claim.id)
        uow.commit()
    return detail


def related_claims(uow: UnitOfWork, claim_id: int) -> set[int]:
    """The claims of the same COB chain as ``claim_id`` (the claims its prior payers
    adjudicated, and the secondaries made from it): billing the same service to them is
    coordination of benefits, not a duplicate."""
    related = {p.source_claim_id for p in uow.cob.prior_payers(claim_id)}
    related |= {link.claim_id for link in uow.cob.links_from(claim_id) if link.claim_id is not None}
    related.discard(claim_id)
    return related
