"""Claim status follow-up: 276 inquiries about quiet claims, 277 answers in the claim's history.

A claim is *quiet* when it was sent (state ``submitted`` or ``accepted``), no remittance has
come for it, and its last sending is at least ``after_days`` old (per payer, default 30; see
``configure``). ``sweep`` asks the payer about each quiet claim not asked within the payer's
``repeat_days`` (default 7; failed inquiries do not count, so they are asked again) and not
already in the ``no_response`` queue:

- in real time (``check`` per claim): the 276 goes through a ``RealtimeSender`` (the
  transport's ``RealtimeClient``, which retries timeouts and unavailable endpoints as its
  policy says), the 277 comes back in the same exchange and is applied at once;
- in batch: one 276 interchange with a transaction set per claim is put in the clearinghouse
  mailbox; the 277 comes back as a response file and the inbox applies it (``apply_277``,
  the applier of transaction type ``277``), matching each claim status to its inquiry by the
  trace (TRN02) echoed from the 276.

Every inquiry is stored before anything is sent (the claim, the trace, the exact 276, the
state ``pending`` -> ``answered`` | ``failed``), so a request is never lost: when the
exchange fails after the client's retries the inquiry is kept ``failed`` with the error, and
the next ``check`` of the claim sends the same request again (same trace, same bytes).

Applying a claim status (both ways, in the unit of work that applies it): the answer is
stored (category, status code, entity, effective date, charge, paid, check / EFT number and
date, the whole ``StatusInfo`` as JSON with amounts as strings); the claim's history gets an
event saying what the payer answered (a ``submitted`` claim the payer knows becomes
``accepted``, a payer claim number is recorded when the claim has none); a batch answer is
also a ``claim_responses`` row (kind ``277``) of the claim's latest submission. A claim the
payer does not know (category ``A4``, or ``D0`` data search unsuccessful) gets an item in
the ``no_response`` work queue with the reason; a later answer that knows it closes the item.
A 277 never moves money or marks a claim paid or denied: the 835 does.

Persistence comes through ``StatusStoreFactory`` (the ``db`` layer's ``status_store``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol, cast

from revcycle.domain import claim as x
from revcycle.domain.audit import AuditEntry
from revcycle.domain.claim_record import ClaimEvent, ClaimRecord
from revcycle.domain.claim_status_inquiry import (
    ClaimLine,
    ClaimStatusRequest,
    ClaimStatusResponse,
    Status,
    StatusInfo,
)
from revcycle.domain.eligibility import Entity, Member
from revcycle.domain.errors import DomainValidationError, NotFound, RevcycleError
from revcycle.domain.money import Money
from revcycle.domain.practice import Practice
from revcycle.domain.user import READ_REGISTRATION, WRITE_PATIENTS, WRITE_SETUP
from revcycle.domain.workqueue import WorkItem
from revcycle.services.claim_builder import ReferenceReads, build_claim, load_sources_many
from revcycle.services.claims import find_claim
from revcycle.services.context import Context
from revcycle.services.ports import (
    ClaimResponse,
    ClearinghouseMailbox,
    InboundFile,
    UnitOfWork,
)
from revcycle.services.submission import ClaimWrites, _ReadCache
from revcycle.services.x12_out import submitter_for
from revcycle.x12.control import Kind
from revcycle.x12.errors import X12Error
from revcycle.x12.mapping.claim_status import (
    FUNCTIONAL_ID_276,
    read_277,
    status_json,
    transaction_276,
)
from revcycle.x12.parse import recall
from revcycle.x12.writer import TransactionSet, write_interchange

QUEUE = "no_response"
NOT_FOUND = frozenset({"A4", "D0"})
KNOWN = ("A1", "A2", "A5", "P", "F")  # categories saying the payer has the claim
DEFAULT_AFTER_DAYS = 30
DEFAULT_REPEAT_DAYS = 7
QUIET_STATES = ("submitted", "accepted")
TRACE_SEQUENCE = "claim-status-trace"
# Claims asked about in one 276 interchange of a batch sweep; a longer list goes in several.
# Keeps each 276 and the 277 answering it a few MB, so neither side holds a month of claims
# in memory at once.
BATCH_CLAIMS = 2_000


class StatusInquiryFailed(RevcycleError):
    """The clearinghouse could not be asked, or did not answer about the claim (after the
    transport's retries). The inquiry is kept ``failed`` with its request."""

    code = "claim_status_failed"

    def __init__(self, message: str, inquiry_id: int | None) -> None:
        self.inquiry_id = inquiry_id
        super().__init__(message)


# ---- records and ports ------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusInquiry:
    """One 276 about one claim. ``request`` is the 276 interchange (real time) or the claim's
    transaction set within ``file_name`` (batch)."""

    claim_id: int
    trace: str
    mode: str  # realtime, batch
    request: str = field(repr=False)
    interchange_control_number: int
    created_at: datetime
    actor: str
    state: str = "pending"  # pending, answered, failed
    file_name: str | None = None
    error: str | None = None
    attempts: int = 0
    sent_at: datetime | None = None
    answered_at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True)
