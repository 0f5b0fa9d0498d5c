"""Remittances: post an 835 (the raw file as the request body), post a paper EOB (JSON), list
the files posted. The same services as ``revcycle era ...``; a rejected file answers 422 with
its findings and posts nothing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from revcycle.api.deps import Ctx
from revcycle.db.ledger_repo import ledger_store
from revcycle.services import era

router = APIRouter(tags=["remittances"])


def _answer(summary: dict[str, Any]) -> JSONResponse:
    status = {"posted": 201, "already_posted": 200}.get(summary["status"], 422)
    return JSONResponse(summary, status_code=status)


@router.post(
    "/era",
    summary="Post an 835 file (the request body is the file's bytes)",
    openapi_extra={
        "requestBody": {"content": {"application/edi-x12": {"schema": {"type": "string"}}}}
    },
)
async def post_835(request: Request, ctx: Ctx) -> JSONResponse:
    content = await request.body()
    return _answer(era.post_era(ctx, content, ledger=ledger_store))


@router.post("/era/manual", summary="Post a paper EOB keyed in as JSON")
def post_eob(ctx: Ctx, form: dict[str, Any] = Body(...)) -> JSONResponse:  # noqa: B008
    return _answer(era.post_manual_eob(ctx, form, ledger=ledger_store))


@router.get("/era", summary="The 835 files and EOBs seen, newest first")
def list_files(ctx: Ctx) -> list[dict[str, Any]]:
    return era.list_files(ctx, ledger=ledger_store)
