import json

import pytest

from revcycle.cli.x12 import main
from tests.unit.x12.corpus import path


def run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_validate_exit_0_for_a_valid_file(capsys):
    code, out = run(capsys, "validate", str(path("835/badx12__X221-era-sample.edi")))
    assert code == 0 and "valid" in out


def test_validate_exit_1_for_error_findings_with_json(capsys):
    code, out = run(capsys, "validate", str(path("835/lfh__demo.835")), "--json")
    assert code == 1
    (result,) = json.loads(out)["files"]
    assert result["valid"] is False
    finding = result["findings"][0]
    assert set(finding) >= {"code", "severity", "message", "location"}
    assert finding["location"]["segment_id"] == "PER"


def test_validate_exit_2_for_a_file_that_is_not_x12(capsys, tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("this is not X12")
    code, _ = run(capsys, "validate", str(f))
    assert code == 2


def test_validate_exit_2_for_a_missing_file(capsys, tmp_path):
    code, _ = run(capsys, "validate", str(tmp_path / "nope.x12"))
    assert code == 2


def test_parse_835_json_has_the_contract_shape(capsys):
    code, out = run(capsys, "parse", str(path("835/edi835p__emedny_sample.txt")), "--json")
    assert code == 0
    data = json.loads(out)
    (t,) = data["transactions"]
    assert t["type"] == "835"
    assert t["payment"] == {
        **t["payment"],
        "amount": "45.75",
        "method": "ACH",
        "date": "2010-01-01",
        "trace": "10100000000",
    }
    claim = t["claims"][1]
    assert {k: claim[k] for k in ("status", "charge", "paid", "payer_claim_control_number")} == {
        "status": "2",
        "charge": "34.00",
        "paid": "0.00",
        "payer_claim_control_number": "1000220000000020",
    }
    line = claim["lines"][0]
    assert line["procedure"] == "V2020" and line["adjustments"] == [
        {"group": "CO", "reason": "29", "amount": "12.00", "quantity": None}
    ]
    assert set(line) >= {
        "procedure",
        "modifiers",
        "charge",
        "paid",
        "units",
        "line_control_number",
        "adjustments",
    }
    assert data["findings"] == []
    assert "provider_adjustments" in t


def test_parse_keeps_negative_amounts_and_reports_findings(capsys):
    code, out = run(capsys, "parse", str(path("835/lfh__secondary-payment.835")), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["findings"] and data["transactions"][0]["type"] == "835"


def test_parse_one_entry_per_transaction_set_in_file_order(capsys):
    code, out = run(capsys, "parse", str(path("270/kartik__270_batch_multi.x12")), "--json")
    assert code == 0
    types = [t["type"] for t in json.loads(out)["transactions"]]
    assert len(types) >= 2 and set(types) == {"270"}


def test_parse_exit_2_when_unreadable(capsys, tmp_path):
    f = tmp_path / "x.txt"
    f.write_bytes(b"\x00\x01garbage")
    code, out = run(capsys, "parse", str(f), "--json")
    assert code == 2 and json.loads(out)["readable"] is False


@pytest.mark.parametrize(
    ("name", "accepted"),
    [("837P/badx12__X222-ambulance.edi", "IK5*A"), ("835/lfh__demo.835", "IK5*R")],
)
def test_ack_writes_a_999(capsys, name, accepted):
    code, out = run(capsys, "ack", str(path(name)))
    assert code == 0 and "ST*999*" in out and accepted in out


def test_ack_writes_a_ta1_for_a_broken_envelope(capsys, tmp_path):
    text = path("837P/badx12__X222-ambulance.edi").read_text()
    f = tmp_path / "bad.x12"
    f.write_text(
        text.replace("IEA*1*000000101", "IEA*1*000000999").replace(
            "IEA*1*000010216", "IEA*1*000000999"
        )
    )
    code, out = run(capsys, "ack", str(f))
    assert code == 0 and "TA1*" in out and "*R*001" in out
