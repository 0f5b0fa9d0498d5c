"""The inbox: response files fetched from the clearinghouse, stored once, routed, applied once.

``poll`` takes each file waiting in the mailbox's ``inbound/`` folder and, in one transaction,
stores its bytes with their SHA-256 (unique: a file seen before is not stored again), the
parsed summary (the file is parsed here, once; applying reads the summary), the practice it is
routed to, and an ``inbox.apply`` job. Only then is the file acknowledged in the mailbox, so a
crash at any point leaves it either waiting in the mailbox or stored (and a re-fetch of a
stored file is recognised by its hash). Then the apply jobs run.

Routing: the interchange receiver (ISA08, else GS03) is a practice's submitter ID
(``RC<TIN>``); when several practices share it, or none has it, an 835's payee (NPI, TIN)
decides. A file no practice matches is kept ``unmatched`` (``retry_unmatched`` routes it again
later). A second interchange from the same sender with the same ISA13 is kept ``duplicate``
and not applied.

Applying a file, in one transaction with marking it applied (so exactly once):

- TA1 ``R``: every claim of the interchange is ``rejected`` with an item in the ``rejections``
  queue carrying the note code; note 025 (duplicate interchange, the answer to a re-sent file)
  changes nothing;
- 999: claims of each rejected transaction set (or of a rejected group) are rejected with the
  IK3/IK4/IK5 errors as the reason; the group's AK9 status is kept on the submission;
- 277CA: per claim, an accepting category (A1, A2, A5) makes it ``accepted`` and records the
  payer claim number (REF*1K); any other category rejects it with the STC codes;
- 835: each transaction is stored as a received remittance with a summary per claim (for
  posting) and each claim gets its outcome through the lifecycle (paid, partially_paid,
  denied; reversals and other statuses are only recorded).

A response about a submission that is not ``done`` yet completes it first (it was evidently
sent). Every response about a claim is recorded (``claim_responses``).
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from revcycle.domain.claim_record import ClaimRecord
from revcycle.domain.errors import Conflict
from revcycle.domain.money import Money
from revcycle.domain.practice import Practice
from revcycle.domain.user import READ_REGISTRATION
from revcycle.services import jobs
from revcycle.services.context import Context
from revcycle.services.denials import record_rejection
from revcycle.services.ports import (
    ClaimResponse,
    ClearinghouseMailbox,
    InboundFile,
    Job,
    ReceivedRemittance,
    RemittanceClaimRow,
    SubmissionRecord,
    UnitOfWork,
)
from revcycle.services.submission import ClaimWrites, complete, rejection_item
from revcycle.services.x12_out import submitter_for

ContextFactory = jobs.ContextFactory
PROCESSED = frozenset({"1", "2", "3", "19", "20", "21"})
TA1_NOTES = {
    "000": "no error",
    "001": "interchange control numbers in header and trailer do not match",
    "005": "invalid interchange sender ID",
    "007": "invalid interchange receiver ID",
    "022": "invalid control structure",
    "024": "invalid interchange content",
    "025": "duplicate interchange control number",
}


@dataclass(frozen=True)
class PollResult:
    stored: list[int] = field(default_factory=list)  # new inbound file ids
    already_stored: list[str] = field(default_factory=list)  # mailbox names seen before
    unmatched: list[int] = field(default_factory=list)
    applied: list[int] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


# ---- reading a file once ----------------------------------------------------------------------


def summarize(content: bytes) -> dict[str, Any]:
    """Everything applying needs from a response file, as JSON (amounts as strings)."""
    from revcycle.x12.acks import ta1_json
    from revcycle.x12.errors import X12Error
    from revcycle.x12.parse import parse
    from revcycle.x12.reader import read_segments

    isa: list[str] = []
    gs: list[str] = []
    ta1_segments: list[list[str]] = []
    try:
        doc, report = parse(content, remember=True)  # its 835s / 277s for the jobs (recall)
        for seg in read_segments(content):  # streamed: only the envelope and TA1s are kept
            if not seg:
                continue
            if seg[0] == "ISA" and not isa:
                isa = seg
            elif seg[0] == "GS" and not gs:
                gs = seg
            elif seg[0] == "TA1":
                ta1_segments.append(seg)
    except X12Error as exc:
        return {"kind": "unknown", "error": str(exc), "isa": {}, "transactions": [], "ta1": []}

    def at(seg: list[str], i: int) -> str:
        return seg[i].strip() if len(seg) > i else ""

    transactions = doc["transactions"]
    ta1 = ta1_json(ta1_segments)
    types = sorted({t.get("type", "") for t in transactions})
    kind = types[0] if len(types) == 1 else ("mixed" if types else ("TA1" if ta1 else "unknown"))
    return {
        "kind": kind,
        "isa": {
            "sender": at(isa, 6),
            "receiver": at(isa, 8),
            "control_number": at(isa, 13),
            "gs_sender": at(gs, 2),
            "gs_receiver": at(gs, 3),
        },
        "ta1": ta1,
        "transactions": transactions,
        "valid": report.valid,
        "findings": doc["findings"][:50],
    }


def _route(summary: Mapping[str, Any], practices: Sequence[Practice]) -> int | None:
    isa = summary.get("isa", {})
    by_receiver = [
        p
        for p in practices
        if submitter_for(p)[1].sender_id in (isa.get("receiver"), isa.get("gs_receiver"))
    ]
    payees = [t["payee"] for t in summary.get("transactions", []) if t.get("type") == "835"]

    def payee_match(p: Practice) -> bool:
        return any(
            (y.get("id_qualifier") == "XX" and y.get("id") == p.group_npi)
            or (y.get("id_qualifier") == "FI" and y.get("id") == p.tin)
            or (y.get("tax_id") and y.get("tax_id") == p.tin)
            for y in payees
        )

    candidates = by_receiver
    if len(candidates) != 1 and payees:
        candidates = [p for p in (by_receiver or practices) if payee_match(p)]
    return candidates[0].id if len(candidates) == 1 else None


# ---- polling ----------------------------------------------------------------------------------


def poll(
    ctx_factory: ContextFactory, mailbox: ClearinghouseMailbox, *, apply: bool = True
) -> PollResult:
    """Fetch, store and acknowledge every waiting response file; then (by default) apply them."""
    from revcycle.x12.parse import forget

    try:
        return _poll(ctx_factory, mailbox, apply=apply)
    finally:
        forget()  # what this poll's reads built and its jobs did not take


def _poll(ctx_factory: ContextFactory, mailbox: ClearinghouseMailbox, *, apply: bool) -> PollResult:
    base = ctx_factory(None)
    result = PollResult()
    for entry in mailbox.list_inbound():
        content = mailbox.fetch(entry.name)
        sha = hashlib.sha256(content).hexdigest()
        with base.uow() as uow:
            known = uow.inbound_files.by_hash(sha)
        if known is None:
            summary = summarize(content)
            try:
                stored = _store(base, entry.name, content, sha, summary)
            except Conflict:  # stored by a concurrent poll in the meantime
                stored = None
            if stored is not None:
                assert stored.id is not None
                result.stored.append(stored.id)
                if stored.state == "unmatched":
                    result.unmatched.append(stored.id)
        else:
            result.already_stored.append(entry.name)
        mailbox.acknowledge(entry.name)
    if apply:
        for outcome in jobs.run_pending(ctx_factory, kinds=APPLY_KINDS):
            if outcome.state != "done":
                result.failed.append(outcome.error or "")
        with base.uow() as uow:  # the files of this poll only, not every file ever applied
            states = uow.inbound_files.states(result.stored)
            result.applied.extend(i for i in result.stored if states.get(i) == "applied")
    return result


APPLY_KINDS = ("inbox.apply", "era.post")

Applier = Callable[[Context, UnitOfWork, InboundFile, int, Mapping[str, Any]], list[str]]
"""Applies one transaction of a stored response file in the apply's transaction: (context of
the file's practice, unit of work, the file (its raw ``content`` too), the transaction's index,
its parsed JSON) -> notes for the file's record."""

