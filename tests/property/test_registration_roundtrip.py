"""Round trips: what the parsers accept, ``to_fields`` gives back unchanged."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from revcycle.domain.coverage import RELATIONSHIP_CODES, parse_coverage
from revcycle.domain.identifiers import STATE_CODES
from revcycle.domain.patient import parse_patient
from revcycle.domain.payer import Plan

TODAY = date(2026, 6, 15)
names = st.from_regex(r"[A-Z][a-z]{1,12}( [A-Z][a-z]{1,10})?", fullmatch=True)
zips = st.from_regex(r"\d{5}(\d{4})?", fullmatch=True)
addresses = st.fixed_dictionaries(
    {
        "line1": st.from_regex(r"[1-9]\d{0,4} [A-Z][a-z]{2,10} St", fullmatch=True),
        "city": names,
        "state": st.sampled_from(sorted(STATE_CODES)),
        "zip": zips,
    }
)
dobs = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)


@given(
    mrn=st.from_regex(r"[A-Z0-9]{1,12}", fullmatch=True),
    last=names,
    first=names,
    dob=dobs,
    sex=st.sampled_from("FMU"),
    address=addresses,
)
def test_patient_fields_round_trip(mrn, last, first, dob, sex, address):
    p = parse_patient(
        {
            "mrn": mrn,
            "last_name": last,
            "first_name": first,
            "dob": dob,
            "sex": sex,
            "address": address,
        },
        TODAY,
    )
    assert parse_patient(p.to_fields(), TODAY) == p


@given(
    member=st.from_regex(r"[A-Z0-9]{1,20}", fullmatch=True),
    rel=st.sampled_from(sorted(RELATIONSHIP_CODES)),
    sub_dob=dobs,
    address=addresses,
    eff=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)),
)
def test_coverage_fields_round_trip(member, rel, sub_dob, address, eff):
    plan = Plan(1, "PPO", "PPO", "12", id=5)
    data = {
        "member_id": member,
        "relationship": rel,
        "effective": eff,
        "subscriber": {
            "last_name": "Doe",
            "first_name": "Jo",
            "dob": sub_dob,
            "sex": "F",
            "address": address,
        },
    }
    c = parse_coverage(data, patient_id=1, plan=plan, today=TODAY)
    assert parse_coverage(c.to_fields(), patient_id=1, plan=plan, today=TODAY) == c
