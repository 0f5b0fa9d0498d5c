"""Charge entry and claims: fees, authorizations, encounters, claims, scrubbing, forms, 837."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from revcycle.api.deps import Ctx
from revcycle.api.schemas import (
    AuthorizationIn,
    AuthorizationOut,
    ClaimEventOut,
    ClaimLineOut,
    ClaimOut,
    ClaimStatusIn,
    EncounterIn,
    EncounterOut,
    FeeIn,
    FeeOut,
    FindingOut,
    ScrubResultOut,
    ServiceLineOut,
)
from revcycle.domain.authorization import Authorization
from revcycle.domain.claim_record import ClaimRecord
from revcycle.domain.encounter import Encounter
from revcycle.domain.fees import FeeEntry
from revcycle.services import charges, claims, scrubbing

router = APIRouter(tags=["claims"])


def _fee(e: FeeEntry) -> FeeOut:
    return FeeOut(
        id=e.id or 0,
        procedure=e.procedure,
        modifier=e.modifier,
        amount=e.amount.to_json(),
        effective=e.effective,
        termination=e.termination,
    )


def _auth(a: Authorization) -> AuthorizationOut:
    return AuthorizationOut(
        id=a.id or 0,
        payer_id=a.payer_id,
        kind=a.kind,
        number=a.number,
        start=a.start,
        end=a.end,
        service_codes=list(a.service_codes),
        units_approved=a.units_approved,
        units_used=a.units_used,
    )


def _encounter(e: Encounter) -> EncounterOut:
    return EncounterOut(
        id=e.id or 0,
        patient_id=e.patient_id,
        kind=e.kind,
        dos_from=e.dos_from,
        dos_to=e.dos_to,
        rendering_provider_id=e.rendering_provider_id,
        place_of_service=e.place_of_service,
        coverage_ids=list(e.coverage_ids),
        diagnoses=[d.code for d in e.diagnoses],
        lines=[
            ServiceLineOut(
                id=li.id or 0,
                procedure=li.procedure,
                modifiers=list(li.modifiers),
                units=str(li.units),
                charge=li.charge.to_json() if li.charge else "0.00",
                charge_source=li.charge_source,
                pointers=list(li.pointers),
                dos_from=li.dos_from,
                dos_to=li.dos_to,
                ndc=li.ndc,
                entered_at=li.entered_at,
            )
            for li in e.lines
        ],
    )


def _claim(c: ClaimRecord, detail: claims.ClaimDetail | None = None) -> ClaimOut:
    return ClaimOut(
        id=c.id or 0, patient_control_number=c.patient_control_number, status=c.status, kind=c.kind,
        encounter_id=c.encounter_id, coverage_id=c.coverage_id, payer_id=c.payer_id, frequency=c.frequency,
        payer_claim_number=c.payer_claim_number, total_charge=c.total_charge.to_json(),
        first_pass_clean=c.first_pass_clean, scrub_runs=c.scrub_runs,
        lines=[ClaimLineOut(line_no=li.line_no, line_control_number=li.line_control_number, charge=li.charge.to_json())
               for li in c.lines],
        history=[ClaimEventOut(at=e.at, actor=e.actor, from_status=e.from_status, to_status=e.to_status, reason=e.reason)
                 for e in (detail.history if detail else ())],
        findings=[FindingOut(code=f.code, severity=f.severity, message=f.message, location=f.location)
                  for f in (detail.findings if detail else ())],
    )  # fmt: skip


def _data(body: Any) -> dict[str, Any]:
    data: dict[str, Any] = body.model_dump(exclude_unset=True)
    return data


@router.get("/fees", response_model=list[FeeOut])
def list_fees(ctx: Ctx) -> list[FeeOut]:
    return [_fee(e) for e in charges.list_fees(ctx)]


@router.post("/fees", response_model=FeeOut, status_code=201)
def add_fee(ctx: Ctx, body: FeeIn) -> FeeOut:
    return _fee(charges.add_fee(ctx, _data(body)))


@router.get("/patients/{patient_id}/authorizations", response_model=list[AuthorizationOut])
def list_authorizations(ctx: Ctx, patient_id: int) -> list[AuthorizationOut]:
    return [_auth(a) for a in charges.list_authorizations(ctx, patient_id)]


@router.post(
    "/patients/{patient_id}/authorizations", response_model=AuthorizationOut, status_code=201
)
def add_authorization(ctx: Ctx, patient_id: int, body: AuthorizationIn) -> AuthorizationOut:
    return _auth(charges.add_authorization(ctx, patient_id, _data(body)))


@router.post("/encounters", response_model=EncounterOut, status_code=201)
def enter_charges(ctx: Ctx, body: EncounterIn) -> EncounterOut:
    """Enter an encounter and its service lines; charges default to the fee schedule."""
    data = _data(body)
    data["lines"] = [line.model_dump(exclude_unset=True) for line in body.lines or []]
    data["diagnoses"] = [d if isinstance(d, str) else d.model_dump() for d in body.diagnoses or []]
    return _encounter(charges.enter_charges(ctx, data))


@router.get("/encounters/{encounter_id}", response_model=EncounterOut)
def get_encounter(ctx: Ctx, encounter_id: int) -> EncounterOut:
    return _encounter(charges.get_encounter(ctx, encounter_id))


@router.get("/reports/missing-charges", response_model=list[EncounterOut])
def missing_charges(ctx: Ctx, days: int = 3) -> list[EncounterOut]:
    return [_encounter(e) for e in charges.missing_charges(ctx, days)]


@router.post("/claims", response_model=list[ClaimOut], status_code=201)
def create_claims(ctx: Ctx, encounter_ids: list[int] | None = None) -> list[ClaimOut]:
    """Create claims for the given encounters (default: every unbilled encounter)."""
    return [_claim(c) for c in claims.create_claims(ctx, encounter_ids)]


@router.get("/claims", response_model=list[ClaimOut])
def list_claims(ctx: Ctx, status: str | None = None) -> list[ClaimOut]:
    return [_claim(c) for c in claims.list_claims(ctx, status)]


@router.get("/claims/{claim_id}", response_model=ClaimOut)
def get_claim(ctx: Ctx, claim_id: int) -> ClaimOut:
    detail = claims.get_claim(ctx, claim_id)
    return _claim(detail.record, detail)


@router.post("/claims/{claim_id}/status", response_model=ClaimOut)
def change_status(ctx: Ctx, claim_id: int, body: ClaimStatusIn) -> ClaimOut:
    return _claim(claims.change_status(ctx, claim_id, body.to, body.reason))


@router.post("/claims/scrub", response_model=list[ScrubResultOut])
def scrub(ctx: Ctx, claim_ids: list[int] | None = None) -> list[ScrubResultOut]:
    """Scrub the given claims (default: every claim waiting for a scrub)."""
    return [
        ScrubResultOut(
            claim_id=r.claim.id or 0, status=r.claim.status, clean=r.clean,
            findings=[FindingOut(code=f.code, severity=f.severity, message=f.message, location=f.location)
                      for f in r.findings],
        )
        for r in scrubbing.scrub_claims(ctx, claim_ids)
    ]  # fmt: skip


@router.get("/claims/{claim_id}/x12", response_class=PlainTextResponse)
def claim_x12(ctx: Ctx, claim_id: int, request: Request) -> str:
    from revcycle.db.control_numbers import SqlControlNumbers
    from revcycle.services.x12_out import claims_837

    return claims_837(ctx, [str(claim_id)], SqlControlNumbers(request.app.state.engine))


@router.get("/claims/{claim_id}/pdf", response_class=Response)
def claim_pdf(ctx: Ctx, claim_id: int, data_only: bool = False) -> Response:
    from revcycle.services.forms_out import claim_pdf as make_pdf

    pcn, pdf = make_pdf(ctx, str(claim_id), data_only=data_only)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{pcn}.pdf"'},
    )
