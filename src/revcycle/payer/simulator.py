"""The clearinghouse and payers that answer revcycle's 837s: a real implementation, not a mock.

``Simulator(state_dir, mailboxes, clock, seed)`` works the mailboxes of
:class:`~revcycle.payer.mailboxes.ClearinghouseMailboxes`:

- :meth:`Simulator.process_uploads` takes each pending upload and answers it: a TA1 when the
  interchange envelope is broken (or addressed to another receiver, or sent under another
  submitter's ID), else a 999 per functional group (IK3/IK4 for segment and element errors),
  then for the claims of accepted 837 sets one 277CA interchange (A2 accepted with the payer's
  claim number, or A3/A6/A7/A8 with the status code and entity at fault). Accepted claims are
  recorded for adjudication with an ICN.
- :meth:`Simulator.adjudicate` decides the claims whose adjudication delay has passed
  (:mod:`revcycle.payer.adjudication`), updates member accumulators, handles replacements
  (frequency 7: reversal CLP02 = 22 plus the new claim) and voids (frequency 8), crosses
  Medicare claims over to the member's Medigap payer (CLP02 = 19, MA18; the Medigap payer
  adjudicates later as secondary), and writes the 835s of payment cycles that have come, one
  per payer, submitter and payee, with PLB for interest (L6), recoupments (WO) and forward
  balances (FB).
- :meth:`Simulator.step` does both; :func:`run_simulator` runs it in a loop beside the SFTP
  server and the real-time endpoint (for ``revcycle sim serve``).

Determinism: for the same uploads, times and seed, the same files come out (ICNs, traces and
control numbers come from counters in the state; the background denial draw is seeded by the
seed and the ICN). Everything runs in one state transaction per upload / per adjudication run.
"""

from __future__ import annotations

import importlib
import logging
import random
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from revcycle.domain.claim import Claim, ClaimKind, Frequency
from revcycle.domain.money import Money
from revcycle.domain.remittance import ProviderAdjustment
from revcycle.payer import adjudication as adj
from revcycle.payer.claim_status import record_payments
from revcycle.payer.config import PayerConfig, Scenario, SimulatorConfig, load_config
from revcycle.payer.mailboxes import ClearinghouseMailboxes, UploadGone
from revcycle.payer.responses import (
    ACCEPTED,
    EditResult,
    Payee,
    RemitItem,
    claim_status,
    envelope_findings,
    remittance,
)
from revcycle.payer.state import SimulatorState, StateControlNumbers, StoredClaim
from revcycle.x12.acks import build_acks
from revcycle.x12.errors import X12Error
from revcycle.x12.mapping.ack277 import ClaimAcknowledgment, ClaimStatus, transaction_277ca
from revcycle.x12.mapping.claim837 import ClaimBuilder
from revcycle.x12.mapping.remit835 import transaction_835
from revcycle.x12.reader import Delimiters, Reader
from revcycle.x12.validator import SetResult, ValidationReport, Validator
from revcycle.x12.writer import Envelope, TransactionSet, write_interchange

log = logging.getLogger(__name__)

ZERO = Money(0)
# Claims paid in one 835 at most: a payment cycle with more is split into several payments
# (each its own 835, EFT and trace number), as payers split large remittances. Keeps the
# files a few MB, so neither the simulator writing one nor revcycle posting it holds a month
# of claims in memory.
REMIT_CLAIMS = 2_000


@dataclass(frozen=True, slots=True)
class UploadResult:
    """What one upload got: the response files delivered (names in the submitter's inbound)
    and how many claims were accepted into adjudication or rejected."""

    submitter: str
    upload: str
    responses: tuple[str, ...]
    accepted_claims: int = 0
    rejected_claims: int = 0
    note: str = ""


@dataclass(frozen=True, slots=True)
class RemittanceFile:
    """One 835 delivered: to whom, from which payer, how much, with which EFT trace."""

    submitter: str
    name: str
    payer_id: str
    payee_npi: str
    amount: Money
    trace: str
    claims: int


