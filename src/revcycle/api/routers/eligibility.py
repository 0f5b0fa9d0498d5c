"""Eligibility (270/271) and appointments: the same services as ``revcycle eligibility ...``
and ``revcycle appointments ...``.

A real-time check goes to the practice's endpoint (``PUT /eligibility/settings``); when the
clearinghouse cannot be reached the request is kept (``failed``) and the answer is 502 with its
``request_id``, to be re-sent with ``POST /eligibility/requests/{id}/resend``. Appointment files
are imported from the CSV request body, all rows or none (422 listing each row's errors).
"""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse

from revcycle.api.deps import Ctx
from revcycle.db.eligibility_repo import eligibility_store
from revcycle.services import eligibility as service
from revcycle.services.context import Context
from revcycle.transport import RealtimeClient, RetryPolicy

router = APIRouter(tags=["eligibility"])


def _sender(ctx: Context) -> service.RealtimeSender:
    url = service.realtime_endpoint(ctx, eligibility_store)
    return RealtimeClient(url, timeout=10.0, retry=RetryPolicy(attempts=3)).send


def _failed(exc: service.EligibilityExchangeFailed) -> JSONResponse:
    return JSONResponse(
        {"detail": str(exc), "code": exc.code, "request_id": exc.request_id}, status_code=502
    )


@router.post("/eligibility/check", summary="Verify a patient's coverage now (270/271)")
def check(ctx: Ctx, form: dict[str, Any] = Body(...)) -> JSONResponse:  # noqa: B008
    day = form.get("service_date")
    try:
        outcome = service.check(
            ctx,
            str(form.get("patient") or ""),
            _sender(ctx),
            eligibility_store,
            coverage_id=form.get("coverage_id"),
            service_types=form.get("service_types") or (),
            service_date=date.fromisoformat(day) if day else None,
        )
    except service.EligibilityExchangeFailed as exc:
        return _failed(exc)
    return JSONResponse(service.outcome_doc(outcome), status_code=201)


@router.post("/eligibility/requests/{request_id}/resend", summary="Send an unanswered request")
def resend(ctx: Ctx, request_id: int) -> JSONResponse:
    try:
        outcome = service.resend(ctx, request_id, _sender(ctx), eligibility_store)
    except service.EligibilityExchangeFailed as exc:
        return _failed(exc)
    return JSONResponse(service.outcome_doc(outcome))


@router.get("/eligibility/requests", summary="Eligibility requests, newest first")
def list_requests(
    ctx: Ctx,
    pending: bool = False,
    patient: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    items = service.list_requests(
        ctx, eligibility_store, pending=pending, patient=patient, limit=limit
    )
    return [service.request_doc(r) for r in items]


@router.get("/eligibility/requests/{request_id}", summary="A request with its 271 answers")
def show_request(ctx: Ctx, request_id: int, raw: bool = False) -> dict[str, Any]:
    return service.view_doc(service.show_request(ctx, request_id, eligibility_store), raw=raw)


@router.get(
    "/patients/{patient}/eligibility-discrepancies",
    summary="Where payers' answers differ from the registered coverage",
)
def discrepancies(ctx: Ctx, patient: str) -> list[dict[str, Any]]:
    found = service.patient_discrepancies(ctx, patient, eligibility_store)
    return [service.discrepancy_doc(d) for d in found]


@router.get("/eligibility/settings", summary="The practice's real-time endpoint")
def get_settings(ctx: Ctx) -> dict[str, Any]:
    return {"realtime_url": service.clearinghouse_url(ctx, eligibility_store)}


@router.put("/eligibility/settings", summary="Set the practice's real-time endpoint")
def put_settings(ctx: Ctx, form: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
    service.set_clearinghouse_url(ctx, form.get("realtime_url"), eligibility_store)
    return {"realtime_url": service.clearinghouse_url(ctx, eligibility_store)}


# ---- appointments -----------------------------------------------------------------------------


@router.post("/appointments", summary="Schedule an appointment", status_code=201)
def add_appointment(ctx: Ctx, form: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
    return service.appointment_doc(service.add_appointment(ctx, form, eligibility_store))


@router.get("/appointments", summary="Appointments in time order")
def list_appointments(
    ctx: Ctx,
    day: Annotated[date | None, Query(alias="date")] = None,
    patient: str | None = None,
) -> list[dict[str, Any]]:
    items = service.list_appointments(ctx, eligibility_store, day=day, patient=patient)
    return [service.appointment_doc(a) for a in items]


@router.get("/appointments/{appointment_id}", summary="One appointment")
def get_appointment(ctx: Ctx, appointment_id: int) -> dict[str, Any]:
    return service.appointment_doc(service.get_appointment(ctx, appointment_id, eligibility_store))


@router.patch("/appointments/{appointment_id}", summary="Change an appointment (or cancel it)")
def update_appointment(
    ctx: Ctx,
    appointment_id: int,
    form: dict[str, Any] = Body(...),  # noqa: B008
) -> dict[str, Any]:
    item = service.update_appointment(ctx, appointment_id, form, eligibility_store)
    return service.appointment_doc(item)


@router.post(
    "/appointments/import",
    summary="Import appointments from CSV (the request body), all rows or none",
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def import_appointments(request: Request, ctx: Ctx) -> JSONResponse:
    text = (await request.body()).decode("utf-8-sig", errors="replace")
    try:
        items = service.import_appointments(ctx, io.StringIO(text), eligibility_store)
    except service.AppointmentImportFailed as exc:
        return JSONResponse(
            {"detail": [e.to_json() for e in exc.rows], "code": exc.code}, status_code=422
        )
    return JSONResponse([service.appointment_doc(a) for a in items], status_code=201)
