"""``revcycle practices|providers|facilities|payers``: the practice's set-up."""

from __future__ import annotations

from typing import Annotated

import typer

from revcycle.cli.common import (
    DbOpt,
    JsonOpt,
    PracticeOpt,
    emit,
    handled,
    nest,
    out_console,
    show_fields,
    state,
)

practices = typer.Typer(
    help="The practice (tenant): legal name, TIN, group NPI, addresses.", no_args_is_help=True
)
providers = typer.Typer(
    help="Billing, rendering, referring and supervising providers.", no_args_is_help=True
)
facilities = typer.Typer(help="Facilities and service locations.", no_args_is_help=True)
payers = typer.Typer(
    help="Payers, their plans, and the practice's enrollment.", no_args_is_help=True
)

Opt = typer.Option

# Address options shared by several commands.
Line1 = Annotated[str | None, Opt("--line1", help="Street address")]
Line2 = Annotated[str | None, Opt("--line2", help="Suite, unit")]
City = Annotated[str | None, Opt("--city")]
StateCode = Annotated[str | None, Opt("--state", help="USPS state code")]
Zip = Annotated[str | None, Opt("--zip", help="ZIP or ZIP+4")]


def _practice_data(
    legal_name: str | None,
    tin: str | None,
    group_npi: str | None,
    taxonomy: str | None,
    line1: str | None,
    line2: str | None,
    city: str | None,
    state_code: str | None,
    zip_code: str | None,
    phone: str | None,
    pay_to_line1: str | None,
    pay_to_city: str | None,
    pay_to_state: str | None,
    pay_to_zip: str | None,
) -> dict[str, object]:
    return nest(
        {
            "legal_name": legal_name,
            "tin": tin,
            "group_npi": group_npi,
            "taxonomy": taxonomy,
            "billing_address.line1": line1,
            "billing_address.line2": line2,
            "billing_address.city": city,
            "billing_address.state": state_code,
            "billing_address.zip": zip_code,
            "phone": phone,
            "pay_to_address.line1": pay_to_line1,
            "pay_to_address.city": pay_to_city,
            "pay_to_address.state": pay_to_state,
            "pay_to_address.zip": pay_to_zip,
        }
    )


def _show_practice(p: object, as_json: bool) -> None:
    from revcycle.api.schemas import PracticeOut

    model = PracticeOut.model_validate(p)
    emit(model, as_json, lambda: show_fields(f"Practice {model.id}", model.model_dump()))


