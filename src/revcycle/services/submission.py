"""Submitting claims: ready claims batched into 837 interchanges, stored, sent, marked.

``submit`` groups the practice's ``ready`` claims by clearinghouse route and claim kind
(professional and institutional never share a file), at most ``max_claims_per_file`` claims per
interchange. Each interchange goes through three states, each committed before the next step::

    prepared     the exact bytes, their SHA-256 and control numbers are stored (immutable),
                 the claims are put "in flight" and a ``submission.transmit`` job is recorded;
    transmitted  the file is in the clearinghouse mailbox;
    done         the claims are ``submitted`` (history says which file), out of flight.

Why a claim is never sent twice by accident:

- a claim in flight (``claims_in_flight``, one row per claim) is never batched again, and a
  ``submitted`` claim is not ``ready``; a concurrent run that races for a claim gets a conflict;
- a crash after "prepared" leaves the row for the next run (``recover``): a prepared file is
  put again only when the mailbox does not already hold it and no response to it has come back,
  and it is put with the same name, bytes and ISA13, so a clearinghouse that has already taken
  it sees a duplicate interchange (TA1 note 025) rather than new claims; a transmitted file only
  gets its claims marked;
- a response to a submission that is not done yet completes it first (see ``services.inbox``).

Tests stop the work at each step through ``fault`` (a hook called with the step's name:
``before_put``, ``after_put``, ``after_transmitted``, ``after_done``) and by killing a process.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from revcycle.domain.audit import AuditEntry
from revcycle.domain.claim_record import ClaimEvent, ClaimRecord
from revcycle.domain.claim_status import check_transition
from revcycle.domain.errors import Conflict, RevcycleError
from revcycle.domain.money import Money
from revcycle.domain.practice import Practice
from revcycle.domain.user import READ_REGISTRATION, WRITE_PATIENTS
from revcycle.domain.workqueue import WorkItem
from revcycle.services import jobs
from revcycle.services.claim_builder import build_claim, load_sources_many
from revcycle.services.context import Context
from revcycle.services.ports import (
    ClaimResponse,
    ClearinghouseMailbox,
    Job,
    SubmissionRecord,
    SubmittedClaim,
    UnitOfWork,
)
from revcycle.services.x12_out import submitter_for
from revcycle.x12.control import ControlNumberSource, InMemoryControlNumbers, Kind
from revcycle.x12.mapping.claim837 import write_837

FaultHook = jobs.FaultHook
UNFINISHED = ("prepared", "transmitted")


@dataclass(frozen=True)
class Batch:
    """One 837 interchange: sent (with its submission id) or, in a dry run, only built."""

    file_name: str
    route: str
    kind: str
    claim_ids: tuple[int, ...]
    patient_control_numbers: tuple[str, ...]
    interchange_control_number: int
    sha256: str
    size: int
    total_charge: Money
    submission_id: int | None = None
    state: str = "built"


@dataclass(frozen=True)
class SubmitResult:
    batches: list[Batch] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)  # earlier submissions completed now
    dry_run: bool = False
    skipped: list[str] = field(default_factory=list)  # batches a concurrent run got first

    @property
    def claim_count(self) -> int:
        return sum(len(b.claim_ids) for b in self.batches)


class _Recording:
    """Hands out control numbers from ``source`` and remembers them by kind."""

    def __init__(self, source: ControlNumberSource) -> None:
        self.source = source
        self.taken: dict[str, list[int]] = {"interchange": [], "group": [], "set": []}

    def next(self, partner: str, kind: Kind) -> int:
        value = self.source.next(partner, kind)
        self.taken[kind].append(value)
        return value


class _SequenceControlNumbers:
    """X12 control numbers from the database's sequences, each taken in its own committed
    transaction (as ``revcycle.db.control_numbers`` does), so a number is never handed out
    twice, also across processes and when the work that asked for it fails."""

    GLOBAL = 0  # the sequences' practice id for numbers shared by every practice

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def next(self, partner: str, kind: Kind) -> int:
        with self.ctx.uow_factory(None) as uow:
            value = uow.sequences.next(self.GLOBAL, f"x12:{partner}:{kind}"[:40])
            uow.commit()
        return value


def default_mailbox_url(practice: Practice, root: Path | None = None) -> str:
    """The embedded default: the filesystem mailbox under ``root`` (``./clearinghouse``)
    named with the practice's submitter ID."""
    folder = (root or Path("clearinghouse")).resolve()
    return f"file://{folder}?submitter={submitter_for(practice)[1].sender_id}"