class StatusAnswer:
    """One claim status of a 277 as stored in the claim's history."""

    claim_id: int
    trace: str
    category: str
    status_code: str
    entity: str
    effective_date: date | None
    charge: Money | None
    paid: Money | None
    check_number: str
    check_date: date | None
    payer_claim_number: str
    info: Mapping[str, Any]
    received_at: datetime
    inquiry_id: int | None = None
    inbound_file_id: int | None = None
    raw: str | None = field(default=None, repr=False)
    id: int | None = None

    @property
    def outcome(self) -> str:
        return outcome_of(self.category)


@dataclass(frozen=True)
class FollowUpSetting:
    """When a payer's claims count as quiet, and how often they are asked about again."""

    payer_ref: int
    payer_id: str = ""
    after_days: int = DEFAULT_AFTER_DAYS
    repeat_days: int = DEFAULT_REPEAT_DAYS


@dataclass(frozen=True)
class QuietClaim:
    """A sent claim without remittance, with when it was last sent and last asked about."""

    claim_id: int
    patient_control_number: str
    payer_ref: int
    payer_id: str
    status: str
    total_charge: Money
    last_sent: datetime | None
    last_asked: datetime | None


class StatusStore(Protocol):
    def add_inquiries(self, items: Sequence[StatusInquiry]) -> list[StatusInquiry]: ...

    def update_inquiries(self, items: Sequence[StatusInquiry]) -> None: ...

    def inquiry(self, id: int) -> StatusInquiry: ...

    def by_traces(self, traces: Sequence[str]) -> dict[str, StatusInquiry]: ...

    def inquiries(
        self, *, claim_id: int | None = None, state: str | None = None, limit: int = 500
    ) -> list[StatusInquiry]:
        """Newest first."""
        ...

    def add_answers(self, answers: Sequence[StatusAnswer]) -> None: ...

    def answers(self, claim_id: int) -> list[StatusAnswer]:
        """Oldest first."""
        ...

    def settings(self) -> dict[int, FollowUpSetting]: ...

    def save_setting(self, setting: FollowUpSetting) -> None: ...

    def quiet_claims(self, payer_ref: int | None = None) -> list[QuietClaim]:
        """Claims in ``QUIET_STATES`` without remittance and not in an open ``no_response``
        item, of one payer or all."""
        ...


StatusStoreFactory = Callable[[UnitOfWork], StatusStore]


class RealtimeSender(Protocol):
    """Sends one X12 interchange and returns the answer (``transport.RealtimeClient``)."""

    def send(self, x12: str) -> str: ...


# ---- small helpers ----------------------------------------------------------------------------


def outcome_of(category: str) -> str:
    """What a 277 category says, in one word (also the ``claim_responses`` outcome)."""
    if category in NOT_FOUND:
        return "not_found"
    if category == "F2":
        return "denied"
    if category.startswith("F"):
        return "finalized"
    if category in ("A1", "A2", "A5") or category.startswith("P"):
        return "pending"
    if category.startswith("A"):  # A3, A6, A7, A8: returned as unprocessable
        return "rejected"
    if category.startswith("R"):
        return "more_info"
    if category.startswith("E"):
        return "error"
    return "other"


def describe(info: StatusInfo) -> str:
    """``F1:65 paid 80.00 check 123 on 2026-03-05`` and the like."""
    s = info.status
    code = ":".join(p for p in (info.category, info.status_code, info.entity) if p)
    parts = [code or "no status"]
    if info.paid is not None and info.finalized:
        parts.append(f"paid {info.paid}")
    if info.check_number:
        parts.append(f"check/EFT {info.check_number}")
    if info.check_date:
        parts.append(f"on {info.check_date.isoformat()}")
    if s.message:
        parts.append(f"({s.message})")
    return " ".join(parts)


def info_json(info: StatusInfo) -> dict[str, Any]:
    """``StatusInfo`` as JSON (amounts as strings, dates ISO)."""

    def money(m: Money | None) -> str | None:
        return m.to_json() if m is not None else None

    return {
        "trace": info.trace,
        "category": info.category,
        "status_code": info.status_code,
        "entity": info.entity,
        "effective_date": info.effective_date.isoformat() if info.effective_date else None,
        "charge": money(info.charge),
        "paid": money(info.paid),
        "check_number": info.check_number,
        "check_date": info.check_date.isoformat() if info.check_date else None,
        "payer_claim_control_number": info.payer_claim_control_number,
        "patient_control_number": info.patient_control_number,
        "statuses": [status_json(s) for s in info.statuses],
        "lines": [
            {
                "procedure": line.procedure,
                "modifiers": list(line.modifiers),
                "charge": line.charge.to_json(),
                "paid": money(line.paid),
                "line_control_number": line.line_control_number,
                "statuses": [status_json(s) for s in line.statuses],
            }
            for line in info.lines
        ],
    }


