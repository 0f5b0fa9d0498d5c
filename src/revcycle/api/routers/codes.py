"""Code sets over HTTP: lookup, search, suggestion, coding validation, loading (admins).

``GET /codes/{system}/{code}?dos=`` answers with the lookup object of the CLI contract
(``code``, ``system``, ``found``, ``valid_on_dos``, ``billable``, ``description``, ``note``,
``version``): 200 when found, 404 with the same object when not (malformed codes included),
422 for an unknown system.  Every route needs a bearer token; ``POST /codes/load`` also needs
the ``codesets:load`` permission (admins).

One ``CodeSetService`` per application holds the effective code sets for the process
(``app.state.codeset_service``, made on first use from ``app.state.engine``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from revcycle.api.deps import Ctx
from revcycle.codesets import ServiceLine
from revcycle.db.codeset_store import SqlCodeSetStore
from revcycle.domain.user import LOAD_CODESETS
from revcycle.services.codesets_service import (
    CodeSetService,
    hit_dict,
    suggestion_dict,
    version_dict,
)

router = APIRouter(tags=["codes"])


def codeset_service(request: Request) -> CodeSetService:
    svc = getattr(request.app.state, "codeset_service", None)
    if not isinstance(svc, CodeSetService):
        svc = CodeSetService(SqlCodeSetStore(request.app.state.engine))
        request.app.state.codeset_service = svc
    return svc


Svc = Annotated[CodeSetService, Depends(codeset_service)]


class LookupOut(BaseModel):
    code: str
    system: str
    found: bool
    valid_on_dos: bool | None
    billable: bool | None
    description: str
    note: str
    version: str


class HitOut(BaseModel):
    code: str
    system: str
    description: str
    billable: bool
    score: float


class SuggestIn(BaseModel):
    note: str = Field(min_length=1, max_length=100_000, description="Clinical note text")
    limit: int = Field(10, ge=1, le=50)
    dos: date | None = None


class SuggestionOut(BaseModel):
    code: str
    description: str
    billable: bool
    score: float
    phrase: str = Field(description="The words of the note that support the code")
    children: list[str] = Field(description="Billable codes under a non-billable match")


class LineIn(BaseModel):
    code: str = Field(min_length=1, max_length=5)
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    units: int = Field(1, ge=0, le=9999)
    pointers: list[int] = Field(default_factory=lambda: [1], max_length=4)


class ValidateIn(BaseModel):
    dos: date
    diagnoses: list[str] = Field(max_length=25, description="ICD-10-CM codes in claim order")
    lines: list[LineIn] = Field(default_factory=list, max_length=50)
    age: int | None = Field(None, ge=0, le=130)
    sex: str | None = Field(None, pattern="^[FMU]$")


class FindingOut(BaseModel):
    code: str
    severity: str
    message: str
    location: str


class VersionOut(BaseModel):
    id: int
    system: str
    name: str
    effective_from: date | None
    effective_to: date | None
    loaded_at: datetime
    loaded_by: str
    source_file: str
    row_count: int
    active: bool


@router.get("/codes/search", response_model=list[HitOut])
def search_codes(
    _: Ctx,
    svc: Svc,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    system: str = "icd10cm",
    limit: Annotated[int, Query(ge=1, le=200)] = 10,
    dos: date | None = None,
) -> list[HitOut]:
    """Codes of icd10cm, hcpcs or cpt ranked by relevance to words and abbreviations."""
    return [
        HitOut.model_validate(hit_dict(h, system))
        for h in svc.search(q, system, limit=limit, dos=dos)
    ]


@router.post("/codes/suggest", response_model=list[SuggestionOut])
def suggest_codes(_: Ctx, svc: Svc, body: SuggestIn) -> list[SuggestionOut]:
    """Candidate ICD-10-CM codes for a clinical note, each with its supporting phrase."""
    return [
        SuggestionOut.model_validate(suggestion_dict(s))
        for s in svc.suggest(body.note, limit=body.limit, dos=body.dos)
    ]


@router.post("/codes/validate", response_model=list[FindingOut])
def validate_codes(_: Ctx, svc: Svc, body: ValidateIn) -> list[FindingOut]:
    """Coding findings for one encounter: validity on the date, billable, edits, NCCI."""
    lines = [
        ServiceLine(
            ln.code.strip().upper(),
            tuple(m.strip().upper() for m in ln.modifiers),
            ln.units,
            tuple(ln.pointers),
        )
        for ln in body.lines
    ]
    findings = svc.validate(
        dos=body.dos, diagnoses=body.diagnoses, lines=lines, age=body.age, sex=body.sex
    )
    return [
        FindingOut(code=f.code, severity=f.severity, message=f.message, location=f.location)
        for f in findings
    ]


@router.get("/codes/versions", response_model=list[VersionOut])
def list_versions(_: Ctx, svc: Svc, system: str | None = None) -> list[VersionOut]:
    """Loaded code-set versions, active and replaced (the bundled FY2026 is not listed)."""
    return [VersionOut.model_validate(version_dict(v)) for v in svc.versions(system)]


@router.post("/codes/load", response_model=VersionOut, status_code=201)
async def load_codes(
    ctx: Ctx,
    svc: Svc,
    file: UploadFile,
    system: Annotated[str, Form(description="icd10cm, icd10pcs, hcpcs, cpt, ptp, mue, ...")],
    effective: Annotated[date | None, Form()] = None,
    effective_to: Annotated[date | None, Form()] = None,
    name: Annotated[str | None, Form(max_length=60)] = None,
) -> VersionOut:
    """Load a code file in its published layout (admins); all or nothing."""
    from starlette.concurrency import run_in_threadpool

    ctx.require(LOAD_CODESETS)  # before reading a possibly large upload
    raw = await file.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    saved = await run_in_threadpool(
        svc.load,
        ctx,
        system,
        text.splitlines(),
        effective=effective,
        effective_to=effective_to,
        name=name,
        source_name=file.filename or "upload",
    )
    return VersionOut.model_validate(version_dict(saved))


@router.get("/codes/{system}/{code}", response_model=LookupOut)
def lookup_code(
    _: Ctx, svc: Svc, system: str, code: str, dos: date | None = None
) -> LookupOut | JSONResponse:
    """One code: 200 when found, 404 (same body) when not, 422 for an unknown system."""
    out = LookupOut.model_validate(svc.lookup(code, system, dos).as_dict())
    if not out.found:
        return JSONResponse(out.model_dump(), status_code=404)
    return out
