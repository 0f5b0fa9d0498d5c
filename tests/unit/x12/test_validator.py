import pytest

from revcycle.x12.reader import Reader
from revcycle.x12.validator import Validator
from tests.unit.x12.corpus import manifest, path

PASS_FILES = [r["file"] for r in manifest() if r["pyx12_4_0_0"] == "PASS"]
FAIL_FILES = [r["file"] for r in manifest() if r["pyx12_4_0_0"] in ("FAIL", "CRASH")]


def validate(text_or_path):
    return Validator().run(Reader(text_or_path))


@pytest.mark.parametrize("name", PASS_FILES)
def test_files_pyx12_passes_have_no_error_findings(name):
    report = validate(path(name))
    assert [f.message for f in report.findings if f.is_error] == []


@pytest.mark.parametrize("name", FAIL_FILES)
def test_files_pyx12_fails_get_error_findings(name):
    assert validate(path(name)).errors > 0


def test_billing_provider_zip_finding_is_at_the_place_pyx12_names():
    report = validate(path("837I/vscode__complete.edi"))
    (f,) = [f for f in report.findings if f.is_error]
    assert (f.location.segment_number, f.location.segment_id, f.location.element) == (12, "N4", 3)
    assert f.location.loop == "2010AA" and f.element_error == "I12"


SMALL_835 = (
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *260101*1200*^*00501*000000001*0*T*:~"
    "GS*HP*PAYER*PROVIDER*20260101*1200*1*X*005010X221A1~"
    "ST*835*0001~"
    "BPR*I*56*C*ACH*CCP*01*999999999*DA*123456*1234567890**01*999999999*DA*654321*20260105~"
    "TRN*1*TRACE1*1234567890~"
    "N1*PR*ACME HEALTH~N3*1 PAYER WAY~N4*HARTFORD*CT*06101~PER*BL*EDI*TE*8005551212~"
    "N1*PE*CLINIC*XX*1234567893~"
    "LX*1~"
    "CLP*PCN123*1*170*56*44*12*ICN000123~"
    "NM1*QC*1*DOE*JANE~"
    "SVC*HC:99213*150*56**1~CAS*CO*45*50~CAS*PR*1*30**2*14~"
    "SVC*HC:81002*20*0**1~CAS*CO*97*20~"
    "SE*17*0001~GE*1*1~IEA*1*000000001~"
)


def test_a_balanced_835_is_valid():
    report = validate(SMALL_835)
    assert report.valid, [f.message for f in report.findings]


def test_line_claim_and_transaction_balancing_errors_are_found():
    report = validate(SMALL_835.replace("CAS*CO*97*20~", "CAS*CO*97*19~"))
    codes = {f.code for f in report.findings}
    assert {"x12.balance.service_line", "x12.balance.claim"} <= codes
    report = validate(SMALL_835.replace("BPR*I*56*", "BPR*I*57*"))
    assert {f.code for f in report.findings} == {"x12.balance.transaction"}


def test_envelope_counts_and_control_numbers_are_checked():
    bad = (
        SMALL_835.replace("SE*17*0001", "SE*16*0002")
        .replace("GE*1*1", "GE*2*9")
        .replace("IEA*1*000000001", "IEA*1*000000002")
    )
    report = validate(bad)
    codes = {f.code for f in report.findings}
    assert {
        "x12.set.segment_count",
        "x12.set.control_number_mismatch",
        "x12.group.set_count",
        "x12.group.control_number_mismatch",
        "x12.interchange.control_number_mismatch",
    } <= codes


def test_missing_trailers_are_findings_not_exceptions():
    report = validate(SMALL_835.split("SE*", maxsplit=1)[0])
    codes = {f.code for f in report.findings}
    assert {
        "x12.set.trailer_missing",
        "x12.group.trailer_missing",
        "x12.interchange.trailer_missing",
    } <= codes


def test_element_errors_carry_position_and_999_codes():
    report = validate(SMALL_835.replace("CLP*PCN123*1*", "CLP*PCN123*99*"))
    (f,) = [f for f in report.findings if f.code == "x12.element.invalid_code"]
    loc = f.location
    assert (loc.segment_id, loc.loop, loc.element, loc.set_segment_number) == ("CLP", "2100", 2, 10)
    assert (f.segment_error, f.element_error, f.element_ref) == ("8", "7", "1029")


