"""Patient cost estimates and Good Faith Estimates: create, list, read, PDF.

Amounts travel as strings. Creating takes ``estimates:write`` (front desk, billers, admins),
reading ``billing:read``; the services check both. A GFE asked for a patient with coverage on
the scheduled date answers 422 ``insured`` unless ``self_pay`` is set; a service without a fee
answers 422 ``no_fee``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from revcycle.api.deps import Ctx
from revcycle.db.eligibility_repo import latest_271
from revcycle.db.estimate_repo import estimate_store
from revcycle.services import estimates
from revcycle.services.estimate_ports import EligibilityLookup

router = APIRouter(tags=["estimates"])

# Where estimates find the latest 271 of a coverage (none yet: wire the eligibility store's
# lookup here).
LOOKUP: EligibilityLookup = latest_271

Percent = Annotated[str, Field(pattern=r"^\d{1,2}(\.\d{1,2})?$", examples=["20"])]


class ServiceIn(BaseModel):
    procedure: str = Field(max_length=5, examples=["99213"])
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    units: str = Field("1", pattern=r"^\d{1,4}(\.\d{1,3})?$")
    pointers: list[int] = Field(default_factory=list, max_length=4)
    charge: str | None = Field(None, pattern=r"^\d{1,10}(\.\d{1,2})?$")

    def data(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class EstimateIn(BaseModel):
    services: list[ServiceIn] = Field(min_length=1, max_length=50)
    diagnoses: list[str] = Field(default_factory=list, max_length=12)
    coverage_id: int | None = None
    service_date: date | None = None
    self_pay: bool = False
    discount_percent: Percent | None = None


class GfeIn(BaseModel):
    services: list[ServiceIn] = Field(min_length=1, max_length=50)
    scheduled_date: date | None = None
    scheduled_on: date | None = Field(
        None, description="The day the service was scheduled or requested (default today)"
    )
    requested: bool = False
    self_pay: bool = False
    diagnoses: list[str] = Field(default_factory=list, max_length=12)
    separately_scheduled: list[str] = Field(default_factory=list, max_length=20)
    provider_id: int | None = None
    facility_id: int | None = None
    discount_percent: Percent | None = None


def _fraction(percent: str | None) -> Decimal | None:
    return None if percent is None else Decimal(percent) / 100


def _pdf(pdf: bytes, name: str) -> Response:
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )


_PDF: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": {}}}}


@router.post("/patients/{patient_id}/estimates", status_code=201)
def create_estimate(ctx: Ctx, patient_id: int, body: EstimateIn) -> dict[str, Any]:
    """Estimate the patient's cost of planned services; the PDF is at
    ``/estimates/{number}/pdf``."""
    stored = estimates.estimate(
        ctx,
        patient_id,
        [s.data() for s in body.services],
        store=estimate_store,
        lookup=LOOKUP,
        coverage=body.coverage_id,
        dos=body.service_date,
        diagnoses=body.diagnoses,
        self_pay=body.self_pay,
        discount=_fraction(body.discount_percent),
    )
    return estimates.estimate_json(stored)


@router.get("/estimates")
def list_estimates(ctx: Ctx, patient_id: int | None = None) -> list[dict[str, Any]]:
    found = estimates.list_estimates(ctx, store=estimate_store, patient=patient_id)
    return [estimates.estimate_json(e) for e in found]


@router.get("/estimates/{number}")
def get_estimate(ctx: Ctx, number: str) -> dict[str, Any]:
    return estimates.estimate_json(estimates.get_estimate(ctx, number, store=estimate_store))


@router.get("/estimates/{number}/pdf", response_class=Response, responses=_PDF)
def estimate_pdf(ctx: Ctx, number: str) -> Response:
    found = estimates.get_estimate(ctx, number, store=estimate_store)
    return _pdf(found.pdf, found.number)


@router.post("/patients/{patient_id}/good-faith-estimates", status_code=201)
def create_gfe(ctx: Ctx, patient_id: int, body: GfeIn) -> dict[str, Any]:
    """Issue a Good Faith Estimate today; the answer says its deadline and whether it met it."""
    stored = estimates.good_faith_estimate(
        ctx,
        patient_id,
        body.scheduled_date,
        [s.data() for s in body.services],
        store=estimate_store,
        requested=body.requested,
        scheduled_on=body.scheduled_on,
        self_pay=body.self_pay,
        diagnoses=body.diagnoses,
        separately_scheduled=body.separately_scheduled,
        provider_id=body.provider_id,
        facility_id=body.facility_id,
        discount=_fraction(body.discount_percent),
    )
    return estimates.gfe_json(stored)


@router.get("/good-faith-estimates")
def list_gfes(ctx: Ctx, patient_id: int | None = None, late: bool = False) -> list[dict[str, Any]]:
    found = estimates.list_gfes(ctx, store=estimate_store, patient=patient_id, late=late)
    return [estimates.gfe_json(g) for g in found]


@router.get("/good-faith-estimates/{number}")
def get_gfe(ctx: Ctx, number: str) -> dict[str, Any]:
    return estimates.gfe_json(estimates.get_gfe(ctx, number, store=estimate_store))


@router.get("/good-faith-estimates/{number}/pdf", response_class=Response, responses=_PDF)
def gfe_pdf(ctx: Ctx, number: str) -> Response:
    found = estimates.get_gfe(ctx, number, store=estimate_store)
    return _pdf(found.pdf, found.number)