@dataclass
class _Set:
    st02: str
    key: str | None
    claims: list[Claim] = field(default_factory=list)


class _Sets:
    """A validator sink that keeps the claims of each 837 set apart (to honour the 999)."""

    def __init__(self) -> None:
        self.sets: list[_Set] = []
        self._builder: ClaimBuilder | None = None

    def start_set(self, key: str | None, st: list[str], delimiters: Delimiters) -> None:
        self.sets.append(_Set(st[2] if len(st) > 2 else "", key))
        kinds = {"837P": ClaimKind.PROFESSIONAL, "837I": ClaimKind.INSTITUTIONAL}
        self._builder = ClaimBuilder(kinds[key], delimiters.component) if key in kinds else None

    def segment(self, loop_id: str, els: list[str]) -> None:
        if self._builder is not None:
            self._builder.segment(loop_id, els)

    def end_set(self) -> None:
        if self._builder is not None and self.sets:
            self.sets[-1].claims = self._builder.end()
        self._builder = None


def _set_accepted(s: SetResult) -> bool:
    """The verdict ``build_acks`` gives the set (IK5 = A)."""
    return s.accepted and not any(f.set_error for f in s.findings)


def _dup_key(payer_id: str, claim: Claim) -> str:
    lines = sorted(
        f"{ln.procedure_code}:{':'.join(ln.modifiers)}:{ln.service_date}:{ln.charge}:{ln.units}"
        for ln in claim.lines
    )
    return "|".join([payer_id, claim.subscriber.member_id, claim.billing_provider.npi, *lines])


def _next_payment_day(day: date, weekdays: frozenset[int]) -> date:
    for i in range(8):
        candidate = day + timedelta(days=i)
        if candidate.weekday() in weekdays:
            return candidate
    return day


