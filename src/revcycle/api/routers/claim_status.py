"""Claim status follow-up over HTTP (276/277).

``POST /claims/{claim}/status-inquiries`` asks the payer in real time (the practice's
real-time endpoint, see the eligibility settings) and answers 201 with the inquiry and the
payer's answer; when the clearinghouse cannot be reached after the client's retries, or does
not answer about the claim, the inquiry is kept ``failed`` and the answer is 502 with its id.
``GET /claims/{claim}/status`` is the claim's inquiries and answers; ``GET
/claim-status/inquiries`` lists the practice's inquiries; ``POST /claim-status/sweep`` asks
about every quiet claim in real time (the batch sweep goes through the mailbox: CLI only);
``GET /claim-status/settings`` and ``PUT /claim-status/settings/{payer}`` show and change the
per-payer days. ``{claim}`` is a claim id or patient control number. Permissions are checked
by the services.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from revcycle.api.deps import Ctx
from revcycle.db.claim_status_repo import status_store
from revcycle.db.eligibility_repo import eligibility_store
from revcycle.services import claim_status as service
from revcycle.services.context import Context
from revcycle.services.eligibility import realtime_endpoint
from revcycle.transport import RealtimeClient, RetryPolicy

router = APIRouter(tags=["claim status"])


def _sender(ctx: Context) -> service.RealtimeSender:
    url = realtime_endpoint(ctx, eligibility_store)
    return RealtimeClient(url, timeout=10.0, retry=RetryPolicy(attempts=3))


def _failed(exc: service.StatusInquiryFailed) -> JSONResponse:
    return JSONResponse(
        {"detail": str(exc), "code": exc.code, "inquiry_id": exc.inquiry_id}, status_code=502
    )


@router.post("/claims/{claim}/status-inquiries", status_code=201, response_model=None)
def check(claim: str, ctx: Ctx, lines: bool = True) -> dict[str, Any] | JSONResponse:
    """Ask the payer now where the claim stands (276 real time) and record the 277."""
    try:
        outcome = service.check(ctx, claim, _sender(ctx), store=status_store, lines=lines)
    except service.StatusInquiryFailed as exc:
        return _failed(exc)
    return service.outcome_doc(outcome)


@router.get("/claims/{claim}/status")
def claim_history(claim: str, ctx: Ctx) -> dict[str, Any]:
    """The claim's status inquiries (newest first) and the payer's answers (oldest first)."""
    found = service.history(ctx, claim, store=status_store)
    return {
        "claim": {
            "id": found.claim.id,
            "patient_control_number": found.claim.patient_control_number,
            "status": found.claim.status,
        },
        "inquiries": [service.inquiry_doc(i) for i in found.inquiries],
        "answers": [service.answer_doc(a) for a in found.answers],
    }


@router.get("/claim-status/inquiries")
def inquiries(
    ctx: Ctx,
    state: Annotated[str | None, Query(description="pending, answered or failed")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    return [
        service.inquiry_doc(i)
        for i in service.list_inquiries(ctx, store=status_store, state=state, limit=limit)
    ]


class SweepIn(BaseModel):
    days: int | None = Field(None, ge=0, description="Quiet days (default: per payer)")
    payer: str | None = Field(None, description="Only this payer ID")
    limit: int | None = Field(None, ge=1, le=10_000)


@router.post("/claim-status/sweep")
def sweep(body: SweepIn, ctx: Ctx) -> dict[str, Any]:
    """Ask about every quiet claim due, one by one in real time."""
    result = service.sweep(
        ctx, store=status_store, sender=_sender(ctx), days=body.days, payer=body.payer,
        limit=body.limit,
    )  # fmt: skip
    return {
        "mode": result.mode,
        "asked": list(result.asked),
        "outcomes": dict(result.outcomes),
        "failed": [{"claim": pcn, "error": error} for pcn, error in result.failed],
    }


class SettingIn(BaseModel):
    after_days: int | None = Field(None, ge=0, le=3650)
    repeat_days: int | None = Field(None, ge=0, le=3650)


def _setting(s: service.FollowUpSetting) -> dict[str, Any]:
    return {"payer": s.payer_id, "after_days": s.after_days, "repeat_days": s.repeat_days}


@router.get("/claim-status/settings")
def settings(ctx: Ctx) -> list[dict[str, Any]]:
    return [_setting(s) for s in service.follow_up_settings(ctx, store=status_store)]


@router.put("/claim-status/settings/{payer}")
def configure(payer: str, body: SettingIn, ctx: Ctx) -> dict[str, Any]:
    updated = service.configure(
        ctx, payer, store=status_store, after_days=body.after_days, repeat_days=body.repeat_days
    )
    return _setting(updated)
