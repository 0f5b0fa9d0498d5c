"""Accounting: bank deposits (import the raw file as the request body, list, reconcile with
posted 835s), payer credit balances (list, Medicare deadlines, refund, letter), accounting
periods (list, close, reopen) and the journal export. The same services as the
``revcycle deposits|credits|periods|journal`` commands; the roles are checked there."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from revcycle.api.deps import Ctx
from revcycle.db.accounting_repo import accounting_store
from revcycle.domain.money import Money
from revcycle.services import deposits, journal, payer_credits, periods, reconciliation

router = APIRouter(tags=["accounting"])


class RefundIn(BaseModel):
    reason: str = Field(min_length=1, max_length=300)
    amount: str | None = Field(default=None, description="Default: the whole open credit")


@router.post(
    "/deposits/import",
    summary="Import a bank CSV or BAI2 file (the request body is the file's bytes)",
    openapi_extra={"requestBody": {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def import_deposits(
    request: Request, ctx: Ctx, format: str | None = None, name: str = ""
) -> JSONResponse:
    content = await request.body()
    result = deposits.import_deposits(ctx, content, name=name, fmt=format, store=accounting_store)
    return JSONResponse(result.to_json(), status_code=201 if result.imported else 200)


@router.get("/deposits", summary="The practice's deposits")
def list_deposits(ctx: Ctx) -> list[dict[str, Any]]:
    return [deposits.deposit_json(d) for d in deposits.list_deposits(ctx, store=accounting_store)]


@router.post("/deposits/reconcile", summary="Match posted 835 payments to deposits")
def reconcile(ctx: Ctx) -> dict[str, Any]:
    return reconciliation.reconcile(ctx, store=accounting_store).to_json()


@router.get("/payer-credits", summary="Payer credit balances (overpaid lines)")
def list_credits(ctx: Ctx, all: bool = False) -> list[dict[str, Any]]:
    views = payer_credits.payer_credits(ctx, store=accounting_store, include_closed=all)
    return payer_credits.credits_json(views)


@router.get("/payer-credits/medicare-due", summary="Medicare overpayments due or overdue")
def medicare_due(ctx: Ctx, within: int = payer_credits.DUE_SOON_DAYS) -> list[dict[str, Any]]:
    views = payer_credits.medicare_due(ctx, store=accounting_store, within_days=within)
    return payer_credits.credits_json(views)


@router.post("/payer-credits/{credit_id}/refund", summary="Refund a payer credit")
def refund(ctx: Ctx, credit_id: int, body: RefundIn) -> dict[str, Any]:
    amount = Money(body.amount) if body.amount is not None else None
    result = payer_credits.refund_payer_credit(
        ctx, credit_id, reason=body.reason, amount=amount, store=accounting_store
    )
    return result.to_json()


@router.get("/payer-credits/{credit_id}/letter", response_class=Response)
def refund_letter(ctx: Ctx, credit_id: int) -> Response:
    pdf = payer_credits.refund_letter(ctx, credit_id, store=accounting_store)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="refund-{credit_id}.pdf"'},
    )


@router.get("/periods", summary="Months closed or reopened")
def list_periods(ctx: Ctx) -> list[dict[str, Any]]:
    return [periods.period_json(p) for p in periods.list_periods(ctx, store=accounting_store)]


@router.post("/periods/{period}/close", summary="Close a month (manager)")
def close_period(ctx: Ctx, period: str) -> dict[str, Any]:
    return periods.period_json(periods.close_period(ctx, period, store=accounting_store))


@router.post("/periods/{period}/reopen", summary="Reopen a closed month (manager)")
def reopen_period(ctx: Ctx, period: str) -> dict[str, Any]:
    return periods.period_json(periods.reopen_period(ctx, period, store=accounting_store))


@router.get("/journal/export", response_class=Response, summary="The month's journal as CSV")
def journal_export(ctx: Ctx, period: str, detail: bool = False) -> Response:
    export = journal.export_journal(ctx, period, store=accounting_store)
    text = export.detail_csv() if detail else export.summary_csv()
    kind = "detail" if detail else "summary"
    return Response(
        text,
        media_type="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="journal-{export.period}-{kind}.csv"'
        },
    )
