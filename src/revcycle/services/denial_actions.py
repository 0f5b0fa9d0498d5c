"""Working a denial: corrected claims, voids, rebilling, appeals, write-offs, timely filing.

Every action is recorded twice, in one transaction: in the claim's history (a ``ClaimEvent``,
a status change when the claim's state changes) and in the denial's events, and it moves the
denial's status (``domain.denial.TRANSITIONS``):

- ``correct``: the claim's encounter lines are edited (modifiers added or removed, procedure,
  units), then the correction goes out the way the payer takes it: a replacement claim
  (frequency 7 with the payer's ICN in REF*F8), a new claim (frequency 1) when the payer wants
  that or never numbered the claim, or, for Medicare Part B (which rejects frequency 7), a
  written reopening request (a PDF, kept as an attachment of the claim). New claims are scrubbed
  at once, so a clean one is ``ready`` for the next submission. Denial -> ``corrected``.
- ``void``: a frequency 8 claim. Denial -> ``closed`` (resolution ``voided``).
- ``rebill``: a new claim to the patient's other coverage; the open balance of the denying
  payer comes off the denied claim's lines (the new claim carries the charge). -> ``rerouted``.
- ``bill_patient``: the denying payer's open balance is transferred to the patient (a ledger
  ``transfer`` per line; the ledger stays balanced). -> ``billed_patient``.
- ``appeal``: the next level (``APPEAL_LEVELS`` by payer class, with its deadline), a letter
  PDF from the category's template, attachments; ``submit_appeal`` sends it to the payer
  (a ``*.appeal`` file in the clearinghouse mailbox, see docs/simulator.md), ``record_outcome``
  records overturned / upheld / partial. -> ``appealed``, then ``resolved`` or ``open``.
- ``write_off``: a ledger ``write_off`` of the denying payer's open balance with a reason code.
  At most the practice's threshold (default 100.00) posts at once; above it a pending request
  waits for a manager (``APPROVE_WRITE_OFFS``); nothing posts before approval. -> ``written_off``.
- timely filing: ``timely_filing_alerts`` lists the unpaid claims near their payer's limit and
  ``timely_filing_proof`` prints the stored submissions with their 999 and 277CA.

Persistence comes through ``ActionStoreFactory`` (``db.appeal_repo.action_store``) and the
denial records through ``DenialStoreFactory`` (``db.denial_repo.denial_store``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from revcycle.codesets import CodeSets
from revcycle.codesets.reference import bundled_lists
from revcycle.domain.claim_record import ClaimEvent, ClaimRecord
from revcycle.domain.claim_status import TRANSITIONS as CLAIM_TRANSITIONS
from revcycle.domain.denial import Denial
from revcycle.domain.errors import Conflict, DomainValidationError, NotFound
from revcycle.domain.ledger import (
    PATIENT,
    AccountKind,
    EntryBuilder,
    EntryKind,
    JournalEntry,
    Ledger,
    Party,
    transfer,
    write_off,
)
from revcycle.domain.money import Money
from revcycle.domain.user import APPROVE_WRITE_OFFS, READ_BILLING, WRITE_BILLING
from revcycle.forms.appeal_letter import (
    CATEGORIES,
    AppealLetter,
    ClaimFacts,
    FactLine,
    appeal_letter_pdf,
)
from revcycle.forms.reopening_request import Correction, ReopeningRequest, reopening_request_pdf
from revcycle.forms.timely_filing_proof import (
    FilingAttempt,
    FilingResponse,
    TimelyFilingProof,
    timely_filing_proof_pdf,
)
from revcycle.services import claims as claim_service
from revcycle.services.context import Context
from revcycle.services.denial_ports import DenialStore, DenialStoreFactory
from revcycle.services.ports import UnitOfWork

DEFAULT_THRESHOLD = Money("100.00")
ZERO = Money.zero()
CORRECTION_MODES = ("auto", "replacement", "new_claim", "reopening")
OUTCOMES = ("overturned", "upheld", "partial")
WRITE_OFF_REASONS: dict[str, str] = {
    "timely_filing": "Timely filing limit expired",
    "non_covered": "Non-covered service, not billable to the patient",
    "bundling": "Bundled / included in another service",
    "authorization": "No authorization obtained",
    "appeal_exhausted": "Appeals exhausted, denial upheld",
    "small_balance": "Balance too small to pursue",
    "contractual": "Contractual obligation",
    "other": "Other (see note)",
}
# attachment kind -> PWK01 report type code (PWK02 EL: sent electronically)
ATTACHMENT_KINDS: dict[str, str] = {
    "medical_records": "M1",
    "progress_notes": "09",
    "operative_note": "OB",
    "diagnostic_report": "DG",
    "referral": "B4",
    "eob": "EB",
    "timely_filing_proof": "OZ",
    "reopening_request": "OZ",
    "appeal_letter": "OZ",
    "other": "OZ",
}


@dataclass(frozen=True, slots=True)
class AppealLevel:
    level: int
    name: str
    days: int  # to file, from the previous decision (level 1: from the denial)


def _levels(*rows: tuple[str, int]) -> tuple[AppealLevel, ...]:
    return tuple(AppealLevel(n, name, days) for n, (name, days) in enumerate(rows, start=1))


#: Appeal levels by payer class (others: ``commercial``). Medicare: 42 CFR 405 subpart I.
APPEAL_LEVELS: dict[str, tuple[AppealLevel, ...]] = {
    "medicare": _levels(
        ("Redetermination (level 1)", 120),
        ("Reconsideration by the QIC (level 2)", 180),
        ("Administrative Law Judge hearing (level 3)", 60),
        ("Medicare Appeals Council review (level 4)", 60),
        ("Federal district court review (level 5)", 60),
    ),
    "commercial": _levels(
        ("Internal appeal, level 1", 180),
        ("Internal appeal, level 2", 60),
        ("External review", 120),
    ),
    "medicaid": _levels(("Reconsideration (level 1)", 90), ("State fair hearing", 120)),
}
APPEAL_LEVELS["medicare_advantage"] = APPEAL_LEVELS["commercial"]


def appeal_levels(payer_class: str) -> tuple[AppealLevel, ...]:
    return APPEAL_LEVELS.get(payer_class, APPEAL_LEVELS["commercial"])


# -- records --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActionSettings:
    write_off_approval_threshold: Money = DEFAULT_THRESHOLD
    attachment_dir: str | None = None


@dataclass(frozen=True, slots=True)
class Appeal:
    denial_id: int
    claim_id: int
    level: int
    level_name: str
    category: str
    deadline: date | None
    argument: str
    actor: str
    created_at: datetime
    status: str = "draft"  # draft -> submitted -> decided
    letter: bytes | None = None
    file_name: str | None = None
    submitted_at: datetime | None = None
    outcome: str | None = None
    recovered: Money | None = None
    decided_on: date | None = None
    note: str | None = None
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "denial_id": self.denial_id,
            "claim_id": self.claim_id,
            "level": self.level,
            "level_name": self.level_name,
            "category": self.category,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "status": self.status,
            "file_name": self.file_name,
            "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
            "outcome": self.outcome,
            "recovered": str(self.recovered) if self.recovered is not None else None,
            "decided_on": self.decided_on.isoformat() if self.decided_on else None,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Attachment:
    claim_id: int
    name: str
    kind: str
    report_type: str
    attachment_id: str
    content_type: str
    size: int
    sha256: str
    actor: str
    created_at: datetime
    content: bytes | None = None
    path: str | None = None
    denial_id: int | None = None
    appeal_id: int | None = None
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "claim_id": self.claim_id,
            "denial_id": self.denial_id,
            "appeal_id": self.appeal_id,
            "name": self.name,
            "kind": self.kind,
            "pwk": {
                "report_type": self.report_type,
                "transmission": "EL",
                "id": self.attachment_id,
            },
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "stored": "file" if self.path else "database",
        }


@dataclass(frozen=True, slots=True)
class WriteOffRequest:
    claim_id: int
    amount: Money
    reason_code: str
    note: str
    requested_by: str
    requested_at: datetime
    status: str = "pending"  # pending -> approved | refused
    denial_id: int | None = None
    line_id: int | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "denial_id": self.denial_id,
            "claim_id": self.claim_id,
            "line_id": self.line_id,
            "amount": str(self.amount),
            "reason_code": self.reason_code,
            "note": self.note,
            "status": self.status,
            "requested_by": self.requested_by,
            "requested_at": self.requested_at.isoformat(),
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
        }


@dataclass(frozen=True, slots=True)
class FilingCandidate:
    """An unpaid claim with what the timely filing check needs (from the store)."""

    claim_id: int
    patient_control_number: str
    status: str
    service_date: date
    payer_name: str
    payer_code: str
    limit_days: int
    total_charge: Money
    submitted: bool


@dataclass(frozen=True, slots=True)
class TimelyFilingAlert:
    claim_id: int
    patient_control_number: str
    status: str
    payer: str
    service_date: date
    deadline: date
    days_left: int
    charge: Money
    submitted: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "patient_control_number": self.patient_control_number,
            "status": self.status,
            "payer": self.payer,
            "service_date": self.service_date.isoformat(),
            "deadline": self.deadline.isoformat(),
            "days_left": self.days_left,
            "charge": str(self.charge),
            "submitted": self.submitted,
        }


@dataclass(frozen=True, slots=True)
class LineEdit:
    """A change to one line of the claim (by line number): modifiers to add or remove, a new
    procedure code or units."""

    line_no: int
    add_modifiers: tuple[str, ...] = ()
    remove_modifiers: tuple[str, ...] = ()
    procedure: str | None = None


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What an action did: the denial after it, the new claim (if any), a document (PDF) and
    ledger amounts moved; ``pending`` is a write-off waiting for approval."""

    denial: Denial
    action: str
    claim: ClaimRecord | None = None
    document: bytes | None = None
    amount: Money | None = None
    pending: WriteOffRequest | None = None
    appeal: Appeal | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "denial_id": self.denial.id,
            "action": self.action,
            "denial_status": self.denial.status,
            "claim_id": self.claim.id if self.claim else None,
            "claim_status": self.claim.status if self.claim else None,
            "frequency": self.claim.frequency if self.claim else None,
            "amount": str(self.amount) if self.amount is not None else None,
            "pending_write_off": self.pending.to_json() if self.pending else None,
            "appeal": self.appeal.to_json() if self.appeal else None,
            "document": bool(self.document),
        }