def file_name_for(practice_id: int, kind: str, interchange: int) -> str:
    return f"837{kind}-P{practice_id}-{interchange:09d}.x12"


class ClaimWrites:
    """Claim changes made inside one unit of work, written together by ``flush``: what
    ``services.claims.transition`` writes (the claim, a history event, an audit row) and the
    responses recorded about claims, each kind in one statement. Flush before anything reads
    these claims from the database, and before the unit of work commits."""

    def __init__(self, ctx: Context, uow: UnitOfWork) -> None:
        self.ctx, self.uow = ctx, uow
        self.claims: dict[int, ClaimRecord] = {}
        self.events: list[tuple[int, ClaimEvent]] = []
        self.audits: list[AuditEntry] = []
        self.responses: list[ClaimResponse] = []

    def transition(self, claim: ClaimRecord, target: str, reason: str) -> ClaimRecord:
        """Move a claim to ``target`` (checked against the lifecycle now), recording why."""
        assert claim.id is not None
        check_transition(claim.status, target)
        updated = replace(claim, status=target)
        now = self.ctx.clock.now()
        self.claims[claim.id] = updated
        self.events.append(
            (claim.id, ClaimEvent(now, self.ctx.actor, claim.status, target, reason))
        )
        self.audits.append(
            AuditEntry(
                now, self.ctx.actor, self.ctx.channel, "update", "claim", str(claim.id),
                self.ctx.practice_id,
            )
        )  # fmt: skip
        return updated

    def update(self, claim: ClaimRecord) -> ClaimRecord:
        assert claim.id is not None
        self.claims[claim.id] = claim
        return claim

    def respond(self, response: ClaimResponse) -> None:
        self.responses.append(response)

    def flush(self) -> None:
        self.uow.claims.update_many(list(self.claims.values()))
        self.uow.claims.add_events(self.events)
        self.uow.audit.record_many(self.audits)
        self.uow.submissions.add_responses(self.responses)
        self.claims, self.events, self.audits, self.responses = {}, [], [], []


class _Memo:
    """A repository whose ``get`` remembers what it read (reads that do not change within one
    unit of work: practices, payers, plans, providers, ...)."""

    def __init__(self, repo: Any, known: Sequence[Any] = ()) -> None:
        self._repo = repo
        self._seen: dict[Any, Any] = {x.id: x for x in known}

    def get(self, id: Any) -> Any:
        if id not in self._seen:
            self._seen[id] = self._repo.get(id)
        return self._seen[id]

    def get_many(self, ids: Sequence[Any]) -> list[Any]:
        missing = sorted({i for i in ids if i not in self._seen})
        if missing:
            self._seen.update((x.id, x) for x in self._repo.get_many(missing))
        return [self._seen[i] for i in sorted(set(ids)) if i in self._seen]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._repo, name)


class _ReadCache:
    """A unit of work for building claims whose repositories remember what they read."""

    MEMO = ("practices", "providers", "facilities", "payers", "plans", "patients", "coverages")

    def __init__(self, uow: UnitOfWork, claims: Sequence[ClaimRecord]) -> None:
        self._uow = uow
        self._memos: dict[str, _Memo] = {name: _Memo(getattr(uow, name)) for name in self.MEMO}
        self._memos["claims"] = _Memo(uow.claims, claims)

    def __getattr__(self, name: str) -> Any:
        memo = self._memos.get(name)
        return memo if memo is not None else getattr(self._uow, name)


def _fault(hook: FaultHook | None, step: str) -> None:
    if hook is not None:
        hook(step)


def submit(
    ctx: Context,
    mailbox: ClearinghouseMailbox,
    *,
    payer: str | None = None,
    dry_run: bool = False,
    max_claims_per_file: int = 5000,
    fault: FaultHook | None = None,
) -> SubmitResult:
    """Batch, store and send the practice's ready claims (only those of ``payer``, a payer ID,
    when given). A dry run builds the files and reports them; nothing is stored or sent and
    no control number is used up."""
    ctx.require(WRITE_PATIENTS)
    if max_claims_per_file < 1:
        raise ValueError("max_claims_per_file must be at least 1")
    assert ctx.practice_id is not None
    recovered = [] if dry_run else recover(ctx, mailbox, fault=fault)
    with ctx.uow() as uow:
        practice = uow.practices.get(ctx.practice_id)
        ready = uow.submissions.ready_claims(payer)
    groups: dict[tuple[str, str], list[int]] = {}
    for claim_id, route, kind in ready:
        groups.setdefault((route, kind), []).append(claim_id)
    control: ControlNumberSource = (
        InMemoryControlNumbers() if dry_run else _SequenceControlNumbers(ctx)
    )
    result = SubmitResult(recovered=recovered, dry_run=dry_run)
    for (route, kind), ids in sorted(groups.items()):
        for start in range(0, len(ids), max_claims_per_file):
            chunk = ids[start : start + max_claims_per_file]
            try:
                batch = _prepare(ctx, practice, route, kind, chunk, control, dry_run)
            except Conflict as exc:
                result.skipped.append(str(exc))
                continue
            result.batches.append(batch)
    if dry_run:
        return result
    jobs.run_pending(
        lambda pid: replace(ctx, practice_id=pid),
        mailbox=mailbox,
        practice_id=ctx.practice_id,
        kinds=("submission.transmit",),
        fault=fault,
    )
    with ctx.uow() as uow:
        result.batches[:] = [
            replace(b, state=uow.submissions.get(b.submission_id or 0).state)
            for b in result.batches
        ]
    return result