def _aware(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class _ControlNumbers:
    """ISA13 and GS06 from the database sequences the 837s use (never reused, across
    processes; each taken in its own committed transaction), ST02 counted within the group."""

    GLOBAL = 0

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.sets = 0
        self.interchange = 0

    def next(self, partner: str, kind: Kind) -> int:
        if kind == "set":
            self.sets += 1
            return self.sets
        with self.ctx.uow_factory(None) as uow:
            value = uow.sequences.next(self.GLOBAL, f"x12:{partner}:{kind}"[:40])
            uow.commit()
        if kind == "interchange":
            self.interchange = value
        return value


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # a request's time until it is stamped


def _traces(ctx: Context, count: int) -> list[str]:
    assert ctx.practice_id is not None
    with ctx.uow() as uow:
        block = uow.sequences.next_block(ctx.practice_id, TRACE_SEQUENCE, count)
        uow.commit()
    return [f"CS{ctx.practice_id}-{n:08d}" for n in block]


def _sets_of(text: str) -> list[str]:
    """The ST..SE blocks of an interchange revcycle wrote (one segment per line)."""
    out: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("ST*"):
            current = []
        if current is not None:
            current.append(line)
            if line.startswith("SE*"):
                out.append("\n".join(current) + "\n")
                current = None
    return out


# ---- building 276s ----------------------------------------------------------------------------


def _member(p: x.Person, member_id: str = "", relationship: str = "") -> Member:
    return Member(
        last_name=p.last_name,
        first_name=p.first_name,
        middle_name=p.middle_name,
        suffix=p.suffix,
        member_id=member_id,
        birth_date=p.birth_date,
        sex=p.sex if p.sex in ("F", "M") else "",
        relationship=relationship,
    )


def status_request(
    claim: x.Claim,
    record: ClaimRecord,
    practice: Practice,
    trace: str,
    now: datetime,
    *,
    lines: bool = True,
) -> ClaimStatusRequest:
    """The 276 question about one claim as revcycle sent it (``claim``: its 837 form)."""
    submitter, _ = submitter_for(practice)
    bp = claim.billing_provider
    inst = claim.institutional
    start = min(ln.service_date for ln in claim.lines)
    end = max(ln.service_date_end or ln.service_date for ln in claim.lines)
    if inst is not None:
        start, end = inst.statement_from, inst.statement_to
    asked = tuple(
        ClaimLine(
            procedure=ln.procedure_code,
            charge=ln.charge,
            qualifier=ln.qualifier,
            modifiers=ln.modifiers,
            revenue_code=ln.revenue_code,
            units=ln.units,
            line_control_number=ln.line_control_number,
            service_from=ln.service_date,
            service_to=ln.service_date_end
            if ln.service_date_end and ln.service_date_end != ln.service_date
            else None,
        )
        for ln in claim.lines
    )
    return ClaimStatusRequest(
        payer=Entity(claim.payer.name, claim.payer.payer_id, "PI"),
        receiver=Entity(submitter.name, submitter.identifier, "46"),
        provider=Entity(
            bp.last_or_org_name, bp.npi, "XX", first_name=bp.first_name, person=bp.is_person
        ),
        subscriber=_member(claim.subscriber.person, claim.subscriber.member_id, "18"),
        dependent=(
            _member(claim.patient.person, relationship=claim.patient.relationship)
            if claim.patient is not None
            else None
        ),
        trace=trace,
        created=now,
        patient_control_number=record.patient_control_number,
        payer_claim_number=record.payer_claim_number or "",
        charge=claim.total_charge,
        service_from=start,
        service_to=end if end != start else None,
        bill_type=f"{inst.facility_type}{claim.frequency.value}" if inst is not None else "",
        group_number=claim.subscriber.group_number,
        lines=asked if lines else (),
    )


class _Known:
    """A repository whose ``get`` answers from what was read up front (else asks it)."""

    def __init__(self, repo: Any, known: Mapping[int, Any]) -> None:
        self._repo, self._known = repo, known

    def get(self, id: int) -> Any:
        found = self._known.get(id)
        return found if found is not None else self._repo.get(id)

    def get_many(self, ids: Sequence[int]) -> list[Any]:
        """The records of ``ids`` in id order (as the repository's ``get_many``), the ones
        read up front without a statement."""
        wanted = sorted(set(ids))
        missing = [i for i in wanted if i not in self._known]
        fetched = {x.id: x for x in self._repo.get_many(missing)} if missing else {}
        out = []
        for i in wanted:
            found = self._known.get(i)
            if found is None:
                found = fetched.get(i)
            if found is not None:
                out.append(found)
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self._repo, name)


class _KnownPriors:
    """``uow.cob`` whose ``prior_payers`` answers from the claims' prior payers read up front."""

    def __init__(self, repo: Any, known: Mapping[int, Sequence[Any]]) -> None:
        self._repo, self._known = repo, known

    def prior_payers(self, claim_id: int) -> Sequence[Any]:
        return self._known.get(claim_id, [])

    def __getattr__(self, name: str) -> Any:
        return getattr(self._repo, name)


class _StatusReads:
    """What building the 837 form of many claims reads: their encounters, their patients'
    coverages and their prior payers in a few statements, the rest through the submission's
    read cache."""

    def __init__(self, uow: UnitOfWork, claims: Sequence[ClaimRecord]) -> None:
        self._reads = _ReadCache(uow, claims)
        ids = [c.id for c in claims if c.id is not None]
        encounters = uow.encounters.get_by_ids([c.encounter_id for c in claims])
        self.encounters = _Known(uow.encounters, encounters)
        patients = sorted({e.patient_id for e in encounters.values()})
        coverages = uow.cob.coverages_of(patients) if patients else {}
        self.coverages = _Known(
            self._reads.coverages,
            {c.id: c for cs in coverages.values() for c in cs if c.id is not None},
        )
        self.cob = _KnownPriors(uow.cob, uow.cob.prior_payers_many(ids) if ids else {})

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reads, name)