class ActionStore(Protocol):
    def settings(self) -> ActionSettings: ...
    def save_settings(self, settings: ActionSettings) -> None: ...
    def add_appeal(self, appeal: Appeal) -> Appeal: ...
    def update_appeal(self, appeal: Appeal) -> None: ...
    def appeal(self, appeal_id: int) -> Appeal: ...
    def appeals(
        self, *, denial_id: int | None = None, claim_id: int | None = None
    ) -> list[Appeal]: ...
    def add_attachment(self, attachment: Attachment) -> Attachment: ...
    def link_attachments(self, ids: Sequence[int], appeal_id: int) -> None: ...
    def attachments(
        self, claim_id: int | None = None, *, ids: Sequence[int] = (), appeal_id: int | None = None
    ) -> list[Attachment]: ...
    def add_write_off(self, request: WriteOffRequest) -> WriteOffRequest: ...
    def update_write_off(self, request: WriteOffRequest) -> None: ...
    def write_off(self, request_id: int) -> WriteOffRequest: ...
    def write_offs(self, status: str | None = None) -> list[WriteOffRequest]: ...
    def edit_encounter_line(
        self, encounter_line_id: int, modifiers: tuple[str, ...], procedure: str
    ) -> None: ...
    def claim_entries(self, claim_id: str) -> list[JournalEntry]: ...
    def unpaid_claims(self) -> list[FilingCandidate]: ...


