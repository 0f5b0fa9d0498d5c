from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from revcycle.codesets import MalformedCodeFile
from revcycle.codesets.reference import (
    ACTIONS,
    ROOT_CAUSES,
    bundled_lists,
    carc_root_cause,
    load_code_list_csv,
)

REFERENCE = Path("/work/shared/reference/data")


def test_every_carc_has_a_known_root_cause_and_action():
    carc = bundled_lists()["carc"]
    assert len(carc) == 407
    for entry in carc.rows():
        assert entry.attr("category") in ROOT_CAUSES
        assert entry.attr("action") in ACTIONS
        assert entry.description


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("1", "patient_responsibility"),
        ("4", "coding"),
        ("15", "authorization"),
        ("16", "missing_information"),
        ("18", "duplicate"),
        ("22", "cob"),
        ("27", "eligibility"),
        ("29", "timely_filing"),
        ("31", "registration"),
        ("45", "contractual"),
        ("50", "medical_necessity"),
        ("96", "non_covered"),
        ("97", "bundling"),
        ("146", "coding"),
        ("197", "authorization"),
        ("206", "provider_enrollment"),
        ("236", "bundling"),
        ("B7", "provider_enrollment"),
    ],
)
def test_carc_root_causes_follow_the_denials_reference(code, category):
    assert carc_root_cause(code)[0] == category


def test_unknown_carc_is_other():
    assert carc_root_cause("999") == ("other", "none")


def test_bundled_lists_hold_the_code_values_of_the_reference_lists():
    lists = bundled_lists()
    if REFERENCE.exists():
        with (REFERENCE / "carc_bfd.csv").open() as f:
            assert {r["code"] for r in csv.DictReader(f)} == set(lists["carc"].entries)
        with (REFERENCE / "place_of_service_bfd.csv").open() as f:
            assigned = {
                r["code"] for r in csv.DictReader(f) if "UNASSIGNED" not in r["description"]
            }
        assert set(lists["pos"].entries) == assigned - {"~", "00"}
    assert {"CO", "CR", "OA", "PI", "PR"} == set(lists["cas_group"].entries)
    assert {"1", "7", "8"} <= set(lists["claim_frequency"].entries)
    assert len(lists["rarc"]) > 900 and "M1" in lists["rarc"]
    assert "F2" in lists["status_category_277"]
    assert lists["service_type_271"].get("30").description.startswith("Health benefit")


def test_modifiers_named_in_the_issue_are_present():
    mods = bundled_lists()["modifier"]
    for m in [
        "25",
        "26",
        "50",
        "51",
        "59",
        "76",
        "77",
        "91",
        "XE",
        "XS",
        "XP",
        "XU",
        "LT",
        "RT",
        "TC",
        "GA",
        "GZ",
        "GY",
        "QW",
        "KX",
    ]:
        assert m in mods, m


def test_pos_knows_facility_settings():
    pos = bundled_lists()["pos"]
    assert pos.get("21").attr("facility") == "F"
    assert pos.get("11").attr("facility") == "N"
    assert not pos.get("10").valid_on(date(2021, 6, 1))


def test_inactive_carc_is_not_valid(cs):
    assert not bundled_lists()["carc"].get("17").active


def test_published_list_refreshes_text_and_keeps_root_causes(tmp_path):
    path = tmp_path / "carc.csv"
    path.write_text(
        "Code,Description,Start Date,Stop Date\n"
        "16,Official wording here,1995-01-01,\n"
        "309,A brand new code,2026-03-01,\n"
        "17,Retired code,1995-01-01,2008-01-01\n"
    )
    carc = load_code_list_csv(path, "carc", bundled_lists()["carc"])
    assert carc.get("16").description == "Official wording here"
    assert carc.get("16").attr("category") == "missing_information"
    assert carc.get("309").attr("category") == "other"
    assert not carc.get("17").valid_on(date(2010, 1, 1))
    assert not carc.get("309").valid_on(date(2026, 1, 1))


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("Nope,Nothing\n16,x\n", 1),
        ("code,description,start\n16,x,2020-13-01\n", 2),
        ("code,description\n16,ok\n#$%,bad\n", 3),
        ("code,description\n", 1),
    ],
)
def test_malformed_published_lists_are_rejected(tmp_path, text, line):
    path = tmp_path / "list.csv"
    path.write_text(text)
    with pytest.raises(MalformedCodeFile) as err:
        load_code_list_csv(path, "rarc")
    assert err.value.line == line