def test_unexpected_and_unknown_segments_are_reported():
    report = validate(SMALL_835.replace("LX*1~", "LX*1~ZZZ*1~BHT*0019~"))
    codes = [f.code for f in report.findings]
    assert "x12.segment.unrecognized" in codes and "x12.segment.unexpected" in codes


def test_837_claim_total_must_equal_line_charges():
    text = path("837P/badx12__X222-commercial-health-insurance.edi").read_text()
    report = validate(text.replace("CLM*26463774*100*", "CLM*26463774*101*"))
    assert [f.code for f in report.findings] == ["x12.balance.claim_charge"]


def test_frequency_7_needs_ref_f8():
    text = path("837P/badx12__X222-commercial-health-insurance.edi").read_text()
    report = validate(text.replace("11:B:1", "11:B:7"))
    assert [f.code for f in report.findings] == ["x12.claim.original_reference_missing"]


def test_unsupported_transactions_are_read_with_a_warning():
    text = path("270/lfh__demo.270").read_text()
    text = text.replace("GS*HS*", "GS*HI*").replace("005010X279A1", "005010X217")
    report = validate(text.replace("ST*270*", "ST*278*"))
    assert report.valid and report.warnings == 1


def _pyx12_line(row):
    import re

    m = re.match(r"Line:(\d+)", row["pyx12_first_error"])
    return int(m[1]) if m else None


LOCATED = [r for r in manifest() if r["pyx12_4_0_0"] == "FAIL" and _pyx12_line(r)]


@pytest.mark.parametrize("row", LOCATED, ids=[r["file"] for r in LOCATED])
def test_revcycle_reports_an_error_where_pyx12_reports_its_first(row):
    report = validate(path(row["file"]))
    assert _pyx12_line(row) in {f.location.segment_number for f in report.findings if f.is_error}


def test_cob_line_and_claim_balancing_of_a_secondary_claim():
    from revcycle.x12.control import InMemoryControlNumbers
    from revcycle.x12.mapping.claim837 import write_837
    from tests.unit.x12.samples import ENVELOPE, NOW, SUBMITTER, variety

    text = write_837(
        [variety()["secondary_cob"]], SUBMITTER, ENVELOPE, InMemoryControlNumbers(), NOW
    )
    assert validate(text).findings == []
    unbalanced_line = text.replace("CAS*CO*45*50~", "CAS*CO*45*49~")
    assert [f.code for f in validate(unbalanced_line).findings] == ["x12.balance.line_adjudication"]
    unbalanced_claim = text.replace("AMT*D*56~", "AMT*D*57~")
    assert [f.code for f in validate(unbalanced_claim).findings] == ["x12.balance.cob_claim"]


def test_characters_outside_the_x12_character_set_are_reported():
    report = validate(SMALL_835.replace("NM1*QC*1*DOE*JANE", "NM1*QC*1*DOE*JAN\x01"))
    (f,) = report.findings
    assert (f.code, f.location.segment_id, f.location.element, f.element_error) == (
        "x12.element.invalid_characters",
        "NM1",
        4,
        "6",
    )


def test_a_transaction_set_that_does_not_belong_to_its_group_is_an_error():
    report = validate(SMALL_835.replace("ST*835*0001~", "ST*837*0001~"))
    assert "x12.set.identifier" in {f.code for f in report.findings}
    report = validate(SMALL_835.replace("ST*835*0001~", "ST*ZZ9*0001~"))
    assert "x12.set.identifier" in {f.code for f in report.findings}


def test_syntax_notes_of_the_standard_are_checked():
    # P0809: NM108 without NM109
    report = validate(SMALL_835.replace("NM1*QC*1*DOE*JANE~", "NM1*QC*1*DOE*JANE****MI~"))
    assert [(f.code, f.location.element, f.element_error) for f in report.findings] == [
        ("x12.element.conditional_missing", 9, "2")
    ]
