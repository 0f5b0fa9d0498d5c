"""The caller's practice, its providers, facilities, payers, plans and enrollments."""

from __future__ import annotations

from fastapi import APIRouter

from revcycle.api.deps import Ctx
from revcycle.api.schemas import (
    EnrollmentIn,
    EnrollmentOut,
    FacilityIn,
    FacilityOut,
    PayerIn,
    PayerOut,
    PlanIn,
    PlanOut,
    PracticeIn,
    PracticeOut,
    ProviderIn,
    ProviderOut,
)
from revcycle.services import setup

router = APIRouter(tags=["setup"])


def _data(
    body: PracticeIn | ProviderIn | FacilityIn | PayerIn | PlanIn | EnrollmentIn,
) -> dict[str, object]:
    return body.model_dump(exclude_unset=True)


@router.get("/practice", response_model=PracticeOut)
def get_practice(ctx: Ctx) -> PracticeOut:
    return PracticeOut.model_validate(setup.get_practice(ctx))


@router.patch("/practice", response_model=PracticeOut)
def update_practice(ctx: Ctx, body: PracticeIn) -> PracticeOut:
    return PracticeOut.model_validate(setup.update_practice(ctx, _data(body)))


@router.get("/providers", response_model=list[ProviderOut])
def list_providers(ctx: Ctx) -> list[ProviderOut]:
    return [ProviderOut.model_validate(p) for p in setup.list_providers(ctx)]


@router.post("/providers", response_model=ProviderOut, status_code=201)
def create_provider(ctx: Ctx, body: ProviderIn) -> ProviderOut:
    return ProviderOut.model_validate(setup.create_provider(ctx, _data(body)))


@router.get("/providers/{provider_id}", response_model=ProviderOut)
def get_provider(ctx: Ctx, provider_id: int) -> ProviderOut:
    return ProviderOut.model_validate(setup.get_provider(ctx, provider_id))


@router.patch("/providers/{provider_id}", response_model=ProviderOut)
def update_provider(ctx: Ctx, provider_id: int, body: ProviderIn) -> ProviderOut:
    return ProviderOut.model_validate(setup.update_provider(ctx, provider_id, _data(body)))


@router.get("/facilities", response_model=list[FacilityOut])
def list_facilities(ctx: Ctx) -> list[FacilityOut]:
    return [FacilityOut.model_validate(f) for f in setup.list_facilities(ctx)]


@router.post("/facilities", response_model=FacilityOut, status_code=201)
def create_facility(ctx: Ctx, body: FacilityIn) -> FacilityOut:
    return FacilityOut.model_validate(setup.create_facility(ctx, _data(body)))


@router.get("/facilities/{facility_id}", response_model=FacilityOut)
def get_facility(ctx: Ctx, facility_id: int) -> FacilityOut:
    return FacilityOut.model_validate(setup.get_facility(ctx, facility_id))


@router.patch("/facilities/{facility_id}", response_model=FacilityOut)
def update_facility(ctx: Ctx, facility_id: int, body: FacilityIn) -> FacilityOut:
    return FacilityOut.model_validate(setup.update_facility(ctx, facility_id, _data(body)))


@router.get("/payers", response_model=list[PayerOut])
def list_payers(ctx: Ctx) -> list[PayerOut]:
    return [PayerOut.model_validate(p) for p in setup.list_payers(ctx)]


@router.post("/payers", response_model=PayerOut, status_code=201)
def create_payer(ctx: Ctx, body: PayerIn) -> PayerOut:
    return PayerOut.model_validate(setup.create_payer(ctx, _data(body)))


@router.get("/payers/{payer_id}", response_model=PayerOut)
def get_payer(ctx: Ctx, payer_id: int) -> PayerOut:
    return PayerOut.model_validate(setup.get_payer(ctx, payer_id))


@router.patch("/payers/{payer_id}", response_model=PayerOut)
def update_payer(ctx: Ctx, payer_id: int, body: PayerIn) -> PayerOut:
    return PayerOut.model_validate(setup.update_payer(ctx, payer_id, _data(body)))


@router.get("/payers/{payer_id}/plans", response_model=list[PlanOut])
def list_plans(ctx: Ctx, payer_id: int) -> list[PlanOut]:
    return [PlanOut.model_validate(p) for p in setup.list_plans(ctx, payer_id)]


@router.post("/payers/{payer_id}/plans", response_model=PlanOut, status_code=201)
def add_plan(ctx: Ctx, payer_id: int, body: PlanIn) -> PlanOut:
    return PlanOut.model_validate(setup.add_plan(ctx, payer_id, _data(body)))


@router.get("/payers/{payer_id}/enrollments", response_model=list[EnrollmentOut])
def list_enrollments(ctx: Ctx, payer_id: int) -> list[EnrollmentOut]:
    return [EnrollmentOut.model_validate(e) for e in setup.list_enrollments(ctx, payer_id)]


@router.post("/payers/{payer_id}/enrollments", response_model=EnrollmentOut, status_code=201)
def add_enrollment(ctx: Ctx, payer_id: int, body: EnrollmentIn) -> EnrollmentOut:
    return EnrollmentOut.model_validate(setup.add_enrollment(ctx, payer_id, _data(body)))