ActionStoreFactory = Callable[[UnitOfWork], ActionStore]


class Mailbox(Protocol):
    """Where an appeal is uploaded (``transport.Mailbox``)."""

    def put(self, name: str, data: bytes) -> None: ...


# -- shared steps ---------------------------------------------------------------------------


def _record(
    ctx: Context,
    uow: UnitOfWork,
    ds: DenialStore,
    denial: Denial,
    status: str,
    action: str,
    note: str,
    claim: ClaimRecord,
    claim_target: str | None = None,
    **changes: Any,
) -> Denial:
    """Move the denial to ``status`` (with its event) and write the claim's history: a status
    change to ``claim_target`` when given and allowed, else an event in its current state."""
    assert denial.id is not None and claim.id is not None
    moved = replace(denial.moved_to(status, ctx.clock.today()), **changes)
    stored = ds.update(moved)
    ds.add_event(denial.id, action, ctx.actor, note[:2000])
    reason = f"denial {denial.id}: {action}: {note}"[:400]
    if claim_target and claim_target in CLAIM_TRANSITIONS.get(claim.status, frozenset()):
        claim_service.transition(uow, ctx, claim, claim_target, reason)
    else:
        uow.claims.add_event(
            claim.id, ClaimEvent(ctx.clock.now(), ctx.actor, claim.status, claim.status, reason)
        )
    ctx.audit(uow, action, "denial", denial.id)
    return stored


def _required(text: str, field: str = "reason") -> str:
    if not text.strip():
        raise DomainValidationError.single(field, "required", f"give a {field}")
    return text.strip()


def _payer_party(uow: UnitOfWork, claim: ClaimRecord) -> tuple[Party, Any]:
    payer = uow.payers.get(claim.payer_id)
    return Party.payer(payer.payer_id), payer


def _open_lines(
    ctx: Context, uow: UnitOfWork, store: ActionStore, claim: ClaimRecord, party: Party
) -> list[tuple[Any, Money, int | None]]:
    """(LineRef, what ``party`` still owes, claim line id) for each line of the claim."""
    assert ctx.practice_id is not None
    billed = uow.ledger.billed_claims(ctx.practice_id, [claim.patient_control_number])
    bc = next((b for b in billed if b.claim_id == str(claim.id)), billed[0] if billed else None)
    if bc is None:
        return []
    ledger = Ledger()
    ledger.post_all(store.claim_entries(bc.claim_id))
    out = []
    for line in bc.lines:
        ref = bc.line_ref(line)
        owed = ledger.balance(ref.receivable(party))
        out.append((ref, owed, int(line.line_id) if line.line_id.isdigit() else None))
    return out


def _facts(ctx: Context, uow: UnitOfWork, claim: ClaimRecord) -> ClaimFacts:
    assert ctx.practice_id is not None
    practice = uow.practices.get(ctx.practice_id)
    payer = uow.payers.get(claim.payer_id)
    coverage = uow.coverages.get(claim.coverage_id)
    encounter = uow.encounters.get(claim.encounter_id)
    patient = uow.patients.get(encounter.patient_id)
    by_id = {ln.id: ln for ln in encounter.lines}
    lines = []
    for cl in claim.lines:
        el = by_id.get(cl.encounter_line_id)
        diagnoses = ""
        if el is not None:
            diagnoses = " ".join(
                encounter.diagnoses[p - 1].code
                for p in el.pointers
                if 0 < p <= len(encounter.diagnoses)
            )
        lines.append(
            FactLine(
                cl.line_no,
                (el.dos_from if el and el.dos_from else encounter.dos_from),
                " ".join([el.procedure, *el.modifiers]) if el else "",
                diagnoses,
                cl.charge,
            )
        )
    return ClaimFacts(
        practice_name=practice.legal_name,
        practice_address=_address(practice.pay_to_address or practice.billing_address),
        practice_phone=str(practice.phone),
        practice_npi=str(practice.group_npi),
        practice_tin=str(practice.tin),
        payer_name=payer.name,
        payer_address=_address(payer.address),
        patient_name=patient.display_name,
        patient_birth_date=patient.dob,
        member_id=coverage.member_id,
        patient_control_number=claim.patient_control_number,
        payer_claim_number=claim.payer_claim_number or "",
        total_charge=claim.total_charge,
        lines=tuple(lines),
    )


def _address(address: Any) -> tuple[str, ...]:
    if address is None:
        return ()
    street = ", ".join(p for p in (address.line1, address.line2) if p)
    return (street, f"{address.city}, {address.state} {address.zip}")


def code_meanings(denial: Denial) -> tuple[tuple[str, str], ...]:
    """The denial's CARCs and RARCs with their descriptions (bundled code lists)."""
    lists = bundled_lists()
    out = []
    for carc in denial.carcs:
        entry = lists["carc"].get(carc.split("-", 1)[-1])
        out.append((carc, entry.description if entry else ""))
    for rarc in denial.rarcs:
        entry = lists["rarc"].get(rarc)
        out.append((rarc, entry.description if entry else ""))
    return tuple(out)


# -- corrections ----------------------------------------------------------------------------


def _modifiers(current: tuple[str, ...], edit: LineEdit) -> tuple[str, ...]:
    removed = {m.strip().upper() for m in edit.remove_modifiers}
    kept = [m for m in current if m not in removed]
    for added in edit.add_modifiers:
        code = added.strip().upper()
        if code and code not in kept:
            kept.append(code)
    if len(kept) > 4 or any(len(m) != 2 or not m.isalnum() for m in kept):
        raise DomainValidationError.single(
            "modifiers", "invalid", "at most four modifiers of two letters or digits"
        )
    return tuple(kept)


