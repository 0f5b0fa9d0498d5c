"""Patient statements and collection referral.

A statement run on a date (``run_statements``) considers every patient account of the practice
with an open patient responsibility (what is left after insurance: the patient's receivable,
which only exists once a payer moved PR to the patient or the visit was self-pay) and, in this
order:

1. amount due (patient balance minus credit) below the practice minimum (default 5.00): skip;
2. account already flagged for or referred to collections: skip;
3. ``hold``: skip (held accounts are never referred either);
4. a statement sent less than 30 days before: skip (the 30-day cycle; so running twice on one
   day sends nothing the second time);
5. not on an active payment plan, and either ``collection_statements`` (default 4) statements
   already sent for this balance, or its first statement sent ``collection_days`` (default 120)
   or more days ago: the account is flagged for collections instead of a new statement;
6. ``do_not_send``: skip;
7. otherwise one statement: consolidated per patient account (all claims), addressed to the
   guarantor, aged by service date into current (0-30 days), 31-60, 61-90, 91-120 and 120+,
   with line detail, credits, the dunning message of its age (``DUNNING``) and, on a plan, the
   installment due. It is stored with its PDF and never changed.

"Statements sent for this balance" counts the statements dated on or after the oldest open
service date, so an account paid off and billed again starts over.

``export_collections`` writes the flagged accounts as CSV for the agency and marks them
``referred``; an account paid off since it was flagged is unflagged instead.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, cast

from revcycle.domain.audit import AuditEntry
from revcycle.domain.errors import DomainValidationError, NotFound
from revcycle.domain.money import Money
from revcycle.domain.patient import Patient
from revcycle.domain.practice import Practice
from revcycle.domain.user import READ_BILLING, WRITE_BILLING
from revcycle.domain.values import Address
from revcycle.forms.statement import StatementDocument, StatementLine, statement_pdf
from revcycle.services.billing_common import (
    PatientLine,
    owed,
    patient_lines,
    patient_lines_many,
)
from revcycle.services.billing_ports import (
    AccountFlags,
    BillingSettings,
    BillingStore,
    BillingStoreFactory,
    PaymentPlan,
    StoredStatement,
)
from revcycle.services.context import Context
from revcycle.services.payment_plans import due_now
from revcycle.services.ports import UnitOfWork

CYCLE_DAYS = 30
CHUNK = 500  # patient accounts read, decided and stored together in a statement run

# (from day, message): the message of the oldest open service's age; data, not branches.
DUNNING: tuple[tuple[int, str], ...] = (
    (0, "This is your statement. Thank you for choosing us for your care."),
    (31, "Reminder: this balance is more than 30 days old. Please pay the amount due."),
    (
        61,
        "Past due: this balance is more than 60 days old. Please pay now or call us to "
        "arrange a payment plan.",
    ),
    (
        91,
        "Final notice: unless paid or arranged within 30 days, this account will be referred "
        "to a collection agency.",
    ),
)

# (label, first day, last day or None)
AGING: tuple[tuple[str, int, int | None], ...] = (
    ("current", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("91-120", 91, 120),
    ("120+", 121, None),
)


def dunning_message(age_days: int) -> str:
    message = DUNNING[0][1]
    for start, text in DUNNING:
        if age_days >= start:
            message = text
    return message


def aging(lines: Sequence[PatientLine], on: date) -> dict[str, Money]:
    """The open patient balance by age of service date (lines the patient overpaid excluded)."""
    buckets = {label: Money.zero() for label, _, _ in AGING}
    for ln in lines:
        amount = ln.totals.patient_open
        if not amount or amount.is_negative():
            continue
        age = max((on - ln.service_date).days, 0) if ln.service_date != date.max else 0
        for label, first, last in AGING:
            if age >= first and (last is None or age <= last):
                buckets[label] += amount
                break
    return buckets


@dataclass(frozen=True, slots=True)
class Skipped:
    patient_id: int
    reason: str  # below_minimum, in_collections, hold, cycle, do_not_send


@dataclass(frozen=True, slots=True)
class StatementRun:
    statement_date: date
    statements: tuple[StoredStatement, ...]
    skipped: tuple[Skipped, ...]
    flagged: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CollectionExport:
    csv: str
    referred: tuple[int, ...]
    cleared: tuple[int, ...]


def _address_lines(address: Address | None) -> tuple[str, ...]:
    if address is None:
        return ()
    zip_code = str(address.zip)
    zip_text = f"{zip_code[:5]}-{zip_code[5:]}" if len(zip_code) == 9 else zip_code
    lines = [address.line1] + ([address.line2] if address.line2 else [])
    return (*lines, f"{address.city}, {address.state} {zip_text}")


def _guarantor(patient: Patient) -> tuple[str, Address]:
    g = patient.guarantor
    if patient.guarantor_relationship != "self" and g is not None:
        return f"{g.first_name} {g.last_name}", g.address or patient.address
    return f"{patient.first_name} {patient.last_name}", patient.address


def _open_plan(plans: Sequence[PaymentPlan], patient_id: int) -> PaymentPlan | None:
    found = [p for p in plans if p.patient_id == patient_id and p.status in ("active", "missed")]
    return found[-1] if found else None


@dataclass(frozen=True, slots=True)
class _Account:
    patient_id: int
    lines: tuple[PatientLine, ...]
    balance: Money
    credit: Money
    oldest: date
    sent: int
    first_sent: date | None

    @property
    def amount_due(self) -> Money:
        return self.balance - self.credit

    def age(self, on: date) -> int:
        return max((on - self.oldest).days, 0) if self.oldest != date.max else 0


def _account(
    patient_id: int, lines: Sequence[PatientLine], credit: Money, sent_dates: list[date]
) -> _Account:
    open_dates = [
        ln.service_date
        for ln in lines
        if ln.totals.patient_open and not ln.totals.patient_open.is_negative()
    ]
    oldest = min(open_dates, default=date.max)
    for_balance = [d for d in sent_dates if d >= oldest]
    return _Account(
        patient_id,
        tuple(lines),
        owed(lines),
        credit,
        oldest,
        len(for_balance),
        min(for_balance, default=None),
    )


def _due_collections(acct: _Account, on: date, settings: BillingSettings) -> bool:
    if acct.sent and acct.sent >= settings.collection_statements:
        return True
    return acct.first_sent is not None and (on - acct.first_sent).days >= settings.collection_days


def run_statements(
    ctx: Context, on: date, *, store: BillingStoreFactory, minimum: Money | None = None
) -> StatementRun:
    """The statement run of the practice on ``on`` (see the module docstring for the rules).
    Accounts are read, decided and written ``CHUNK`` patients at a time."""
    ctx.require(WRITE_BILLING)
    if ctx.practice_id is None:
        raise DomainValidationError.single("practice", "required", "choose a practice")
    made: list[StoredStatement] = []
    skipped: list[Skipped] = []
    flagged: list[int] = []
    with ctx.uow() as uow:
        st = store(uow)
        settings = st.records.settings()
        floor = minimum if minimum is not None else settings.statement_minimum
        practice = uow.practices.get(ctx.practice_id)
        all_flags = st.records.all_flags()
        plans = st.records.plans()
        sent_dates: dict[int, list[date]] = {}
        for s in st.records.statements():
            sent_dates.setdefault(s.patient_id, []).append(s.statement_date)
        owing = [
            t
            for t in st.ledger.patient_totals()
            if t.patient_open and not t.patient_open.is_negative()
        ]
        for start in range(0, len(owing), CHUNK):
            part = owing[start : start + CHUNK]
            lines = patient_lines_many(uow, st, [t.patient_id for t in part])
            audits: list[AuditEntry] = []
            due: list[tuple[_Account, PaymentPlan | None]] = []
            for totals in part:
                pid = totals.patient_id
                flags = all_flags.get(pid, AccountFlags(pid))
                acct = _account(pid, lines.get(pid, []), totals.credit, sent_dates.get(pid, []))
                last = max(sent_dates.get(pid, []), default=None)
                plan = _open_plan(plans, pid)
                reason = None
                if acct.amount_due < floor or not acct.amount_due:
                    reason = "below_minimum"
                elif flags.collection_status:
                    reason = "in_collections"
                elif flags.hold:
                    reason = "hold"
                elif last is not None and (on - last).days < CYCLE_DAYS:
                    reason = "cycle"
                elif (plan is None or plan.status != "active") and _due_collections(
                    acct, on, settings
                ):
                    st.records.save_flags(
                        replace(flags, collection_status="flagged", collection_flagged_on=on)
                    )
                    audits.append(_audit(ctx, "collections.flag", "patient_account", pid))
                    flagged.append(pid)
                    continue
                elif flags.do_not_send:
                    reason = "do_not_send"
                if reason is not None:
                    skipped.append(Skipped(pid, reason))
                    continue
                due.append((acct, plan))
                audits.append(_audit(ctx, "statement", "patient", pid))
            made.extend(_statements(uow, ctx.practice_id, st, on, practice, due))
            uow.audit.record_many(audits)
        uow.commit()
    return StatementRun(on, tuple(made), tuple(skipped), tuple(flagged))


def _audit(ctx: Context, action: str, record_type: str, record_id: int) -> AuditEntry:
    now = ctx.clock.now()
    return AuditEntry(
        now, ctx.actor, ctx.channel, action, record_type, str(record_id), ctx.practice_id
    )


def _statements(
    uow: UnitOfWork,
    practice_id: int,
    st: BillingStore,
    on: date,
    practice: Practice,
    due: Sequence[tuple[_Account, PaymentPlan | None]],
) -> list[StoredStatement]:
    """One statement for each account (numbered in order), stored together."""
    if not due:
        return []
    patients = {p.id: p for p in uow.patients.get_many([acct.patient_id for acct, _ in due])}
    numbers = uow.sequences.next_block(practice_id, "patient_statement", len(due))
    statements = []
    for n, (acct, plan) in zip(numbers, due, strict=True):
        patient = patients.get(acct.patient_id)
        if patient is None:
            raise NotFound("patient", acct.patient_id)
        statements.append(_statement(f"S{n:07d}", on, practice, patient, acct, plan))
    return st.records.add_statements(statements)


def _statement(
    number: str,
    on: date,
    practice: Practice,
    patient: Patient,
    acct: _Account,
    plan: PaymentPlan | None,
) -> StoredStatement:
    assert patient.id is not None
    shown = [ln for ln in acct.lines if ln.totals.patient_open]
    buckets = aging(acct.lines, on)
    age = acct.age(on)
    message = dunning_message(age)
    installment = due_now(plan, on) if plan is not None else None
    next_due = None
    if plan is not None:
        upcoming = [i for i in plan.installments if i.remaining]
        next_due = upcoming[0].due_date if upcoming else None
    guarantor, address = _guarantor(patient)
    remit = practice.pay_to_address or practice.billing_address
    doc = StatementDocument(
        number=number,
        statement_date=on,
        account=patient.mrn,
        practice_name=practice.legal_name,
        practice_address=_address_lines(remit),
        practice_phone=_phone(str(practice.phone)),
        guarantor_name=guarantor,
        guarantor_address=_address_lines(address),
        patient_name=f"{patient.first_name} {patient.last_name}",
        lines=tuple(
            StatementLine(
                service_date=None if ln.service_date == date.max else ln.service_date,
                procedure=ln.info.procedure,
                charge=ln.totals.charge,
                insurance_paid=ln.totals.insurance_paid,
                adjustments=ln.totals.adjustments,
                patient_paid=ln.totals.patient_paid,
                patient_owes=ln.totals.patient_open,
            )
            for ln in shown
        ),
        aging=tuple(buckets.items()),
        balance=acct.balance,
        credit=acct.credit,
        amount_due=acct.amount_due,
        message=message,
        installment_due=installment,
        installment_date=next_due,
    )
    detail: dict[str, Any] = {
        "guarantor": guarantor,
        "oldest_service_date": None if acct.oldest == date.max else acct.oldest.isoformat(),
        "age_days": age,
        "statements_before": acct.sent,
        "payment_plan_id": plan.id if plan is not None else None,
        "lines": [
            {
                "claim_id": ln.totals.claim_id,
                "line_id": ln.totals.line_id,
                "service_date": None
                if ln.service_date == date.max
                else ln.service_date.isoformat(),
                "procedure": ln.info.procedure,
                "charge": ln.totals.charge.to_json(),
                "insurance_paid": ln.totals.insurance_paid.to_json(),
                "adjustments": ln.totals.adjustments.to_json(),
                "patient_paid": ln.totals.patient_paid.to_json(),
                "patient_owes": ln.totals.patient_open.to_json(),
            }
            for ln in shown
        ],
    }
    return StoredStatement(
        patient_id=patient.id,
        number=number,
        statement_date=on,
        balance=acct.balance,
        credit=acct.credit,
        amount_due=acct.amount_due,
        aging={k: v.to_json() for k, v in buckets.items()},
        detail=detail,
        message=message,
        installment_due=installment,
        pdf=statement_pdf(doc),
    )


def _phone(digits: str) -> str:
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" if len(digits) == 10 else digits


def list_statements(
    ctx: Context, *, store: BillingStoreFactory, patient_id: int | None = None
) -> Sequence[StoredStatement]:
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        found = store(uow).records.statements(patient_id)
        for pid in sorted({s.patient_id for s in found}):
            ctx.audit(uow, "read", "statement", pid)
        uow.commit()
    return found


def get_statement(ctx: Context, number: str, *, store: BillingStoreFactory) -> StoredStatement:
    """One statement with its PDF."""
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        found = store(uow).records.statement(number)
        if found is None:
            raise NotFound("statement", number)
        ctx.audit(uow, "read", "statement", number)
        uow.commit()
    return found


EXPORT_COLUMNS = (
    "account",
    "guarantor_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "zip",
    "balance",
    "oldest_service_date",
    "last_payment_date",
    "statements_sent",
)


def export_collections(ctx: Context, on: date, *, store: BillingStoreFactory) -> CollectionExport:
    """The accounts flagged for collections as CSV; each exported one becomes ``referred``."""
    ctx.require(WRITE_BILLING)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    referred: list[int] = []
    cleared: list[int] = []
    with ctx.uow() as uow:
        st = store(uow)
        last_paid = st.records.last_payment_dates()
        sent_dates: dict[int, list[date]] = {}
        for s in st.records.statements():
            sent_dates.setdefault(s.patient_id, []).append(s.statement_date)
        for pid, flags in sorted(st.records.all_flags().items()):
            if flags.collection_status != "flagged":
                continue
            acct = _account(
                pid, patient_lines(uow, st, pid), st.ledger.credit(pid), sent_dates.get(pid, [])
            )
            if not acct.amount_due or acct.amount_due.is_negative():
                st.records.save_flags(
                    replace(flags, collection_status="", collection_flagged_on=None)
                )
                cleared.append(pid)
                continue
            patient = uow.patients.get(pid)
            name, address = _guarantor(patient)
            zip_code = str(address.zip)
            paid_on = last_paid.get(pid)
            writer.writerow(
                (
                    patient.mrn,
                    name,
                    address.line1,
                    address.line2 or "",
                    address.city,
                    address.state,
                    zip_code,
                    acct.amount_due.to_json(),
                    "" if acct.oldest == date.max else acct.oldest.isoformat(),
                    paid_on.isoformat() if paid_on else "",
                    acct.sent,
                )
            )
            st.records.save_flags(
                replace(flags, collection_status="referred", collection_referred_on=on)
            )
            ctx.audit(uow, "collections.refer", "patient_account", pid)
            referred.append(pid)
        uow.commit()
    return CollectionExport(out.getvalue(), tuple(referred), tuple(cleared))


DEFAULT_STORE = "revcycle.db.patient_billing_repo:billing_store"


def run_statements_job(env: Any, job: Any) -> None:
    """The ``statements.run`` job: the practice's statement run for today (patients billed in
    the last 30 days are skipped, so a second run the same day sends nothing)."""
    import importlib

    assert job.practice_id is not None
    ctx = env.ctx_factory(job.practice_id)
    module, _, name = DEFAULT_STORE.partition(":")
    store = cast(BillingStoreFactory, getattr(importlib.import_module(module), name))
    run_statements(ctx, ctx.clock.today(), store=store)
