"""Error classes -> HTTP statuses, in one table. Bodies follow FastAPI's shape:
``{"detail": [{"loc": ["body", ...field path], "msg": ..., "type": reason}]}`` for field errors,
``{"detail": message, "code": stable code}`` for the others."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from revcycle.domain.claim_status import InvalidTransition
from revcycle.domain.errors import (
    AuthenticationFailed,
    Conflict,
    DomainValidationError,
    DuplicatePatient,
    NotFound,
    PermissionDenied,
    RevcycleError,
)

STATUS: list[tuple[type[RevcycleError], int]] = [
    (DomainValidationError, 422),
    (InvalidTransition, 409),
    (DuplicatePatient, 409),
    (Conflict, 409),
    (NotFound, 404),
    (AuthenticationFailed, 401),
    (PermissionDenied, 403),
    (RevcycleError, 400),
]


def status_for(exc: RevcycleError) -> int:
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 400


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RevcycleError)
    status = status_for(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, DomainValidationError):
        detail = [
            {"loc": ["body", *e.field.split(".")], "msg": e.message, "type": e.reason}
            for e in exc.errors
        ]
        return JSONResponse({"detail": detail, "code": exc.code}, status_code=status)
    body: dict[str, object] = {"detail": str(exc), "code": exc.code}
    if isinstance(exc, DuplicatePatient):
        body["existing_mrn"] = exc.existing_mrn
    return JSONResponse(body, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RevcycleError, _handle)
