"""Conversions between domain objects and table rows.

Stored rows were validated when written, so reading them back builds the dataclasses directly
instead of re-running the parsers (which would reject, say, a DOB that was valid yesterday).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from revcycle.domain.coverage import Coverage
from revcycle.domain.identifiers import Npi, Phone, StateCode, Taxonomy, Tin, Zip
from revcycle.domain.patient import Patient, Person
from revcycle.domain.payer import Enrollment, Payer, Plan
from revcycle.domain.practice import Practice
from revcycle.domain.provider import Facility, Provider
from revcycle.domain.values import Address

Row = dict[str, Any]


def address_json(a: Address | None) -> dict[str, Any] | None:
    return a.to_fields() if a else None


def address_from(d: dict[str, Any] | None) -> Address | None:
    if not d:
        return None
    return Address(
        line1=d["line1"],
        line2=d.get("line2"),
        city=d["city"],
        state=StateCode(d["state"]),
        zip=Zip(d["zip"]),
    )


def _address(d: dict[str, Any]) -> Address:
    a = address_from(d)
    assert a is not None
    return a


def person_json(p: Person | None) -> dict[str, Any] | None:
    if p is None:
        return None
    d = p.to_fields()
    d["dob"] = p.dob.isoformat() if p.dob else None
    return d


def person_from(d: dict[str, Any] | None) -> Person | None:
    if not d:
        return None
    return Person(
        last_name=d["last_name"],
        first_name=d["first_name"],
        middle_name=d.get("middle_name"),
        dob=date.fromisoformat(d["dob"]) if d.get("dob") else None,
        sex=d.get("sex"),
        address=address_from(d.get("address")),
        phone=Phone(d["phone"]) if d.get("phone") else None,
    )


def practice_row(p: Practice) -> Row:
    return {
        "legal_name": p.legal_name,
        "tin": p.tin,
        "group_npi": p.group_npi,
        "taxonomy": p.taxonomy,
        "billing_address": address_json(p.billing_address),
        "pay_to_address": address_json(p.pay_to_address),
        "phone": p.phone,
    }


def practice_from(r: Row) -> Practice:
    return Practice(
        legal_name=r["legal_name"],
        tin=Tin(r["tin"]),
        group_npi=Npi(r["group_npi"]),
        taxonomy=Taxonomy(r["taxonomy"]),
        billing_address=_address(r["billing_address"]),
        phone=Phone(r["phone"]),
        pay_to_address=address_from(r["pay_to_address"]),
        id=r["id"],
    )


def provider_row(p: Provider) -> Row:
    d = p.to_fields()
    d["roles"] = ",".join(p.roles)
    return d


def provider_from(r: Row) -> Provider:
    return Provider(
        kind=r["kind"],
        npi=Npi(r["npi"]),
        roles=tuple(x for x in r["roles"].split(",") if x),
        last_name=r["last_name"],
        first_name=r["first_name"],
        middle_name=r["middle_name"],
        credential=r["credential"],
        taxonomy=Taxonomy(r["taxonomy"]) if r["taxonomy"] else None,
        active_from=r["active_from"],
        active_to=r["active_to"],
        id=r["id"],
    )


def facility_row(f: Facility) -> Row:
    return {
        "name": f.name,
        "address": address_json(f.address),
        "place_of_service": f.place_of_service,
        "npi": f.npi,
    }


def facility_from(r: Row) -> Facility:
    return Facility(
        name=r["name"],
        address=_address(r["address"]),
        place_of_service=r["place_of_service"],
        npi=Npi(r["npi"]) if r["npi"] else None,
        id=r["id"],
    )


def payer_row(p: Payer) -> Row:
    d = p.to_fields()
    d["address"] = address_json(p.address)
    return d


def payer_from(r: Row) -> Payer:
    return Payer(
        name=r["name"],
        payer_id=r["payer_id"],
        payer_class=r["payer_class"],
        timely_filing_days=r["timely_filing_days"],
        route=r["route"],
        address=address_from(r["address"]),
        id=r["id"],
    )


def plan_row(p: Plan) -> Row:
    return {**p.to_fields(), "payer_ref": p.payer_id}


def plan_from(r: Row) -> Plan:
    return Plan(
        payer_id=r["payer_ref"],
        name=r["name"],
        plan_type=r["plan_type"],
        claim_filing_indicator=r["claim_filing_indicator"],
        id=r["id"],
    )


def enrollment_row(e: Enrollment) -> Row:
    d = e.to_fields()
    d["payer_ref"] = e.payer_id
    d["provider_ref"] = d.pop("provider_id")
    return d


def enrollment_from(r: Row) -> Enrollment:
    return Enrollment(
        payer_id=r["payer_ref"],
        provider_id=r["provider_ref"],
        edi=r["edi"],
        era=r["era"],
        eft=r["eft"],
        participation=r["participation"],
        effective=r["effective"],
        termination=r["termination"],
        id=r["id"],
    )


def patient_row(p: Patient) -> Row:
    d = p.to_fields()
    d["address"] = address_json(p.address)
    d["guarantor"] = person_json(p.guarantor)
    return d


def patient_from(r: Row) -> Patient:
    return Patient(
        mrn=r["mrn"],
        account_number=r["account_number"],
        last_name=r["last_name"],
        first_name=r["first_name"],
        middle_name=r["middle_name"],
        suffix=r["suffix"],
        dob=r["dob"],
        sex=r["sex"],
        address=_address(r["address"]),
        phone=Phone(r["phone"]) if r["phone"] else None,
        email=r["email"],
        date_of_death=r["date_of_death"],
        guarantor_relationship=r["guarantor_relationship"],
        guarantor=person_from(r["guarantor"]),
        id=r["id"],
    )


def coverage_row(c: Coverage) -> Row:
    d = c.to_fields()
    d["coverage_order"] = d.pop("order")
    d["subscriber"] = person_json(c.subscriber)
    d["patient_id"] = c.patient_id
    return d


def coverage_from(r: Row) -> Coverage:
    return Coverage(
        patient_id=r["patient_id"],
        plan_id=r["plan_id"],
        order=r["coverage_order"],
        member_id=r["member_id"],
        relationship=r["relationship"],
        effective=r["effective"],
        group_number=r["group_number"],
        subscriber=person_from(r["subscriber"]),
        termination=r["termination"],
        insurance_type_code=r["insurance_type_code"],
        id=r["id"],
    )
