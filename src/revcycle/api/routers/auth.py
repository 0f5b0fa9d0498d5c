"""Login, users of the caller's practice, and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form

from revcycle.api.deps import Ctx, anonymous_context
from revcycle.api.schemas import AuditEntryOut, TokenOut, UserIn, UserOut
from revcycle.services import audit as audit_service
from revcycle.services import auth as auth_service
from revcycle.services.context import Context

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=TokenOut)
def token(
    ctx: Annotated[Context, Depends(anonymous_context)],
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> TokenOut:
    """Exchange a username and password (form fields, OAuth2 password style) for a bearer token."""
    return TokenOut(access_token=auth_service.login(ctx, username, password))


@router.get("/users", response_model=list[UserOut])
def list_users(ctx: Ctx) -> list[UserOut]:
    return [UserOut.model_validate(u) for u in auth_service.list_users(ctx)]


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(ctx: Ctx, body: UserIn) -> UserOut:
    return UserOut.model_validate(
        auth_service.create_user(ctx, body.username, body.role, body.password)
    )


@router.get("/audit", response_model=list[AuditEntryOut])
def audit(
    ctx: Ctx, record_type: str | None = None, record_id: str | None = None, limit: int = 100
) -> list[AuditEntryOut]:
    entries = audit_service.audit_entries(
        ctx, record_type=record_type, record_id=record_id, limit=limit
    )
    return [AuditEntryOut.model_validate(e) for e in entries]