def _prepare(
    ctx: Context,
    practice: Practice,
    route: str,
    kind: str,
    claim_ids: Sequence[int],
    control: ControlNumberSource,
    dry_run: bool,
) -> Batch:
    assert ctx.practice_id is not None
    with ctx.uow() as uow:
        by_id = {c.id: c for c in uow.claims.get_many(claim_ids)}
        records = []
        for i in claim_ids:
            if i not in by_id:
                uow.claims.get(i)  # raises NotFound, as reading it alone did
            records.append(by_id[i])
        built = [build_claim(s) for s in load_sources_many(uow, records)]
    submitter, envelope = submitter_for(practice)
    recorder = _Recording(control)
    now = ctx.clock.now()
    text = write_837(built, submitter, envelope, recorder, now, per_set=len(built))
    content = text.encode("utf-8")
    sha = hashlib.sha256(content).hexdigest()
    isa13 = recorder.taken["interchange"][0]
    st02 = f"{recorder.taken['set'][0]:04d}"
    name = file_name_for(ctx.practice_id, kind, isa13)
    total = Money.sum(r.total_charge for r in records)
    pcns = tuple(r.patient_control_number for r in records)
    batch = Batch(name, route, kind, tuple(claim_ids), pcns, isa13, sha, len(content), total)
    if dry_run:
        return batch
    record = SubmissionRecord(
        route=route,
        kind=kind,
        file_name=name,
        sender_id=envelope.sender_id,
        receiver_id=envelope.receiver_id,
        interchange_control_number=isa13,
        group_control_number=recorder.taken["group"][0],
        set_control_numbers=tuple(f"{n:04d}" for n in recorder.taken["set"]),
        sha256=sha,
        content=content,
        claim_count=len(records),
        total_charge=total,
        actor=ctx.actor,
    )
    with ctx.uow() as uow:
        stored = uow.submissions.add(
            record, [(r.id or 0, r.patient_control_number, st02) for r in records]
        )
        assert stored.id is not None
        jobs.enqueue(uow, "submission.transmit", {"submission_id": stored.id})
        ctx.audit(uow, "create", "submission", stored.id)
        uow.commit()
    return replace(batch, submission_id=stored.id, state="prepared")


def recover(
    ctx: Context, mailbox: ClearinghouseMailbox, *, fault: FaultHook | None = None
) -> list[int]:
    """Complete the practice's submissions an earlier run left prepared or transmitted."""
    with ctx.uow() as uow:
        pending = [s.id for state in UNFINISHED for s in uow.submissions.list(state=state)]
    for sid in sorted(i for i in pending if i is not None):
        transmit(ctx, mailbox, sid, fault=fault)
    return sorted(i for i in pending if i is not None)


def _already_in_mailbox(mailbox: ClearinghouseMailbox, s: SubmissionRecord) -> bool:
    return s.ack_status is not None or any(e.name == s.file_name for e in mailbox.list_outbound())


def transmit(
    ctx: Context,
    mailbox: ClearinghouseMailbox,
    submission_id: int,
    *,
    fault: FaultHook | None = None,
) -> SubmissionRecord:
    """Bring one submission to ``done``: put its stored bytes (unless already there), then mark
    its claims. Idempotent: a done submission is left as it is."""
    with ctx.uow() as uow:
        s = uow.submissions.get(submission_id)
    if s.state == "prepared":
        _fault(fault, "before_put")
        if not _already_in_mailbox(mailbox, s):
            try:
                mailbox.put(s.file_name, s.content)
            except RevcycleError as exc:
                if exc.code != "mailbox_file_exists":  # else: our own earlier put (unique names)
                    raise
        _fault(fault, "after_put")
        with ctx.uow() as uow:
            uow.submissions.advance(s.id or 0, "prepared", "transmitted", ctx.clock.now())
            uow.commit()
        _fault(fault, "after_transmitted")
    with ctx.uow() as uow:
        s = uow.submissions.get(submission_id)
        if s.state == "transmitted":
            s = complete(ctx, uow, s, "transmitted")
            uow.commit()
            _fault(fault, "after_done")
    return s


