"""Payment plans: a patient balance paid in monthly installments.

Rules kept here:
- the schedule's installments always sum to the plan's total exactly: a number of installments
  splits the total with :meth:`Money.allocate` (the odd cents go to the first installments); an
  amount per installment gives that amount each month and the remainder last;
- the plan's total is positive and at most what the patient owes now (default: all of it); a
  patient has at most one open (``active`` or ``missed``) plan;
- monthly due dates keep the start's day of month, clamped to the month's end (Jan 31 -> Feb 28);
- patient payments pay installments oldest first (``apply_payment``, called in the payment's
  transaction); when every installment is paid the plan is ``completed``;
- ``check_plans(on)`` marks a plan ``missed`` when an installment is unpaid more than the
  practice's grace days after its due date; a plan that catches up is ``active`` again.

Plans do not move money in the ledger: the payments do. A plan changes what the statement asks
for (the installment due) and keeps the account out of collections while it is ``active``.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from revcycle.domain.errors import Conflict, DomainValidationError, NotFound
from revcycle.domain.money import Money
from revcycle.domain.user import READ_BILLING, WRITE_BILLING
from revcycle.services.billing_common import owed, patient_lines, resolve_patient
from revcycle.services.billing_ports import (
    BillingRecords,
    BillingStoreFactory,
    Installment,
    PaymentPlan,
)
from revcycle.services.context import Context

FREQUENCIES = ("monthly",)
OPEN = ("active", "missed")


def add_months(start: date, months: int) -> date:
    """``start`` moved by whole months, the day clamped to the month's last day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def schedule(
    total: Money,
    start: date,
    *,
    installments: int | None = None,
    amount: Money | None = None,
) -> tuple[Installment, ...]:
    """The installments of a plan of ``total`` starting on ``start``; they sum to ``total``."""
    if not total or total.is_negative():
        raise DomainValidationError.single("total", "not_positive", "must be more than 0.00")
    if (installments is None) == (amount is None):
        raise DomainValidationError.single(
            "installments", "required", "give either a number of installments or an amount"
        )
    if amount is not None:
        if not amount or amount.is_negative():
            raise DomainValidationError.single("amount", "not_positive", "must be more than 0.00")
        if total.amount > amount.amount * 120:
            raise DomainValidationError.single("amount", "too_small", "more than 120 installments")
        parts: list[Money] = []
        left = total
        while left:
            part = min(amount, left)
            parts.append(part)
            left -= part
    else:
        assert installments is not None
        if not 1 <= installments <= 120:
            raise DomainValidationError.single(
                "installments", "out_of_range", "must be between 1 and 120"
            )
        parts = total.allocate([1] * installments)
        if any(not p for p in parts):
            raise DomainValidationError.single(
                "installments", "too_many", f"{total} cannot be split in {installments} parts"
            )
    return tuple(Installment(i + 1, add_months(start, i), p) for i, p in enumerate(parts))


def pay_installments(plan: PaymentPlan, amount: Money, on: date) -> tuple[PaymentPlan, Money]:
    """``amount`` paid into the plan's installments oldest first; (the plan, what was left)."""
    left = amount
    paid: list[Installment] = []
    for inst in plan.installments:
        part = min(left, inst.remaining) if left and not left.is_negative() else Money.zero()
        paid.append(replace(inst, paid=inst.paid + part) if part else inst)
        left -= part
    updated = replace(plan, installments=tuple(paid))
    if not updated.remaining:
        updated = replace(updated, status="completed", completed_on=on, missed_on=None)
    return updated, left


def overdue(plan: PaymentPlan, on: date, grace_days: int) -> list[Installment]:
    """Installments still unpaid more than ``grace_days`` after their due date."""
    limit = timedelta(days=grace_days)
    return [i for i in plan.installments if i.remaining and i.due_date + limit < on]


def due_now(plan: PaymentPlan, on: date) -> Money:
    """What the plan asks for by ``on``: unpaid installments due by then (at least the next)."""
    due = Money.sum(i.remaining for i in plan.installments if i.due_date <= on)
    if due:
        return due
    upcoming = [i for i in plan.installments if i.remaining]
    return upcoming[0].remaining if upcoming else Money.zero()


