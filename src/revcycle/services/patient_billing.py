"""Use cases of the patient's account: payments and copays, credits, refunds, small-balance
write-offs, account flags and the account view.

Every use case runs in one unit of work: the journal entries (built by
:mod:`revcycle.posting.patient`, so each balances overall and on every line), the receipt and
any payment-plan progress commit together or not at all.

Idempotency: a payment or refund may carry a client ``idempotency_key`` (a receipt number from
the front desk, a request id). The key is unique per practice; a retry with the same key answers
the receipt already recorded (``replayed``) and posts nothing, and the same key on a different
patient, kind or amount is refused (``Conflict``).

Credits: unapplied money sits in ``patient_credit``. A line the patient overpaid (its patient
receivable went negative, e.g. the payer paid more later) is moved back to credit first, taking
back the patient payment posted on that line, before a credit is applied or refunded. A refund
never exceeds the credit (:class:`RefundAboveCredit` names both amounts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

from revcycle.domain.errors import Conflict, DomainValidationError, FieldError
from revcycle.domain.ledger import (
    PATIENT,
    Account,
    AccountKind,
    EntryBuilder,
    EntryKind,
    JournalEntry,
    LineRef,
)
from revcycle.domain.money import Money
from revcycle.domain.user import POST_PAYMENTS, READ_BILLING, WRITE_BILLING
from revcycle.posting import patient as posting
from revcycle.posting.patient import Tender
from revcycle.services.billing_common import (
    PatientLine,
    open_lines,
    owed,
    patient_lines,
    resolve_patient,
)
from revcycle.services.billing_ports import (
    AccountFlags,
    BillingSettings,
    BillingStore,
    BillingStoreFactory,
    HistoryItem,
    PaymentPlan,
    Receipt,
)
from revcycle.services.context import Context
from revcycle.services.payment_plans import OPEN, apply_payment
from revcycle.services.ports import UnitOfWork

T = TypeVar("T")


class RefundAboveCredit(DomainValidationError):
    """A refund larger than the patient's credit."""

    code = "refund_above_credit"

    def __init__(self, amount: Money, credit: Money) -> None:
        self.amount = amount
        self.credit = credit
        super().__init__(
            [
                FieldError(
                    "amount",
                    "refund_above_credit",
                    f"the refund of {amount.to_json()} is above the patient's credit of "
                    f"{credit.to_json()}",
                )
            ]
        )


@dataclass(frozen=True, slots=True)
class AppliedLine:
    claim_id: str
    line_id: str
    amount: Money


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    """A recorded payment, copay or refund. ``replayed``: an earlier request with the same
    idempotency key had recorded it; nothing was posted this time."""

    receipt: Receipt
    applied: tuple[AppliedLine, ...]
    credit: Money
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class AccountView:
    """The patient's account: lines with anything open, totals, flags, plans and history."""

    patient_id: int
    mrn: str
    name: str
    lines: tuple[PatientLine, ...]
    patient_open: Money
    credit: Money
    insurance_pending: Money
    flags: AccountFlags
    plans: tuple[PaymentPlan, ...]
    receipts: tuple[Receipt, ...]
    history: tuple[HistoryItem, ...]

    @property
    def amount_due(self) -> Money:
        return self.patient_open - self.credit


@dataclass(frozen=True, slots=True)
class CreditBalance:
    patient_id: int
    mrn: str
    name: str
    unapplied: Money
    overpaid_lines: Money  # the negative patient receivables, shown positive
    open: Money  # what the patient owes on other lines (a credit could pay it)

    @property
    def total(self) -> Money:
        return self.unapplied + self.overpaid_lines


@dataclass(frozen=True, slots=True)
class WriteOff:
    patient_id: int
    amount: Money
    lines: int


# ---- helpers --------------------------------------------------------------------------------


def _credit_account(practice_id: int, patient_id: int) -> Account:
    return Account(AccountKind.PATIENT_CREDIT, str(practice_id), str(patient_id), party=PATIENT)