class Simulator:
    """The clearinghouse plus the payers of ``config`` over ``mailboxes``; state in
    ``state_dir`` (SQLite). ``clock`` gives the time of receipt when none is passed."""

    def __init__(
        self,
        state_dir: Path,
        mailboxes: ClearinghouseMailboxes,
        clock: Callable[[], datetime],
        seed: int = 0,
        *,
        config: SimulatorConfig | None = None,
    ) -> None:
        self.config = config or load_config()
        self.mailboxes = mailboxes
        self.clock = clock
        self.seed = seed
        self.state = SimulatorState(state_dir)
        self.control = StateControlNumbers(self.state)
        self._lock = threading.Lock()
        self._rate = Decimal(0)

    def close(self) -> None:
        self.state.close()

    # -- settings ------------------------------------------------------------------------

    @property
    def background_denial_rate(self) -> Decimal:
        stored = self.state.get_meta("background_denial_rate")
        return Decimal(stored) if stored is not None else self.config.background_denial_rate

    def set_background_denial_rate(self, rate: Decimal | str) -> None:
        """Switch the background rate of realistic denials (a fraction 0..1; kept in state)."""
        value = Decimal(str(rate))
        if not Decimal(0) <= value <= Decimal(1):
            raise ValueError("the background denial rate is a fraction between 0 and 1")
        with self.state.transaction():
            self.state.set_meta("background_denial_rate", str(value))

    # -- the loop ------------------------------------------------------------------------

    def step(self, now: datetime) -> tuple[list[UploadResult], list[RemittanceFile]]:
        """Answer every pending upload (as received at ``now``), then adjudicate up to ``now``."""
        return self.process_uploads(now), self.adjudicate(now)

    def process_uploads(self, now: datetime | None = None) -> list[UploadResult]:
        """Take and answer every pending upload (TA1 / 999 / 277CA); record accepted claims."""
        at = now or self.clock()
        results: list[UploadResult] = []
        with self._lock:
            for upload in self.mailboxes.pending_uploads():
                try:
                    data = self.mailboxes.take(upload)
                except UploadGone:
                    continue
                with self.state.transaction():
                    if upload.name.endswith(".appeal"):  # payer/appeals.py: written appeals
                        from revcycle.payer.appeals import receive_appeal

                        results.append(
                            receive_appeal(self, upload.submitter, upload.name, data, at)
                        )
                        continue
                    results.append(self._answer(upload.submitter, upload.name, data, at))
        return results

    def _deliver(self, submitter: str, kind: str, text: str, at: datetime, tag: str = "") -> str:
        seq = self.state.next_value("response-file")
        name = f"{seq:08d}-{kind}{'-' + tag if tag else ''}.x12"
        self.mailboxes.deliver(submitter, name, text.encode("latin-1"))
        self.state.log_response(submitter, name, kind, at)
        return name

    def _answer(self, submitter: str, upload: str, data: bytes, at: datetime) -> UploadResult:
        text = data.decode("latin-1")
        sink = _Sets()
        try:
            report = Validator(sink).run(Reader(text))
        except X12Error as exc:
            log.warning("simulator: %s/%s is not X12 (%s)", submitter, upload, exc)
            return UploadResult(submitter, upload, (), note=f"not X12: {exc}")
        cfg = self.config
        envelope_findings(report, cfg.receiver_id, submitter, cfg.require_sender_matches_mailbox)
        responses: list[str] = []
        acks = build_acks(report, self.control, at)
        for ack in acks:
            responses.append(self._deliver(submitter, ack.kind, ack.text, at))
        kinds = {st.st01 for ic in report.interchanges for g in ic.groups for st in g.sets}
        if kinds and kinds <= set(RESPONDERS):  # a batch of inquiries (270s, 276s)
            reply = self._respond(text, report, at)
            if reply is not None:
                kind = {"270": "271", "276": "277"}.get(next(iter(kinds)), "response")
                responses.append(self._deliver(submitter, kind, reply, at))
            return UploadResult(submitter, upload, tuple(responses))
        accepted_sets: list[_Set] = []
        sets = iter(sink.sets)
        for ic in report.interchanges:
            ta1_rejected = any(f.interchange_error for f in ic.findings)
            for g in ic.groups:
                for s in g.sets:
                    mine = next(sets, None)
                    if mine is None or mine.st02 != s.control_number:
                        continue  # cannot pair the set with its claims: never accept it
                    if not ta1_rejected and _set_accepted(s) and s.st01 == "837":
                        accepted_sets.append(mine)
        claims = [c for s in accepted_sets for c in s.claims]
        if not claims:
            return UploadResult(submitter, upload, tuple(responses))
        statuses: dict[tuple[str, str, str], list[ClaimStatus]] = {}
        n_ok = 0
        for claim in claims:
            result, icn = self._receive(submitter, claim, at)
            n_ok += result.accepted
            payer = cfg.payers.get(claim.payer.payer_id)
            key = (
                payer.payer_id if payer else cfg.receiver_id,
                payer.name if payer else cfg.name,
                claim.billing_provider.npi,
            )
            statuses.setdefault(key, []).append(claim_status(claim, result, icn, at.date()))
        sets_277: list[TransactionSet] = []
        billing = {c.billing_provider.npi: c.billing_provider for c in claims}
        trace = f"{submitter}{at:%y%m%d%H%M%S}"[:30]
        for (payer_id, payer_name, npi), group in statuses.items():
            ca = ClaimAcknowledgment(
                payer_name=payer_name,
                payer_id=payer_id,
                receiver_name=submitter,
                receiver_id=submitter,
                billing_provider_name=billing[npi].last_or_org_name,
                billing_provider_npi=npi,
                receipt_date=at.date(),
                process_date=at.date(),
                trace=trace,
                claims=tuple(group),
            )
            sets_277.append(transaction_277ca(ca))
        envelope = Envelope(sender_id=cfg.receiver_id, receiver_id=submitter)
        text_277 = write_interchange(envelope, "HN", sets_277, self.control, at)
        responses.append(self._deliver(submitter, "277CA", text_277, at))
        return UploadResult(submitter, upload, tuple(responses), n_ok, len(claims) - n_ok)

    # -- receiving one claim: the front-end edits ------------------------------------------

    def _edit(self, payer: PayerConfig | None, claim: Claim, at: datetime) -> EditResult:
        """The clearinghouse's and payer's front-end edits, first failure wins."""
        if payer is None:
            return EditResult("A3", "116", "PR")  # submitted to the incorrect payer
        member = claim.subscriber.member_id
        if (
            claim.kind is ClaimKind.PROFESSIONAL
            and claim.frequency.value in payer.rejected_frequencies
        ):
            return EditResult("A7", "535")  # claim frequency code: Medicare wants a reopening
        if not payer.member_id_valid(member):
            return EditResult("A7", "164", "IL")  # entity's contract / member number
        scenario = self.config.scenarios.get(member)
        if scenario is not None and scenario.scenario == "unknown_member":
            return EditResult("A3", "33", "IL")  # subscriber and subscriber ID not found
        if any(ln.service_date > at.date() for ln in claim.lines):
            return EditResult("A8", "187")  # date(s) of service after receipt
        if claim.subscriber.payer_responsibility in ("S", "T") and not claim.other_payers:
            return EditResult("A6", "21", "PR")  # secondary claim without prior payer data
        if claim.frequency is not Frequency.ORIGINAL:
            status = self.state.claim_status(claim.original_reference, payer.payer_id)
            if status not in ("pending", "adjudicated"):
                return EditResult("A7", "21")  # REF*F8 names no claim this payer can change
        return ACCEPTED

    def _new_icn(self, payer: PayerConfig, at: datetime) -> str:
        return f"{payer.icn_prefix}{at:%y%j}{self.state.next_value('icn'):07d}"

    def _receive(self, submitter: str, claim: Claim, at: datetime) -> tuple[EditResult, str]:
        payer = self.config.payers.get(claim.payer.payer_id)
        result = self._edit(payer, claim, at)
        if not result.accepted or payer is None:
            return result, ""
        icn = self._new_icn(payer, at)
        dup_key = _dup_key(payer.payer_id, claim)
        duplicate = False
        replaces = ""
        if claim.frequency is Frequency.ORIGINAL:
            duplicate = self.state.has_active_duplicate(dup_key)
        else:
            replaces = claim.original_reference
        self.state.add_claim(
            icn=icn,
            payer_id=payer.payer_id,
            submitter=submitter,
            payee_npi=claim.billing_provider.npi,
            member_id=claim.subscriber.member_id,
            received=at,
            due=at + timedelta(days=payer.adjudication_delay_days),
            dup_key=dup_key,
            duplicate=duplicate,
            replaces=replaces,
            claim=claim,
        )
        return result, icn

    # -- adjudication ----------------------------------------------------------------------

    def adjudicate(self, now: datetime) -> list[RemittanceFile]:
        """Decide every claim due by ``now``, then write the 835s of cycles that have come."""
        with self._lock, self.state.transaction():
            self._rate = self.background_denial_rate
            while True:
                due = self.state.due_claims(now)
                if not due:
                    break
                for stored in due:
                    self._decide(stored, now)
            return self._write_remittances(now)

    def _scenario(self, member_id: str) -> Scenario | None:
        return self.config.scenarios.get(member_id)

    def _background(self, icn: str) -> adj.Denial | None:
        rate = self._rate
        choices = self.config.background_denials
        if rate <= 0 or not choices:
            return None
        rng = random.Random(f"{self.seed}:{icn}")
        if rng.randrange(1_000_000) >= int(rate * 1_000_000):
            return None
        return choices[rng.randrange(len(choices))]

    def _accumulators(
        self, payer: PayerConfig, member_id: str, year: int, scenario: Scenario | None
    ) -> adj.Accumulators:
        found = self.state.accumulators(payer.payer_id, member_id, year)
        if found is not None:
            return found
        plan = payer.plan
        if scenario is not None and scenario.deductible_remaining is not None:
            met = max(ZERO, plan.deductible - scenario.deductible_remaining)
        else:
            met = plan.deductible  # members not in the table are mid-year: deductible met
        return adj.Accumulators(met, ZERO)

    def _queue(
        self, stored: StoredClaim, payer: PayerConfig, item: RemitItem, kind: str = "claim"
    ) -> None:
        # the first payment cycle on or after the claim was due (a simulator that was not
        # running catches up at once)
        due_day = stored.received + timedelta(days=payer.adjudication_delay_days)
        cycle = _next_payment_day(due_day.date(), payer.payment_weekdays)
        self.state.add_item(
            payer.payer_id,
            stored.submitter,
            stored.payee_npi,
            cycle,
            item,
            item.claim.payer_claim_control_number,
            kind,
        )

    def _decide(self, stored: StoredClaim, now: datetime) -> None:
        cfg = self.config
        payer = cfg.payers[stored.payer_id]
        claim = stored.claim
        bp = claim.billing_provider
        payee = Payee(bp.npi, bp.last_or_org_name, bp.tax_id)
        if stored.replaces:
            self._reverse_original(stored, payer, payee, now)
            if claim.frequency is Frequency.VOID:
                self.state.set_status(stored.icn, "reversed")  # the void itself pays nothing
                return
        scenario = self._scenario(stored.member_id)
        crossover_to = ""
        if (
            payer.kind == "medicare"
            and scenario is not None
            and scenario.scenario == "crossover"
            and not claim.is_secondary
        ):
            crossover_to = cfg.payers[scenario.medigap_payer].name
        ctx = adj.Context(
            icn=stored.icn,
            received=stored.received.date(),
            scenario=scenario,
            duplicate=stored.duplicate,
            background_denial=self._background(stored.icn),
            crossover_payer_name=crossover_to,
        )
        year = claim.lines[0].service_date.year
        if stored.prior is not None or claim.is_secondary:
            prior = stored.prior if stored.prior is not None else adj.prior_lines_from_claim(claim)
            outcome = adj.adjudicate_secondary(
                cfg, payer, payer.plan, claim, prior, ctx, stored.member_for_835
            )
        else:
            acc = self._accumulators(payer, stored.member_id, year, scenario)
            outcome = adj.adjudicate_primary(cfg, payer, payer.plan, claim, acc, ctx)
            self.state.put_accumulators(
                payer.payer_id,
                stored.member_id,
                year,
                adj.Accumulators(
                    acc.deductible_met + outcome.deductible, acc.oop_met + outcome.out_of_pocket
                ),
            )
        payment = outcome.payment
        self.state.record_decision(stored.icn, year, outcome.deductible, outcome.out_of_pocket)
        plb: list[ProviderAdjustment] = []
        if outcome.interest:
            plb.append(ProviderAdjustment("L6", -outcome.interest, stored.icn))
        if (
            scenario is not None
            and scenario.scenario == "recoupment"
            and scenario.overpayment
            and payment.status != "4"
        ):
            plb.append(ProviderAdjustment("WO", scenario.overpayment, scenario.overpaid_icn))
        self._queue(stored, payer, RemitItem(payee, payment, tuple(plb)))
        if payment.status == "19" and scenario is not None:
            self._cross_over(stored, scenario, payment, now)

    def _cross_over(
        self, stored: StoredClaim, scenario: Scenario, payment: Any, now: datetime
    ) -> None:
        """Medicare forwards the claim to the member's Medigap payer, which adjudicates it
        later as secondary with Medicare's payment (no 837 from the provider)."""
        gap = self.config.payers[scenario.medigap_payer]
        claim = stored.claim
        icn = self._new_icn(gap, now)
        self.state.add_claim(
            icn=icn,
            payer_id=gap.payer_id,
            submitter=stored.submitter,
            payee_npi=stored.payee_npi,
            member_id=scenario.medigap_member_id or stored.member_id,
            received=now,
            due=now + timedelta(days=gap.adjudication_delay_days),
            dup_key=_dup_key(gap.payer_id, claim),
            duplicate=False,
            replaces="",
            claim=claim,
            prior=adj.prior_lines_from_payment(payment),
            member_for_835=scenario.medigap_member_id,
        )

    def _reverse_original(
        self, stored: StoredClaim, payer: PayerConfig, payee: Payee, now: datetime
    ) -> None:
        original = self.state.get_claim(stored.replaces)
        if original is None or original.status in ("reversed", "cancelled"):
            return
        if original.status == "pending":  # never decided: the new claim simply replaces it
            self.state.set_status(original.icn, "cancelled")
            return
        self.state.set_status(original.icn, "reversed")
        decided = self.state.decided_payment(original.icn)
        if decided is None:
            return
        if original.acc_year is not None and original.deductible is not None:
            acc = self.state.accumulators(payer.payer_id, original.member_id, original.acc_year)
            if acc is not None:
                back = adj.Accumulators(
                    max(ZERO, acc.deductible_met - original.deductible),
                    max(ZERO, acc.oop_met - (original.oop or ZERO)),
                )
                self.state.put_accumulators(
                    payer.payer_id, original.member_id, original.acc_year, back
                )
        self._queue(stored, payer, RemitItem(payee, adj.reversal(decided)), "reversal")

    # -- 835s ------------------------------------------------------------------------------

    def _write_remittances(self, now: datetime) -> list[RemittanceFile]:
        out: list[RemittanceFile] = []
        # one 835's items in memory at a time (a payment cycle may pay a month of claims)
        for payer_id, submitter, npi, cycle in self.state.due_groups(now.date()):
            rows: list[tuple[int, RemitItem]] = self.state.group_items(
                payer_id, submitter, npi, cycle
            )
            # a cycle with more claims than one 835 carries is paid in several payments
            for start in range(0, len(rows), REMIT_CLAIMS):
                chunk = rows[start : start + REMIT_CLAIMS]
                out.append(self._write_remittance(payer_id, submitter, npi, cycle, chunk, now))
        return out

    def _write_remittance(
        self,
        payer_id: str,
        submitter: str,
        npi: str,
        cycle: date,
        rows: list[tuple[int, RemitItem]],
        now: datetime,
    ) -> RemittanceFile:
        """One 835 (one payment, its own trace number) for ``rows``, delivered."""
        payer = self.config.payers[payer_id]
        items = [item for _, item in rows]
        trace = f"{payer.icn_prefix}EFT{cycle:%Y%m%d}{self.state.next_value('trace'):06d}"
        owed = self.state.balance(payer_id, submitter, npi)
        remit, owed_after = remittance(payer, items[0].payee, items, cycle, trace, owed)
        self.state.set_balance(payer_id, submitter, npi, owed_after)
        envelope = Envelope(
            sender_id=self.config.receiver_id,
            receiver_id=submitter,
            sender_code=payer_id,
            receiver_code=submitter,
        )
        text = write_interchange(envelope, "HP", [transaction_835(remit)], self.control, now)
        name = self._deliver(submitter, "835", text, now, payer_id)
        self.state.mark_emitted([row_id for row_id, _ in rows])
        paid = [i.claim.payer_claim_control_number for i in items]
        record_payments(self.state, paid, trace, cycle)  # the EFT a 277 F1 names
        return RemittanceFile(
            submitter, name, payer_id, npi, remit.payment.amount, trace, len(items)
        )

    # -- real time -------------------------------------------------------------------------

    def realtime_handler(self, text: str) -> str:
        """Answer a real-time request: a 270 with its 271, a 276 with its 277 (the responders
        in ``RESPONDERS``), anything else, or a request that breaks the envelope, with its
        acknowledgment (TA1 or 999)."""
        try:
            report = Validator().run(Reader(text))
        except X12Error:
            return ""
        answer = self._respond(text, report, self.clock())
        if answer is not None:
            return answer
        acks = build_acks(report, self.control, self.clock())
        return acks[-1].text if acks else ""

    def _respond(self, text: str, report: ValidationReport, at: datetime) -> str | None:
        """The reply interchange of the responder for the request's transaction (ST01), or
        None when no responder takes it or the interchange is broken (then the TA1/999 says)."""
        kinds = {s.st01 for ic in report.interchanges for g in ic.groups for s in g.sets}
        if len(kinds) != 1 or any(
            f.interchange_error for ic in report.interchanges for f in ic.findings
        ):
            return None
        target = RESPONDERS.get(next(iter(kinds)))
        if target is None:
            return None
        module, _, name = target.partition(":")
        respond = getattr(importlib.import_module(module), name)
        reply: str | None = respond(self, text, at)
        return reply