def _apply_edits(
    ctx: Context,
    uow: UnitOfWork,
    store: ActionStore,
    claim: ClaimRecord,
    edits: Sequence[LineEdit],
) -> list[Correction]:
    encounter = uow.encounters.get(claim.encounter_id)
    by_id = {ln.id: ln for ln in encounter.lines}
    out: list[Correction] = []
    for edit in edits:
        cl = next((c for c in claim.lines if c.line_no == edit.line_no), None)
        el = by_id.get(cl.encounter_line_id) if cl else None
        if el is None or el.id is None:
            raise NotFound("claim line", edit.line_no)
        modifiers = _modifiers(el.modifiers, edit)
        procedure = (edit.procedure or el.procedure).strip().upper()
        if len(procedure) != 5:
            raise DomainValidationError.single("procedure", "invalid", "a 5-character code")
        store.edit_encounter_line(el.id, modifiers, procedure)
        out.append(
            Correction(
                edit.line_no,
                " ".join([el.procedure, *el.modifiers]),
                " ".join([procedure, *modifiers]),
            )
        )
    return out


def correct(
    ctx: Context,
    denial_id: int,
    *,
    reason: str,
    edits: Sequence[LineEdit] = (),
    mode: str = "auto",
    store: ActionStoreFactory,
    denials: DenialStoreFactory,
    codesets: CodeSets | None = None,
) -> ActionResult:
    """Edit the denied claim's lines and send the correction the way the payer takes it (see
    the module docstring); a new claim is scrubbed at once (with ``codesets``, default the
    bundled ones)."""
    from revcycle.services.scrubbing import scrub_claims

    ctx.require(WRITE_BILLING)
    reason = _required(reason)
    if mode not in CORRECTION_MODES:
        raise DomainValidationError.single("mode", "unknown", ", ".join(CORRECTION_MODES))
    document: bytes | None = None
    created: ClaimRecord | None = None
    with ctx.uow() as uow:
        st, ds = store(uow), denials(uow)
        denial = ds.get(denial_id)
        claim = uow.claims.get(denial.claim_id)
        payer = uow.payers.get(claim.payer_id)
        facts_before = _facts(ctx, uow, claim)
        changes = _apply_edits(ctx, uow, st, claim, edits)
        what = "; ".join(f"line {c.line_no}: {c.billed} -> {c.corrected}" for c in changes)
        note = f"{reason} ({what})" if what else reason
        if mode == "auto":
            if payer.payer_class == "medicare" and claim.kind == "P" and claim.payer_claim_number:
                mode = "reopening"
            elif claim.payer_claim_number:
                mode = "replacement"
            else:
                mode = "new_claim"
        if mode == "reopening":
            request = ReopeningRequest(
                ctx.clock.today(),
                facts_before,
                tuple(changes),
                reason,
                denial.denied_on + timedelta(days=365),
            )
            document = reopening_request_pdf(request)
            _store_attachment(
                ctx,
                st,
                claim,
                f"reopening-request-{claim.patient_control_number}.pdf",
                "reopening_request",
                document,
                "application/pdf",
                denial_id=denial.id,
            )
            denial = _record(ctx, uow, ds, denial, "corrected", "reopening_requested", note, claim)
        elif mode == "replacement":
            created = claim_service.follow_up(uow, ctx, claim.id or 0, "7", note)
            denial = _record(
                ctx, uow, ds, denial, "corrected", "corrected_claim", f"claim {created.id}: {note}",
                uow.claims.get(claim.id or 0),
            )  # fmt: skip
        else:
            created = claim_service.new_claim_for(uow, ctx, claim, claim.coverage_id, note)
            _take_off(ctx, uow, st, claim, created, note)
            denial = _record(
                ctx, uow, ds, denial, "corrected", "new_claim", f"claim {created.id}: {note}",
                claim, "corrected",
            )  # fmt: skip
        uow.commit()
    if created is not None and created.id is not None:
        scrub_claims(ctx, [created.id], codesets=codesets)
        created = claim_service.get_claim(ctx, created.id).record
    return ActionResult(denial, mode, created, document)


def _take_off(
    ctx: Context,
    uow: UnitOfWork,
    st: ActionStore,
    claim: ClaimRecord,
    created: ClaimRecord,
    note: str,
) -> Money:
    """The denying payer's open balance comes off ``claim``'s lines: ``created`` carries the
    charge now (its own charge entry), so the receivable is not counted twice."""
    assert ctx.practice_id is not None
    party, _ = _payer_party(uow, claim)
    entries = []
    total = Money.zero()
    for ref, owed, _line in _open_lines(ctx, uow, st, claim, party):
        if owed <= ZERO:
            continue
        b = EntryBuilder(
            EntryKind.ADJUSTMENT,
            effective_date=ctx.clock.today(),
            claim_id=ref.claim_id,
            memo=f"billed again as claim {created.id}",
        )
        b.move(ref.account(AccountKind.CHARGES), ref.receivable(party), owed, "REBILLED")
        entries.append(b.build())
        total += owed
    if entries:
        uow.ledger.add_entries(ctx.practice_id, entries, ctx.clock.now())
    return total


def void(ctx: Context, denial_id: int, *, reason: str, denials: DenialStoreFactory) -> ActionResult:
    """Void the denied claim at the payer (frequency 8); the denial is closed."""
    ctx.require(WRITE_BILLING)
    reason = _required(reason)
    with ctx.uow() as uow:
        ds = denials(uow)
        denial = ds.get(denial_id)
        created = claim_service.follow_up(uow, ctx, denial.claim_id, "8", reason)
        denial = _record(
            ctx, uow, ds, denial, "closed", "voided", f"void claim {created.id}: {reason}",
            uow.claims.get(denial.claim_id), resolution=f"voided: {reason}"[:1000],
        )  # fmt: skip
        uow.commit()
    from revcycle.services.scrubbing import scrub_claims

    scrub_claims(ctx, [created.id or 0])
    return ActionResult(denial, "void", claim_service.get_claim(ctx, created.id or 0).record)


