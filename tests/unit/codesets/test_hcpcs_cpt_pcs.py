from __future__ import annotations

from datetime import date

import pytest

from revcycle.codesets import MalformedCodeFile, lookup
from revcycle.codesets.hcpcs import (
    cpt_format_ok,
    format_hcpcs_record,
    load_cpt_csv,
    load_hcpcs_file,
)
from revcycle.codesets.icd10pcs import load_pcs_order_file, pcs_format_ok
from revcycle.codesets.nubc import nubc_format_ok


def test_hcpcs_file_loads_codes_modifiers_and_continuations(fixtures):
    loaded = load_hcpcs_file(fixtures / "HCPC2026_JAN_ANWEB.txt")
    assert len(loaded.procedures) == 6
    assert {"RT", "XS", "ZX"} <= set(loaded.modifiers.codes)
    g = loaded.procedures.get("G9999")
    assert g.termination == date(2024, 12, 31)
    assert g.long_description.endswith("dates in revcycle tests")
    assert loaded.procedures.get("A0428").valid_on(date(2026, 1, 1))
    assert not g.valid_on(date(2025, 1, 1))


def test_hcpcs_records_round_trip():
    rec = format_hcpcs_record("E0607", "3", "Home glucose monitor", "Glucose mon", added="19920101")
    assert len(rec) == 320
    row = load_hcpcs_file([rec]).procedures.get("E0607")
    assert (row.short_description, row.added) == ("Glucose mon", date(1992, 1, 1))


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ("A0428" + "x" * 100, "293 or more"),
        (format_hcpcs_record("A0428", "5", "x", "x"), "record id"),
        (format_hcpcs_record("1234", "3", "x", "x"), "well-formed"),
        (format_hcpcs_record("A0429", "3", "x", "x", added="20251399"), "not a date"),
        (format_hcpcs_record("B1111", "4", "continued"), "before its first"),
    ],
)
def test_malformed_hcpcs_records_are_rejected_with_their_line(record, reason):
    good = format_hcpcs_record("A0021", "3", "Outside state ambulance", "Amb")
    with pytest.raises(MalformedCodeFile) as err:
        load_hcpcs_file([good, record])
    assert err.value.line == 2 and reason in err.value.reason


def test_cpt_format_check_without_a_licensed_file(cs):
    assert cpt_format_ok("99213") and cpt_format_ok("0001U") and cpt_format_ok("3008F")
    assert not cpt_format_ok("9921") and not cpt_format_ok("A0428")
    result = lookup("99213", "cpt", date(2026, 1, 5), cs)
    assert result.found and result.valid_on_dos is None and "No CPT file" in result.note
    assert not lookup("9921X", "cpt", None, cs).found


def test_cpt_user_file_loads_with_dates(fixtures, cs):
    table = load_cpt_csv(fixtures / "cpt_user.csv")
    assert len(table) == 8
    loaded = cs.with_cpt(table)
    assert lookup("99213", "cpt", date(2026, 1, 5), loaded).valid_on_dos is True
    assert lookup("99499", "cpt", date(2026, 1, 5), loaded).valid_on_dos is False
    assert not lookup("99215", "cpt", date(2026, 1, 5), loaded).found


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("cpt,desc\n99213,x\n", 1),
        ("code,short_descriptor\n99213,x\nABCDE,y\n", 3),
        ("code,short_descriptor,effective_date\n99213,x,2021-02-30\n", 2),
        ("code,short_descriptor\n99213,x\n99213,y\n", 3),
    ],
)
def test_malformed_cpt_files_are_rejected(tmp_path, text, line):
    path = tmp_path / "cpt.csv"
    path.write_text(text)
    with pytest.raises(MalformedCodeFile) as err:
        load_cpt_csv(path)
    assert err.value.line == line


def test_pcs_order_file_and_format_only_lookup(fixtures, cs):
    assert pcs_format_ok("0DTJ4ZZ") and not pcs_format_ok("0DTJ4ZO")
    assert lookup("0DTJ4ZZ", "icd10pcs", None, cs).found  # format only
    version = load_pcs_order_file(
        fixtures / "icd10pcs_order_2026.txt", name="PCS FY2026", effective_from=date(2025, 10, 1)
    )
    loaded = cs.with_icd10pcs_version(version)
    hit = lookup("0DTJ4ZZ", "icd10pcs", date(2026, 2, 1), loaded)
    assert hit.found and hit.billable and hit.valid_on_dos
    header = lookup("001", "icd10pcs", date(2026, 2, 1), loaded)
    assert header.found and header.billable is False
    assert not lookup("0DTJ4ZY", "icd10pcs", date(2026, 2, 1), loaded).found


def test_nubc_formats():
    assert nubc_format_ok("revenue", "0450") and nubc_format_ok("revenue", "450")
    assert nubc_format_ok("type_of_bill", "0131") and nubc_format_ok("type_of_bill", "111")
    assert not nubc_format_ok("type_of_bill", "0031")
    assert nubc_format_ok("condition", "07") and not nubc_format_ok("value", "123")
    with pytest.raises(ValueError):
        nubc_format_ok("nope", "1")