def complete(ctx: Context, uow: UnitOfWork, s: SubmissionRecord, expected: str) -> SubmissionRecord:
    """Inside ``uow``: mark the submission's claims ``submitted`` and the submission done.

    Claims no longer ``ready`` (changed by hand while in flight) keep their state; the
    submission still records that they were sent.
    """
    assert s.id is not None
    if not uow.submissions.advance(s.id, expected, "done", ctx.clock.now()):
        return uow.submissions.get(s.id)
    now = ctx.clock.now()
    reason = f"sent in {s.file_name} (ISA13 {s.interchange_control_number:09d})"
    ids = [sc.claim_id for sc in uow.submissions.claims_of(s.id)]
    by_id = {c.id: c for c in uow.claims.get_many(ids)}
    ready = []
    for claim_id in ids:
        claim = by_id.get(claim_id) or uow.claims.get(claim_id)  # (raises NotFound)
        if claim.status == "ready" and claim_id not in ready:
            ready.append(claim_id)
    writes = ClaimWrites(ctx, uow)
    for claim_id in ready:
        writes.transition(by_id[claim_id], "submitted", reason)
    writes.flush()
    items = uow.work_items.open_for_many("rejections", "claim", ready)
    for claim_id in ready:
        item = items.get(claim_id)
        if item is not None:
            uow.work_items.update(replace(item, status="done"))
            uow.work_items.add_event(
                item.id or 0, now, ctx.actor, "closed", f"resubmitted: {reason}"
            )
    uow.submissions.release(s.id)
    return uow.submissions.get(s.id)


# ---- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """One time a claim was sent, and what came back about it."""

    submission: SubmissionRecord
    claim: SubmittedClaim
    responses: tuple[ClaimResponse, ...]


def attempts(ctx: Context, claim_id: int) -> list[Attempt]:
    """Every submission of a claim, oldest first, with the responses to each."""
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        responses = uow.submissions.responses(claim_id)
        out = []
        for sc in uow.submissions.attempts(claim_id):
            out.append(
                Attempt(
                    uow.submissions.get(sc.submission_id),
                    sc,
                    tuple(r for r in responses if r.submission_id == sc.submission_id),
                )
            )
        return out


def list_submissions(ctx: Context, state: str | None = None) -> Sequence[SubmissionRecord]:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        return uow.submissions.list(state=state)


def rejection_item(
    ctx: Context, uow: UnitOfWork, claim: ClaimRecord, reason: str, source: str
) -> WorkItem:
    """Open (or update) the claim's item in the ``rejections`` queue."""
    assert claim.id is not None
    now = ctx.clock.now()
    item = uow.work_items.open_for("rejections", "claim", claim.id)
    if item is None:
        item = uow.work_items.add(
            WorkItem("rejections", "claim", claim.id, reason[:400], int(claim.total_charge.amount))
        )
        uow.work_items.add_event(item.id or 0, now, ctx.actor, "opened", f"{source}: {reason}")
    else:
        item = uow.work_items.update(replace(item, reason=reason[:400]))
        uow.work_items.add_event(item.id or 0, now, ctx.actor, "updated", f"{source}: {reason}")
    return item


# ---- job handlers ----------------------------------------------------------------------------


def run_transmit_job(env: jobs.JobEnv, job: Job) -> None:
    assert env.mailbox is not None and job.practice_id is not None
    ctx = env.ctx_factory(job.practice_id)
    sid = job.payload["submission_id"]
    assert isinstance(sid, int)
    transmit(ctx, env.mailbox, sid, fault=env.fault)


def run_batch_job(env: jobs.JobEnv, job: Job) -> None:
    assert env.mailbox is not None and job.practice_id is not None
    payer = job.payload.get("payer")
    size = job.payload.get("max_claims_per_file", 5000)
    assert isinstance(size, int)
    submit(
        env.ctx_factory(job.practice_id),
        env.mailbox,
        payer=payer if isinstance(payer, str) else None,
        max_claims_per_file=size,
        fault=env.fault,
    )