def rebill(
    ctx: Context,
    denial_id: int,
    *,
    reason: str,
    coverage_id: int | None = None,
    store: ActionStoreFactory,
    denials: DenialStoreFactory,
) -> ActionResult:
    """Bill the claim to the patient's other coverage (default: the first other coverage
    active on the date of service, in COB order) as a new claim."""
    from revcycle.services.scrubbing import scrub_claims

    ctx.require(WRITE_BILLING)
    reason = _required(reason)
    with ctx.uow() as uow:
        st, ds = store(uow), denials(uow)
        denial = ds.get(denial_id)
        claim = uow.claims.get(denial.claim_id)
        encounter = uow.encounters.get(claim.encounter_id)
        others = [
            c
            for c in uow.coverages.for_patient(encounter.patient_id)
            if c.id != claim.coverage_id and c.active_on(encounter.dos_from)
        ]
        if coverage_id is not None:
            others = [c for c in others if c.id == coverage_id]
        if not others:
            raise Conflict("coverage", "the patient has no other coverage active on that date")
        target = sorted(others, key=lambda c: (c.order, c.id or 0))[0]
        assert target.id is not None
        created = claim_service.new_claim_for(uow, ctx, claim, target.id, reason)
        moved = _take_off(ctx, uow, st, claim, created, reason)
        payer = uow.payers.get(created.payer_id)
        denial = _record(
            ctx, uow, ds, denial, "rerouted", "rebilled",
            f"claim {created.id} to {payer.name}: {reason}", claim, "corrected",
        )  # fmt: skip
        uow.commit()
    scrub_claims(ctx, [created.id or 0])
    record = claim_service.get_claim(ctx, created.id or 0).record
    return ActionResult(denial, "rebill", record, amount=moved)


def bill_patient(
    ctx: Context,
    denial_id: int,
    *,
    reason: str,
    store: ActionStoreFactory,
    denials: DenialStoreFactory,
) -> ActionResult:
    """Transfer the denying payer's open balance on the claim (or the denied line) to the
    patient."""
    ctx.require(WRITE_BILLING)
    reason = _required(reason)
    with ctx.uow() as uow:
        assert ctx.practice_id is not None
        st, ds = store(uow), denials(uow)
        denial = ds.get(denial_id)
        claim = uow.claims.get(denial.claim_id)
        party, _ = _payer_party(uow, claim)
        entries = []
        total = Money.zero()
        for ref, owed, line_id in _open_lines(ctx, uow, st, claim, party):
            if owed <= ZERO or (denial.line_id and line_id != denial.line_id):
                continue
            entries.append(transfer(ref, party, PATIENT, owed, "DENIED", ctx.clock.today()))
            total += owed
        if not entries:
            raise Conflict("balance", "the payer owes nothing on this claim")
        uow.ledger.add_entries(ctx.practice_id, entries, ctx.clock.now())
        denial = _record(
            ctx, uow, ds, denial, "billed_patient", "billed_patient",
            f"{total} moved to the patient: {reason}", claim,
        )  # fmt: skip
        uow.commit()
    return ActionResult(denial, "bill_patient", amount=total)


# -- attachments ----------------------------------------------------------------------------


def _store_attachment(
    ctx: Context,
    st: ActionStore,
    claim: ClaimRecord,
    name: str,
    kind: str,
    content: bytes,
    content_type: str,
    *,
    denial_id: int | None = None,
) -> Attachment:
    settings = st.settings()
    digest = hashlib.sha256(content).hexdigest()
    path: str | None = None
    stored: bytes | None = content
    if settings.attachment_dir:
        folder = Path(settings.attachment_dir) / str(ctx.practice_id) / str(claim.id)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{digest[:16]}-{Path(name).name}"
        target.write_bytes(content)
        path, stored = str(target), None
    count = len(st.attachments(claim.id))
    return st.add_attachment(
        Attachment(
            claim_id=claim.id or 0,
            name=Path(name).name[:200],
            kind=kind,
            report_type=ATTACHMENT_KINDS[kind],
            attachment_id=f"{claim.patient_control_number}A{count + 1:02d}",
            content_type=content_type[:100],
            size=len(content),
            sha256=digest,
            actor=ctx.actor,
            created_at=ctx.clock.now(),
            content=stored,
            path=path,
            denial_id=denial_id,
        )
    )


def attach(
    ctx: Context,
    denial_id: int,
    *,
    name: str,
    content: bytes,
    kind: str = "medical_records",
    content_type: str = "application/pdf",
    store: ActionStoreFactory,
    denials: DenialStoreFactory,
) -> Attachment:
    """Store a supporting document for the denial's claim (for an appeal or a correction)."""
    ctx.require(WRITE_BILLING)
    if kind not in ATTACHMENT_KINDS:
        raise DomainValidationError.single("kind", "unknown", ", ".join(ATTACHMENT_KINDS))
    if not content:
        raise DomainValidationError.single("content", "required", "the document is empty")
    _required(name, "name")
    with ctx.uow() as uow:
        st, ds = store(uow), denials(uow)
        denial = ds.get(denial_id)
        claim = uow.claims.get(denial.claim_id)
        found = _store_attachment(
            ctx, st, claim, name, kind, content, content_type, denial_id=denial.id
        )
        ds.add_event(denial_id, "attached", ctx.actor, f"{found.name} ({kind}, {found.size} bytes)")
        uow.claims.add_event(
            claim.id or 0,
            ClaimEvent(
                ctx.clock.now(), ctx.actor, claim.status, claim.status,
                f"attachment {found.attachment_id}: {found.name}",
            ),
        )  # fmt: skip
        ctx.audit(uow, "create", "attachment", found.id)
        uow.commit()
    return found