RESPONDERS: dict[str, str] = {
    # ST01 of an inquiry -> "module:function" answering it: (simulator, request text, now) ->
    # the reply interchange text, or None to answer with the acknowledgment only.
    "270": "revcycle.payer.eligibility:respond_270",
    "276": "revcycle.payer.claim_status:respond_276",
}


def _utcnow() -> datetime:
    return datetime.now(tz=UTC)


def run_simulator(
    root: Path,
    state_dir: Path,
    *,
    sftp_port: int | None = None,
    realtime_port: int | None = None,
    interval: float = 1.0,
    users: Iterable[Any] = (),
    host: str = "127.0.0.1",
    seed: int = 0,
    stop: threading.Event | None = None,
    clock: Callable[[], datetime] = _utcnow,
) -> None:
    """Run the simulator until ``stop`` is set (or Ctrl-C): every ``interval`` seconds answer
    uploads and adjudicate; with ``sftp_port`` also serve the mailboxes over SFTP (``users``:
    :class:`~revcycle.payer.sftp_server.SftpUser`), with ``realtime_port`` the real-time
    HTTP endpoint. Port 0 picks a free port."""
    from revcycle.payer.sftp_server import SftpServerThread

    mailboxes = ClearinghouseMailboxes(root)
    sim = Simulator(Path(state_dir), mailboxes, clock, seed)
    stop = stop or threading.Event()
    users = list(users)
    for user in users:
        mailboxes.register(user.name)
    sftp: SftpServerThread | None = None
    web: Any = None
    web_thread: threading.Thread | None = None
    try:
        if sftp_port is not None:
            sftp = SftpServerThread(
                Path(root), users, host=host, port=sftp_port, state_dir=Path(state_dir) / "sftp"
            ).start()
            log.info("simulator: SFTP on %s:%d", host, sftp.port)
        if realtime_port is not None:
            import uvicorn

            from revcycle.payer.realtime import create_realtime_app

            web = uvicorn.Server(
                uvicorn.Config(
                    create_realtime_app(sim.realtime_handler),
                    host=host,
                    port=realtime_port,
                    lifespan="off",
                    ws="none",
                    log_level="warning",
                )
            )
            web_thread = threading.Thread(target=web.run, name="revcycle-sim-realtime", daemon=True)
            web_thread.start()
        while not stop.is_set():
            try:
                sim.step(clock())
            except Exception:
                log.exception("simulator step failed")
            stop.wait(interval)
    except KeyboardInterrupt:
        pass
    finally:
        if web is not None:
            web.should_exit = True
            if web_thread is not None:
                web_thread.join(5)
        if sftp is not None:
            sftp.stop()
        sim.close()


__all__ = ["RemittanceFile", "Simulator", "UploadResult", "run_simulator"]
