from __future__ import annotations

from decimal import Decimal

import pytest

from revcycle.codesets import MalformedCodeFile
from revcycle.codesets.pfs import (
    conversion_factor,
    load_gpci_file,
    load_rvu_file,
    price,
    price_code,
)


@pytest.fixture(scope="module")
def rvu(fixtures):
    return load_rvu_file(fixtures / "PPRRVU_synthetic.csv")


@pytest.fixture(scope="module")
def gpci(fixtures):
    return load_gpci_file(fixtures / "GPCI2025.csv")


def test_gpci_file_has_every_2025_locality(gpci):
    assert len(gpci) == 109
    al = gpci.get("10112", "0")
    assert (al.work, al.pe, al.mp) == (Decimal("1"), Decimal("0.869"), Decimal("0.575"))
    assert gpci.get("02102", "01").work == Decimal("1.5")


def test_rvu_file_rows_by_code_and_modifier(rvu):
    assert len(rvu) == 7
    assert rvu.get("71046", "26").work == Decimal("0.22")
    assert rvu.get("27130").pe_nonfacility_na


def test_price_follows_the_fee_schedule_formula(rvu, gpci):
    al = gpci.get("10112", "00")
    # (1.30 x 1) + (1.20 x 0.869) + (0.10 x 0.575) = 2.40030 RVU x 32.3465 = 77.64
    assert price(rvu.get("99213"), al, facility=False).amount == Decimal("77.64")
    # facility PE 0.55: 1.30 + 0.47795 + 0.0575 = 1.83545 x 32.3465 = 59.37
    assert price(rvu.get("99213"), al, facility=True).amount == Decimal("59.37")


def test_na_nonfacility_pe_prices_at_the_facility_rate(rvu, gpci):
    al = gpci.get("10112", "00")
    assert price(rvu.get("27130"), al, facility=False) == price(rvu.get("27130"), al, facility=True)


def test_non_payable_status_is_not_priced(rvu, gpci):
    result = price(rvu.get("G0008"), gpci.get("10112", "00"), facility=False)
    assert result.amount is None and "status" in result.reason


def test_2026_has_two_conversion_factors(rvu, gpci):
    assert conversion_factor(2026, qualifying_apm=True) == Decimal("33.5675")
    assert conversion_factor(2026) == Decimal("33.4009")
    al = gpci.get("10112", "00")
    qp = price(
        rvu.get("99213"), al, facility=False, conversion_factor=conversion_factor(2026, True)
    )
    assert qp.amount == Decimal("80.57")
    with pytest.raises(KeyError):
        conversion_factor(1999)


def test_malformed_rvu_and_gpci_files_are_rejected(fixtures):
    original = (fixtures / "PPRRVU_synthetic.csv").read_text().splitlines()
    lines = list(original)
    assert lines[3].startswith("99213,")
    lines[3] = lines[3].replace(",1.3,", ",one,", 1)
    with pytest.raises(MalformedCodeFile) as err:
        load_rvu_file(lines)
    assert err.value.line == 4
    with pytest.raises(MalformedCodeFile) as err:
        load_rvu_file([*original[:4], "99214,,truncated"])
    assert err.value.line == 5
    with pytest.raises(MalformedCodeFile) as err:
        load_gpci_file(["title", "10112,AL,00,ALABAMA,1,0.869"])
    assert err.value.line == 2


def test_price_code_picks_the_component_row_and_reports_gaps(rvu, gpci):
    pro = price_code(rvu, gpci, "71046", mac="10112", locality="0", facility=False, modifier="26")
    glob = price_code(rvu, gpci, "71046", mac="10112", locality="0", facility=False)
    assert pro.amount is not None and glob.amount is not None and pro.amount < glob.amount
    assert price_code(rvu, gpci, "99999", mac="10112", locality="0", facility=False).amount is None
    assert (
        "locality" in price_code(rvu, gpci, "99213", mac="1", locality="9", facility=False).reason
    )
