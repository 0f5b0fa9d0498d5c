"""The JSON shape of patient-billing results, shared by ``revcycle ... --json`` and the API.

Amounts are strings with two decimals (``"20.00"``), dates ISO 8601; nothing here is a float.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from revcycle.services.billing_ports import (
    AccountFlags,
    BillingSettings,
    PaymentPlan,
    Receipt,
    StoredStatement,
)
from revcycle.services.patient_billing import (
    AccountView,
    CreditBalance,
    PaymentOutcome,
    WriteOff,
)
from revcycle.services.payment_plans import PlanCheck
from revcycle.services.statements import StatementRun


def receipt_json(r: Receipt) -> dict[str, Any]:
    return {
        "receipt_number": r.receipt_number,
        "patient_id": r.patient_id,
        "kind": r.kind,
        "amount": r.amount.to_json(),
        "applied": r.applied.to_json(),
        "unapplied": r.unapplied.to_json(),
        "tenders": [dict(t) for t in r.tenders],
        "received_on": r.received_on.isoformat(),
        "service_date": r.service_date.isoformat() if r.service_date else None,
        "idempotency_key": r.idempotency_key,
        "entry_id": r.entry_id,
    }


def payment_json(o: PaymentOutcome) -> dict[str, Any]:
    return {
        **receipt_json(o.receipt),
        "replayed": o.replayed,
        "applied_lines": [
            {"claim_id": a.claim_id, "line_id": a.line_id, "amount": a.amount.to_json()}
            for a in o.applied
        ],
        "credit": o.credit.to_json(),
    }


def flags_json(f: AccountFlags) -> dict[str, Any]:
    return {
        "patient_id": f.patient_id,
        "hold": f.hold,
        "do_not_send": f.do_not_send,
        "collection_status": f.collection_status or None,
        "collection_flagged_on": f.collection_flagged_on.isoformat()
        if f.collection_flagged_on
        else None,
        "collection_referred_on": f.collection_referred_on.isoformat()
        if f.collection_referred_on
        else None,
    }


def plan_json(p: PaymentPlan) -> dict[str, Any]:
    return {
        "id": p.id,
        "patient_id": p.patient_id,
        "total": p.total.to_json(),
        "paid": p.paid.to_json(),
        "remaining": p.remaining.to_json(),
        "frequency": p.frequency,
        "start_date": p.start_date.isoformat(),
        "status": p.status,
        "missed_on": p.missed_on.isoformat() if p.missed_on else None,
        "completed_on": p.completed_on.isoformat() if p.completed_on else None,
        "installments": [
            {
                "seq": i.seq,
                "due_date": i.due_date.isoformat(),
                "amount": i.amount.to_json(),
                "paid": i.paid.to_json(),
            }
            for i in p.installments
        ],
    }


def account_json(v: AccountView) -> dict[str, Any]:
    return {
        "patient_id": v.patient_id,
        "mrn": v.mrn,
        "name": v.name,
        "patient_open": v.patient_open.to_json(),
        "credit": v.credit.to_json(),
        "amount_due": v.amount_due.to_json(),
        "insurance_pending": v.insurance_pending.to_json(),
        "flags": flags_json(v.flags),
        "lines": [
            {
                "claim_id": ln.totals.claim_id,
                "line_id": ln.totals.line_id,
                "service_date": None
                if ln.info.service_date == date.max
                else ln.info.service_date.isoformat(),
                "procedure": ln.info.procedure,
                "charge": ln.totals.charge.to_json(),
                "insurance_paid": ln.totals.insurance_paid.to_json(),
                "adjustments": ln.totals.adjustments.to_json(),
                "patient_paid": ln.totals.patient_paid.to_json(),
                "patient_open": ln.totals.patient_open.to_json(),
                "payer_open": ln.totals.payer_open.to_json(),
            }
            for ln in v.lines
        ],
        "payment_plans": [plan_json(p) for p in v.plans],
        "receipts": [receipt_json(r) for r in v.receipts],
        "history": [
            {
                "entry_id": h.entry_id,
                "kind": h.kind,
                "effective_date": h.effective_date.isoformat() if h.effective_date else None,
                "claim_id": h.claim_id or None,
                "reference": h.reference,
                "memo": h.memo,
                "patient_effect": h.patient_effect.to_json(),
            }
            for h in v.history
        ],
    }


def credit_json(c: CreditBalance) -> dict[str, Any]:
    return {
        "patient_id": c.patient_id,
        "mrn": c.mrn,
        "name": c.name,
        "unapplied": c.unapplied.to_json(),
        "overpaid_lines": c.overpaid_lines.to_json(),
        "total": c.total.to_json(),
        "open": c.open.to_json(),
    }


def write_off_json(w: WriteOff) -> dict[str, Any]:
    return {"patient_id": w.patient_id, "amount": w.amount.to_json(), "lines": w.lines}


def statement_json(s: StoredStatement) -> dict[str, Any]:
    return {
        "number": s.number,
        "patient_id": s.patient_id,
        "statement_date": s.statement_date.isoformat(),
        "balance": s.balance.to_json(),
        "credit": s.credit.to_json(),
        "amount_due": s.amount_due.to_json(),
        "installment_due": s.installment_due.to_json() if s.installment_due else None,
        "aging": dict(s.aging),
        "message": s.message,
        "lines": list(s.detail.get("lines", [])),
    }


def run_json(r: StatementRun, files: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "statement_date": r.statement_date.isoformat(),
        "statements": [
            {**statement_json(s), **({"file": files[s.number]} if files else {})}
            for s in r.statements
        ],
        "skipped": [{"patient_id": s.patient_id, "reason": s.reason} for s in r.skipped],
        "flagged_for_collections": list(r.flagged),
    }


def plan_check_json(c: PlanCheck) -> dict[str, Any]:
    return {
        **plan_json(c.plan),
        "newly_missed": c.newly_missed,
        "overdue": [
            {"seq": i.seq, "due_date": i.due_date.isoformat(), "remaining": i.remaining.to_json()}
            for i in c.overdue
        ],
    }


def settings_json(s: BillingSettings) -> dict[str, Any]:
    return {
        "statement_minimum": s.statement_minimum.to_json(),
        "small_balance_threshold": s.small_balance_threshold.to_json(),
        "collection_statements": s.collection_statements,
        "collection_days": s.collection_days,
        "plan_grace_days": s.plan_grace_days,
    }