APPLIERS: dict[str, str] = {
    # transaction type (as ``revcycle x12 parse`` names it) -> "module:function" (an Applier)
    "271": "revcycle.db.eligibility_repo:apply_271",
    "277": "revcycle.db.claim_status_repo:apply_277",  # X212 claim status, not the 277CA
}


def _store(
    base: Context, name: str, content: bytes, sha: str, summary: dict[str, Any]
) -> InboundFile:
    isa = summary.get("isa", {})
    sender, control = isa.get("sender", ""), isa.get("control_number", "")
    with base.uow() as uow:
        practice_id = _route(summary, uow.practices.list())
        state = "received" if practice_id is not None else "unmatched"
        if summary["kind"] == "unknown":
            state = "failed"
        elif control and any(
            # ISA13 is unique per sender and receiver: a clearinghouse numbers each
            # submitter's interchanges on its own, so two practices may get the same number
            f.receiver_id == isa.get("receiver", "")
            for f in uow.inbound_files.same_interchange(sender, control)
        ):
            state = "duplicate"
        stored = uow.inbound_files.add_file(
            InboundFile(
                mailbox_name=name,
                sha256=sha,
                content=content,
                kind=summary["kind"],
                sender_id=sender,
                receiver_id=isa.get("receiver", ""),
                interchange_control_number=control,
                state=state,
                summary=summary,
                received_at=base.clock.now(),
                practice_id=practice_id,
                error=summary.get("error"),
            )
        )
        if state == "received":
            uow.jobs.add(Job("inbox.apply", {"inbound_file_id": stored.id}, practice_id))
            if stored.kind == "835":  # and to the ledger: ERAs post themselves
                uow.jobs.add(Job("era.post", {"inbound_file_id": stored.id}, practice_id))
        uow.commit()
    return stored