def attachment_content(ctx: Context, attachment_id: int, *, store: ActionStoreFactory) -> bytes:
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        found = store(uow).attachments(ids=[attachment_id])
        if not found:
            raise NotFound("attachment", attachment_id)
        ctx.audit(uow, "read", "attachment", attachment_id)
        uow.commit()
    a = found[0]
    return a.content if a.content is not None else Path(a.path or "").read_bytes()


# -- appeals --------------------------------------------------------------------------------


def appeal(
    ctx: Context,
    denial_id: int,
    *,
    argument: str = "",
    attachment_ids: Sequence[int] = (),
    category: str | None = None,
    store: ActionStoreFactory,
    denials: DenialStoreFactory,
) -> ActionResult:
    """The denial's next appeal level: its deadline, the letter (PDF, stored), attachments."""
    ctx.require(WRITE_BILLING)
    with ctx.uow() as uow:
        st, ds = store(uow), denials(uow)
        denial = ds.get(denial_id)
        claim = uow.claims.get(denial.claim_id)
        payer = uow.payers.get(claim.payer_id)
        category = category or denial.category
        if category not in CATEGORIES:
            category = "other"
        if payer.payer_class == "medicare" and "29" in denial.carc_codes:
            raise Conflict(
                "appeal",
                "Medicare: a timely filing denial is not an initial determination and cannot "
                "be appealed; write it off",
            )
        levels = appeal_levels(payer.payer_class)
        earlier = st.appeals(denial_id=denial_id)
        if any(a.outcome is None for a in earlier):
            raise Conflict("appeal", "the last appeal of this denial has no outcome yet")
        if any(a.outcome == "overturned" for a in earlier):
            raise Conflict("appeal", "the denial was already overturned")
        number = len(earlier) + 1
        if number > len(levels):
            raise Conflict("appeal", "every appeal level was used")
        level = levels[number - 1]
        decided = earlier[-1].decided_on if earlier else None
        start = decided or denial.denied_on
        deadline = (
            denial.appeal_deadline
            if number == 1 and denial.appeal_deadline
            else start + timedelta(days=level.days)
        )
        if deadline < ctx.clock.today():
            raise Conflict("appeal", f"the deadline for {level.name} passed on {deadline}")
        documents = st.attachments(claim.id, ids=list(attachment_ids)) if attachment_ids else []
        if len(documents) != len(set(attachment_ids)):
            raise NotFound("attachment", ",".join(map(str, attachment_ids)))
        letter = appeal_letter_pdf(
            AppealLetter(
                letter_date=ctx.clock.today(),
                facts=_facts(ctx, uow, claim),
                category=category,
                level=level.name,
                deadline=deadline,
                denied_amount=denial.amount,
                codes=code_meanings(denial),
                argument=argument,
                attachments=tuple(f"{d.name} ({d.kind.replace('_', ' ')})" for d in documents),
            )
        )
        created = st.add_appeal(
            Appeal(
                denial_id=denial_id,
                claim_id=claim.id or 0,
                level=number,
                level_name=level.name,
                category=category,
                deadline=deadline,
                argument=argument.strip(),
                actor=ctx.actor,
                created_at=ctx.clock.now(),
                letter=letter,
            )
        )
        if documents:
            st.link_attachments([d.id or 0 for d in documents], created.id or 0)
        denial = _record(
            ctx, uow, ds, denial, "appealed", "appealed",
            f"{level.name}, file by {deadline}, {len(documents)} attachment(s)", claim,
            "appealed", appeal_level=number,
        )  # fmt: skip
        uow.commit()
    return ActionResult(denial, "appeal", document=letter, appeal=created)


def appeal_letter(ctx: Context, appeal_id: int, *, store: ActionStoreFactory) -> bytes:
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        found = store(uow).appeal(appeal_id)
        ctx.audit(uow, "read", "appeal", appeal_id)
        uow.commit()
    return found.letter or b""


def submit_appeal(
    ctx: Context,
    appeal_id: int,
    mailbox: Mailbox,
    *,
    store: ActionStoreFactory,
    denials: DenialStoreFactory,
) -> Appeal:
    """Send the appeal to the payer through the clearinghouse mailbox (a ``*.appeal`` file,
    format ``revcycle-appeal/1``: see docs/simulator.md)."""
    ctx.require(WRITE_BILLING)
    with ctx.uow() as uow:
        st, ds = store(uow), denials(uow)
        found = st.appeal(appeal_id)
        if found.status != "draft":
            raise Conflict("appeal", f"appeal {appeal_id} was already {found.status}")
        claim = uow.claims.get(found.claim_id)
        payer = uow.payers.get(claim.payer_id)
        coverage = uow.coverages.get(claim.coverage_id)
        denial = ds.get(found.denial_id)
        documents = st.attachments(claim.id, appeal_id=appeal_id)
        body = {
            "format": "revcycle-appeal/1",
            "payer_id": payer.payer_id,
            "icn": denial.payer_claim_number or claim.payer_claim_number or "",
            "patient_control_number": claim.patient_control_number,
            "member_id": coverage.member_id,
            "level": found.level,
            "category": found.category,
            "carcs": list(denial.carcs),
            "reason": found.argument,
            "letter_sha256": hashlib.sha256(found.letter or b"").hexdigest(),
            "attachments": [
                {
                    "name": d.name,
                    "kind": d.kind,
                    "report_type": d.report_type,
                    "id": d.attachment_id,
                    "sha256": d.sha256,
                    "size": d.size,
                }
                for d in documents
            ],
        }
        now = ctx.clock.now()
        name = f"{claim.patient_control_number}-L{found.level}-{now:%Y%m%d%H%M%S}.appeal"
        mailbox.put(name, json.dumps(body, sort_keys=True).encode("utf-8"))
        sent = replace(found, status="submitted", file_name=name, submitted_at=now)
        st.update_appeal(sent)
        ds.add_event(found.denial_id, "appeal_sent", ctx.actor, f"{found.level_name}: {name}")
        uow.claims.add_event(
            claim.id or 0,
            ClaimEvent(now, ctx.actor, claim.status, claim.status, f"appeal sent: {name}"),
        )
        ctx.audit(uow, "update", "appeal", appeal_id)
        uow.commit()
    return sent


