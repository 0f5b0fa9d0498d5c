from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revcycle.codesets import MalformedCodeFile, lookup
from revcycle.codesets.icd10cm import (
    CodeRange,
    Icd10CmCatalog,
    Icd10CmCode,
    Icd10CmVersion,
    fiscal_year,
    format_code,
    load_order_file,
    missing_version_label,
    normalize,
    parse_code_refs,
)
from revcycle.codesets.orderfile import format_order_line

FY27 = date(2026, 10, 1)


def test_bundled_fy2026_has_the_published_number_of_billable_codes(cs):
    version = cs.icd10cm.latest()
    assert version.name == "FY2026"
    assert sum(c.billable for c in version.rows()) == 74_719
    assert version.effective_from == date(2025, 10, 1)
    assert version.effective_to == date(2026, 9, 30)


def test_leaf_codes_are_billable_and_headers_are_not(cs):
    version = cs.icd10cm.latest()
    assert version.get("E11.9").billable
    assert not version.get("E11").billable
    assert version.get("S72.001A").billable
    assert not version.get("S72.001").billable


def test_codes_are_normalized_and_formatted():
    assert normalize(" e11.9 ") == "E119"
    assert format_code("E119") == "E11.9"
    assert format_code("I10") == "I10"


def test_fiscal_year_and_missing_version_label():
    assert fiscal_year(date(2026, 9, 30)) == 2026
    assert fiscal_year(date(2026, 10, 1)) == 2027
    assert missing_version_label(date(2026, 11, 5)) == "ICD-10-CM FY2027 (effective 2026-10-01)"


def test_a_date_no_version_covers_is_reported_never_guessed(cs):
    result = lookup("E11.9", "icd10cm", date(2026, 10, 15), cs)
    assert result.valid_on_dos is None
    assert "FY2027" in result.note


def test_order_file_loads_a_new_version(fixtures):
    v = load_order_file(fixtures / "icd10cm_order_2027.txt", name="FY2027", effective_from=FY27)
    assert len(v) == 9
    assert v.get("E11A1").billable
    assert not v.get("E11").billable
    assert v.effective_to == date(2027, 9, 30)
    assert v.get("S72001A").long_description.startswith("Fracture of unspecified part")


def test_catalog_picks_the_version_in_effect_on_the_date(cs, fixtures):
    fy27 = load_order_file(fixtures / "icd10cm_order_2027.txt", name="FY2027", effective_from=FY27)
    catalog = cs.icd10cm.with_version(fy27)
    assert catalog.version_for(date(2026, 9, 30)).name == "FY2026"
    assert catalog.version_for(date(2026, 10, 1)).name == "FY2027"
    assert catalog.version_for(date(2025, 9, 30)) is None
    assert cs.icd10cm.version_for(date(2026, 10, 1)) is None  # the original is unchanged


def test_loading_a_version_twice_replaces_it(cs, fixtures):
    fy27 = load_order_file(fixtures / "icd10cm_order_2027.txt", name="FY2027", effective_from=FY27)
    catalog = cs.icd10cm.with_version(fy27).with_version(fy27)
    assert [v.name for v in catalog.versions] == ["FY2026", "FY2027"]


def _good_line(n: int = 1, code: str = "E119") -> str:
    return format_order_line(n, code, True, "Short", "Long description")


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("00002 E119    1 too short", "at least 78"),
        (_good_line(2).replace("00002", "0000X"), "order number"),
        (_good_line(2, "E11*9"), "well-formed"),
        (_good_line(2, "E109")[:14] + "2" + _good_line(2)[15:], "billable flag"),
        (_good_line(1), "appears twice"),
    ],
)
def test_a_malformed_order_file_is_rejected_with_its_line_number(bad, reason):
    lines = [_good_line(1), bad, _good_line(3, "I10")]
    with pytest.raises(MalformedCodeFile) as err:
        load_order_file(lines, name="X", effective_from=FY27)
    assert err.value.line == 2
    assert reason in err.value.reason


def test_an_empty_order_file_is_rejected():
    with pytest.raises(MalformedCodeFile):
        load_order_file(["", "  "], name="X", effective_from=FY27)


def test_a_failed_load_leaves_the_catalog_untouched(cs):
    before = cs.icd10cm
    with pytest.raises(MalformedCodeFile):
        cs.with_icd10cm_version(load_order_file(["garbage"], name="Y", effective_from=FY27))
    assert cs.icd10cm is before


def test_version_rows_rebuild_an_equal_version(cs):
    small = Icd10CmVersion.from_rows(
        "T", FY27, [Icd10CmCode("I10", True, "s", "l"), Icd10CmCode("E11", False, "s", "l")]
    )
    again = Icd10CmVersion.from_rows("T", FY27, small.rows())
    assert list(again.rows()) == list(small.rows())


@given(
    code=st.from_regex(r"[A-Z][0-9][0-9A-Z]{1,5}", fullmatch=True),
    billable=st.booleans(),
    short=st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=60),
    long=st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=200),
)
def test_order_file_lines_round_trip(code, billable, short, long):
    v = load_order_file(
        [format_order_line(1, code, billable, short, long)], name="P", effective_from=FY27
    )
    row = v.get(code)
    assert (row.code, row.billable, row.short_description, row.long_description) == (
        code,
        billable,
        short,
        long,
    )


def test_code_references_in_notes_are_parsed_conservatively():
    assert parse_code_refs("diabetes due to underlying condition (E08.-)") == (
        CodeRange("E08", "E08"),
    )
    assert parse_code_refs("hypertensive disease (O10-O11, O13-O16)") == (
        CodeRange("O10", "O11"),
        CodeRange("O13", "O16"),
    )
    assert parse_code_refs("polyneuropathy in diabetes (E08-E13 with .42)") == ()


def test_code_range_compares_leading_characters():
    r = CodeRange("E08", "E13")
    assert r.contains("E119") and r.contains("E08") and not r.contains("E14")
    assert CodeRange("O244", "O244").contains("O24419")


def test_tabular_notes_know_excludes1_seventh_character_and_manifestations(cs):
    notes = cs.icd10cm_notes
    assert any(r.contains("E109") for r in notes.excludes1_of("E119"))
    assert "A" in notes.seventh_missing("S72001")
    assert notes.placeholder_fix("T148A") == "T148XXA"
    assert notes.is_manifestation("G63")
    assert not notes.is_manifestation("E119")


def test_empty_catalog_covers_nothing():
    assert Icd10CmCatalog().version_for(date(2026, 1, 1)) is None