_SOURCES_CHUNK = 500


def _requests(
    reads: UnitOfWork, records: Sequence[ClaimRecord], practice: Practice, lines: bool
) -> list[ClaimStatusRequest]:
    """The 276 question about each claim (without trace and time), from its 837 form.

    The claims' sources are read a chunk at a time (a few statements per chunk); each
    claim's 837 form is dropped once its question is made (a sweep may ask about most of a
    month's claims: their 837 forms together would not fit in memory)."""
    asked: list[ClaimStatusRequest] = []
    kept = ReferenceReads()
    for start in range(0, len(records), _SOURCES_CHUNK):
        chunk = records[start : start + _SOURCES_CHUNK]
        for r, sources in zip(chunk, load_sources_many(reads, chunk, kept), strict=True):
            asked.append(status_request(build_claim(sources), r, practice, "", _EPOCH, lines=lines))
    return asked


def _prepare(
    ctx: Context,
    claim_ids: Sequence[int],
    mode: str,
    *,
    lines: bool,
) -> tuple[list[StatusInquiry], str, Practice]:
    """Build the 276 interchange for these claims (one set each) and the inquiries to store."""
    assert ctx.practice_id is not None
    with ctx.uow() as uow:
        practice = uow.practices.get(ctx.practice_id)
        records = list(uow.claims.get_many(claim_ids))
        # the submission's read cache (practice, payers, plans, providers... read once), with
        # the claims' encounters and prior payers read up front in a few statements
        asked = _requests(cast(UnitOfWork, _StatusReads(uow, records)), records, practice, lines)
    now = ctx.clock.now()
    traces = _traces(ctx, len(records))
    requests = [replace(q, trace=t, created=now) for q, t in zip(asked, traces, strict=True)]
    del asked
    sets: list[TransactionSet] = [transaction_276(r) for r in requests]
    _, envelope = submitter_for(practice)
    control = _ControlNumbers(ctx)
    text = write_interchange(envelope, FUNCTIONAL_ID_276, sets, control, now)
    pieces = [text] if mode == "realtime" else _sets_of(text)
    inquiries = [
        StatusInquiry(
            claim_id=r.id or 0,
            trace=t,
            mode=mode,
            request=pieces[i] if mode == "batch" else text,
            interchange_control_number=control.interchange,
            created_at=now,
            actor=ctx.actor,
        )
        for i, (r, t) in enumerate(zip(records, traces, strict=True))
    ]
    return inquiries, text, practice


# ---- applying answers -------------------------------------------------------------------------


class _Recorder:
    """Writes claim statuses into the claims' history inside one unit of work (``flush``
    writes what ``record`` gathered, in a few statements)."""

    def __init__(
        self,
        ctx: Context,
        uow: UnitOfWork,
        store: StatusStore,
        inbound_file_id: int | None = None,
    ) -> None:
        self.ctx, self.uow, self.store = ctx, uow, store
        self.inbound_file_id = inbound_file_id
        self.writes = ClaimWrites(ctx, uow)
        self.answers: list[StatusAnswer] = []
        self.inquiries: list[StatusInquiry] = []
        self.not_found: dict[int, tuple[ClaimRecord, str]] = {}
        self.found: dict[int, str] = {}
        self.counts: dict[str, int] = {}

    def record(
        self,
        claim: ClaimRecord,
        inquiry: StatusInquiry | None,
        info: StatusInfo,
        raw: str | None = None,
    ) -> StatusAnswer:
        assert claim.id is not None
        claim_id = claim.id
        now = self.ctx.clock.now()
        text = describe(info)
        answer = StatusAnswer(
            claim_id=claim_id,
            trace=info.trace,
            category=info.category,
            status_code=info.status_code,
            entity=info.entity,
            effective_date=info.effective_date,
            charge=info.charge,
            paid=info.paid,
            check_number=info.check_number,
            check_date=info.check_date,
            payer_claim_number=info.payer_claim_control_number,
            info=info_json(info),
            received_at=now,
            inquiry_id=inquiry.id if inquiry is not None else None,
            inbound_file_id=self.inbound_file_id,
            raw=raw,
        )
        self.answers.append(answer)
        outcome = answer.outcome
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        if inquiry is not None:
            self.inquiries.append(replace(inquiry, state="answered", answered_at=now, error=None))
        reason = f"claim status (277): {text}"[:300]
        if claim.status == "submitted" and info.category.startswith(KNOWN):
            claim = self.writes.transition(claim, "accepted", reason)
        else:
            self.writes.events.append(
                (claim_id, ClaimEvent(now, self.ctx.actor, claim.status, claim.status, reason))
            )
            self.writes.audits.append(
                AuditEntry(
                    now, self.ctx.actor, self.ctx.channel, "update", "claim", str(claim_id),
                    self.ctx.practice_id,
                )
            )  # fmt: skip
        icn = info.payer_claim_control_number
        if icn and not claim.payer_claim_number and outcome != "not_found":
            claim = self.writes.update(replace(claim, payer_claim_number=icn[:50]))
        if self.inbound_file_id is not None:
            self.writes.respond(
                ClaimResponse(
                    claim_id, self.inbound_file_id, "277", outcome, text[:1000], now, None,
                    icn or None,
                )
            )  # fmt: skip
        if outcome == "not_found":
            self.not_found[claim_id] = (claim, f"payer does not know the claim: 277 {text}")
            self.found.pop(claim_id, None)
        else:
            self.found[claim_id] = text
            self.not_found.pop(claim_id, None)
        return answer

    def flush(self) -> None:
        if self.writes.responses:
            latest = self.uow.submissions.latest_attempts(
                [r.claim_id for r in self.writes.responses]
            )
            self.writes.responses = [
                replace(r, submission_id=latest.get(r.claim_id)) for r in self.writes.responses
            ]
        self.writes.flush()
        self.store.add_answers(self.answers)
        self.store.update_inquiries(self.inquiries)
        self._queue()
        self.answers, self.inquiries = [], []
        self.not_found, self.found = {}, {}

    def _queue(self) -> None:
        now, actor = self.ctx.clock.now(), self.ctx.actor
        ids = [*self.not_found, *self.found]
        if not ids:
            return
        open_items = self.uow.work_items.open_for_many(QUEUE, "claim", ids)
        for claim_id, (claim, reason) in self.not_found.items():
            item = open_items.get(claim_id)
            if item is None:
                item = self.uow.work_items.add(
                    WorkItem(QUEUE, "claim", claim_id, reason[:400], int(claim.total_charge.amount))
                )
                self.uow.work_items.add_event(item.id or 0, now, actor, "opened", reason)
            else:
                self.uow.work_items.update(replace(item, reason=reason[:400]))
                self.uow.work_items.add_event(item.id or 0, now, actor, "updated", reason)
        for claim_id, text in self.found.items():
            item = open_items.get(claim_id)
            if item is not None:
                self.uow.work_items.update(replace(item, status="done"))
                self.uow.work_items.add_event(
                    item.id or 0, now, actor, "closed", f"the payer knows the claim now: {text}"
                )


