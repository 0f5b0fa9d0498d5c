"""The patient side of billing: payments and refunds, the patient account, statements (run,
list, PDF) and payment plans. Amounts travel as strings; roles are checked by the services
(``payments:post``, ``billing:read``, ``billing:write``).

A payment may carry ``idempotency_key`` in its body or the ``Idempotency-Key`` header: a retried
request with the same key answers the receipt already recorded (``"replayed": true``, 200)
instead of posting again (201).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Response
from pydantic import BaseModel, Field

from revcycle.api.deps import Ctx
from revcycle.db.patient_billing_repo import billing_store
from revcycle.domain.money import Money
from revcycle.posting.patient import Tender
from revcycle.services import patient_billing, payment_plans, statements
from revcycle.services.billing_json import (
    account_json,
    payment_json,
    plan_json,
    run_json,
    statement_json,
)

router = APIRouter(tags=["billing"])

AmountText = Annotated[str, Field(pattern=r"^\d{1,10}(\.\d{1,2})?$", examples=["20.00"])]


class TenderIn(BaseModel):
    method: Literal["cash", "check", "card"]
    amount: AmountText
    reference: str = Field("", max_length=30, description="Check number or card last four")


class PaymentIn(BaseModel):
    tenders: list[TenderIn] = Field(min_length=1)
    copay: bool = False
    service_date: date | None = None
    idempotency_key: str | None = Field(None, max_length=80)


class RefundIn(BaseModel):
    amount: AmountText
    method: Literal["cash", "check", "card"]
    reference: str = Field("", max_length=30)
    idempotency_key: str | None = Field(None, max_length=80)


class StatementRunIn(BaseModel):
    date: date
    minimum: AmountText | None = None


class PlanIn(BaseModel):
    start: date
    installments: int | None = Field(None, ge=1, le=120)
    amount: AmountText | None = None
    total: AmountText | None = None


@router.post("/patients/{patient_id}/payments", status_code=201)
def post_payment(
    ctx: Ctx,
    patient_id: int,
    body: PaymentIn,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=80)] = None,
) -> dict[str, Any]:
    """Record a patient payment (tenders recorded, not processed), applied oldest first."""
    outcome = patient_billing.post_payment(
        ctx,
        patient_id,
        [Tender(t.method, Money(t.amount), t.reference) for t in body.tenders],
        store=billing_store,
        copay=body.copay,
        service_date=body.service_date,
        idempotency_key=body.idempotency_key or idempotency_key,
    )
    if outcome.replayed:
        response.status_code = 200
    return payment_json(outcome)


@router.post("/patients/{patient_id}/refunds", status_code=201)
def post_refund(
    ctx: Ctx,
    patient_id: int,
    body: RefundIn,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=80)] = None,
) -> dict[str, Any]:
    """Refund part or all of the patient's credit (422 ``refund_above_credit`` beyond it)."""
    amount = Money(body.amount)
    outcome = patient_billing.refund(
        ctx,
        patient_id,
        amount,
        Tender(body.method, amount, body.reference),
        store=billing_store,
        idempotency_key=body.idempotency_key or idempotency_key,
    )
    if outcome.replayed:
        response.status_code = 200
    return payment_json(outcome)


@router.get("/patients/{patient_id}/account")
def get_account(ctx: Ctx, patient_id: int) -> dict[str, Any]:
    """Open balance by claim line, credit, flags, plans, receipts and entry history."""
    return account_json(patient_billing.account(ctx, patient_id, store=billing_store))


@router.post("/statements/runs", status_code=201)
def run_statements(ctx: Ctx, body: StatementRunIn) -> dict[str, Any]:
    """Run the statements of a date; each PDF is at ``/statements/{number}/pdf``."""
    run = statements.run_statements(
        ctx,
        body.date,
        store=billing_store,
        minimum=Money(body.minimum) if body.minimum is not None else None,
    )
    return run_json(run)


@router.get("/statements")
def list_statements(ctx: Ctx, patient_id: int | None = None) -> list[dict[str, Any]]:
    return [
        statement_json(s)
        for s in statements.list_statements(ctx, store=billing_store, patient_id=patient_id)
    ]


@router.get(
    "/statements/{number}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def statement_pdf(ctx: Ctx, number: str) -> Response:
    found = statements.get_statement(ctx, number, store=billing_store)
    return Response(
        found.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{found.number}.pdf"'},
    )


@router.post("/patients/{patient_id}/payment-plans", status_code=201)
def create_plan(ctx: Ctx, patient_id: int, body: PlanIn) -> dict[str, Any]:
    plan = payment_plans.create_plan(
        ctx,
        patient_id,
        start=body.start,
        store=billing_store,
        installments=body.installments,
        amount=Money(body.amount) if body.amount is not None else None,
        total=Money(body.total) if body.total is not None else None,
    )
    return plan_json(plan)


@router.get("/payment-plans")
def list_plans(ctx: Ctx, status: str | None = None) -> list[dict[str, Any]]:
    return [plan_json(p) for p in payment_plans.list_plans(ctx, store=billing_store, status=status)]


@router.get("/payment-plans/{plan_id}")
def get_plan(ctx: Ctx, plan_id: int) -> dict[str, Any]:
    return plan_json(payment_plans.get_plan(ctx, plan_id, store=billing_store))
