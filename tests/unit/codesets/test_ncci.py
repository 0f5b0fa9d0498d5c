from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revcycle.codesets import MalformedCodeFile
from revcycle.codesets.ncci import (
    PtpEdit,
    PtpTable,
    format_ptp_line,
    load_mue_file,
    load_ptp_file,
    synthetic_ptp_rows,
)


def test_ptp_file_skips_title_lines_and_loads_edits(fixtures):
    table = load_ptp_file(fixtures / "ptp_practitioner.txt")
    assert len(table) == 5
    [edit] = table.edits("93000", "93005")
    assert edit.modifier_indicator == 0 and edit.deletion is None
    assert table.active_edit("99213", "36415", date(2026, 1, 1)).modifier_indicator == 1
    assert table.active_edit("36415", "99213", date(2026, 1, 1)) is None  # order matters
    assert table.active_edit("99214", "93000", date(2025, 1, 1)) is None  # deleted that day
    assert table.active_edit("99214", "93000", date(2024, 12, 31)) is not None
    assert table.active_edit("99213", "97110", date(2026, 1, 1)) is None  # indicator 9


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("93000\t93005\t*\t19960101\t*", "at least 6"),
        ("93000\t9300\t*\t19960101\t*\t0\tx", "procedure code"),
        ("93000\t93010\t*\t19961301\t*\t0\tx", "not a date"),
        ("93000\t93010\t*\t19960101\t*\t2\tx", "modifier indicator"),
    ],
)
def test_malformed_ptp_rows_are_rejected_with_their_line(row, reason):
    lines = ["Column 1\tColumn 2", "93000\t93005\t*\t19960101\t*\t0\tok", row]
    with pytest.raises(MalformedCodeFile) as err:
        load_ptp_file(lines)
    assert err.value.line == 3 and reason in err.value.reason


def test_a_ptp_file_without_edits_is_rejected():
    with pytest.raises(MalformedCodeFile):
        load_ptp_file(["just a title"])


def test_mue_file(fixtures):
    mue = load_mue_file(fixtures / "mue_practitioner.csv")
    assert len(mue) == 4
    assert mue.get("36415").max_units == 2 and mue.get("36415").per_day
    assert not mue.get("J3490").per_day


def test_malformed_mue_rows_are_rejected():
    with pytest.raises(MalformedCodeFile) as err:
        load_mue_file(["HCPCS/CPT Code,MUE", "36415,2,3 Clinical", "97110,eight,3 Clinical"])
    assert err.value.line == 3


edits = st.builds(
    PtpEdit,
    st.from_regex(r"[0-9]{4}[0-9A-Z]|[A-Z][0-9]{4}", fullmatch=True),
    st.from_regex(r"[0-9]{4}[0-9A-Z]|[A-Z][0-9]{4}", fullmatch=True),
    st.dates(date(1990, 1, 1), date(2040, 1, 1)),
    st.none() | st.dates(date(1990, 1, 1), date(2040, 1, 1)),
    st.sampled_from([0, 1, 9]),
)


@given(st.lists(edits, max_size=30))
def test_ptp_table_rows_round_trip(rows):
    table = PtpTable.from_rows(rows)
    assert sorted(table.rows(), key=repr) == sorted(rows, key=repr)
    for r in rows:
        assert r in table.edits(r.column1, r.column2)


@given(st.lists(edits, min_size=1, max_size=10))
def test_ptp_file_lines_round_trip(rows):
    table = load_ptp_file([format_ptp_line(r) for r in rows])
    assert sorted(table.rows(), key=repr) == sorted(rows, key=repr)


def test_synthetic_generator_is_distinct_and_deterministic():
    a = list(synthetic_ptp_rows(2000, seed=1))
    assert len({(r.column1, r.column2) for r in a}) == 2000
    assert a == list(synthetic_ptp_rows(2000, seed=1))
    assert {r.modifier_indicator for r in a} == {0, 1, 9}