# ---- real time --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusOutcome:
    """What one real-time inquiry got."""

    claim: ClaimRecord
    inquiry: StatusInquiry
    answer: StatusAnswer | None = None

    @property
    def state(self) -> str:
        return self.inquiry.state


def _unanswered(responses: Iterable[ClaimStatusResponse], trace: str, reply: str) -> str:
    """Why an answer holds no status for ``trace`` (a request-level status, an ack...)."""
    for r in responses:
        for s in (*r.receiver_statuses, *r.provider_statuses):
            return f"the payer answered the request with {_codes(s)}, not about the claim"
    if "ST*999*" in reply or "TA1*" in reply:
        return "the clearinghouse answered with an acknowledgment (TA1/999), not a 277"
    return f"the answer holds no claim status for trace {trace}"


def _codes(s: Status) -> str:
    c = s.primary
    return ":".join(p for p in (c.category, c.code, c.entity) if p)


def _fail(ctx: Context, store: StatusStoreFactory, inquiry: StatusInquiry, error: str) -> None:
    with ctx.uow() as uow:
        store(uow).update_inquiries([replace(inquiry, state="failed", error=error[:1000])])
        uow.commit()


def _exchange(
    ctx: Context, inquiry: StatusInquiry, sender: RealtimeSender, store: StatusStoreFactory
) -> StatusOutcome:
    """Send a stored (pending) inquiry, apply the answer; a failure is kept and raised."""
    try:
        reply = sender.send(inquiry.request)
    except RevcycleError as exc:
        _fail(ctx, store, inquiry, str(exc))
        raise StatusInquiryFailed(
            f"claim status inquiry {inquiry.trace} failed: {exc} (kept; asking again sends it)",
            inquiry.id,
        ) from exc
    try:
        responses, _ = read_277(reply)
    except X12Error as exc:
        responses, reason = [], f"the answer is not X12: {exc}"
    else:
        reason = _unanswered(responses, inquiry.trace, reply)
    info = next((c for r in responses for c in r.claims if c.trace == inquiry.trace), None)
    if info is None:
        _fail(ctx, store, inquiry, reason)
        raise StatusInquiryFailed(
            f"claim status inquiry {inquiry.trace} failed: {reason}", inquiry.id
        )
    with ctx.uow() as uow:
        st = store(uow)
        claim = uow.claims.get(inquiry.claim_id)
        recorder = _Recorder(ctx, uow, st)
        answer = recorder.record(claim, inquiry, info, raw=reply)
        recorder.flush()
        uow.commit()
        claim = uow.claims.get(inquiry.claim_id)
    done = replace(inquiry, state="answered", answered_at=answer.received_at, error=None)
    return StatusOutcome(claim, done, answer)