def retry_unmatched(ctx_factory: ContextFactory) -> list[int]:
    """Route unmatched files again (a practice may have been set up since); returns those that
    found their practice, after applying them."""
    base = ctx_factory(None)
    routed = []
    with base.uow() as uow:
        practices = uow.practices.list()
        for f in uow.inbound_files.list(state="unmatched"):
            pid = _route(f.summary, practices)
            if pid is None:
                continue
            uow.inbound_files.update(replace(f, practice_id=pid, state="received"))
            uow.jobs.add(Job("inbox.apply", {"inbound_file_id": f.id}, pid))
            if f.kind == "835":
                uow.jobs.add(Job("era.post", {"inbound_file_id": f.id}, pid))
            routed.append(f.id or 0)
        uow.commit()
    jobs.run_pending(ctx_factory, kinds=APPLY_KINDS)
    return routed


def list_files(ctx: Context, state: str | None = None) -> Sequence[InboundFile]:
    """The practice's response files (with ``state="unmatched"``: the files of no practice)."""
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        if state == "unmatched":
            return uow.inbound_files.list(state=state)
        return [f for f in uow.inbound_files.list(state=state, practice_id=ctx.practice_id)]


# ---- applying ---------------------------------------------------------------------------------


def apply_file(ctx: Context, file_id: int) -> bool:
    """Apply one stored response file for ``ctx``'s practice; False when it was applied before."""
    with ctx.uow() as uow:
        f = uow.inbound_files.get(file_id)
        if f.practice_id != ctx.practice_id:
            return False
        if not uow.inbound_files.take_for_apply(file_id, ctx.clock.now()):
            return False
        applier = _Applier(ctx, uow, f)
        applier.run()
        uow.inbound_files.update(
            replace(f, state="applied", applied_at=ctx.clock.now(), notes=applier.notes)
        )
        ctx.audit(uow, "apply", "inbound_file", file_id)
        uow.commit()
    return True


def run_apply_job(env: jobs.JobEnv, job: Job) -> None:
    file_id = job.payload["inbound_file_id"]
    assert isinstance(file_id, int) and job.practice_id is not None
    apply_file(env.ctx_factory(job.practice_id), file_id)


def run_poll_job(env: jobs.JobEnv, job: Job) -> None:
    assert env.mailbox is not None
    poll(env.ctx_factory, env.mailbox)


def _money(text: str | None) -> Money:
    return Money(text) if text else Money.zero()


def remittance_outcome(claim: Mapping[str, Any]) -> str:
    """What an 835 claim (CLP) means for the claim's lifecycle.

    CLP02 4 is a denial; a processed claim (1, 2, 3, 19, 20, 21) with nothing paid and nothing
    left to the patient is denied, one with a line paid nothing outside patient responsibility
    is partially paid, else paid. A reversal (22) and other codes change no state here.
    """
    status = claim.get("status", "")
    if status == "22":
        return "reversed"
    if status == "4":
        return "denied"
    if status not in PROCESSED:
        return "other"
    paid = _money(claim.get("paid"))
    patient = _money(claim.get("patient_responsibility"))
    if not paid and not patient:
        return "denied"
    lines = claim.get("lines", [])
    unpaid = [
        line
        for line in lines
        if not _money(line.get("paid"))
        and not any(a.get("group") == "PR" for a in line.get("adjustments", []))
    ]
    if unpaid and len(unpaid) < len(lines):
        return "partially_paid"
    return "paid"