def apply_payment(records: BillingRecords, patient_id: int, amount: Money, on: date) -> None:
    """Pay the patient's open plan with ``amount`` (part of a payment's transaction)."""
    for plan in records.plans(patient_id=patient_id):
        if plan.status not in OPEN:
            continue
        updated, _left = pay_installments(plan, amount, on)
        if updated.status == "missed" and not overdue(
            updated, on, records.settings().plan_grace_days
        ):
            updated = replace(updated, status="active", missed_on=None)
        records.save_plan(updated)
        return


@dataclass(frozen=True, slots=True)
class PlanCheck:
    """A plan found delinquent on a date, with its overdue installments."""

    plan: PaymentPlan
    overdue: tuple[Installment, ...]
    newly_missed: bool


def create_plan(
    ctx: Context,
    patient: str | int,
    *,
    start: date,
    store: BillingStoreFactory,
    installments: int | None = None,
    amount: Money | None = None,
    total: Money | None = None,
    frequency: str = "monthly",
) -> PaymentPlan:
    """A plan for the patient's balance (or ``total`` of it)."""
    ctx.require(WRITE_BILLING)
    if frequency not in FREQUENCIES:
        raise DomainValidationError.single(
            "frequency", "unsupported", f"must be one of {', '.join(FREQUENCIES)}"
        )
    with ctx.uow() as uow:
        pt = resolve_patient(uow, patient)
        assert pt.id is not None
        st = store(uow)
        if any(p.status in OPEN for p in st.records.plans(patient_id=pt.id)):
            raise Conflict("patient", "the patient already has an open payment plan")
        balance = owed(patient_lines(uow, st, pt.id)) - st.ledger.credit(pt.id)
        plan_total = total if total is not None else balance
        if balance < plan_total or not plan_total or plan_total.is_negative():
            raise DomainValidationError.single(
                "total",
                "above_balance",
                f"a plan must be more than 0.00 and at most the balance of {balance}",
            )
        plan = st.records.add_plan(
            PaymentPlan(
                patient_id=pt.id,
                total=plan_total,
                start_date=start,
                installments=schedule(plan_total, start, installments=installments, amount=amount),
                frequency=frequency,
            )
        )
        ctx.audit(uow, "create", "payment_plan", plan.id)
        uow.commit()
    return plan


def list_plans(
    ctx: Context, *, store: BillingStoreFactory, status: str | None = None
) -> Sequence[PaymentPlan]:
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        plans = store(uow).records.plans(status=status)
        for p in plans:
            ctx.audit(uow, "read", "payment_plan", p.id)
        uow.commit()
    return plans


def get_plan(ctx: Context, plan_id: int, *, store: BillingStoreFactory) -> PaymentPlan:
    ctx.require(READ_BILLING)
    with ctx.uow() as uow:
        plan = store(uow).records.plan(plan_id)
        if plan is None:
            raise NotFound("payment plan", plan_id)
        ctx.audit(uow, "read", "payment_plan", plan_id)
        uow.commit()
    return plan


def check_plans(
    ctx: Context, on: date, *, store: BillingStoreFactory, grace_days: int | None = None
) -> list[PlanCheck]:
    """Every open plan with an installment overdue by more than the grace days on ``on``;
    those still ``active`` become ``missed`` (delinquent)."""
    ctx.require(WRITE_BILLING)
    out: list[PlanCheck] = []
    with ctx.uow() as uow:
        records = store(uow).records
        grace = records.settings().plan_grace_days if grace_days is None else grace_days
        for plan in records.plans():
            if plan.status not in OPEN:
                continue
            late = overdue(plan, on, grace)
            if not late:
                continue
            newly = plan.status == "active"
            current = replace(plan, status="missed", missed_on=on) if newly else plan
            if newly:
                records.save_plan(current)
                ctx.audit(uow, "missed", "payment_plan", plan.id)
            out.append(PlanCheck(current, tuple(late), newly))
        uow.commit()
    return out