def _unapplied_account(practice_id: int, patient_id: int) -> Account:
    return Account(AccountKind.PATIENT_PAYMENTS, str(practice_id), str(patient_id), party=PATIENT)


def reclaim_overpayments(
    practice_id: int, patient_id: int, lines: Sequence[PatientLine], when: date
) -> JournalEntry | None:
    """Move what the patient overpaid on lines back to credit (at most the patient payments
    posted on each line): the line's patient payment goes down, its receivable back to 0."""
    b = EntryBuilder(
        EntryKind.CREDIT_APPLICATION, effective_date=when, memo="overpayment to credit"
    )
    for ln in lines:
        t = ln.totals
        if not t.patient_open.is_negative() or not t.patient_paid or t.patient_paid.is_negative():
            continue
        part = min(-t.patient_open, t.patient_paid)
        ref = LineRef(str(practice_id), str(patient_id), t.claim_id, t.line_id)
        b.move(ref.receivable(PATIENT), ref.account(AccountKind.PATIENT_PAYMENTS, PATIENT), part)
        b.move(
            _unapplied_account(practice_id, patient_id),
            _credit_account(practice_id, patient_id),
            part,
        )
    return b.build() if b.postings else None


def _receipt_number(uow: UnitOfWork, practice_id: int) -> str:
    return f"R{uow.sequences.next(practice_id, 'patient_receipt'):07d}"


def _replay(
    st: BillingStore, key: str | None, patient_id: int, kind: str, amount: Money
) -> PaymentOutcome | None:
    if not key:
        return None
    prior = st.records.receipt_by_key(key)
    if prior is None:
        return None
    if (prior.patient_id, prior.kind, prior.amount) != (patient_id, kind, amount):
        raise Conflict(
            "idempotency_key",
            f"idempotency key {key} was used for another {prior.kind} (receipt "
            f"{prior.receipt_number})",
        )
    return PaymentOutcome(prior, (), st.ledger.credit(patient_id), replayed=True)


def _tender_json(t: Tender) -> dict[str, str]:
    return {"method": t.method, "amount": t.amount.to_json(), "reference": t.reference}


def _practice(ctx: Context) -> int:
    if ctx.practice_id is None:
        raise DomainValidationError.single("practice", "required", "choose a practice")
    return ctx.practice_id


# ---- payments -------------------------------------------------------------------------------


def post_payment(
    ctx: Context,
    patient: str | int,
    tenders: Sequence[Tender],
    *,
    store: BillingStoreFactory,
    copay: bool = False,
    service_date: date | None = None,
    idempotency_key: str | None = None,
    received_on: date | None = None,
) -> PaymentOutcome:
    """Record a payment of one or more tenders, applied oldest service date first to the
    patient's open lines; the rest becomes credit. A copay (``copay=True``, optionally for the
    visit on ``service_date``) is all credit until the visit's patient share is known."""
    ctx.require(POST_PAYMENTS)
    practice_id = _practice(ctx)
    kind = "copay" if copay else "payment"
    key = (idempotency_key or "").strip() or None
    with ctx.uow() as uow:
        pt = resolve_patient(uow, patient)
        assert pt.id is not None
        st = store(uow)
        total = Money.sum(t.amount for t in tenders)
        replayed = _replay(st, key, pt.id, kind, total)
        if replayed is not None:
            return replayed
        on = received_on or ctx.clock.today()
        candidates = [] if copay else open_lines(practice_id, pt.id, patient_lines(uow, st, pt.id))
        result = posting.patient_payment(str(practice_id), str(pt.id), tenders, candidates, on)
        number = _receipt_number(uow, practice_id)
        memo = (
            f"copay for {service_date.isoformat()}" if copay and service_date else result.entry.memo
        )
        memo = "copay at check-in" if copay and not service_date else memo
        entry = replace(result.entry, source=f"receipt:{number}", memo=memo)
        [entry_id] = st.ledger.add_entries([entry], ctx.clock.now())
        receipt = st.records.add_receipt(
            Receipt(
                patient_id=pt.id,
                receipt_number=number,
                kind=kind,
                amount=total,
                applied=total - result.unapplied,
                unapplied=result.unapplied,
                tenders=tuple(_tender_json(t) for t in tenders),
                received_on=on,
                entry_id=entry_id,
                actor=ctx.actor,
                idempotency_key=key,
                service_date=service_date,
            )
        )
        apply_payment(st.records, pt.id, total, on)
        credit = st.ledger.credit(pt.id)
        ctx.audit(uow, f"{kind}.post", "patient", pt.id)
        uow.commit()
    applied = tuple(AppliedLine(ln.claim_id, ln.line_id, amt) for ln, amt in result.applied)
    return PaymentOutcome(receipt, applied, credit)