def record_outcome(
    ctx: Context,
    appeal_id: int,
    outcome: str,
    *,
    recovered: Money | None = None,
    note: str = "",
    store: ActionStoreFactory,
    denials: DenialStoreFactory,
) -> ActionResult:
    """Record the payer's decision: ``overturned`` and ``partial`` resolve the denial (the
    money comes with the next 835), ``upheld`` reopens it for the next level or a write-off."""
    ctx.require(WRITE_BILLING)
    if outcome not in OUTCOMES:
        raise DomainValidationError.single("outcome", "unknown", ", ".join(OUTCOMES))
    with ctx.uow() as uow:
        st, ds = store(uow), denials(uow)
        found = st.appeal(appeal_id)
        if found.outcome is not None:
            raise Conflict("appeal", f"appeal {appeal_id} was already decided: {found.outcome}")
        decided = replace(
            found,
            status="decided",
            outcome=outcome,
            recovered=recovered,
            decided_on=ctx.clock.today(),
            note=note.strip()[:1000] or None,
        )
        st.update_appeal(decided)
        denial = ds.get(found.denial_id)
        claim = uow.claims.get(found.claim_id)
        status = "open" if outcome == "upheld" else "resolved"
        text = f"{found.level_name} {outcome}" + (f", {recovered} recovered" if recovered else "")
        changes: dict[str, Any] = {}
        if status == "resolved":
            changes["resolution"] = f"appeal {outcome}"
        denial = _record(
            ctx, uow, ds, denial, status, f"appeal_{outcome}", f"{text}. {note}".strip(),
            claim, "denied" if outcome == "upheld" else None, **changes,
        )  # fmt: skip
        uow.commit()
    return ActionResult(denial, f"appeal_{outcome}", appeal=decided)


def list_appeals(
    ctx: Context, *, denial_id: int | None = None, claim_id: int | None = None,
    store: ActionStoreFactory,
) -> list[Appeal]:  # fmt: skip
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        return store(uow).appeals(denial_id=denial_id, claim_id=claim_id)


# -- write-offs -----------------------------------------------------------------------------


def _post_write_off(
    ctx: Context, uow: UnitOfWork, st: ActionStore, request: WriteOffRequest
) -> Money:
    assert ctx.practice_id is not None
    claim = uow.claims.get(request.claim_id)
    party, _ = _payer_party(uow, claim)
    left = request.amount
    entries = []
    for ref, owed, line_id in _open_lines(ctx, uow, st, claim, party):
        if owed <= ZERO or (request.line_id and line_id != request.line_id):
            continue
        part = min(owed, left)
        if part > ZERO:
            entries.append(
                write_off(ref, party, part, request.reason_code.upper(), ctx.clock.today())
            )
            left -= part
    posted = request.amount - left
    if not entries or left > ZERO:
        raise Conflict(
            "amount", f"the payer owes {posted} on this claim, less than {request.amount}"
        )
    uow.ledger.add_entries(ctx.practice_id, entries, ctx.clock.now())
    return posted


def request_write_off(
    ctx: Context,
    denial_id: int,
    *,
    reason_code: str,
    note: str = "",
    amount: Money | None = None,
    store: ActionStoreFactory,
    denials: DenialStoreFactory,
) -> ActionResult:
    """Write off the denying payer's open balance on the denied claim (or line), or
    ``amount`` of it. Above the practice's threshold the write-off waits for a manager."""
    ctx.require(WRITE_BILLING)
    if reason_code not in WRITE_OFF_REASONS:
        raise DomainValidationError.single("reason_code", "unknown", ", ".join(WRITE_OFF_REASONS))
    with ctx.uow() as uow:
        st, ds = store(uow), denials(uow)
        denial = ds.get(denial_id)
        claim = uow.claims.get(denial.claim_id)
        party, _ = _payer_party(uow, claim)
        owed = Money.sum(
            o
            for _, o, line_id in _open_lines(ctx, uow, st, claim, party)
            if o > ZERO and (not denial.line_id or line_id == denial.line_id)
        )
        value = amount if amount is not None else owed
        if value <= ZERO or value > owed:
            raise Conflict(
                "amount", f"the payer owes {owed} on this claim; cannot write off {value}"
            )
        if any(
            w.status == "pending" and w.denial_id == denial_id for w in st.write_offs("pending")
        ):
            raise Conflict("write_off", "a write-off of this denial is waiting for approval")
        request = st.add_write_off(
            WriteOffRequest(
                claim_id=claim.id or 0,
                amount=value,
                reason_code=reason_code,
                note=note.strip()[:1000],
                requested_by=ctx.actor,
                requested_at=ctx.clock.now(),
                denial_id=denial_id,
                line_id=denial.line_id,
            )
        )
        threshold = st.settings().write_off_approval_threshold
        label = f"{value} ({reason_code}: {WRITE_OFF_REASONS[reason_code]})"
        if value > threshold:
            status = "in_progress" if denial.status != "in_progress" else denial.status
            denial = _record(
                ctx, uow, ds, denial, status, "write_off_requested",
                f"{label} above {threshold}: waits for a manager (request {request.id})", claim,
            )  # fmt: skip
            uow.commit()
            return ActionResult(denial, "write_off_requested", amount=value, pending=request)
        _post_write_off(ctx, uow, st, request)
        approved = replace(
            request, status="approved", decided_by=ctx.actor, decided_at=ctx.clock.now()
        )
        st.update_write_off(approved)
        denial = _record(
            ctx, uow, ds, denial, "written_off", "written_off", label, claim, "closed",
            resolution=f"written off: {reason_code}",
        )  # fmt: skip
        uow.commit()
    return ActionResult(denial, "written_off", amount=value)


