"""Revenue-cycle reports: the KPIs, the A/R aging, denial analytics, the payers (mix and
scorecard) and the monthly series. The same services as ``revcycle report ...``; dates are
``from`` / ``to`` (``on`` for the aging), amounts are strings."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from revcycle.api.deps import Ctx
from revcycle.services import reports

router = APIRouter(tags=["reports"])

From = Annotated[date | None, Query(alias="from")]
To = Annotated[date | None, Query(alias="to")]


@router.get("/reports/kpis", summary="Every KPI with numerator, denominator and definition")
def get_kpis(ctx: Ctx, start: From = None, end: To = None) -> dict[str, dict[str, Any]]:
    return reports.kpis(ctx, start, end)


@router.get("/reports/aging", summary="A/R aging by payer, payer class and patient")
def get_aging(ctx: Ctx, on: date | None = None) -> dict[str, Any]:
    return reports.aging(ctx, on)


@router.get("/reports/denials", summary="Denials by category, payer and CARC, with the trend")
def get_denials(ctx: Ctx, start: From = None, end: To = None) -> dict[str, Any]:
    return reports.denials(ctx, start, end)


@router.get("/reports/payers", summary="The payer mix with each payer's scorecard")
def get_payers(ctx: Ctx, start: From = None, end: To = None) -> list[dict[str, Any]]:
    return reports.payers(ctx, start, end)


@router.get("/reports/monthly", summary="Charges, collections, clean claim rate, denials by month")
def get_monthly(ctx: Ctx, start: From = None, end: To = None) -> list[dict[str, Any]]:
    return reports.monthly(ctx, start, end)