def refund(
    ctx: Context,
    patient: str | int,
    amount: Money,
    tender: Tender,
    *,
    store: BillingStoreFactory,
    idempotency_key: str | None = None,
) -> PaymentOutcome:
    """Pay back ``amount`` of the patient's credit (overpaid lines count as credit); never more
    than the credit."""
    ctx.require(WRITE_BILLING)
    practice_id = _practice(ctx)
    key = (idempotency_key or "").strip() or None
    with ctx.uow() as uow:
        pt = resolve_patient(uow, patient)
        assert pt.id is not None
        st = store(uow)
        replayed = _replay(st, key, pt.id, "refund", amount)
        if replayed is not None:
            return replayed
        if not amount or amount.is_negative():
            raise DomainValidationError.single("amount", "not_positive", "must be more than 0.00")
        on = ctx.clock.today()
        reclaim = reclaim_overpayments(practice_id, pt.id, patient_lines(uow, st, pt.id), on)
        credit = st.ledger.credit(pt.id) + (
            -reclaim.amount_on(AccountKind.PATIENT_CREDIT) if reclaim else Money.zero()
        )
        if credit < amount:
            raise RefundAboveCredit(amount, credit)
        number = _receipt_number(uow, practice_id)
        entry = posting.refund_credit(str(practice_id), str(pt.id), amount, credit, tender, on)
        entry = replace(entry, source=f"receipt:{number}")
        ids = st.ledger.add_entries([e for e in (reclaim, entry) if e is not None], ctx.clock.now())
        receipt = st.records.add_receipt(
            Receipt(
                patient_id=pt.id,
                receipt_number=number,
                kind="refund",
                amount=amount,
                applied=Money.zero(),
                unapplied=Money.zero(),
                tenders=(_tender_json(replace(tender, amount=amount)),),
                received_on=on,
                entry_id=ids[-1],
                actor=ctx.actor,
                idempotency_key=key,
            )
        )
        left = st.ledger.credit(pt.id)
        ctx.audit(uow, "refund.post", "patient", pt.id)
        uow.commit()
    return PaymentOutcome(receipt, (), left)


def apply_credit(ctx: Context, patient: str | int, *, store: BillingStoreFactory) -> PaymentOutcome:
    """Apply the patient's credit (and overpaid lines) to open lines, oldest first."""
    ctx.require(WRITE_BILLING)
    practice_id = _practice(ctx)
    with ctx.uow() as uow:
        pt = resolve_patient(uow, patient)
        assert pt.id is not None
        st = store(uow)
        applied, credit = _apply_credit_in(ctx, uow, st, practice_id, pt.id)
        ctx.audit(uow, "credit.apply", "patient", pt.id)
        uow.commit()
    receipt = Receipt(
        patient_id=pt.id,
        receipt_number="",
        kind="credit",
        amount=Money.sum(a.amount for a in applied),
        applied=Money.sum(a.amount for a in applied),
        unapplied=credit,
        tenders=(),
        received_on=ctx.clock.today(),
        entry_id="",
        actor=ctx.actor,
    )
    return PaymentOutcome(receipt, applied, credit)