def decide_write_off(
    ctx: Context,
    request_id: int,
    *,
    approve: bool = True,
    note: str = "",
    store: ActionStoreFactory,
    denials: DenialStoreFactory,
) -> WriteOffRequest:
    """A manager approves (posts) or refuses a pending write-off; audited either way."""
    ctx.require(APPROVE_WRITE_OFFS)
    with ctx.uow() as uow:
        st, ds = store(uow), denials(uow)
        request = st.write_off(request_id)
        if request.status != "pending":
            raise Conflict("write_off", f"write-off {request_id} is already {request.status}")
        now = ctx.clock.now()
        decided = replace(
            request,
            status="approved" if approve else "refused",
            decided_by=ctx.actor,
            decided_at=now,
        )
        claim = uow.claims.get(request.claim_id)
        if approve:
            _post_write_off(ctx, uow, st, request)
        st.update_write_off(decided)
        ctx.audit(uow, "approve" if approve else "refuse", "write_off", request_id)
        if request.denial_id is not None:
            denial = ds.get(request.denial_id)
            text = f"write-off {request.amount} ({request.reason_code}) " + (
                "approved" if approve else "refused"
            )
            if note.strip():
                text += f": {note.strip()}"
            if approve:
                _record(
                    ctx, uow, ds, denial, "written_off", "write_off_approved", text, claim,
                    "closed", resolution=f"written off: {request.reason_code}",
                )  # fmt: skip
            else:
                _record(ctx, uow, ds, denial, "open", "write_off_refused", text, claim)
        uow.commit()
    return decided


def list_write_offs(
    ctx: Context, status: str | None = "pending", *, store: ActionStoreFactory
) -> list[WriteOffRequest]:
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        return store(uow).write_offs(status)


def get_settings(ctx: Context, *, store: ActionStoreFactory) -> ActionSettings:
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        return store(uow).settings()


def set_settings(
    ctx: Context,
    *,
    threshold: Money | None = None,
    attachment_dir: str | None = None,
    store: ActionStoreFactory,
) -> ActionSettings:
    """Change the write-off approval threshold (a manager decision) or the attachment folder."""
    ctx.require(APPROVE_WRITE_OFFS)
    with ctx.uow() as uow:
        st = store(uow)
        current = st.settings()
        if threshold is not None:
            if threshold.is_negative():
                raise DomainValidationError.single("threshold", "negative", "0.00 or more")
            current = replace(current, write_off_approval_threshold=threshold)
        if attachment_dir is not None:
            current = replace(current, attachment_dir=attachment_dir.strip() or None)
        st.save_settings(current)
        ctx.audit(uow, "update", "denial_settings", ctx.practice_id)
        uow.commit()
    return current


# -- timely filing --------------------------------------------------------------------------


def timely_filing_alerts(
    ctx: Context, within: int = 30, *, store: ActionStoreFactory
) -> list[TimelyFilingAlert]:
    """Unbilled or unpaid claims whose payer's filing limit ends within ``within`` days (or
    has passed), nearest first."""
    ctx.require(READ_BILLING)
    today = ctx.clock.today()
    with ctx.uow() as uow:
        candidates = store(uow).unpaid_claims()
    out = []
    for c in candidates:
        deadline = c.service_date + timedelta(days=c.limit_days)
        left = (deadline - today).days
        if left > within:
            continue
        out.append(
            TimelyFilingAlert(
                c.claim_id, c.patient_control_number, c.status, c.payer_code, c.service_date,
                deadline, left, c.total_charge, c.submitted,
            )
        )  # fmt: skip
    out.sort(key=lambda a: (a.deadline, a.claim_id))
    return out


def timely_filing_proof(ctx: Context, claim_key: str) -> bytes:
    """The proof of timely filing of a claim (id or patient control number) as a PDF."""
    from revcycle.services.submission import attempts

    ctx.require(READ_BILLING)
    claim_id = claim_service.claim_id_of(ctx, claim_key)
    tries = attempts(ctx, claim_id)
    with ctx.uow() as uow:
        claim = uow.claims.get(claim_id)
        facts = _facts(ctx, uow, claim)
        payer = uow.payers.get(claim.payer_id)
        first_day = min((ln.service_date for ln in facts.lines if ln.service_date), default=None)
        ctx.audit(uow, "read", "claim", claim_id)
        uow.commit()
    proof = TimelyFilingProof(
        letter_date=ctx.clock.today(),
        facts=facts,
        filing_limit_days=payer.timely_filing_days,
        filing_deadline=first_day + timedelta(days=payer.timely_filing_days) if first_day else None,
        attempts=tuple(
            FilingAttempt(
                file_name=a.submission.file_name,
                interchange_control_number=a.submission.interchange_control_number,
                set_control_number=a.claim.set_control_number,
                sha256=a.submission.sha256,
                sent_at=a.submission.transmitted_at or a.submission.created_at,
                responses=tuple(
                    FilingResponse(r.kind, r.outcome, r.detail, r.at, r.payer_claim_number or "")
                    for r in a.responses
                    if r.kind in ("TA1", "999", "277CA")
                ),
            )
            for a in tries
        ),
    )
    return timely_filing_proof_pdf(proof)
