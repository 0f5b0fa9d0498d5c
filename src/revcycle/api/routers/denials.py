"""The denial work queue over HTTP.

``GET /denials`` is one keyset page (filters as query parameters, ``after`` the cursor the
previous page returned as ``next_after``); ``GET /denials/{id}`` the denial with its claim,
codes and history; ``POST /denials/assign`` and ``POST /denials/close`` take ``ids`` or a
``filter``; ``POST /denials/{id}/notes`` and ``PUT /denials/{id}/follow-up`` record a note or a
follow-up date; ``GET /denials/patterns`` the prevention patterns; ``GET /queues`` every queue
with its count. Permissions are checked by the services.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from revcycle.api.deps import Ctx
from revcycle.db.denial_repo import denial_store
from revcycle.domain.errors import NotFound
from revcycle.services import denials as service
from revcycle.services.context import Context
from revcycle.services.denial_ports import DenialFilter

router = APIRouter(tags=["denials"])


class FilterIn(BaseModel):
    status: str | None = None
    category: str | None = None
    payer: str | None = Field(None, description="Payer ID (e.g. SIMPPO)")
    owner: str | None = None
    aging: str | None = None
    due_before: date | None = None


class AssignIn(BaseModel):
    to: str
    ids: list[int] = []
    filter: FilterIn | None = None


class CloseIn(BaseModel):
    reason: str
    ids: list[int] = []
    filter: FilterIn | None = None


class NoteIn(BaseModel):
    text: str


class FollowUpIn(BaseModel):
    date: date


def _where(ctx: Context, f: FilterIn) -> DenialFilter:
    payer_ref = None
    if f.payer is not None:
        with ctx.uow() as uow:
            found = uow.payers.by_payer_id(f.payer)
        if found is None or found.id is None:
            raise NotFound("payer", f.payer)
        payer_ref = found.id
    return service.make_filter(
        status=f.status,
        category=f.category,
        payer_id=payer_ref,
        owner=f.owner,
        aging=f.aging,
        due_before=f.due_before,
    )


@router.get("/denials")
def list_denials(
    ctx: Ctx,
    status: str | None = None,
    category: str | None = None,
    payer: str | None = None,
    owner: str | None = None,
    aging: str | None = None,
    due_before: date | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    after: str | None = None,
) -> dict[str, Any]:
    """One page of the denial queue, highest priority first."""
    where = _where(ctx, FilterIn(status=status, category=category, payer=payer, owner=owner,
                                 aging=aging, due_before=due_before))  # fmt: skip
    page = service.list_denials(ctx, where, limit=limit, after=after, store=denial_store)
    today = ctx.clock.today()
    return {
        "items": [service.denial_json(d, today) for d in page.items],
        "next_after": page.next_after,
    }


@router.get("/denials/patterns")
def patterns(ctx: Ctx, min: Annotated[int, Query(ge=1)] = 3) -> list[dict[str, Any]]:
    """Denial patterns (payer x procedure x CARC) with a suggested scrubber rule."""
    return service.patterns(ctx, min, store=denial_store)


@router.get("/denials/{denial_id}")
def show(denial_id: int, ctx: Ctx) -> dict[str, Any]:
    """A denial with its claim, its codes and their meaning, and its history."""
    return service.show(ctx, denial_id, store=denial_store)


@router.post("/denials/assign")
def assign(body: AssignIn, ctx: Ctx) -> list[dict[str, Any]]:
    """Assign denials (ids or a filter) to a person."""
    where = _where(ctx, body.filter) if body.filter is not None else None
    done = service.assign(ctx, body.ids, body.to, where=where, store=denial_store)
    return [service.denial_json(d, ctx.clock.today()) for d in done]


@router.post("/denials/close")
def close(body: CloseIn, ctx: Ctx) -> list[dict[str, Any]]:
    """Close denials (ids or a filter) with a resolution."""
    where = _where(ctx, body.filter) if body.filter is not None else None
    done = service.close(ctx, body.ids, body.reason, where=where, store=denial_store)
    return [service.denial_json(d, ctx.clock.today()) for d in done]


@router.post("/denials/{denial_id}/notes", status_code=201)
def note(denial_id: int, body: NoteIn, ctx: Ctx) -> dict[str, Any]:
    """Add a note to the denial's history."""
    return service.event_json(service.add_note(ctx, denial_id, body.text, store=denial_store))


@router.put("/denials/{denial_id}/follow-up")
def follow_up(denial_id: int, body: FollowUpIn, ctx: Ctx) -> dict[str, Any]:
    """Set the date to look at the denial again."""
    d = service.set_follow_up(ctx, denial_id, body.date, store=denial_store)
    return service.denial_json(d, ctx.clock.today())


@router.get("/queues")
def queues(ctx: Ctx) -> list[dict[str, Any]]:
    """Every work queue with its open count (denials also by category)."""
    return service.queues(ctx, store=denial_store)