@practices.command("create")
def practices_create(
    legal_name: Annotated[str, Opt("--legal-name")],
    tin: Annotated[str, Opt("--tin", help="EIN, 9 digits")],
    group_npi: Annotated[str, Opt("--npi", help="Group (type 2) NPI")],
    taxonomy: Annotated[str, Opt("--taxonomy")],
    line1: Line1 = None,
    line2: Line2 = None,
    city: City = None,
    state_code: StateCode = None,
    zip_code: Zip = None,
    phone: Annotated[str | None, Opt("--phone")] = None,
    pay_to_line1: Annotated[str | None, Opt("--pay-to-line1")] = None,
    pay_to_city: Annotated[str | None, Opt("--pay-to-city")] = None,
    pay_to_state: Annotated[str | None, Opt("--pay-to-state")] = None,
    pay_to_zip: Annotated[str | None, Opt("--pay-to-zip")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a practice (a new tenant)."""
    from revcycle.services.setup import create_practice

    data = _practice_data(
        legal_name,
        tin,
        group_npi,
        taxonomy,
        line1,
        line2,
        city,
        state_code,
        zip_code,
        phone,
        pay_to_line1,
        pay_to_city,
        pay_to_state,
        pay_to_zip,
    )
    with handled():
        _show_practice(create_practice(state(db).context(need_practice=False), data), as_json)


@practices.command("update")
def practices_update(
    practice_id: Annotated[
        int | None, typer.Argument(help="Practice id (default: --practice)")
    ] = None,
    legal_name: Annotated[str | None, Opt("--legal-name")] = None,
    tin: Annotated[str | None, Opt("--tin")] = None,
    group_npi: Annotated[str | None, Opt("--npi")] = None,
    taxonomy: Annotated[str | None, Opt("--taxonomy")] = None,
    line1: Line1 = None,
    line2: Line2 = None,
    city: City = None,
    state_code: StateCode = None,
    zip_code: Zip = None,
    phone: Annotated[str | None, Opt("--phone")] = None,
    pay_to_line1: Annotated[str | None, Opt("--pay-to-line1")] = None,
    pay_to_city: Annotated[str | None, Opt("--pay-to-city")] = None,
    pay_to_state: Annotated[str | None, Opt("--pay-to-state")] = None,
    pay_to_zip: Annotated[str | None, Opt("--pay-to-zip")] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change fields of a practice."""
    from revcycle.services.setup import update_practice

    data = _practice_data(
        legal_name,
        tin,
        group_npi,
        taxonomy,
        line1,
        line2,
        city,
        state_code,
        zip_code,
        phone,
        pay_to_line1,
        pay_to_city,
        pay_to_state,
        pay_to_zip,
    )
    with handled():
        ctx = state(db, practice_id or practice).context()
        _show_practice(update_practice(ctx, data), as_json)


@practices.command("show")
def practices_show(
    practice_id: Annotated[int | None, typer.Argument()] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one practice."""
    from revcycle.services.setup import get_practice

    with handled():
        ctx = state(db, practice_id or practice).context()
        _show_practice(get_practice(ctx), as_json)


@practices.command("list")
def practices_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List the practices in this database."""
    from rich.table import Table

    from revcycle.api.schemas import PracticeOut
    from revcycle.services.setup import list_practices

    with handled():
        items = [
            PracticeOut.model_validate(p)
            for p in list_practices(state(db).context(need_practice=False))
        ]

    def human() -> None:
        t = Table("id", "legal name", "TIN", "group NPI", "city")
        for p in items:
            t.add_row(str(p.id), p.legal_name, p.tin, p.group_npi, p.billing_address.city)
        out_console.print(t)

    emit(items, as_json, human)


# ---- providers -------------------------------------------------------------------------------


def _show_provider(p: object, as_json: bool) -> None:
    from revcycle.api.schemas import ProviderOut

    model = ProviderOut.model_validate(p)
    emit(model, as_json, lambda: show_fields(f"Provider {model.id}", model.model_dump()))


@providers.command("create")
def providers_create(
    npi: Annotated[str, Opt("--npi")],
    last_name: Annotated[str, Opt("--last-name", help="Last name, or the organization's name")],
    roles: Annotated[
        str, Opt("--roles", help="Comma-separated: billing,rendering,referring,supervising")
    ],
    first_name: Annotated[str | None, Opt("--first-name")] = None,
    middle_name: Annotated[str | None, Opt("--middle-name")] = None,
    kind: Annotated[str, Opt("--kind", help="individual or organization")] = "individual",
    credential: Annotated[str | None, Opt("--credential", help="MD, DO, NP, ...")] = None,
    taxonomy: Annotated[str | None, Opt("--taxonomy")] = None,
    active_from: Annotated[str | None, Opt("--active-from")] = None,
    active_to: Annotated[str | None, Opt("--active-to")] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a provider."""
    from revcycle.services.setup import create_provider

    data = nest(
        {
            "npi": npi,
            "last_name": last_name,
            "first_name": first_name,
            "middle_name": middle_name,
            "roles": roles,
            "kind": kind,
            "credential": credential,
            "taxonomy": taxonomy,
            "active_from": active_from,
            "active_to": active_to,
        }
    )
    with handled():
        _show_provider(create_provider(state(db, practice).context(), data), as_json)


@providers.command("update")
def providers_update(
    provider_id: int,
    npi: Annotated[str | None, Opt("--npi")] = None,
    last_name: Annotated[str | None, Opt("--last-name")] = None,
    first_name: Annotated[str | None, Opt("--first-name")] = None,
    roles: Annotated[str | None, Opt("--roles")] = None,
    credential: Annotated[str | None, Opt("--credential")] = None,
    taxonomy: Annotated[str | None, Opt("--taxonomy")] = None,
    active_from: Annotated[str | None, Opt("--active-from")] = None,
    active_to: Annotated[str | None, Opt("--active-to")] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change fields of a provider."""
    from revcycle.services.setup import update_provider

    data = nest(
        {
            "npi": npi,
            "last_name": last_name,
            "first_name": first_name,
            "roles": roles,
            "credential": credential,
            "taxonomy": taxonomy,
            "active_from": active_from,
            "active_to": active_to,
        }
    )
    with handled():
        _show_provider(update_provider(state(db, practice).context(), provider_id, data), as_json)


@providers.command("show")
def providers_show(
    provider_id: int, db: DbOpt = None, practice: PracticeOpt = None, as_json: JsonOpt = False
) -> None:
    """Show one provider."""
    from revcycle.services.setup import get_provider

    with handled():
        _show_provider(get_provider(state(db, practice).context(), provider_id), as_json)


@providers.command("list")
def providers_list(
    db: DbOpt = None, practice: PracticeOpt = None, as_json: JsonOpt = False
) -> None:
    """List the practice's providers."""
    from rich.table import Table

    from revcycle.api.schemas import ProviderOut
    from revcycle.services.setup import list_providers

    with handled():
        items = [
            ProviderOut.model_validate(p) for p in list_providers(state(db, practice).context())
        ]

    def human() -> None:
        t = Table("id", "name", "NPI", "roles", "taxonomy")
        for p in items:
            name = p.last_name if p.kind == "organization" else f"{p.last_name}, {p.first_name}"
            t.add_row(str(p.id), name, p.npi, ",".join(p.roles), p.taxonomy or "")
        out_console.print(t)

    emit(items, as_json, human)


# ---- facilities ------------------------------------------------------------------------------


def _show_facility(f: object, as_json: bool) -> None:
    from revcycle.api.schemas import FacilityOut

    model = FacilityOut.model_validate(f)
    emit(model, as_json, lambda: show_fields(f"Facility {model.id}", model.model_dump()))


@facilities.command("create")
def facilities_create(
    name: Annotated[str, Opt("--name")],
    place_of_service: Annotated[str, Opt("--pos", help="Place-of-service code, e.g. 11")],
    line1: Line1 = None,
    line2: Line2 = None,
    city: City = None,
    state_code: StateCode = None,
    zip_code: Zip = None,
    npi: Annotated[str | None, Opt("--npi")] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a facility or service location."""
    from revcycle.services.setup import create_facility

    data = nest(
        {
            "name": name,
            "place_of_service": place_of_service,
            "npi": npi,
            "address.line1": line1,
            "address.line2": line2,
            "address.city": city,
            "address.state": state_code,
            "address.zip": zip_code,
        }
    )
    with handled():
        _show_facility(create_facility(state(db, practice).context(), data), as_json)


@facilities.command("list")
def facilities_list(
    db: DbOpt = None, practice: PracticeOpt = None, as_json: JsonOpt = False
) -> None:
    """List the practice's facilities."""
    from rich.table import Table

    from revcycle.api.schemas import FacilityOut
    from revcycle.services.setup import list_facilities

    with handled():
        items = [
            FacilityOut.model_validate(f) for f in list_facilities(state(db, practice).context())
        ]

    def human() -> None:
        t = Table("id", "name", "POS", "NPI", "city")
        for f in items:
            t.add_row(str(f.id), f.name, f.place_of_service, f.npi or "", f.address.city)
        out_console.print(t)

    emit(items, as_json, human)


@facilities.command("show")
def facilities_show(
    facility_id: int, db: DbOpt = None, practice: PracticeOpt = None, as_json: JsonOpt = False
) -> None:
    """Show one facility."""
    from revcycle.services.setup import get_facility

    with handled():
        _show_facility(get_facility(state(db, practice).context(), facility_id), as_json)


# ---- payers ----------------------------------------------------------------------------------


def _show_payer(p: object, as_json: bool) -> None:
    from revcycle.api.schemas import PayerOut

    model = PayerOut.model_validate(p)
    emit(model, as_json, lambda: show_fields(f"Payer {model.id}", model.model_dump()))


@payers.command("create")
def payers_create(
    name: Annotated[str, Opt("--name")],
    payer_id: Annotated[str, Opt("--payer-id", help="The clearinghouse payer ID")],
    payer_class: Annotated[
        str, Opt("--class", help="medicare, medicaid, commercial, bcbs, ...")
    ] = "commercial",
    timely_filing_days: Annotated[int, Opt("--timely-filing-days")] = 365,
    route: Annotated[str, Opt("--route", help="Clearinghouse route name")] = "default",
    line1: Line1 = None,
    city: City = None,
    state_code: StateCode = None,
    zip_code: Zip = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a payer."""
    from revcycle.services.setup import create_payer

    data = nest(
        {
            "name": name,
            "payer_id": payer_id,
            "payer_class": payer_class,
            "timely_filing_days": timely_filing_days,
            "route": route,
            "address.line1": line1,
            "address.city": city,
            "address.state": state_code,
            "address.zip": zip_code,
        }
    )
    with handled():
        _show_payer(create_payer(state(db, practice).context(), data), as_json)


@payers.command("update")
def payers_update(
    payer_ref: Annotated[int, typer.Argument(help="Payer record id")],
    name: Annotated[str | None, Opt("--name")] = None,
    payer_id: Annotated[str | None, Opt("--payer-id")] = None,
    payer_class: Annotated[str | None, Opt("--class")] = None,
    timely_filing_days: Annotated[int | None, Opt("--timely-filing-days")] = None,
    route: Annotated[str | None, Opt("--route")] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change fields of a payer."""
    from revcycle.services.setup import update_payer

    data = nest(
        {
            "name": name,
            "payer_id": payer_id,
            "payer_class": payer_class,
            "timely_filing_days": timely_filing_days,
            "route": route,
        }
    )
    with handled():
        _show_payer(update_payer(state(db, practice).context(), payer_ref, data), as_json)


@payers.command("show")
def payers_show(
    payer_ref: int, db: DbOpt = None, practice: PracticeOpt = None, as_json: JsonOpt = False
) -> None:
    """Show one payer with its plans and enrollments."""
    from revcycle.services.setup import get_payer, list_enrollments, list_plans

    with handled():
        ctx = state(db, practice).context()
        payer = get_payer(ctx, payer_ref)
        plans = list_plans(ctx, payer_ref)
        enrollments = list_enrollments(ctx, payer_ref)
    if as_json:
        import json

        from revcycle.api.schemas import EnrollmentOut, PayerOut, PlanOut

        doc = PayerOut.model_validate(payer).model_dump(mode="json")
        doc["plans"] = [PlanOut.model_validate(p).model_dump(mode="json") for p in plans]
        doc["enrollments"] = [
            EnrollmentOut.model_validate(e).model_dump(mode="json") for e in enrollments
        ]
        typer.echo(json.dumps(doc, indent=2))
        return
    _show_payer(payer, False)
    for p in plans:
        out_console.print(
            f"  plan {p.id}: {p.name} ({p.plan_type}, filing indicator {p.claim_filing_indicator})"
        )
    for e in enrollments:
        who = f"provider {e.provider_id}" if e.provider_id else "group"
        out_console.print(
            f"  enrollment {e.id}: {who}, {e.participation}, EDI={e.edi} ERA={e.era} EFT={e.eft}, from {e.effective}"
        )


@payers.command("list")
def payers_list(db: DbOpt = None, practice: PracticeOpt = None, as_json: JsonOpt = False) -> None:
    """List the practice's payers."""
    from rich.table import Table

    from revcycle.api.schemas import PayerOut
    from revcycle.services.setup import list_payers

    with handled():
        items = [PayerOut.model_validate(p) for p in list_payers(state(db, practice).context())]

    def human() -> None:
        t = Table("id", "name", "payer ID", "class", "timely filing", "route")
        for p in items:
            t.add_row(
                str(p.id), p.name, p.payer_id, p.payer_class, f"{p.timely_filing_days} d", p.route
            )
        out_console.print(t)

    emit(items, as_json, human)


@payers.command("plan-add")
def payers_plan_add(
    payer_ref: Annotated[int, typer.Argument(help="Payer record id")],
    name: Annotated[str, Opt("--name")],
    claim_filing_indicator: Annotated[
        str, Opt("--filing-indicator", help="837 SBR09: CI, MB, MC, BL, HM, 16, ...")
    ],
    plan_type: Annotated[
        str, Opt("--plan-type", help="PPO, HMO, EPO, POS, Medicare, ...")
    ] = "other",
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a plan the payer sells."""
    from revcycle.api.schemas import PlanOut
    from revcycle.services.setup import add_plan

    data = {"name": name, "plan_type": plan_type, "claim_filing_indicator": claim_filing_indicator}
    with handled():
        plan = PlanOut.model_validate(add_plan(state(db, practice).context(), payer_ref, data))
    emit(plan, as_json, lambda: show_fields(f"Plan {plan.id}", plan.model_dump()))


@payers.command("enroll")
def payers_enroll(
    payer_ref: Annotated[int, typer.Argument(help="Payer record id")],
    effective: Annotated[str, Opt("--effective", help="Enrollment effective date")],
    provider_id: Annotated[
        int | None, Opt("--provider", help="Provider id (default: the whole group)")
    ] = None,
    edi: Annotated[bool, Opt("--edi/--no-edi")] = True,
    era: Annotated[bool, Opt("--era/--no-era")] = False,
    eft: Annotated[bool, Opt("--eft/--no-eft")] = False,
    participation: Annotated[
        str, Opt("--participation", help="participating or non_participating")
    ] = "participating",
    termination: Annotated[str | None, Opt("--termination")] = None,
    db: DbOpt = None,
    practice: PracticeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record the practice's (or a provider's) enrollment with a payer."""
    from revcycle.api.schemas import EnrollmentOut
    from revcycle.services.setup import add_enrollment

    data = nest(
        {
            "provider_id": provider_id,
            "edi": edi,
            "era": era,
            "eft": eft,
            "participation": participation,
            "effective": effective,
            "termination": termination,
        }
    )
    with handled():
        e = EnrollmentOut.model_validate(
            add_enrollment(state(db, practice).context(), payer_ref, data)
        )
    emit(e, as_json, lambda: show_fields(f"Enrollment {e.id}", e.model_dump()))