class _Applier:
    def __init__(self, ctx: Context, uow: UnitOfWork, f: InboundFile) -> None:
        assert f.id is not None
        self.ctx, self.uow, self.file = ctx, uow, f
        self.file_id = f.id
        self.notes: list[str] = []
        # Read once per apply, kept current as this apply changes them; the claim changes are
        # written together (``writes.flush``) before anything reads claims from the database.
        self.writes = ClaimWrites(ctx, uow)
        self.claims: dict[int, ClaimRecord] = {}
        self.pcns: dict[str, int | None] = {}
        self.latest: dict[int, int | None] = {}
        self.submissions: dict[int, SubmissionRecord] = {}

    def run(self) -> None:
        self._run()
        self.writes.flush()

    def _run(self) -> None:
        summary = self.file.summary
        ta1 = summary.get("ta1", [])
        assert isinstance(ta1, list)
        for t in ta1:
            self._ta1(t)
        transactions = summary.get("transactions", [])
        assert isinstance(transactions, list)
        for index, t in enumerate(transactions):
            kind = t.get("type")
            if kind == "999":
                self._999(t)
            elif kind == "277CA":
                self._277ca(t)
            elif kind == "835":
                self._835(index, t)
            elif isinstance(kind, str) and kind in APPLIERS:
                module, _, name = APPLIERS[kind].partition(":")
                apply: Applier = getattr(importlib.import_module(module), name)
                self.notes += apply(self.ctx, self.uow, self.file, index, t)
            else:
                self.notes.append(f"transaction {kind} not applied")

    # -- helpers --

    def _finished(self, s: SubmissionRecord) -> SubmissionRecord:
        """The submission, completed first when a response shows it was sent."""
        if s.state != "done":
            self.notes.append(f"{s.file_name} was {s.state}: completed on its response")
            self.writes.flush()
            s = complete(self.ctx, self.uow, s, s.state)
            assert s.id is not None
            self._load([sc.claim_id for sc in self.uow.submissions.claims_of(s.id)])
        if s.id is not None:
            self.submissions[s.id] = s
        return s

    def _load(self, claim_ids: Sequence[int]) -> None:
        """Read these claims (again) from the database into the cache."""
        self.writes.flush()
        for c in self.uow.claims.get_many(claim_ids):
            assert c.id is not None
            self.claims[c.id] = c

    def _claim(self, claim_id: int) -> ClaimRecord:
        if claim_id not in self.claims:
            self.claims[claim_id] = self.uow.claims.get(claim_id)
        return self.claims[claim_id]

    def _keep(self, claim: ClaimRecord) -> ClaimRecord:
        assert claim.id is not None
        self.claims[claim.id] = claim
        return claim

    def _by_pcns(self, pcns: Sequence[str]) -> None:
        """Read the claims with these patient control numbers, and their latest submissions."""
        wanted = [p for p in dict.fromkeys(pcns) if p not in self.pcns]
        if not wanted:
            return
        found = self.uow.claims.by_pcns(wanted)
        for pcn in wanted:
            claim = found.get(pcn)
            self.pcns[pcn] = claim.id if claim is not None else None
            if claim is not None and claim.id is not None and claim.id not in self.claims:
                self.claims[claim.id] = claim
        ids = [i for i in self.pcns.values() if i is not None and i not in self.latest]
        latest = self.uow.submissions.latest_attempts(ids)
        for i in ids:
            self.latest[i] = latest.get(i)

    def _by_pcn(self, pcn: str) -> ClaimRecord | None:
        self._by_pcns([pcn])
        claim_id = self.pcns[pcn]
        return self._claim(claim_id) if claim_id is not None else None

    def _transition(self, claim: ClaimRecord, target: str, reason: str) -> ClaimRecord:
        return self._keep(self.writes.transition(claim, target, reason))

    def _update(self, claim: ClaimRecord) -> ClaimRecord:
        return self._keep(self.writes.update(claim))

    def _respond(
        self,
        claim: ClaimRecord,
        kind: str,
        outcome: str,
        detail: str,
        submission_id: int | None,
        icn: str | None = None,
    ) -> None:
        assert claim.id is not None
        self.writes.respond(
            ClaimResponse(
                claim.id, self.file_id, kind, outcome, detail, self.ctx.clock.now(),
                submission_id, icn or None,
            )
        )  # fmt: skip

    def _reject(
        self, claim: ClaimRecord, kind: str, reason: str, submission_id: int | None
    ) -> None:
        if claim.status in ("submitted", "accepted"):
            claim = self._transition(claim, "rejected", f"{kind} rejected: {reason}")
            rejection_item(self.ctx, self.uow, claim, f"{kind}: {reason}", self.file.mailbox_name)
        else:
            self.notes.append(
                f"{claim.patient_control_number}: {kind} rejection while {claim.status}"
            )
        self._respond(claim, kind, "rejected", reason, submission_id)

    def _latest_submission(self, claim_id: int) -> SubmissionRecord | None:
        if claim_id not in self.latest:
            self.latest[claim_id] = self.uow.submissions.latest_attempts([claim_id]).get(claim_id)
        sid = self.latest[claim_id]
        if sid is None:
            return None
        if sid not in self.submissions:
            self.submissions[sid] = self.uow.submissions.get(sid)
        return self.submissions[sid]

    # -- per transaction type --

    def _ta1(self, t: Mapping[str, str]) -> None:
        number = t.get("interchange_control_number", "")
        s = self.uow.submissions.by_interchange(int(number)) if number.isdigit() else None
        if s is None:
            self.notes.append(f"TA1 for unknown interchange {number}")
            return
        assert s.id is not None
        status, note = t.get("status", ""), t.get("note", "")
        if note == "025":
            self.notes.append(f"TA1 {number}: duplicate interchange (a re-sent file); no change")
            return
        s = self._finished(s)
        assert s.id is not None
        if status == "A":
            if s.ack_status is None:
                self.uow.submissions.set_ack_status(s.id, "TA1 A")
            return
        self.uow.submissions.set_ack_status(s.id, f"TA1 {status} {note}".strip())
        reason = f"interchange {number} rejected (TA1 note {note}: {TA1_NOTES.get(note, '?')})"
        sent = self.uow.submissions.claims_of(s.id)
        self._load([sc.claim_id for sc in sent if sc.claim_id not in self.claims])
        for sc in sent:
            self._reject(self._claim(sc.claim_id), "TA1", reason, s.id)

    def _999(self, t: Mapping[str, Any]) -> None:
        for g in t.get("groups", []):
            number = g.get("control_number", "")
            s = self.uow.submissions.by_group(int(number)) if number.isdigit() else None
            if s is None:
                self.notes.append(f"999 for unknown group {number}")
                continue
            assert s.id is not None
            s = self._finished(s)
            assert s.id is not None
            self.uow.submissions.set_ack_status(s.id, f"999 {g.get('status', '')}")
            sets = {x["control_number"]: x for x in g.get("sets", [])}
            group_rejected = g.get("status") == "R"
            sent = self.uow.submissions.claims_of(s.id)
            self._load([sc.claim_id for sc in sent if sc.claim_id not in self.claims])
            for sc in sent:
                ack = sets.get(sc.set_control_number)
                rejected = (ack is not None and ack.get("status") not in ("A", "E")) or (
                    ack is None and group_rejected
                )
                claim = self._claim(sc.claim_id)
                if rejected:
                    self._reject(claim, "999", _set_errors(number, ack, g), s.id)
                    record_rejection(
                        self.ctx, self.uow, claim, "999",
                        f"{self.file_id}:{number}:{sc.set_control_number}",
                        errors=_set_errors(number, ack, g),
                    )  # fmt: skip
                else:
                    self._respond(claim, "999", "accepted", f"group {number} accepted", s.id)

    def _277ca(self, t: Mapping[str, Any]) -> None:
        self._by_pcns([c.get("patient_control_number", "") for c in t.get("claims", [])])
        for c in t.get("claims", []):
            pcn = c.get("patient_control_number", "")
            claim = self._by_pcn(pcn)
            if claim is None or claim.id is None:
                self.notes.append(f"277CA for unknown claim {pcn}")
                continue
            s = self._latest_submission(claim.id)
            if s is not None:
                self._finished(s)
                claim = self._claim(claim.id)
            sid = s.id if s else None
            statuses = c.get("statuses", [])
            text = "; ".join(
                f"{x.get('category')}:{x.get('code')}"
                + (f":{x['entity']}" if x.get("entity") else "")
                for x in statuses
            )
            icn = c.get("payer_claim_control_number") or ""
            if not c.get("accepted"):
                self._reject(claim, "277CA", f"claim status {text}", sid)
                record_rejection(
                    self.ctx, self.uow, claim, "277CA", f"{self.file_id}:{pcn}",
                    statuses=text.split("; ") if text else (),
                )  # fmt: skip
                continue
            if claim.status == "submitted":
                claim = self._transition(claim, "accepted", f"277CA {text}")
            if icn and claim.payer_claim_number != icn:
                claim = self._update(replace(claim, payer_claim_number=icn))
            self._respond(claim, "277CA", "accepted", f"claim status {text}", sid, icn)

    def _835(self, index: int, t: Mapping[str, Any]) -> None:
        payment = t.get("payment", {})
        rows = []
        self._by_pcns([c.get("patient_control_number", "") for c in t.get("claims", [])])
        for c in t.get("claims", []):
            pcn = c.get("patient_control_number", "")
            claim = self._by_pcn(pcn)
            outcome = remittance_outcome(c)
            rows.append(
                RemittanceClaimRow(
                    pcn,
                    c.get("status", ""),
                    outcome,
                    _money(c.get("charge")),
                    _money(c.get("paid")),
                    Money(c["patient_responsibility"]) if c.get("patient_responsibility") else None,
                    c.get("payer_claim_control_number") or "",
                    c,
                    claim.id if claim else None,
                )
            )
            if claim is None:
                self.notes.append(f"835 for unknown claim {pcn}")
                continue
            self._adjudicated(claim, c, outcome, payment.get("trace", ""))
        pay_date = payment.get("date")
        self.uow.remittances.add(
            ReceivedRemittance(
                inbound_file_id=self.file_id,
                set_index=index,
                set_control_number=t.get("control_number", ""),
                payer_name=t.get("payer", {}).get("name", ""),
                payer_identifier=t.get("payer", {}).get("id", "")
                or payment.get("payer_identifier", ""),
                payee_identifier=t.get("payee", {}).get("id", ""),
                trace_number=payment.get("trace", ""),
                payment_amount=_money(payment.get("amount")),
                payment_method=payment.get("method", ""),
                payment_date=date.fromisoformat(pay_date) if pay_date else None,
                provider_adjustments=Money.sum(
                    _money(a.get("amount")) for a in t.get("provider_adjustments", [])
                ),
                claims=tuple(rows),
                received_at=self.ctx.clock.now(),
            )
        )

    def _adjudicated(
        self, claim: ClaimRecord, c: Mapping[str, Any], outcome: str, trace: str
    ) -> None:
        assert claim.id is not None
        s = self._latest_submission(claim.id)
        if s is not None:
            self._finished(s)
            claim = self._claim(claim.id)
        icn = c.get("payer_claim_control_number") or ""
        detail = f"835 trace {trace}: CLP02 {c.get('status')} paid {c.get('paid')}"
        if outcome in ("paid", "partially_paid", "denied"):
            if claim.status == "submitted":
                claim = self._transition(claim, "accepted", "adjudicated (835 before any 277CA)")
            if claim.status in ("accepted", "appealed"):  # an appeal's decision comes by 835
                claim = self._transition(claim, outcome, detail)
            else:
                self.notes.append(
                    f"{claim.patient_control_number}: 835 {outcome} while {claim.status}"
                )
        if icn and not claim.payer_claim_number:
            claim = self._update(replace(claim, payer_claim_number=icn))
        self._respond(claim, "835", outcome, detail, s.id if s else None, icn)


def _set_errors(group: str, ack: Mapping[str, Any] | None, g: Mapping[str, Any]) -> str:
    if ack is None:
        return f"group {group} rejected (AK9 {g.get('status')} {' '.join(g.get('codes', []))})"
    parts = [f"set {ack.get('control_number')} rejected (IK5 {' '.join(ack.get('codes', []))})"]
    for e in ack.get("errors", [])[:5]:
        where = f"{e.get('segment')} #{e.get('position')}"
        if e.get("element"):
            parts.append(
                f"{where} element {e['element']} error {e.get('element_error')}"
                + (f" value {e['value']!r}" if e.get("value") else "")
            )
        else:
            parts.append(f"{where} segment error {e.get('segment_error')}")
    return "; ".join(parts)