def _apply_credit_in(
    ctx: Context, uow: UnitOfWork, st: BillingStore, practice_id: int, patient_id: int
) -> tuple[tuple[AppliedLine, ...], Money]:
    on = ctx.clock.today()
    lines = patient_lines(uow, st, patient_id)
    reclaim = reclaim_overpayments(practice_id, patient_id, lines, on)
    credit = st.ledger.credit(patient_id) + (
        -reclaim.amount_on(AccountKind.PATIENT_CREDIT) if reclaim else Money.zero()
    )
    candidates = open_lines(practice_id, patient_id, lines)
    entry = posting.apply_credit(str(practice_id), str(patient_id), credit, candidates, on)
    entries = [e for e in (reclaim, entry) if e is not None]
    if entries:
        st.ledger.add_entries(entries, ctx.clock.now())
    applied: list[AppliedLine] = []
    if entry is not None:
        for p in entry.postings:
            if p.account.kind is AccountKind.RECEIVABLE:
                applied.append(AppliedLine(p.account.claim_id, p.account.line_id, -p.amount))
    return tuple(applied), st.ledger.credit(patient_id)


# ---- credits, write-offs --------------------------------------------------------------------


def credit_balances(ctx: Context, *, store: BillingStoreFactory) -> list[CreditBalance]:
    """Patients with unapplied credit or an overpaid line."""
    ctx.require(READ_BILLING)
    out: list[CreditBalance] = []
    with ctx.uow() as uow:
        st = store(uow)
        for totals in st.ledger.patient_totals():
            lines = st.ledger.line_totals(totals.patient_id)
            overpaid = -Money.sum(t.patient_open for t in lines if t.patient_open.is_negative())
            if not totals.credit and not overpaid:
                continue
            pt = uow.patients.get(totals.patient_id)
            owed_elsewhere = Money.sum(
                t.patient_open for t in lines if not t.patient_open.is_negative()
            )
            out.append(
                CreditBalance(
                    totals.patient_id,
                    pt.mrn,
                    f"{pt.last_name}, {pt.first_name}",
                    totals.credit,
                    overpaid,
                    owed_elsewhere,
                )
            )
            ctx.audit(uow, "read", "patient_account", totals.patient_id)
        uow.commit()
    return out


def write_off_small_balances(
    ctx: Context,
    *,
    store: BillingStoreFactory,
    threshold: Money | None = None,
    patient: str | int | None = None,
) -> list[WriteOff]:
    """Write off each patient's open patient balance when it is at most ``threshold`` (default:
    the practice's small-balance threshold). Accounts with a credit, an overpaid line or an open
    payment plan are left alone (apply the credit first)."""
    ctx.require(WRITE_BILLING)
    practice_id = _practice(ctx)
    out: list[WriteOff] = []
    with ctx.uow() as uow:
        st = store(uow)
        limit = (
            threshold if threshold is not None else st.records.settings().small_balance_threshold
        )
        if patient is not None:
            pt = resolve_patient(uow, patient)
            assert pt.id is not None
            ids = [pt.id]
        else:
            ids = [t.patient_id for t in st.ledger.patient_totals() if t.patient_open]
        on = ctx.clock.today()
        on_plan = {p.patient_id for p in st.records.plans() if p.status in OPEN}
        for pid in ids:
            if pid in on_plan or st.ledger.credit(pid):
                continue
            lines = patient_lines(uow, st, pid)
            if any(ln.totals.patient_open.is_negative() for ln in lines):
                continue
            entries = posting.small_balance_write_offs(
                open_lines(practice_id, pid, lines), limit, on
            )
            if not entries:
                continue
            st.ledger.add_entries(entries, ctx.clock.now())
            amount = Money.sum(e.amount_on(AccountKind.WRITE_OFFS) for e in entries)
            out.append(WriteOff(pid, amount, len(entries)))
            ctx.audit(uow, "write_off", "patient", pid)
        uow.commit()
    return out


