"""The simulator's answer to a 276: a 277 (005010X212) from what the payers know.

``respond_276(sim, request_text, at)`` is the responder for ST01 ``276`` (see ``RESPONDERS`` in
:mod:`revcycle.payer.simulator`), used by the real-time endpoint and for 276 batches uploaded
to the mailbox. Each claim asked about is looked up in the simulator's state, by the payer's
claim number (REF*1K, the ICN) when the 276 carries one, else by the patient control number
(REF*EJ), for the payer named in NM1*PR; the subscriber's member ID must match too. Then:

====================  =======================================================================
claim                 STC01 (category:status[:entity]) and amounts
====================  =======================================================================
not found             ``A4:35`` claim/encounter not found (charge echoed from the 276)
received, pending     ``A2:20`` accepted for processing, effective the day it was received
adjudicated, unpaid   ``F1:3`` adjudicated, awaiting the payment cycle (paid amount, date)
paid                  ``F1:65`` paid: amount, adjudication date, ACH, EFT date and trace
patient owes all      ``F4:1`` adjudication complete, no payment (see the remittance)
denied                ``F2:1`` denied, the 835's claim adjustment reasons in STC12
reversed / cancelled  ``F3:1`` replaced or voided by a later claim
====================  =======================================================================

When the 276 lists service lines, each comes back with its own status (matched by the line
item control number, else procedure and charge), from the 835 line when adjudicated.

The EFT trace and payment date of a paid claim are the 835's (STC09 holds at most 16
characters, so it carries the trace's last 16 and STC12 the whole ``EFT <trace>``): :func:`record_payments` keeps
them (the simulator calls it when it writes an 835) in a small table of its own in the
simulator's state, created on first use. Answers are grouped one 277 transaction per patient;
the reply goes back to the 276's sender (ISA06) from the clearinghouse (``SIMCLEARHOUSE``).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from revcycle.domain.claim import Claim
from revcycle.domain.claim_status_inquiry import (
    ClaimLine,
    ClaimStatusRequest,
    ClaimStatusResponse,
    LineStatus,
    Status,
    StatusCode,
    StatusInfo,
)
from revcycle.domain.eligibility import Entity
from revcycle.domain.money import Money
from revcycle.domain.remittance import ClaimPayment, ServicePayment
from revcycle.payer.state import SimulatorState, StoredClaim
from revcycle.x12.errors import X12Error
from revcycle.x12.mapping.claim_status import FUNCTIONAL_ID_277, read_276, transaction_277
from revcycle.x12.reader import read_segments
from revcycle.x12.writer import Envelope, TransactionSet, write_interchange

if TYPE_CHECKING:
    from revcycle.payer.simulator import Simulator

__all__ = ["claim_status_info", "record_payments", "respond_276"]

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS status_payments "
    "(icn TEXT PRIMARY KEY, trace TEXT NOT NULL, paid_on TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS claims_pcn_payer ON claims (pcn, payer_id)",
)
_ready: weakref.WeakSet[SimulatorState] = weakref.WeakSet()
ZERO = Money(0)
STC09_LENGTH = 16


def _prepare(state: SimulatorState) -> None:
    # plain statements, not executescript: that would commit the simulator's open transaction
    if state not in _ready:
        for statement in _SCHEMA:
            state.db.execute(statement)
        _ready.add(state)


def record_payments(state: SimulatorState, icns: Sequence[str], trace: str, paid_on: date) -> None:
    """Remember that the claims ``icns`` were paid in the 835 with EFT ``trace`` on
    ``paid_on`` (inside the simulator's transaction that writes the 835)."""
    _prepare(state)
    state.db.executemany(
        "INSERT INTO status_payments (icn, trace, paid_on) VALUES (?, ?, ?) "
        "ON CONFLICT (icn) DO UPDATE SET trace = excluded.trace, paid_on = excluded.paid_on",
        [(icn, trace, paid_on.isoformat()) for icn in icns if icn],
    )


def _payment_of(state: SimulatorState, icn: str) -> tuple[str, date] | None:
    row = state.db.execute(
        "SELECT trace, paid_on FROM status_payments WHERE icn = ?", (icn,)
    ).fetchone()
    return (row[0], date.fromisoformat(row[1])) if row else None


def _due_of(state: SimulatorState, icn: str) -> date | None:
    row = state.db.execute("SELECT due FROM claims WHERE icn = ?", (icn,)).fetchone()
    return datetime.fromisoformat(row[0]).date() if row else None


def _find(state: SimulatorState, request: ClaimStatusRequest) -> StoredClaim | None:
    payer_id = request.payer.identifier
    stored: StoredClaim | None = None
    if request.payer_claim_number:
        stored = state.get_claim(request.payer_claim_number)
        if stored is not None and stored.payer_id != payer_id:
            stored = None
    if stored is None and request.patient_control_number:
        row = state.db.execute(
            "SELECT icn FROM claims WHERE pcn = ? AND payer_id = ? ORDER BY seq DESC LIMIT 1",
            (request.patient_control_number, payer_id),
        ).fetchone()
        stored = state.get_claim(row[0]) if row else None
    if stored is None or stored.member_id != request.subscriber.member_id:
        return None
    return stored


def _codes(category: str, code: str) -> tuple[StatusCode]:
    return (StatusCode(category, code),)


def _denial_reasons(payment: ClaimPayment) -> str:
    codes = [f"{a.group}-{a.reason}" for a in payment.adjustments]
    codes += [f"{a.group}-{a.reason}" for s in payment.lines for a in s.adjustments]
    return " ".join(dict.fromkeys(codes))[:250]


def _claim_status(state: SimulatorState, stored: StoredClaim, at: datetime) -> Status:
    claim = stored.claim
    charge = claim.total_charge
    received = stored.received.date()
    if stored.status == "pending":
        return Status(_codes("A2", "20"), received, charge)
    if stored.status in ("reversed", "cancelled"):
        return Status(_codes("F3", "1"), at.date(), charge, ZERO, message="replaced or voided")
    payment = state.decided_payment(stored.icn)
    decided = min(_due_of(state, stored.icn) or at.date(), at.date())
    if payment is None:  # decided without an 835 claim of its own: nothing is owed
        return Status(_codes("F4", "1"), decided, charge, ZERO, decided)
    if payment.status == "4" or (not payment.paid and not payment.patient_responsibility):
        return Status(
            _codes("F2", "1"), decided, charge, ZERO, decided, "NON",
            message=_denial_reasons(payment),
        )  # fmt: skip
    if not payment.paid:
        return Status(_codes("F4", "1"), decided, charge, ZERO, decided, "NON")
    paid = _payment_of(state, stored.icn)
    if paid is None:
        return Status(_codes("F1", "3"), decided, charge, payment.paid, decided)
    trace, paid_on = paid
    # STC09 holds 16 characters: the trace's last 16 there, the whole trace in the message
    return Status(
        _codes("F1", "65"), paid_on, charge, payment.paid, decided, "ACH", paid_on,
        trace[-STC09_LENGTH:], message=f"EFT {trace}",
    )  # fmt: skip


def _line_matches(asked: ClaimLine, procedure: str, charge: Money, lcn: str) -> bool:
    if asked.line_control_number and lcn:
        return asked.line_control_number == lcn
    return asked.procedure == procedure and asked.charge == charge


def _lines(
    request: ClaimStatusRequest,
    stored: StoredClaim | None,
    payment: ClaimPayment | None,
    claim_status: Status,
    at: date,
) -> tuple[LineStatus, ...]:
    out: list[LineStatus] = []
    claim: Claim | None = stored.claim if stored is not None else None
    for asked in request.lines:
        paid_line: ServicePayment | None = None
        known = claim is not None and any(
            _line_matches(asked, ln.procedure_code, ln.charge, ln.line_control_number)
            for ln in claim.lines
        )
        if payment is not None:
            paid_line = next(
                (
                    s
                    for s in payment.lines
                    if _line_matches(asked, s.procedure, s.charge, s.line_control_number)
                ),
                None,
            )
        if not known:
            status = Status(_codes("A4", "35"), at)
        elif paid_line is not None and claim_status.primary.category in ("F1", "F2", "F4"):
            denied = claim_status.primary.category == "F2"
            category = "F1" if paid_line.paid else ("F2" if denied else "F4")
            status = Status(_codes(category, "65" if paid_line.paid else "1"), at)
        else:
            status = Status((claim_status.primary,), claim_status.effective_date)
        out.append(
            LineStatus(
                procedure=asked.procedure,
                charge=asked.charge,
                statuses=(status,),
                qualifier=asked.qualifier,
                modifiers=asked.modifiers,
                paid=paid_line.paid if paid_line is not None else None,
                revenue_code=asked.revenue_code,
                units=asked.units,
                line_control_number=asked.line_control_number,
                service_from=asked.service_from,
                service_to=asked.service_to,
            )
        )
    return tuple(out)


def claim_status_info(
    state: SimulatorState, request: ClaimStatusRequest, at: datetime
) -> StatusInfo:
    """What the payer answers about the one claim of ``request`` (a 2200D/E loop)."""
    _prepare(state)
    stored = _find(state, request)
    payment: ClaimPayment | None = None
    if stored is None:
        status = Status(_codes("A4", "35"), at.date(), request.charge or ZERO)
        icn = ""
    else:
        status = _claim_status(state, stored, at)
        icn = stored.icn
        if status.primary.category in ("F1", "F2", "F4"):
            payment = state.decided_payment(stored.icn)
    return StatusInfo(
        trace=request.trace,
        statuses=(status,),
        payer_claim_control_number=icn,
        patient_control_number=request.patient_control_number,
        bill_type=request.bill_type,
        service_from=request.service_from,
        service_to=request.service_to,
        lines=_lines(request, stored, payment, status, at.date()),
    )


def _sender_of(text: str) -> str:
    for seg in read_segments(text):
        if seg and seg[0] == "ISA":
            return seg[6].strip() if len(seg) > 6 else ""
    return ""


def respond_276(sim: Simulator, request_text: str, at: datetime) -> str | None:
    """The 277 interchange answering every claim of the 276 ``request_text`` (None when it
    asks about no claim: then the acknowledgment answers)."""
    try:
        requests, _ = read_276(request_text)
        submitter = _sender_of(request_text)
    except X12Error:
        return None
    if not requests or not submitter:
        return None
    cfg = sim.config
    # reads only, and control numbers (one statement each): no transaction of its own, as the
    # real-time endpoint may answer while a simulator step runs
    groups: dict[tuple[object, ...], list[tuple[ClaimStatusRequest, StatusInfo]]] = {}
    for r in requests:
        key = (
            r.payer.identifier, r.receiver.identifier, r.provider.identifier,
            r.subscriber, r.dependent,
        )  # fmt: skip
        groups.setdefault(key, []).append((r, claim_status_info(sim.state, r, at)))
    sets: list[TransactionSet] = []
    for answered in groups.values():
        first = answered[0][0]
        payer = cfg.payers.get(first.payer.identifier)
        response = ClaimStatusResponse(
            payer=Entity(
                name=payer.name if payer is not None else first.payer.name,
                identifier=first.payer.identifier,
                id_qualifier="PI",
            ),
            receiver=Entity(first.receiver.name, first.receiver.identifier, "46"),
            created=at,
            provider=first.provider,
            subscriber=first.subscriber,
            dependent=first.dependent,
            claims=tuple(info for _, info in answered),
            reference=first.reference or first.trace,
        )
        sets.append(transaction_277(response))
    envelope = Envelope(sender_id=cfg.receiver_id, receiver_id=submitter)
    return write_interchange(envelope, FUNCTIONAL_ID_277, sets, sim.control, at)
