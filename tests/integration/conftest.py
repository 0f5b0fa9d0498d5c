"""A practice ready to bill: providers, facility, payers with plans and enrollments, fees and
patients with coverages. Shared by the charge entry, claims and scrubber tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from revcycle.services import charges, patients, setup
from revcycle.services.context import Context
from tests.conftest import patient_data, practice_data

FEES = {
    "99213": "120.00",
    "99214": "175.00",
    "93000": "45.00",
    "20610": "210.00",
    "80053": "38.00",
    "70551": "900.00",
    "97110": "60.00",
    "11042": "300.00",
    "J1100": "12.50",
    "00790": "50.00",
}


@dataclass
class Billing:
    ctx: Context
    rendering: int
    referring: int
    facility: int
    payers: dict[str, int]
    plans: dict[str, int]
    self_pt: int  # PPO subscriber
    child_pt: int  # PPO dependent
    medicare_pt: int
    hmo_pt: int

    def encounter(self, patient: int | None = None, **overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "patient_id": patient or self.self_pt,
            "dos_from": "2026-06-01",
            "rendering_provider_id": self.rendering,
            "facility_id": self.facility,
            "place_of_service": "11",
            "diagnoses": ["E11.9", "I10"],
            "lines": [{"procedure": "99213", "pointers": "1,2"}],
        }
        data.update(overrides)
        return data


@pytest.fixture
def billing(operator: Context) -> Billing:
    practice = setup.create_practice(
        operator,
        practice_data(
            pay_to_address={
                "line1": "PO Box 9",
                "city": "Springfield",
                "state": "IL",
                "zip": "627080009",
            }
        ),
    )
    ctx = operator.with_practice(practice.id)
    rendering = setup.create_provider(
        ctx,
        {
            "npi": "1558444216",
            "first_name": "Helen",
            "last_name": "Okonkwo",
            "credential": "MD",
            "roles": "rendering,billing",
            "taxonomy": "207Q00000X",
        },
    )
    referring = setup.create_provider(
        ctx,
        {"npi": "1992999155", "first_name": "Samuel", "last_name": "Ortiz", "roles": "referring"},
    )
    facility = setup.create_facility(
        ctx,
        {
            "name": "Main Clinic",
            "place_of_service": "11",
            "npi": "1234567893",
            "address": {
                "line1": "100 Main St",
                "city": "Springfield",
                "state": "IL",
                "zip": "627011234",
            },
        },
    )
    payers, plans = {}, {}
    for pid, name, cls, cfi in (
        ("SIMPPO", "Acme Health PPO", "commercial", "12"),
        ("SIMHMO", "Summit HMO", "commercial", "HM"),
        ("SIMMCR", "Medicare Part B", "medicare", "MB"),
    ):
        payer = setup.create_payer(
            ctx,
            {
                "name": name,
                "payer_id": pid,
                "payer_class": cls,
                "address": {
                    "line1": "1 Payer Way",
                    "city": "Chicago",
                    "state": "IL",
                    "zip": "60601",
                },
            },
        )
        payers[pid] = payer.id
        plans[pid] = setup.add_plan(
            ctx, payer.id, {"name": f"{name} plan", "claim_filing_indicator": cfi}
        ).id
        setup.add_enrollment(ctx, payer.id, {"effective": "2020-01-01", "era": True})
    for code, amount in FEES.items():
        charges.add_fee(ctx, {"procedure": code, "amount": amount})
    charges.add_fee(ctx, {"procedure": "93000", "modifier": "26", "amount": "15.00"})
    me = patients.register_patient(ctx, patient_data(mrn="S1"))
    patients.add_coverage(
        ctx,
        me.id,
        {"payer": "SIMPPO", "member_id": "W100", "group_number": "G1", "effective": "2026-01-01"},
    )
    child = patients.register_patient(
        ctx, patient_data(mrn="C1", first_name="Leo", dob="2016-02-02", sex="M")
    )
    patients.add_coverage(
        ctx,
        child.id,
        {
            "payer": "SIMPPO",
            "member_id": "W101",
            "group_number": "G1",
            "effective": "2026-01-01",
            "relationship": "19",
            "subscriber": {
                "last_name": "Rivera",
                "first_name": "Ana",
                "dob": "1980-04-02",
                "sex": "F",
                "address": {
                    "line1": "12 Oak St",
                    "city": "Springfield",
                    "state": "IL",
                    "zip": "62704",
                },
            },
        },
    )
    old = patients.register_patient(
        ctx, patient_data(mrn="M1", first_name="Walt", last_name="Hale", dob="1950-03-03", sex="M")
    )
    patients.add_coverage(
        ctx, old.id, {"payer": "SIMMCR", "member_id": "1EG4TE5MK73", "effective": "2026-01-01"}
    )
    hmo = patients.register_patient(
        ctx, patient_data(mrn="H1", first_name="Ivy", last_name="Chen", dob="1990-09-09")
    )
    patients.add_coverage(
        ctx, hmo.id, {"payer": "SIMHMO", "member_id": "H200", "effective": "2026-01-01"}
    )
    return Billing(
        ctx, rendering.id, referring.id, facility.id, payers, plans, me.id, child.id, old.id, hmo.id
    )