def check(
    ctx: Context,
    claim_key: str,
    sender: RealtimeSender,
    *,
    store: StatusStoreFactory,
    lines: bool = True,
) -> StatusOutcome:
    """Ask the payer in real time where one claim (id or patient control number) stands.

    A claim whose last inquiry failed is asked with that same request again; otherwise a new
    276 is built (with the claim's service lines unless ``lines`` is false). Raises
    ``StatusInquiryFailed`` (the inquiry kept ``failed``) when no answer about the claim
    comes back."""
    ctx.require(WRITE_PATIENTS)
    with ctx.uow() as uow:
        claim = find_claim(uow, claim_key)
        assert claim.id is not None
        previous = store(uow).inquiries(claim_id=claim.id, limit=1)
    if previous and previous[0].state == "failed" and previous[0].mode == "realtime":
        inquiry = _resend(ctx, previous[0], store)
    else:
        [inquiry] = _create(ctx, [claim.id], "realtime", store, lines=lines)
    return _exchange(ctx, inquiry, sender, store)


def _create(
    ctx: Context,
    claim_ids: Sequence[int],
    mode: str,
    store: StatusStoreFactory,
    *,
    lines: bool,
    file_name: str | None = None,
) -> list[StatusInquiry]:
    inquiries, _, _ = _prepare(ctx, claim_ids, mode, lines=lines)
    now = ctx.clock.now()
    if mode == "realtime":
        inquiries = [replace(i, sent_at=now, attempts=1) for i in inquiries]
    else:
        inquiries = [replace(i, file_name=file_name) for i in inquiries]
    with ctx.uow() as uow:
        stored = store(uow).add_inquiries(inquiries)
        for i in stored:
            ctx.audit(uow, "create", "claim_status_inquiry", i.id)
        uow.commit()
    return stored


def _resend(ctx: Context, inquiry: StatusInquiry, store: StatusStoreFactory) -> StatusInquiry:
    again = replace(
        inquiry, state="pending", attempts=inquiry.attempts + 1, sent_at=ctx.clock.now()
    )
    with ctx.uow() as uow:
        store(uow).update_inquiries([again])
        ctx.audit(uow, "update", "claim_status_inquiry", inquiry.id)
        uow.commit()
    return again


# ---- sweeps -----------------------------------------------------------------------------------


def _setting_for(
    settings: Mapping[int, FollowUpSetting], payer_ref: int, payer_id: str
) -> FollowUpSetting:
    return settings.get(payer_ref) or FollowUpSetting(payer_ref, payer_id)


def due_claims(
    ctx: Context,
    *,
    store: StatusStoreFactory,
    days: int | None = None,
    payer: str | None = None,
) -> list[QuietClaim]:
    """The quiet claims due for a status inquiry now (``days`` overrides every payer's
    ``after_days``; ``payer`` is a payer ID)."""
    ctx.require(READ_REGISTRATION)
    if days is not None and days < 0:
        raise DomainValidationError.single("days", "negative", "must be 0 or more")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        payer_ref: int | None = None
        if payer is not None:
            found = uow.payers.by_payer_id(payer)
            if found is None or found.id is None:
                raise NotFound("payer", payer)
            payer_ref = found.id
        st = store(uow)
        settings = st.settings()
        quiet = st.quiet_claims(payer_ref)
    due: list[QuietClaim] = []
    for q in quiet:
        s = _setting_for(settings, q.payer_ref, q.payer_id)
        after = s.after_days if days is None else days
        sent = _aware(q.last_sent)
        asked = _aware(q.last_asked)
        if sent is not None and now - sent < timedelta(days=after):
            continue
        if asked is not None and now - asked < timedelta(days=s.repeat_days):
            continue
        due.append(q)
    return due


@dataclass(frozen=True)
class SweepResult:
    """What a sweep did: the claims asked about, and (real time) how each came out."""

    mode: str
    asked: tuple[str, ...] = ()  # patient control numbers
    outcomes: Mapping[str, int] = field(default_factory=dict)  # outcome -> claims
    failed: tuple[tuple[str, str], ...] = ()  # (patient control number, error)
    file_name: str | None = None  # a batch's (first) 276 file
    interchange_control_number: int | None = None
    file_names: tuple[str, ...] = ()  # every 276 file of a batch, in order


def sweep(
    ctx: Context,
    *,
    store: StatusStoreFactory,
    sender: RealtimeSender | None = None,
    mailbox: ClearinghouseMailbox | None = None,
    days: int | None = None,
    payer: str | None = None,
    lines: bool = True,
    limit: int | None = None,
) -> SweepResult:
    """Ask about every quiet claim due: one by one in real time through ``sender``, or in 276
    batches of at most ``BATCH_CLAIMS`` claims each through ``mailbox`` (their 277s are
    applied by the inbox)."""
    ctx.require(WRITE_PATIENTS)
    if (sender is None) == (mailbox is None):
        raise ValueError("a sweep goes either in real time (sender) or in batch (mailbox)")
    due = due_claims(ctx, store=store, days=days, payer=payer)
    if limit is not None:
        due = due[:limit]
    if not due:
        return SweepResult("batch" if mailbox is not None else "realtime")
    if mailbox is not None:
        sent = [
            _batch(ctx, due[i : i + BATCH_CLAIMS], mailbox, store, lines=lines)
            for i in range(0, len(due), BATCH_CLAIMS)
        ]
        names = tuple(r.file_name for r in sent if r.file_name is not None)
        return replace(
            sent[0],
            asked=tuple(pcn for r in sent for pcn in r.asked),
            outcomes={"pending": sum(len(r.asked) for r in sent)},
            file_names=names,
        )
    assert sender is not None
    outcomes: dict[str, int] = {}
    failed: list[tuple[str, str]] = []
    for q in due:
        try:
            [inquiry] = _create(ctx, [q.claim_id], "realtime", store, lines=lines)
            got = _exchange(ctx, inquiry, sender, store)
        except StatusInquiryFailed as exc:
            failed.append((q.patient_control_number, str(exc)))
            continue
        assert got.answer is not None
        outcomes[got.answer.outcome] = outcomes.get(got.answer.outcome, 0) + 1
    return SweepResult(
        "realtime", tuple(q.patient_control_number for q in due), outcomes, tuple(failed)
    )