# ---- account --------------------------------------------------------------------------------


def account(ctx: Context, patient: str | int, *, store: BillingStoreFactory) -> AccountView:
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        pt = resolve_patient(uow, patient)
        assert pt.id is not None
        st = store(uow)
        lines = patient_lines(uow, st, pt.id)
        shown = tuple(ln for ln in lines if ln.totals.patient_open or ln.totals.payer_open)
        view = AccountView(
            patient_id=pt.id,
            mrn=pt.mrn,
            name=f"{pt.last_name}, {pt.first_name}",
            lines=shown,
            patient_open=owed(lines),
            credit=st.ledger.credit(pt.id),
            insurance_pending=Money.sum(ln.totals.payer_open for ln in lines),
            flags=st.records.flags(pt.id),
            plans=tuple(st.records.plans(patient_id=pt.id)),
            receipts=tuple(st.records.receipts(pt.id)),
            history=tuple(st.ledger.history(pt.id)),
        )
        ctx.audit(uow, "read", "patient_account", pt.id)
        uow.commit()
    return view


def set_flags(
    ctx: Context,
    patient: str | int,
    *,
    store: BillingStoreFactory,
    hold: bool | None = None,
    do_not_send: bool | None = None,
) -> AccountFlags:
    """Set or clear the account's ``hold`` and ``do_not_send`` flags (None: leave as it is)."""
    ctx.require(WRITE_BILLING)
    with ctx.uow() as uow:
        pt = resolve_patient(uow, patient)
        assert pt.id is not None
        records = store(uow).records
        flags = records.flags(pt.id)
        if hold is not None:
            flags = replace(flags, hold=hold)
        if do_not_send is not None:
            flags = replace(flags, do_not_send=do_not_send)
        records.save_flags(flags)
        ctx.audit(uow, "flags", "patient_account", pt.id)
        uow.commit()
    return flags


def get_settings(ctx: Context, *, store: BillingStoreFactory) -> BillingSettings:
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        return store(uow).records.settings()


def update_settings(
    ctx: Context,
    *,
    store: BillingStoreFactory,
    statement_minimum: Money | None = None,
    small_balance_threshold: Money | None = None,
    collection_statements: int | None = None,
    collection_days: int | None = None,
    plan_grace_days: int | None = None,
) -> BillingSettings:
    """Change the practice's patient-billing settings (None: keep)."""
    ctx.require(WRITE_BILLING)
    errors: list[FieldError] = []
    for name, money in (
        ("statement_minimum", statement_minimum),
        ("small_balance_threshold", small_balance_threshold),
    ):
        if money is not None and money.is_negative():
            errors.append(FieldError(name, "negative", "must not be negative"))
    for name, number in (
        ("collection_statements", collection_statements),
        ("collection_days", collection_days),
        ("plan_grace_days", plan_grace_days),
    ):
        if number is not None and number < 0:
            errors.append(FieldError(name, "negative", "must not be negative"))
    if errors:
        raise DomainValidationError(errors)
    with ctx.uow() as uow:
        records = store(uow).records
        current = records.settings()
        updated = BillingSettings(
            statement_minimum=_keep(statement_minimum, current.statement_minimum),
            small_balance_threshold=_keep(small_balance_threshold, current.small_balance_threshold),
            collection_statements=_keep(collection_statements, current.collection_statements),
            collection_days=_keep(collection_days, current.collection_days),
            plan_grace_days=_keep(plan_grace_days, current.plan_grace_days),
        )
        records.save_settings(updated)
        ctx.audit(uow, "update", "billing_settings", ctx.practice_id)
        uow.commit()
    return updated


def _keep(value: T | None, current: T) -> T:
    return current if value is None else value
