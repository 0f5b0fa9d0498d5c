"""Working a denial over HTTP: corrections, voids, rebilling, appeals, write-offs, timely filing.

``POST /denials/{id}/correct|void|rebill|bill-patient|attachments|appeals|write-off`` act on
one denial; ``GET /appeals/{id}/letter`` is the letter PDF and ``POST /appeals/{id}/outcome``
records the payer's decision; ``GET /write-offs`` lists requests and
``POST /write-offs/{id}/approve|refuse`` decides one (a manager); ``GET /timely-filing`` the
claims near their filing limit and ``GET /claims/{key}/timely-filing-proof`` the proof PDF.
Amounts are strings; permissions are checked by the services.
"""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from revcycle.api.deps import Ctx
from revcycle.db.appeal_repo import action_store
from revcycle.db.denial_repo import denial_store
from revcycle.domain.errors import DomainValidationError
from revcycle.domain.money import Money
from revcycle.services import denial_actions as service

router = APIRouter(tags=["denial actions"])

_PDF: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": {}}}}


class LineEditIn(BaseModel):
    line: int = Field(ge=1)
    add_modifiers: list[str] = []
    remove_modifiers: list[str] = []
    procedure: str | None = None


class CorrectIn(BaseModel):
    reason: str
    edits: list[LineEditIn] = []
    mode: str = "auto"


class ReasonIn(BaseModel):
    reason: str


class RebillIn(BaseModel):
    reason: str
    coverage_id: int | None = None


class AttachmentIn(BaseModel):
    name: str
    kind: str = "medical_records"
    content_type: str = "application/pdf"
    content_base64: str


class AppealIn(BaseModel):
    argument: str = ""
    attachment_ids: list[int] = []
    category: str | None = None


class OutcomeIn(BaseModel):
    outcome: str
    recovered: Decimal | None = None
    note: str = ""


class WriteOffIn(BaseModel):
    reason_code: str
    note: str = ""
    amount: Decimal | None = None


class DecisionIn(BaseModel):
    note: str = ""


def _pdf(content: bytes, name: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _money(value: Decimal | None) -> Money | None:
    return Money(str(value)) if value is not None else None


@router.post("/denials/{denial_id}/correct")
def correct(ctx: Ctx, denial_id: int, body: CorrectIn) -> dict[str, Any]:
    edits = [
        service.LineEdit(e.line, tuple(e.add_modifiers), tuple(e.remove_modifiers), e.procedure)
        for e in body.edits
    ]
    result = service.correct(
        ctx, denial_id, reason=body.reason, edits=edits, mode=body.mode,
        store=action_store, denials=denial_store,
    )  # fmt: skip
    doc = result.to_json()
    if result.document:
        doc["document_base64"] = base64.b64encode(result.document).decode("ascii")
    return doc


@router.post("/denials/{denial_id}/void")
def void(ctx: Ctx, denial_id: int, body: ReasonIn) -> dict[str, Any]:
    return service.void(ctx, denial_id, reason=body.reason, denials=denial_store).to_json()


@router.post("/denials/{denial_id}/rebill")
def rebill(ctx: Ctx, denial_id: int, body: RebillIn) -> dict[str, Any]:
    return service.rebill(
        ctx, denial_id, reason=body.reason, coverage_id=body.coverage_id,
        store=action_store, denials=denial_store,
    ).to_json()  # fmt: skip


@router.post("/denials/{denial_id}/bill-patient")
def bill_patient(ctx: Ctx, denial_id: int, body: ReasonIn) -> dict[str, Any]:
    return service.bill_patient(
        ctx, denial_id, reason=body.reason, store=action_store, denials=denial_store
    ).to_json()


@router.post("/denials/{denial_id}/attachments", status_code=201)
def attach(ctx: Ctx, denial_id: int, body: AttachmentIn) -> dict[str, Any]:
    try:
        content = base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise DomainValidationError.single("content_base64", "invalid", "not base64") from None
    return service.attach(
        ctx, denial_id, name=body.name, content=content, kind=body.kind,
        content_type=body.content_type, store=action_store, denials=denial_store,
    ).to_json()  # fmt: skip


@router.post("/denials/{denial_id}/appeals", status_code=201)
def appeal(ctx: Ctx, denial_id: int, body: AppealIn) -> dict[str, Any]:
    return service.appeal(
        ctx, denial_id, argument=body.argument, attachment_ids=body.attachment_ids,
        category=body.category, store=action_store, denials=denial_store,
    ).to_json()  # fmt: skip


@router.get("/appeals/{appeal_id}/letter", response_class=Response, responses=_PDF)
def appeal_letter(ctx: Ctx, appeal_id: int) -> Response:
    return _pdf(
        service.appeal_letter(ctx, appeal_id, store=action_store), f"appeal-{appeal_id}.pdf"
    )


@router.post("/appeals/{appeal_id}/outcome")
def outcome(ctx: Ctx, appeal_id: int, body: OutcomeIn) -> dict[str, Any]:
    return service.record_outcome(
        ctx, appeal_id, body.outcome, recovered=_money(body.recovered), note=body.note,
        store=action_store, denials=denial_store,
    ).to_json()  # fmt: skip


@router.post("/denials/{denial_id}/write-off")
def write_off(ctx: Ctx, denial_id: int, body: WriteOffIn) -> dict[str, Any]:
    return service.request_write_off(
        ctx, denial_id, reason_code=body.reason_code, note=body.note,
        amount=_money(body.amount), store=action_store, denials=denial_store,
    ).to_json()  # fmt: skip


@router.get("/write-offs")
def write_offs(ctx: Ctx, status: str = "pending") -> list[dict[str, Any]]:
    found = service.list_write_offs(ctx, None if status == "all" else status, store=action_store)
    return [w.to_json() for w in found]


@router.post("/write-offs/{request_id}/approve")
def approve(ctx: Ctx, request_id: int, body: DecisionIn) -> dict[str, Any]:
    return service.decide_write_off(
        ctx, request_id, approve=True, note=body.note, store=action_store, denials=denial_store
    ).to_json()


@router.post("/write-offs/{request_id}/refuse")
def refuse(ctx: Ctx, request_id: int, body: DecisionIn) -> dict[str, Any]:
    return service.decide_write_off(
        ctx, request_id, approve=False, note=body.note, store=action_store, denials=denial_store
    ).to_json()


@router.get("/timely-filing")
def timely_filing(ctx: Ctx, within: int = 30) -> list[dict[str, Any]]:
    return [a.to_json() for a in service.timely_filing_alerts(ctx, within, store=action_store)]


@router.get("/claims/{key}/timely-filing-proof", response_class=Response, responses=_PDF)
def timely_filing_proof(ctx: Ctx, key: str) -> Response:
    return _pdf(service.timely_filing_proof(ctx, key), f"timely-filing-{key}.pdf")