def batch_file_name(practice_id: int, interchange: int) -> str:
    return f"276-P{practice_id}-{interchange:09d}.x12"


def _batch(
    ctx: Context,
    due: Sequence[QuietClaim],
    mailbox: ClearinghouseMailbox,
    store: StatusStoreFactory,
    *,
    lines: bool,
) -> SweepResult:
    assert ctx.practice_id is not None
    inquiries, text, _ = _prepare(ctx, [q.claim_id for q in due], "batch", lines=lines)
    isa13 = inquiries[0].interchange_control_number
    name = batch_file_name(ctx.practice_id, isa13)
    inquiries = [replace(i, file_name=name) for i in inquiries]
    with ctx.uow() as uow:
        stored = store(uow).add_inquiries(inquiries)
        ctx.audit(uow, "create", "claim_status_batch", name)
        uow.commit()
    try:
        mailbox.put(name, text.encode("utf-8"))
    except RevcycleError as exc:
        with ctx.uow() as uow:
            store(uow).update_inquiries(
                [replace(i, state="failed", error=str(exc)[:1000]) for i in stored]
            )
            uow.commit()
        raise StatusInquiryFailed(
            f"the 276 batch {name} could not be put in the mailbox: {exc} (its inquiries are "
            "kept failed; the next sweep asks again)",
            None,
        ) from exc
    now = ctx.clock.now()
    with ctx.uow() as uow:
        store(uow).update_inquiries([replace(i, sent_at=now, attempts=1) for i in stored])
        uow.commit()
    pcns = tuple(q.patient_control_number for q in due)
    return SweepResult("batch", pcns, {"pending": len(pcns)}, (), name, isa13, (name,))


# ---- the inbox applier ------------------------------------------------------------------------

_PARSED: dict[str, list[ClaimStatusResponse]] = {}


def _responses_of(f: InboundFile) -> list[ClaimStatusResponse]:
    """The file's 277 answers, read once per file (the applier runs per transaction set)."""
    if f.sha256 not in _PARSED:
        _PARSED.clear()
        built = recall(f.content)  # what the inbox built when it read the file, if kept
        _PARSED[f.sha256] = (
            list(built.status_responses) if built is not None else read_277(f.content)[0]
        )
    return _PARSED[f.sha256]


def apply_277(
    ctx: Context,
    uow: UnitOfWork,
    f: InboundFile,
    index: int,
    transaction: Mapping[str, Any],
    *,
    store: StatusStoreFactory,
) -> list[str]:
    """Apply the claim statuses of a received 277 (005010X212) file, inside the inbox's apply.

    The whole file is applied at its first 277 transaction set (one read, a few statements
    for all claims); the later sets of the file return no notes. Each claim status is matched
    to its inquiry by the trace, else to a claim by the patient control number."""
    transactions = f.summary.get("transactions", [])
    assert isinstance(transactions, list)
    first = next(i for i, t in enumerate(transactions) if t.get("type") == "277")
    if index != first:
        return []
    infos = [c for r in _responses_of(f) for c in r.claims]
    st = store(uow)
    by_trace = st.by_traces([c.trace for c in infos if c.trace])
    claims = {c.id: c for c in uow.claims.get_many([i.claim_id for i in by_trace.values()])}
    unmatched = [c.patient_control_number for c in infos if c.trace not in by_trace]
    by_pcn = uow.claims.by_pcns([p for p in unmatched if p]) if unmatched else {}
    recorder = _Recorder(ctx, uow, st, f.id)
    notes: list[str] = []
    for info in infos:
        inquiry = by_trace.get(info.trace)
        claim = claims.get(inquiry.claim_id) if inquiry is not None else None
        if claim is None:
            claim = by_pcn.get(info.patient_control_number)
        if claim is None:
            notes.append(f"277 for unknown claim {info.patient_control_number or info.trace}")
            continue
        recorder.record(claim, inquiry, info)
    counts = dict(recorder.counts)
    recorder.flush()
    request_level = [
        _codes(s)
        for r in _responses_of(f)
        if not r.claims
        for s in (*r.receiver_statuses, *r.provider_statuses)
    ]
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "none"
    notes.insert(0, f"277: {sum(counts.values())} claim statuses applied ({summary})")
    if request_level:
        notes.append(f"277 statuses without claims: {', '.join(request_level)}")
    return notes


