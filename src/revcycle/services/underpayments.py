"""Use cases of underpayments and the payer scorecard.

- ``check_remittance`` runs inside ``post_era``'s transaction for each 835 it posts: every
  service line of every claim payment that matched a claim is recorded (``UnderpaymentLine``)
  with what the 835 allowed and paid and, for the claim's own payer paying as primary (CLP02
  1 or 19), what its contract expected (``revcycle.denials.underpayments``); the lines of a
  claim the payer denied (CLP02 4) are judged denied, never priced. A line underpaid
  by more than the practice's tolerance (default 1.00) gets one ``underpayments`` work item
  carrying the expected, allowed and paid amounts and the contract term.
- ``scan`` checks the recorded lines of a date range again (a contract added or corrected
  later, a new tolerance): verdicts are updated in place and newly underpaid lines get their
  work item; an item already open is not duplicated.
- ``scorecard`` summarises each payer over a range of payment dates: claims submitted and
  their charges, claims adjudicated and denied (count and dollars: ``denied_claims``), paid
  against expected, underpayments (count and dollars) and the days from first submission to
  payment.

Persistence comes in through ``UnderpaymentStoreFactory`` (``revcycle.db.underpayment_repo``);
``check_remittance`` finds the default factory by name, so ``services.era`` needs one call and
this package still imports nothing of ``revcycle.db``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from statistics import mean, median
from typing import Any, Protocol

from revcycle.codesets.pfs import GpciTable, RvuTable
from revcycle.denials.underpayments import (
    DENIED,
    NO_CONTRACT,
    OK,
    UNDERPAID,
    LineToCheck,
    check_lines,
    contract_for,
    is_denied,
    line_from_835,
    pfs_pricer,
)
from revcycle.domain.errors import DomainValidationError, NotFound
from revcycle.domain.fees import Contract
from revcycle.domain.money import Money
from revcycle.domain.payer import MEDICARE_INDICATORS
from revcycle.domain.remittance import Remittance
from revcycle.domain.user import POST_REMITTANCES, READ_BILLING
from revcycle.domain.workqueue import WorkItem
from revcycle.posting.engine import paying_payer
from revcycle.posting.matching import match_lines
from revcycle.posting.model import BilledClaim
from revcycle.services.context import Context
from revcycle.services.ports import UnitOfWork

NOT_PRIMARY = "not_primary"
PRIMARY_STATUSES = frozenset({"1", "19"})
CLAIM_DENIED = "4"  # CLP02: the payer denied the claim (its lines are judged denied, not priced)
FACILITY_POS = frozenset(
    {"19", "21", "22", "23", "24", "26", "31", "34", "41", "42", "51", "52", "53", "56", "61"}
)
"""Places of service where Medicare pays the facility rate (PE) to the physician."""

DEFAULT_STORE = "revcycle.db.underpayment_repo:underpayment_store"


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    payer_ref: int
    payer_class: str
    place_of_service: str


@dataclass(frozen=True, slots=True)
class UnderpaymentLine:
    """One checked 835 service line (see the module docstring). ``claim_id`` is the claim the
    835 answered and ``payer_ref`` the payer that paid it (a secondary claim and its payer;
    for a crossover, the primary's claim and the plan it crossed over to); ``claim_line_id``
    is the line holding the balance on the ledger, for a secondary claim its primary's line."""

    claim_id: int
    claim_line_id: int | None
    payer_ref: int
    status_code: str
    payer_claim_number: str
    trace_number: str
    paid_on: date
    service_date: date
    procedure: str
    modifiers: tuple[str, ...]
    units: Decimal
    place_of_service: str
    mult_proc: str
    charge: Money
    allowed: Money
    paid: Money
    patient_responsibility: Money
    sequestration: Money
    outcome: str
    expected_allowed: Money | None = None
    expected_paid: Money | None = None
    variance: Money | None = None
    term: str = ""
    contract_id: int | None = None
    work_item_id: int | None = None
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        def amount(m: Money | None) -> str | None:
            return None if m is None else m.to_json()

        return {
            "id": self.id,
            "claim_id": self.claim_id,
            "claim_line_id": self.claim_line_id,
            "payer_ref": self.payer_ref,
            "status_code": self.status_code,
            "payer_claim_number": self.payer_claim_number,
            "trace_number": self.trace_number,
            "paid_on": self.paid_on.isoformat(),
            "service_date": self.service_date.isoformat(),
            "procedure": self.procedure,
            "modifiers": list(self.modifiers),
            "units": str(self.units.normalize()),
            "charge": self.charge.to_json(),
            "allowed": self.allowed.to_json(),
            "paid": self.paid.to_json(),
            "patient_responsibility": self.patient_responsibility.to_json(),
            "sequestration": self.sequestration.to_json(),
            "expected_allowed": amount(self.expected_allowed),
            "expected_paid": amount(self.expected_paid),
            "variance": amount(self.variance),
            "term": self.term,
            "outcome": self.outcome,
            "contract_id": self.contract_id,
            "work_item_id": self.work_item_id,
        }


@dataclass(frozen=True, slots=True)
class SubmittedClaim:
    claim_id: int
    payer_ref: int
    charge: Money
    first_submitted: date


class UnderpaymentStore(Protocol):
    """The underpayment tables (and the few facts they need), on the unit of work's
    connection."""

    def tolerance(self) -> Money: ...

    def set_tolerance(self, tolerance: Money) -> None: ...

    def claim_facts(self, claim_ids: Sequence[int]) -> dict[int, ClaimFacts]: ...

    def fee_schedule(self) -> tuple[RvuTable | None, GpciTable | None]: ...

    def add(self, lines: Sequence[UnderpaymentLine]) -> list[int]:
        """Record ``lines``; their new ids, in order."""
        ...

    def update(self, line: UnderpaymentLine) -> None: ...

    def get(self, line_id: int) -> UnderpaymentLine | None: ...

    def lines(
        self, date_from: date | None, date_to: date | None, outcome: str | None = None
    ) -> list[UnderpaymentLine]: ...

    def first_submissions(self, claim_ids: Sequence[int]) -> dict[int, date]: ...

    def submitted(self, date_from: date | None, date_to: date | None) -> list[SubmittedClaim]: ...

    def payer_classes(self) -> dict[int, tuple[str, str, str]]:
        """Payer ref -> (name, payer class, X12 payer ID)."""
        ...


UnderpaymentStoreFactory = Callable[[UnitOfWork], UnderpaymentStore]


def default_store() -> UnderpaymentStoreFactory:
    module, name = DEFAULT_STORE.split(":")
    factory: UnderpaymentStoreFactory = getattr(importlib.import_module(module), name)
    return factory


# ---- checking ---------------------------------------------------------------------------------


class _Pricing:
    """Contracts, fee-schedule tables and the tolerance, read once per check."""

    def __init__(self, uow: UnitOfWork, store: UnderpaymentStore) -> None:
        self.uow, self.store = uow, store
        self._contracts: dict[int, Sequence[Contract]] = {}
        self._tables: tuple[RvuTable | None, GpciTable | None] | None = None
        self.tolerance = store.tolerance()

    def contracts(self, payer_ref: int) -> Sequence[Contract]:
        if payer_ref not in self._contracts:
            self._contracts[payer_ref] = self.uow.contracts.for_payer(payer_ref)
        return self._contracts[payer_ref]

    def tables(self) -> tuple[RvuTable | None, GpciTable | None]:
        if self._tables is None:
            self._tables = self.store.fee_schedule()
        return self._tables

    def judge(
        self, lines: Sequence[UnderpaymentLine], facts: ClaimFacts, medicare: bool
    ) -> list[UnderpaymentLine]:
        """Verdicts for the lines of one claim payment."""
        if not lines:
            return []
        if lines[0].status_code == CLAIM_DENIED:  # whatever the payer's place: its denials count
            return [
                replace(ln, outcome=DENIED if is_denied(_to_check(ln, "")) else NOT_PRIMARY)
                for ln in lines
            ]
        if lines[0].status_code not in PRIMARY_STATUSES:
            return [replace(ln, outcome=NOT_PRIMARY) for ln in lines]
        contract = contract_for(
            self.contracts(facts.payer_ref), min(ln.service_date for ln in lines)
        )
        rvus, gpcis = self.tables() if contract is not None else (None, None)
        pfs = pfs_pricer(rvus, gpcis) if rvus is not None and gpcis is not None else None
        mult = [_mult_proc(rvus, ln.procedure, ln.modifiers) for ln in lines]
        checks = check_lines(
            [_to_check(ln, m) for ln, m in zip(lines, mult, strict=True)],
            contract,
            pfs=pfs,
            facility=facts.place_of_service in FACILITY_POS,
            sequestration=medicare,
            tolerance=self.tolerance,
        )
        return [
            replace(
                ln,
                mult_proc=m,
                outcome=c.outcome,
                expected_allowed=c.expected_allowed,
                expected_paid=c.expected_paid,
                variance=c.variance,
                term=c.term,
                contract_id=contract.id if contract is not None and c.term else None,
            )
            for ln, m, c in zip(lines, mult, checks, strict=True)
        ]


def _mult_proc(rvus: RvuTable | None, procedure: str, modifiers: tuple[str, ...]) -> str:
    if rvus is None:
        return ""
    component = next((m for m in modifiers if m in ("26", "TC", "53")), "")
    row = rvus.get(procedure, component) or rvus.get(procedure)
    return row.mult_proc[:1] if row is not None else ""


def _to_check(ln: UnderpaymentLine, mult_proc: str) -> LineToCheck:
    return LineToCheck(
        procedure=ln.procedure,
        modifiers=ln.modifiers,
        units=ln.units,
        service_date=ln.service_date,
        charge=ln.charge,
        paid=ln.paid,
        allowed=ln.allowed,
        patient_responsibility=ln.patient_responsibility,
        sequestration=ln.sequestration,
        mult_proc=mult_proc,
    )


def _reason(ln: UnderpaymentLine) -> str:
    assert ln.expected_paid is not None and ln.variance is not None
    return (
        f"{ln.procedure} on {ln.service_date.isoformat()} underpaid {ln.variance.to_json()}: "
        f"expected allowed {ln.expected_allowed.to_json() if ln.expected_allowed else '?'}, "
        f"allowed {ln.allowed.to_json()}, expected paid {ln.expected_paid.to_json()}, "
        f"paid {ln.paid.to_json()} ({ln.term}), payer claim {ln.payer_claim_number}"
    )


def _queue(uow: UnitOfWork, ln: UnderpaymentLine) -> int | None:
    """The ``underpayments`` work item of an underpaid line (one open item per line)."""
    if ln.outcome != UNDERPAID:
        return ln.work_item_id
    kind, target = ("claim_line", ln.claim_line_id) if ln.claim_line_id else ("claim", ln.claim_id)
    assert target is not None and ln.variance is not None
    found = uow.work_items.open_for("underpayments", kind, target)
    if found is not None:
        return found.id
    item = uow.work_items.add(
        WorkItem(
            "underpayments",
            kind,
            target,
            _reason(ln)[:500],
            priority=min(int(ln.variance.amount), 1_000_000),
        )
    )
    return item.id


def check_remittance(
    ctx: Context,
    uow: UnitOfWork,
    claims: Sequence[BilledClaim],
    remittance: Remittance,
    store: UnderpaymentStoreFactory | None = None,
) -> list[UnderpaymentLine]:
    """Record and judge the lines of ``remittance`` that paid ``claims`` (inside the posting's
    transaction); underpaid lines go to the ``underpayments`` queue. Returns the lines queued
    (as recorded: with their ids and work items); the others are recorded, not returned."""
    by_pcn = {c.patient_control_number: c for c in claims}
    found = [
        (cp, by_pcn[cp.patient_control_number])
        for cp in remittance.claims
        if cp.patient_control_number in by_pcn and cp.lines
    ]
    if not found:
        return []
    repo = (store or default_store())(uow)
    facts = repo.claim_facts([int(c.answered_claim_id) for _, c in found])
    payers = {payer_id: (ref, kind) for ref, (_, kind, payer_id) in repo.payer_classes().items()}
    pricing = _Pricing(uow, repo)
    paid_on = remittance.payment.date or ctx.clock.today()
    judged_all: list[UnderpaymentLine] = []
    for cp, claim in found:
        claim_id = int(claim.answered_claim_id)
        about = facts.get(claim_id)
        if about is None:
            continue
        # the payer that paid: a secondary's, or the Medigap plan a crossover went to
        paying = paying_payer(remittance.payer.identifier, cp.status, claim.coverages)
        if paying in payers:
            ref, kind = payers[paying]
            about = replace(about, payer_ref=ref, payer_class=kind)
        billed = match_lines(claim, cp.lines)
        lines = []
        for svc, line in zip(cp.lines, billed, strict=True):
            day = svc.service_date or (line.service_date if line else None) or cp.statement_from
            procedure = line.procedure if line else svc.procedure
            modifiers = line.modifiers if line else svc.modifiers
            units = line.units if line else (svc.units or Decimal(1))
            facts_835 = line_from_835(
                svc,
                procedure=procedure,
                modifiers=modifiers,
                units=units,
                service_date=day or paid_on,
            )
            lines.append(
                UnderpaymentLine(
                    claim_id=claim_id,
                    claim_line_id=int(line.line_id) if line and line.line_id else None,
                    payer_ref=about.payer_ref,
                    status_code=cp.status,
                    payer_claim_number=cp.payer_claim_control_number[:50],
                    trace_number=remittance.payment.trace_number[:50],
                    paid_on=paid_on,
                    service_date=facts_835.service_date,
                    procedure=procedure[:5],
                    modifiers=tuple(modifiers)[:4],
                    units=units,
                    place_of_service=about.place_of_service,
                    mult_proc="",
                    charge=facts_835.charge,
                    allowed=facts_835.allowed,
                    paid=facts_835.paid,
                    patient_responsibility=facts_835.patient_responsibility,
                    sequestration=facts_835.sequestration,
                    outcome=OK,
                )
            )
        medicare = about.payer_class == "medicare" or cp.claim_filing_indicator in (
            MEDICARE_INDICATORS
        )
        judged_all += pricing.judge(lines, about, medicare)
    ids: list[int] = []
    for start in range(0, len(judged_all), 5000):  # one insert per 5,000 lines
        ids += repo.add(judged_all[start : start + 5000])
    queued: list[UnderpaymentLine] = []
    for ln, line_id in zip(judged_all, ids, strict=True):
        item = _queue(uow, ln)
        if item != ln.work_item_id:  # an underpaid line: its work item goes on its record
            recorded = replace(ln, id=line_id, work_item_id=item)
            repo.update(recorded)
            queued.append(recorded)
    return queued


# ---- reading and re-checking ----------------------------------------------------------------


def _range(date_from: date | None, date_to: date | None) -> None:
    if date_from and date_to and date_to < date_from:
        raise DomainValidationError.single("to", "before_from", "is before the start date")


def list_lines(
    ctx: Context,
    *,
    store: UnderpaymentStoreFactory,
    date_from: date | None = None,
    date_to: date | None = None,
    outcome: str | None = UNDERPAID,
) -> list[UnderpaymentLine]:
    """Checked lines paid in the range, underpaid ones by default (``outcome=None``: all)."""
    ctx.require(READ_BILLING)
    _range(date_from, date_to)
    with ctx.uow() as uow:
        found = store(uow).lines(date_from, date_to, outcome)
        ctx.audit(uow, "list", "underpayment", len(found))
        uow.commit()
    return found


def get_line(ctx: Context, line_id: int, *, store: UnderpaymentStoreFactory) -> UnderpaymentLine:
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        found = store(uow).get(line_id)
        if found is None:
            raise NotFound("underpayment", line_id)
        ctx.audit(uow, "read", "underpayment", line_id)
        uow.commit()
    return found


def get_tolerance(ctx: Context, *, store: UnderpaymentStoreFactory) -> Money:
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        return store(uow).tolerance()


def set_tolerance(ctx: Context, value: str, *, store: UnderpaymentStoreFactory) -> Money:
    """The variance a line may have before it counts as underpaid (not negative)."""
    ctx.require(POST_REMITTANCES)
    try:
        tolerance = Money(value)
    except (ValueError, ArithmeticError, TypeError):
        tolerance = Money("-1")
    if tolerance.is_negative():
        raise DomainValidationError.single("tolerance", "amount", "must be an amount, 0 or more")
    with ctx.uow() as uow:
        store(uow).set_tolerance(tolerance)
        ctx.audit(uow, "update", "underpayment_settings", ctx.practice_id)
        uow.commit()
    return tolerance


@dataclass(frozen=True, slots=True)
class ScanResult:
    checked: int
    underpaid: int
    newly_underpaid: int
    no_contract: int

    def to_json(self) -> dict[str, int]:
        return {
            "checked": self.checked,
            "underpaid": self.underpaid,
            "newly_underpaid": self.newly_underpaid,
            "no_contract": self.no_contract,
        }


_PaymentKey = tuple[int, str, str, date]


def _payment(line: UnderpaymentLine) -> _PaymentKey:
    """The claim payment (an 835's CLP) a recorded line came from."""
    return (line.claim_id, line.trace_number, line.payer_claim_number, line.paid_on)


def scan(
    ctx: Context,
    *,
    store: UnderpaymentStoreFactory,
    date_from: date | None = None,
    date_to: date | None = None,
) -> ScanResult:
    """Check again the recorded primary-payer lines paid in the range (module docstring)."""
    ctx.require(POST_REMITTANCES)
    _range(date_from, date_to)
    with ctx.uow() as uow:
        repo = store(uow)
        pricing = _Pricing(uow, repo)
        rows = repo.lines(date_from, date_to)
        groups: dict[_PaymentKey, list[UnderpaymentLine]] = {}
        for r in rows:
            groups.setdefault(_payment(r), []).append(r)
        classes = {pid: about[1] for pid, about in repo.payer_classes().items()}
        checked = underpaid = newly = silent = 0
        for group in groups.values():
            first = group[0]
            facts = ClaimFacts(
                first.payer_ref, classes.get(first.payer_ref, ""), first.place_of_service
            )
            medicare = facts.payer_class == "medicare" or any(r.sequestration for r in group)
            for before, judged in zip(group, pricing.judge(group, facts, medicare), strict=True):
                after = replace(judged, work_item_id=_queue(uow, judged))
                if after != before:
                    repo.update(after)
                checked += 1
                underpaid += after.outcome == UNDERPAID
                newly += after.outcome == UNDERPAID and before.outcome != UNDERPAID
                silent += after.outcome == NO_CONTRACT
        ctx.audit(uow, "scan", "underpayment", checked)
        uow.commit()
    return ScanResult(checked, underpaid, newly, silent)


# ---- the payer scorecard ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PayerScore:
    payer_ref: int
    payer_id: str
    payer_name: str
    claims_submitted: int
    charges_submitted: Money
    claims_adjudicated: int
    claims_denied: int
    denied_amount: Money
    paid: Money
    expected: Money
    paid_where_expected: Money
    underpaid_lines: int
    underpaid_amount: Money
    days_to_pay_avg: Decimal | None
    days_to_pay_median: Decimal | None

    @property
    def denial_rate(self) -> Decimal | None:
        if not self.claims_adjudicated:
            return None
        return (Decimal(self.claims_denied) / self.claims_adjudicated).quantize(Decimal("0.0001"))

    def to_json(self) -> dict[str, Any]:
        def num(d: Decimal | None) -> str | None:
            return None if d is None else str(d)

        return {
            "payer_ref": self.payer_ref,
            "payer_id": self.payer_id,
            "payer_name": self.payer_name,
            "claims_submitted": self.claims_submitted,
            "charges_submitted": self.charges_submitted.to_json(),
            "claims_adjudicated": self.claims_adjudicated,
            "claims_denied": self.claims_denied,
            "denied_amount": self.denied_amount.to_json(),
            "denial_rate": num(self.denial_rate),
            "paid": self.paid.to_json(),
            "expected": self.expected.to_json(),
            "paid_where_expected": self.paid_where_expected.to_json(),
            "underpaid_lines": self.underpaid_lines,
            "underpaid_amount": self.underpaid_amount.to_json(),
            "days_to_pay_avg": num(self.days_to_pay_avg),
            "days_to_pay_median": num(self.days_to_pay_median),
        }


def _days(values: list[int]) -> tuple[Decimal | None, Decimal | None]:
    if not values:
        return None, None
    q = Decimal("0.1")
    return Decimal(str(mean(values))).quantize(q), Decimal(str(median(values))).quantize(q)


def denied_claims(lines: Sequence[UnderpaymentLine]) -> list[list[UnderpaymentLine]]:
    """The claims of ``lines`` that a claim payment denied outright (every line of the payment
    denied), each as the lines of the first such payment: a claim paid later on appeal or
    correction was still denied."""
    payments: dict[_PaymentKey, list[UnderpaymentLine]] = {}
    for r in lines:
        payments.setdefault(_payment(r), []).append(r)
    denied: dict[int, list[UnderpaymentLine]] = {}
    for (claim_id, *_), paid in payments.items():
        if all(r.outcome == DENIED for r in paid):
            denied.setdefault(claim_id, paid)
    return list(denied.values())


def scorecard(
    ctx: Context,
    *,
    store: UnderpaymentStoreFactory,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[PayerScore]:
    """Each payer's scorecard over the range: claims by first submission date, everything else
    by payment date. A claim is denied when one claim payment of an 835 denied every line of
    it (allowed, paid and left to the patient nothing), even if an appeal or a corrected claim
    was paid later; the charges of those lines are the denied dollars."""
    ctx.require(READ_BILLING)
    _range(date_from, date_to)
    with ctx.uow() as uow:
        repo = store(uow)
        rows = repo.lines(date_from, date_to)
        submitted = repo.submitted(date_from, date_to)
        first = repo.first_submissions(sorted({r.claim_id for r in rows}))
        payers = repo.payer_classes()
    by_payer: dict[int, list[UnderpaymentLine]] = {}
    for r in rows:
        by_payer.setdefault(r.payer_ref, []).append(r)
    subs: dict[int, list[SubmittedClaim]] = {}
    for s in submitted:
        subs.setdefault(s.payer_ref, []).append(s)
    out = []
    for payer_ref in sorted(set(by_payer) | set(subs)):
        mine = by_payer.get(payer_ref, [])
        claims = {r.claim_id for r in mine}
        denied = denied_claims(mine)
        paid_on: dict[int, date] = {}
        for r in mine:
            if r.paid and (r.claim_id not in paid_on or r.paid_on < paid_on[r.claim_id]):
                paid_on[r.claim_id] = r.paid_on
        days = [(d - first[c]).days for c, d in paid_on.items() if c in first]
        avg, med = _days(days)
        expected = [r for r in mine if r.expected_paid is not None]
        under = [r for r in mine if r.outcome == UNDERPAID]
        name, _, payer_id = payers.get(payer_ref, ("", "", ""))
        out.append(
            PayerScore(
                payer_ref=payer_ref,
                payer_id=payer_id,
                payer_name=name,
                claims_submitted=len(subs.get(payer_ref, [])),
                charges_submitted=Money.sum(s.charge for s in subs.get(payer_ref, [])),
                claims_adjudicated=len(claims),
                claims_denied=len(denied),
                denied_amount=Money.sum(r.charge for c in denied for r in c),
                paid=Money.sum(r.paid for r in mine),
                expected=Money.sum(r.expected_paid or Money.zero() for r in expected),
                paid_where_expected=Money.sum(r.paid for r in expected),
                underpaid_lines=len(under),
                underpaid_amount=Money.sum(r.variance or Money.zero() for r in under),
                days_to_pay_avg=avg,
                days_to_pay_median=med,
            )
        )
    return out
