"""Request dependencies: the settings-built services and the authenticated context.

Every route except ``POST /api/v1/auth/token`` depends on ``current_context``: a bearer token
resolves to a user, and the context is bound to that user's practice, so no route can reach
another practice's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from revcycle.domain.errors import AuthenticationFailed
from revcycle.services.auth import user_for_token
from revcycle.services.context import Context
from revcycle.services.ports import Clock, UnitOfWorkFactory

bearer = HTTPBearer(auto_error=False, description="Token from POST /api/v1/auth/token")


@dataclass(frozen=True)
class Runtime:
    clock: Clock
    uow_factory: UnitOfWorkFactory


def runtime(request: Request) -> Runtime:
    rt = request.app.state.runtime
    assert isinstance(rt, Runtime)
    return rt


def anonymous_context(rt: Annotated[Runtime, Depends(runtime)]) -> Context:
    return Context(None, "anonymous", "api", frozenset(), rt.clock, rt.uow_factory)


def current_context(
    rt: Annotated[Runtime, Depends(runtime)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Context:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationFailed("a bearer token is required")
    anon = Context(None, "anonymous", "api", frozenset(), rt.clock, rt.uow_factory)
    user = user_for_token(rt.uow_factory, credentials.credentials, anon)
    return Context.for_user(user, rt.clock, rt.uow_factory)


Ctx = Annotated[Context, Depends(current_context)]