# ---- reading and settings ---------------------------------------------------------------------


@dataclass(frozen=True)
class StatusHistory:
    claim: ClaimRecord
    inquiries: Sequence[StatusInquiry]
    answers: Sequence[StatusAnswer]


def history(ctx: Context, claim_key: str, *, store: StatusStoreFactory) -> StatusHistory:
    """A claim's status inquiries (newest first) and the payer's answers (oldest first)."""
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        claim = find_claim(uow, claim_key)
        assert claim.id is not None
        st = store(uow)
        found = StatusHistory(claim, st.inquiries(claim_id=claim.id), st.answers(claim.id))
        ctx.audit(uow, "read", "claim", claim.id)
        uow.commit()
    return found


def list_inquiries(
    ctx: Context, *, store: StatusStoreFactory, state: str | None = None, limit: int = 200
) -> list[StatusInquiry]:
    """The practice's inquiries, newest first (``state``: pending, answered, failed)."""
    ctx.require(READ_REGISTRATION)
    if state is not None and state not in ("pending", "answered", "failed"):
        raise DomainValidationError.single(
            "state", "unknown_state", "must be pending, answered or failed"
        )
    with ctx.uow() as uow:
        return store(uow).inquiries(state=state, limit=limit)


def follow_up_settings(ctx: Context, *, store: StatusStoreFactory) -> list[FollowUpSetting]:
    """Every payer's follow-up setting (the defaults where none is stored)."""
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        stored = store(uow).settings()
        return [
            replace(_setting_for(stored, p.id, p.payer_id), payer_id=p.payer_id)
            for p in uow.payers.list()
            if p.id is not None
        ]


def configure(
    ctx: Context,
    payer: str,
    *,
    store: StatusStoreFactory,
    after_days: int | None = None,
    repeat_days: int | None = None,
) -> FollowUpSetting:
    """Set after how many quiet days a payer's claims are asked about, and how long to wait
    before asking again."""
    ctx.require(WRITE_SETUP)
    for name, value in (("after_days", after_days), ("repeat_days", repeat_days)):
        if value is not None and not 0 <= value <= 3650:
            raise DomainValidationError.single(name, "out_of_range", "must be 0 to 3650 days")
    with ctx.uow() as uow:
        found = uow.payers.by_payer_id(payer)
        if found is None or found.id is None:
            raise NotFound("payer", payer)
        st = store(uow)
        current = _setting_for(st.settings(), found.id, found.payer_id)
        updated = replace(
            current,
            payer_id=found.payer_id,
            after_days=current.after_days if after_days is None else after_days,
            repeat_days=current.repeat_days if repeat_days is None else repeat_days,
        )
        st.save_setting(updated)
        ctx.audit(uow, "update", "claim_status_setting", found.id)
        uow.commit()
    return updated


# ---- JSON (CLI and API) -----------------------------------------------------------------------


def inquiry_doc(i: StatusInquiry) -> dict[str, Any]:
    return {
        "id": i.id,
        "claim_id": i.claim_id,
        "trace": i.trace,
        "mode": i.mode,
        "state": i.state,
        "file_name": i.file_name,
        "error": i.error,
        "attempts": i.attempts,
        "created_at": i.created_at.isoformat(),
        "sent_at": i.sent_at.isoformat() if i.sent_at else None,
        "answered_at": i.answered_at.isoformat() if i.answered_at else None,
    }


def answer_doc(a: StatusAnswer) -> dict[str, Any]:
    return {
        "trace": a.trace,
        "category": a.category,
        "status_code": a.status_code,
        "entity": a.entity,
        "outcome": a.outcome,
        "effective_date": a.effective_date.isoformat() if a.effective_date else None,
        "charge": a.charge.to_json() if a.charge is not None else None,
        "paid": a.paid.to_json() if a.paid is not None else None,
        "check_number": a.check_number,
        "check_date": a.check_date.isoformat() if a.check_date else None,
        "payer_claim_number": a.payer_claim_number,
        "inbound_file_id": a.inbound_file_id,
        "received_at": a.received_at.isoformat(),
        "info": dict(a.info),
    }


def outcome_doc(o: StatusOutcome) -> dict[str, Any]:
    return {
        "claim": {
            "id": o.claim.id,
            "patient_control_number": o.claim.patient_control_number,
            "status": o.claim.status,
            "payer_claim_number": o.claim.payer_claim_number,
        },
        "state": o.state,
        "inquiry": inquiry_doc(o.inquiry),
        "answer": answer_doc(o.answer) if o.answer is not None else None,
    }


DEFAULT_STORE = "revcycle.db.claim_status_repo:status_store"


def run_sweep_job(env: Any, job: Any) -> None:
    """The ``status.sweep`` job: one batch 276 for the practice's quiet claims, through its
    mailbox (the 277s come back through the inbox)."""
    import importlib

    assert env.mailbox is not None and job.practice_id is not None
    module, _, name = DEFAULT_STORE.partition(":")
    store = cast(StatusStoreFactory, getattr(importlib.import_module(module), name))
    sweep(env.ctx_factory(job.practice_id), store=store, mailbox=env.mailbox)
