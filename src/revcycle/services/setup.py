"""Use cases for the practice's set-up: the practice itself, providers, facilities, payers,
their plans and the practice's enrollment with them.

Creating a practice is an operator action (it creates a tenant); everything else acts inside
the context's practice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from revcycle.domain.errors import DomainValidationError, NotFound
from revcycle.domain.payer import (
    Enrollment,
    Payer,
    Plan,
    parse_enrollment,
    parse_payer,
    parse_plan,
)
from revcycle.domain.practice import Practice, parse_practice
from revcycle.domain.provider import Facility, Provider, parse_facility, parse_provider
from revcycle.domain.user import READ_REGISTRATION, WRITE_SETUP
from revcycle.services._merge import merge
from revcycle.services.context import ALL_PERMISSIONS, Context

Data = Mapping[str, Any]


def create_practice(ctx: Context, data: Data) -> Practice:
    if ctx.permissions != ALL_PERMISSIONS or ctx.channel != "cli":
        ctx.require("practices:create")
    practice = parse_practice(data)
    with ctx.uow() as uow:
        practice = uow.practices.add(practice)
        ctx.with_practice(practice.id or 0).audit(uow, "create", "practice", practice.id)
        uow.commit()
    return practice


def _own_practice(ctx: Context, practice_id: int | None) -> int:
    pid = practice_id if practice_id is not None else ctx.practice_id
    if pid is None or (ctx.channel != "cli" and pid != ctx.practice_id):
        raise NotFound("practice", practice_id)
    return pid


def get_practice(ctx: Context, practice_id: int | None = None) -> Practice:
    ctx.require(READ_REGISTRATION)
    pid = _own_practice(ctx, practice_id)
    with ctx.uow() as uow:
        return uow.practices.get(pid)


def list_practices(ctx: Context) -> Sequence[Practice]:
    """All practices for the operator; only its own for an API user."""
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        if ctx.channel == "cli":
            return uow.practices.list()
        return [uow.practices.get(_own_practice(ctx, None))]


def update_practice(ctx: Context, changes: Data, practice_id: int | None = None) -> Practice:
    ctx.require(WRITE_SETUP)
    pid = _own_practice(ctx, practice_id)
    with ctx.uow() as uow:
        current = uow.practices.get(pid)
        practice = parse_practice(merge(current.to_fields(), changes), id=pid)
        uow.practices.update(practice)
        ctx.audit(uow, "update", "practice", pid)
        uow.commit()
    return practice


def create_provider(ctx: Context, data: Data) -> Provider:
    ctx.require(WRITE_SETUP)
    provider = parse_provider(data)
    with ctx.uow() as uow:
        provider = uow.providers.add(provider)
        ctx.audit(uow, "create", "provider", provider.id)
        uow.commit()
    return provider


def update_provider(ctx: Context, provider_id: int, changes: Data) -> Provider:
    ctx.require(WRITE_SETUP)
    with ctx.uow() as uow:
        current = uow.providers.get(provider_id)
        provider = parse_provider(merge(current.to_fields(), changes), id=provider_id)
        uow.providers.update(provider)
        ctx.audit(uow, "update", "provider", provider_id)
        uow.commit()
    return provider


def get_provider(ctx: Context, provider_id: int) -> Provider:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        return uow.providers.get(provider_id)


def list_providers(ctx: Context) -> Sequence[Provider]:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        return uow.providers.list()


def create_facility(ctx: Context, data: Data) -> Facility:
    ctx.require(WRITE_SETUP)
    facility = parse_facility(data)
    _check_pos(facility.place_of_service)
    with ctx.uow() as uow:
        facility = uow.facilities.add(facility)
        ctx.audit(uow, "create", "facility", facility.id)
        uow.commit()
    return facility


def update_facility(ctx: Context, facility_id: int, changes: Data) -> Facility:
    ctx.require(WRITE_SETUP)
    with ctx.uow() as uow:
        current = uow.facilities.get(facility_id)
        facility = parse_facility(merge(current.to_fields(), changes), id=facility_id)
        _check_pos(facility.place_of_service)
        uow.facilities.update(facility)
        ctx.audit(uow, "update", "facility", facility_id)
        uow.commit()
    return facility


def _check_pos(code: str) -> None:
    from revcycle.services.codes import place_of_service_exists

    if not place_of_service_exists(code):
        raise DomainValidationError.single(
            "place_of_service", "pos_unknown", "is not a CMS place-of-service code"
        )


def get_facility(ctx: Context, facility_id: int) -> Facility:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        return uow.facilities.get(facility_id)


def list_facilities(ctx: Context) -> Sequence[Facility]:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        return uow.facilities.list()


def create_payer(ctx: Context, data: Data) -> Payer:
    ctx.require(WRITE_SETUP)
    payer = parse_payer(data)
    with ctx.uow() as uow:
        if uow.payers.by_payer_id(payer.payer_id):
            raise DomainValidationError.single(
                "payer_id", "duplicate", "another payer of this practice has this payer ID"
            )
        payer = uow.payers.add(payer)
        ctx.audit(uow, "create", "payer", payer.id)
        uow.commit()
    return payer


def update_payer(ctx: Context, payer_id: int, changes: Data) -> Payer:
    ctx.require(WRITE_SETUP)
    with ctx.uow() as uow:
        current = uow.payers.get(payer_id)
        payer = parse_payer(merge(current.to_fields(), changes), id=payer_id)
        other = uow.payers.by_payer_id(payer.payer_id)
        if other and other.id != payer_id:
            raise DomainValidationError.single(
                "payer_id", "duplicate", "another payer of this practice has this payer ID"
            )
        uow.payers.update(payer)
        ctx.audit(uow, "update", "payer", payer_id)
        uow.commit()
    return payer


def get_payer(ctx: Context, payer_id: int) -> Payer:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        return uow.payers.get(payer_id)


def list_payers(ctx: Context) -> Sequence[Payer]:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        return uow.payers.list()


def add_plan(ctx: Context, payer_id: int, data: Data) -> Plan:
    ctx.require(WRITE_SETUP)
    with ctx.uow() as uow:
        uow.payers.get(payer_id)
        plan = parse_plan(data, payer_id)
        if any(p.name.lower() == plan.name.lower() for p in uow.plans.for_payer(payer_id)):
            raise DomainValidationError.single(
                "name", "duplicate", "the payer already has a plan with this name"
            )
        plan = uow.plans.add(plan)
        ctx.audit(uow, "create", "plan", plan.id)
        uow.commit()
    return plan


def list_plans(ctx: Context, payer_id: int | None = None) -> Sequence[Plan]:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        if payer_id is None:
            return uow.plans.list()
        uow.payers.get(payer_id)
        return uow.plans.for_payer(payer_id)


def add_enrollment(ctx: Context, payer_id: int, data: Data) -> Enrollment:
    ctx.require(WRITE_SETUP)
    enrollment = parse_enrollment(data, payer_id)
    with ctx.uow() as uow:
        uow.payers.get(payer_id)
        if enrollment.provider_id is not None:
            try:
                uow.providers.get(enrollment.provider_id)
            except NotFound:
                raise DomainValidationError.single(
                    "provider_id", "unknown_provider", "no such provider in this practice"
                ) from None
        enrollment = uow.enrollments.add(enrollment)
        ctx.audit(uow, "create", "enrollment", enrollment.id)
        uow.commit()
    return enrollment


def list_enrollments(ctx: Context, payer_id: int) -> Sequence[Enrollment]:
    ctx.require(READ_REGISTRATION)
    with ctx.uow() as uow:
        uow.payers.get(payer_id)
        return uow.enrollments.for_payer(payer_id)
