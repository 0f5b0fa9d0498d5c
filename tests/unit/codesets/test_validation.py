from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revcycle.codesets import Finding, ServiceLine, validate_coding
from revcycle.codesets.icd10cm import load_order_file
from revcycle.codesets.ncci import MueEdit, MueTable, PtpEdit, PtpTable

DOS = date(2026, 3, 2)
VISIT = ServiceLine("99213", (), 1, (1,))


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def run(cs, diagnoses, lines=(VISIT,), age=45, sex="F", dos=DOS):
    return validate_coding(dos=dos, diagnoses=diagnoses, lines=lines, age=age, sex=sex, codesets=cs)


def test_a_clean_claim_has_no_errors(cs):
    findings = run(cs, ["E11.9", "I10"])
    assert [f for f in findings if f.severity == "error"] == []


def test_finding_is_a_frozen_value():
    f = Finding("x", "error", "m", "diagnoses[0]")
    with pytest.raises(AttributeError):
        f.code = "y"  # type: ignore[misc]
    with pytest.raises(ValueError, match="severity"):
        Finding("x", "fatal", "m", "here")  # type: ignore[arg-type]


def test_a_header_code_is_not_billable_and_names_its_children(cs):
    [finding] = [f for f in run(cs, ["E11"]) if f.code == "icd10cm.not_billable"]
    assert finding.severity == "error"
    assert finding.location == "diagnoses[0]"
    assert "E11.00" in finding.message


def test_a_missing_7th_character_is_an_error(cs):
    assert "icd10cm.seventh_character_missing" in codes(run(cs, ["I10", "S72.001"]))


def test_a_missing_placeholder_x_names_the_right_code(cs):
    [f] = [f for f in run(cs, ["T14.8A"]) if f.code == "icd10cm.placeholder_missing"]
    assert "T14.8XXA" in f.message


def test_an_unknown_code_is_an_error(cs):
    assert "icd10cm.unknown" in codes(run(cs, ["E11.99"]))
    assert "icd10cm.malformed" in codes(run(cs, ["11E.9"]))


def test_a_code_not_yet_valid_on_the_date_of_service(cs, fixtures):
    fy27 = load_order_file(
        fixtures / "icd10cm_order_2027.txt", name="FY2027", effective_from=date(2026, 10, 1)
    )
    both = cs.with_icd10cm_version(fy27)
    [f] = [f for f in run(both, ["E11.A1"]) if f.code == "icd10cm.not_valid_on_dos"]
    assert "not yet valid" in f.message and "FY2027" in f.message
    assert "icd10cm.not_valid_on_dos" not in codes(run(both, ["E11.A1"], dos=date(2026, 10, 2)))


def test_a_date_without_a_loaded_version_names_the_missing_release(cs):
    findings = run(cs, ["E11.9"], dos=date(2026, 10, 15))
    [f] = [f for f in findings if f.code == "icd10cm.version_missing"]
    assert "FY2027" in f.message and f.location == "dos"
    assert "icd10cm.unknown" not in codes(findings)


def test_sex_edits(cs):
    assert "icd10cm.sex" in codes(run(cs, ["N40.0"], sex="F"))
    assert "icd10cm.sex" not in codes(run(cs, ["N40.0"], sex="M"))
    assert "icd10cm.sex" not in codes(run(cs, ["N40.0"], sex="U"))
    assert "icd10cm.sex" in codes(run(cs, ["O09.01"], sex="M"))


def test_age_edits(cs):
    assert "icd10cm.age" in codes(run(cs, ["Z38.00"], age=30))
    assert "icd10cm.age" not in codes(run(cs, ["Z38.00"], age=0))
    [f] = [f for f in run(cs, ["O09.01"], age=70) if f.code == "icd10cm.age"]
    assert f.severity == "warning"
    assert "icd10cm.age" in codes(run(cs, ["Z00.129"], age=40))


def test_excludes1_pairs_are_reported_once(cs):
    findings = [f for f in run(cs, ["E11.9", "E10.9"]) if f.code == "icd10cm.excludes1"]
    assert len(findings) == 1
    assert findings[0].severity == "warning"


def test_external_cause_codes_cannot_be_first_listed(cs):
    assert "icd10cm.external_cause_first" in codes(run(cs, ["W19.XXXA", "S72.001A"]))
    assert "icd10cm.external_cause_first" not in codes(run(cs, ["S72.001A", "W19.XXXA"]))


def test_manifestation_codes_cannot_be_first_listed(cs):
    findings = run(cs, ["G63", "E85.9"])
    assert "icd10cm.manifestation_first" in codes(findings)
    assert "icd10cm.code_first" in codes(findings)
    assert "icd10cm.manifestation_first" not in codes(run(cs, ["E85.9", "G63"]))


def test_a_manifestation_without_its_underlying_condition_is_flagged(cs):
    assert "icd10cm.manifestation_without_etiology" in codes(run(cs, ["I10", "G63"]))


def test_duplicate_diagnoses_and_no_diagnosis(cs):
    assert "icd10cm.duplicate" in codes(run(cs, ["I10", "I10"]))
    assert "claim.no_diagnosis" in codes(run(cs, []))


