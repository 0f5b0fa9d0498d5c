"""Underpayments and the payer scorecard: list and read checked lines, check a date range
again, the per-payer scorecard. The same services as ``revcycle underpayments ...`` and
``revcycle scorecard``; amounts are strings."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter

from revcycle.api.deps import Ctx
from revcycle.db.underpayment_repo import underpayment_store
from revcycle.services import underpayments

router = APIRouter(tags=["underpayments"])


@router.get("/underpayments", summary="Underpaid lines (outcome=all for every checked line)")
def list_underpayments(
    ctx: Ctx,
    date_from: date | None = None,
    date_to: date | None = None,
    outcome: str = "underpaid",
) -> list[dict[str, Any]]:
    found = underpayments.list_lines(
        ctx,
        store=underpayment_store,
        date_from=date_from,
        date_to=date_to,
        outcome=None if outcome == "all" else outcome,
    )
    return [ln.to_json() for ln in found]


@router.get("/underpayments/{line_id}", summary="One checked line")
def get_underpayment(ctx: Ctx, line_id: int) -> dict[str, Any]:
    return underpayments.get_line(ctx, line_id, store=underpayment_store).to_json()


@router.post("/underpayments/scan", summary="Check the lines paid in a date range again")
def scan_underpayments(
    ctx: Ctx, date_from: date | None = None, date_to: date | None = None
) -> dict[str, int]:
    result = underpayments.scan(ctx, store=underpayment_store, date_from=date_from, date_to=date_to)
    return result.to_json()


@router.get("/scorecard", summary="Each payer's scorecard over a range of payment dates")
def payer_scorecard(
    ctx: Ctx, date_from: date | None = None, date_to: date | None = None
) -> list[dict[str, Any]]:
    scores = underpayments.scorecard(
        ctx, store=underpayment_store, date_from=date_from, date_to=date_to
    )
    return [s.to_json() for s in scores]
