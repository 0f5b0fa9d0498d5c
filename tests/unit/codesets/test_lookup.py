from __future__ import annotations

import json
from datetime import date

import pytest

from revcycle.codesets import LOOKUP_SYSTEMS, UnknownCodeSystem, lookup

DOS = date(2026, 3, 2)


def test_lookup_icd10cm(cs):
    r = lookup("e11.9", "icd10cm", DOS, cs)
    assert (r.code, r.found, r.valid_on_dos, r.billable, r.version) == (
        "E11.9",
        True,
        True,
        True,
        "FY2026",
    )
    assert r.description == "Type 2 diabetes mellitus without complications"
    header = lookup("E11", "icd10cm", DOS, cs)
    assert header.found and header.billable is False
    assert not lookup("E11.99", "icd10cm", DOS, cs).found
    assert not lookup("not a code", "icd10cm", DOS, cs).found


def test_lookup_without_a_date_uses_the_latest_version(cs):
    r = lookup("I10", "icd10cm", None, cs)
    assert r.found and r.valid_on_dos is None and r.billable


@pytest.mark.parametrize(
    ("code", "system", "found"),
    [
        ("25", "modifier", True),
        ("XS", "modifier", True),
        ("Q9", "modifier", False),
        ("11", "pos", True),
        ("1", "pos", True),
        ("30", "pos", False),
        ("16", "carc", True),
        ("B7", "carc", True),
        ("999", "carc", False),
        ("M1", "rarc", True),
        ("ZZ9", "rarc", False),
        ("A0428", "hcpcs", True),
        ("A042", "hcpcs", False),
    ],
)
def test_lookup_small_lists_and_format_only_systems(cs, code, system, found):
    assert lookup(code, system, DOS, cs).found is found


def test_lookup_result_serializes_to_the_cli_json_contract(cs):
    payload = json.loads(json.dumps(lookup("I10", "icd10cm", DOS, cs).as_dict()))
    assert {"code", "system", "found", "valid_on_dos", "billable", "description"} <= set(payload)


def test_every_documented_system_answers(cs):
    for system in LOOKUP_SYSTEMS:
        assert lookup("X", system, DOS, cs).system == system


def test_unknown_system_is_an_error(cs):
    with pytest.raises(UnknownCodeSystem):
        lookup("I10", "snomed", DOS, cs)


def test_lookup_is_fast(cs):
    import time

    lookup("I10", "icd10cm", DOS, cs)
    started = time.perf_counter()
    for _ in range(1000):
        lookup("E11.65", "icd10cm", DOS, cs)
    assert (time.perf_counter() - started) / 1000 < 0.001