def test_service_line_checks(cs):
    lines = (
        ServiceLine("9921", (), 1, (1,)),
        ServiceLine("99213", ("ZZ", "2"), 0, ()),
        ServiceLine("99214", (), 1, (5,)),
    )
    found = codes(run(cs, ["I10"], lines=lines))
    assert "procedure.malformed" in found
    assert "modifier.unknown" in found
    assert "modifier.malformed" in found
    assert "line.units" in found
    assert "line.no_pointer" in found
    assert "line.pointer_invalid" in found
    assert found.count("cpt.format_only") == 1


def test_cpt_and_hcpcs_dates_are_checked_when_files_are_loaded(cs, fixtures):
    from revcycle.codesets.hcpcs import load_cpt_csv, load_hcpcs_file

    loaded = cs.with_cpt(load_cpt_csv(fixtures / "cpt_user.csv")).with_hcpcs(
        load_hcpcs_file(fixtures / "HCPC2026_JAN_ANWEB.txt")
    )
    lines = (
        ServiceLine("99499", (), 1, (1,)),
        ServiceLine("G9999", (), 1, (1,)),
        ServiceLine("99999", (), 1, (1,)),
        ServiceLine("G0008", ("ZX",), 1, (1,)),
    )
    found = codes(run(loaded, ["I10"], lines=lines))
    assert "cpt.not_valid_on_dos" in found
    assert "hcpcs.not_valid_on_dos" in found
    assert "cpt.unknown" in found
    assert "cpt.format_only" not in found
    assert "modifier.unknown" not in found  # ZX came with the HCPCS file


def ncci(cs):
    ptp = PtpTable.from_rows(
        [
            PtpEdit("93000", "93005", date(1996, 1, 1), None, 0),
            PtpEdit("99213", "36415", date(2010, 1, 1), None, 1),
            PtpEdit("99214", "93000", date(2015, 1, 1), date(2025, 1, 1), 1),
        ]
    )
    mue = MueTable.from_rows([MueEdit("36415", 2, 3), MueEdit("J3490", 1, 1)])
    return cs.with_ncci(ptp, mue)


def test_a_ptp_pair_without_modifier_is_an_error(cs):
    lines = (VISIT, ServiceLine("36415", (), 1, (1,)))
    [f] = [f for f in run(ncci(cs), ["I10"], lines=lines) if f.code == "ncci.ptp"]
    assert f.location == "lines[1]" and "36415" in f.message


def test_an_ncci_modifier_bypasses_an_indicator_1_edit(cs):
    lines = (VISIT, ServiceLine("36415", ("59",), 1, (1,)))
    found = codes(run(ncci(cs), ["I10"], lines=lines))
    assert "ncci.ptp" not in found
    assert "ncci.ptp_bypassed" in found


def test_no_modifier_bypasses_an_indicator_0_edit(cs):
    lines = (ServiceLine("93000", (), 1, (1,)), ServiceLine("93005", ("59",), 1, (1,)))
    assert "ncci.ptp" in codes(run(ncci(cs), ["I10"], lines=lines))


def test_a_deleted_ptp_edit_no_longer_applies(cs):
    lines = (ServiceLine("99214", (), 1, (1,)), ServiceLine("93000", (), 1, (1,)))
    assert "ncci.ptp" not in codes(run(ncci(cs), ["I10"], lines=lines))
    assert "ncci.ptp" in codes(run(ncci(cs), ["I10"], lines=lines, dos=date(2024, 6, 1)))


def test_units_over_a_date_of_service_mue_are_an_error(cs):
    lines = (ServiceLine("36415", (), 2, (1,)), ServiceLine("36415", ("91",), 1, (1,)))
    [f] = [f for f in run(ncci(cs), ["I10"], lines=lines) if f.code == "ncci.mue"]
    assert "3 units" in f.message and "date-of-service" in f.message


def test_units_over_a_line_mue_are_an_error(cs):
    lines = (ServiceLine("J3490", (), 2, (1,)),)
    [f] = [f for f in run(ncci(cs), ["I10"], lines=lines) if f.code == "ncci.mue"]
    assert f.location == "lines[0].units"


def test_the_claim_from_the_issue_gets_each_expected_finding(cs, fixtures):
    fy27 = load_order_file(
        fixtures / "icd10cm_order_2027.txt", name="FY2027", effective_from=date(2026, 10, 1)
    )
    both = ncci(cs.with_icd10cm_version(fy27))
    lines = (VISIT, ServiceLine("36415", (), 3, (2,)))
    found = codes(run(both, ["E11", "E11.A1"], lines=lines))
    assert {
        "icd10cm.not_billable",
        "icd10cm.not_valid_on_dos",
        "ncci.ptp",
        "ncci.mue",
    } <= set(found)


codeish = st.text(st.sampled_from("ABEIJSTVWXYZ0123456789.-xX "), max_size=9)


@settings(max_examples=60, deadline=None)
@given(
    diagnoses=st.lists(codeish, max_size=6),
    lines=st.lists(
        st.builds(
            ServiceLine,
            codeish,
            st.lists(st.text(max_size=3), max_size=3).map(tuple),
            st.integers(-2, 50),
            st.lists(st.integers(-1, 9), max_size=4).map(tuple),
        ),
        max_size=4,
    ),
    age=st.none() | st.integers(0, 120),
    sex=st.sampled_from(["F", "M", "U", None]),
)
def test_validation_never_crashes_and_only_returns_findings(cs, diagnoses, lines, age, sex):
    findings = run(cs, diagnoses, lines=tuple(lines), age=age, sex=sex)
    assert all(isinstance(f, Finding) for f in findings)
