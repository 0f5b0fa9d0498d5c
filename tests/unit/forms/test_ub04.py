"""UB-04: the claim's data read back from the PDF, form locator by form locator."""

from __future__ import annotations

from dataclasses import replace

import pytest

from revcycle.domain.claim import Frequency, OtherPayer, Payer, Person
from revcycle.domain.money import Money
from revcycle.forms import ClaimDoesNotFitForm, Ub04Extras, WrongFormForClaim, ub04_pdf
from revcycle.forms.layout import UB04_BOXES as BOXES
from tests.unit.forms.claims import institutional, line, professional
from tests.unit.forms.pdftext import assert_in_box, data, page_count, read_text, where


def test_type_of_bill_prints_in_fl4() -> None:
    items = read_text(ub04_pdf(institutional()))
    assert_in_box(items, "0131", BOXES["FL4"])


def test_service_lines_print_in_fl42_to_fl47() -> None:
    items = read_text(ub04_pdf(institutional()))
    assert_in_box(items, "0301", BOXES["FL42"])
    assert_in_box(items, "CHEMISTRY", BOXES["FL43"])
    assert_in_box(items, "80053", BOXES["FL44"])
    assert_in_box(items, "71046 26", BOXES["FL44"])
    assert_in_box(items, "060126", BOXES["FL45"])
    assert_in_box(items, "210 00", BOXES["FL47"])
    assert_in_box(items, "380 25", BOXES["FL47"])


def test_the_0001_line_carries_the_total_charges() -> None:
    items = read_text(ub04_pdf(institutional()))
    [code] = where(items, "0001")
    [total] = where(items, "590 25")
    assert_in_box(items, "0001", BOXES["FL42"])
    assert_in_box(items, "590 25", BOXES["FL47"])
    assert code.y == pytest.approx(total.y)


def test_insured_id_prints_in_fl60_and_the_principal_diagnosis_in_fl67() -> None:
    items = read_text(ub04_pdf(institutional()))
    assert_in_box(items, "MEM999888", BOXES["FL60"])
    assert_in_box(items, "R0789", BOXES["FL67"])
    assert_in_box(items, "Y", BOXES["FL67"])
    assert_in_box(items, "I10", BOXES["FL67A"])
    assert_in_box(items, "0", BOXES["FL66"])
    assert_in_box(items, "PCNI0001", BOXES["FL3a"])
    assert_in_box(items, "1234567893", BOXES["FL56"])
    assert_in_box(items, "1487654321", BOXES["FL76"])


def test_the_ub04_is_data_only() -> None:
    items = read_text(ub04_pdf(institutional()))
    assert items
    assert data(items) == items
    assert not where(items, BOXES["FL4"].caption)


def test_thirty_lines_continue_on_a_second_page_with_the_total_on_the_last() -> None:
    lines = tuple(line(n, "36415", "10.00", revenue_code="0300") for n in range(1, 31))
    pdf = ub04_pdf(institutional(*lines))
    items = read_text(pdf)
    assert page_count(pdf) == 2
    assert len(where(items, "0300", page=0)) == 22
    assert len(where(items, "0300", page=1)) == 8
    assert where(items, "PAGE 1 OF 2", page=0)
    assert not where(items, "0001", page=0)
    assert_in_box(items, "300 00", BOXES["FL47"], page=1)
    assert_in_box(items, "0131", BOXES["FL4"], page=1)


def test_a_replacement_bill_ends_its_type_of_bill_with_7_and_names_the_original() -> None:
    claim = institutional(frequency=Frequency.REPLACEMENT, original_reference="ICN5544")
    items = read_text(ub04_pdf(claim))
    assert_in_box(items, "0137", BOXES["FL4"])
    assert_in_box(items, "ICN5544", BOXES["FL64"])


def test_a_secondary_claim_lists_the_primary_payer_first() -> None:
    primary = OtherPayer(
        payer=Payer("FIRST HEALTH", "FH01"),
        subscriber=Person("DOE", "JANE"),
        member_id="PRIM0001",
        responsibility="P",
        paid=Money("100.00"),
    )
    own = replace(institutional().subscriber, payer_responsibility="S")
    claim = institutional(other_payers=(primary,), subscriber=own)
    items = read_text(ub04_pdf(claim))
    [first] = where(items, "FIRST HEALTH")
    [second] = where(items, "ACME HEALTH")
    assert first.y > second.y
    [primary_id] = where(items, "PRIM0001")
    [own_id] = where(items, "MEM999888")
    assert primary_id.y == pytest.approx(first.y - 4 * 12)
    assert own_id.y == pytest.approx(second.y - 4 * 12)


def test_condition_codes_come_from_extras() -> None:
    items = read_text(ub04_pdf(institutional(), extra=Ub04Extras(condition_codes=("AJ", "42"))))
    assert_in_box(items, "AJ", BOXES["FL18"])
    assert_in_box(items, "42", BOXES["FL19"])


def test_the_same_claim_gives_the_same_bytes() -> None:
    assert ub04_pdf(institutional()) == ub04_pdf(institutional())


def test_a_professional_claim_is_refused() -> None:
    with pytest.raises(WrongFormForClaim) as raised:
        ub04_pdf(professional())
    assert "cms1500_pdf" in str(raised.value)


def test_an_institutional_claim_without_its_institutional_fields_is_refused() -> None:
    with pytest.raises(ClaimDoesNotFitForm):
        ub04_pdf(institutional(institutional=None))
