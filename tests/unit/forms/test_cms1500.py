"""CMS-1500: the claim's data read back from the PDF, box by box."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from revcycle.domain.claim import Diagnosis, Frequency
from revcycle.domain.errors import DomainValidationError
from revcycle.domain.money import Money
from revcycle.forms import (
    ClaimDoesNotFitForm,
    Cms1500Extras,
    WrongFormForClaim,
    cms1500_pdf,
)
from revcycle.forms.layout import CMS1500_BOXES as BOXES
from tests.unit.forms.claims import institutional, line, professional
from tests.unit.forms.pdftext import Text, assert_in_box, data, page_count, read_text, where

MODES = pytest.mark.parametrize("mode", ["full", "data_only"])


@MODES
def test_member_id_prints_in_box_1a(mode: str) -> None:
    items = read_text(cms1500_pdf(professional(), mode=mode))  # type: ignore[arg-type]
    assert_in_box(items, "MEM123456", BOXES["1a"])


@MODES
def test_patient_name_prints_last_first_initial_in_box_2(mode: str) -> None:
    items = read_text(cms1500_pdf(professional(), mode=mode))  # type: ignore[arg-type]
    assert_in_box(items, "DOE, JANE, Q", BOXES["2"])


@MODES
def test_diagnoses_print_in_box_21_with_icd_10_indicator(mode: str) -> None:
    items = read_text(cms1500_pdf(professional(), mode=mode))  # type: ignore[arg-type]
    for code in ("E119", "I10", "M545", "0"):
        assert_in_box(items, code, BOXES["21"])


@MODES
def test_service_lines_print_in_the_columns_of_box_24(mode: str) -> None:
    items = read_text(cms1500_pdf(professional(), mode=mode))  # type: ignore[arg-type]
    assert_in_box(items, "99213", BOXES["24D"])
    assert_in_box(items, "25", BOXES["24D"])
    assert_in_box(items, "J1100", BOXES["24D"])
    assert_in_box(items, "AB", BOXES["24E"])
    assert_in_box(items, "C", BOXES["24E"])
    assert_in_box(items, "125 00", BOXES["24F"])
    assert_in_box(items, "42 50", BOXES["24F"])
    assert_in_box(items, "1487654321", BOXES["24J"])
    assert_in_box(items, "N400409123401 UN2", BOXES["24"])
    first, second = where(items, "99213")[0], where(items, "J1100")[0]
    assert second.y < first.y
    # the drug's NDC is on the shaded line just above its own service line
    ndc = where(items, "N400409123401 UN2")[0]
    assert second.y < ndc.y < first.y


@MODES
def test_total_charge_prints_in_box_28(mode: str) -> None:
    items = read_text(cms1500_pdf(professional(), mode=mode))  # type: ignore[arg-type]
    assert_in_box(items, "167 50", BOXES["28"])


@MODES
def test_billing_provider_npi_prints_in_box_33a(mode: str) -> None:
    items = read_text(cms1500_pdf(professional(), mode=mode))  # type: ignore[arg-type]
    assert_in_box(items, "1234567893", BOXES["33a"])
    assert_in_box(items, "SUNNY VALLEY CLINIC", BOXES["33"])
    assert_in_box(items, "123456789", BOXES["25"])
    assert_in_box(items, "PCN0001", BOXES["26"])


def test_eight_lines_continue_on_a_second_page_each_totaling_its_own_lines() -> None:
    lines = tuple(line(n, "97110", f"{10 * n}.25") for n in range(1, 9))
    claim = professional(*lines)
    pdf = cms1500_pdf(claim)
    items = read_text(pdf)
    assert page_count(pdf) == 2
    totals = []
    for page in (0, 1):
        rect = BOXES["28"].rect()
        [total] = [i for i in data(items) if i.page == page and rect.contains(i.x, i.y)]
        totals.append(Money(total.text.replace(" ", ".")))
    assert totals == [Money("211.50"), Money("150.50")]
    assert Money.sum(totals) == claim.total_charge
    assert len(where(items, "97110", page=0)) == 6
    assert len(where(items, "97110", page=1)) == 2
    assert_in_box(items, "MEM123456", BOXES["1a"], page=1)
    assert_in_box(items, "E119", BOXES["21"], page=1)


def test_data_only_mode_prints_the_same_data_at_the_same_places_without_the_form() -> None:
    claim = professional()
    full = read_text(cms1500_pdf(claim, mode="full"))
    bare = read_text(cms1500_pdf(claim, mode="data_only"))
    label = BOXES["1a"].caption
    assert where(full, label)
    assert not where(bare, label)
    assert all(item.font == "Courier" for item in bare)

    def placed(items: list[Text]) -> set[tuple[int, str, float, float]]:
        return {(i.page, i.text, round(i.x, 1), round(i.y, 1)) for i in items}

    assert placed(bare) == placed(data(full))


@pytest.mark.parametrize("mode", ["full", "data_only"])
def test_the_same_claim_gives_the_same_bytes(mode: str) -> None:
    first = cms1500_pdf(professional(), mode=mode)  # type: ignore[arg-type]
    second = cms1500_pdf(professional(), mode=mode)  # type: ignore[arg-type]
    assert first == second
    created = PdfReader(io.BytesIO(first)).metadata
    assert created is None or created.creation_date is None or created.creation_date.year < 2001


def test_an_institutional_claim_is_refused() -> None:
    with pytest.raises(WrongFormForClaim) as raised:
        cms1500_pdf(institutional())
    assert raised.value.code == "wrong_form_for_claim"
    assert "ub04_pdf" in str(raised.value)


def test_a_claim_with_thirteen_diagnoses_is_refused() -> None:
    codes = tuple(Diagnosis(f"Z{n:03d}") for n in range(13))
    with pytest.raises(ClaimDoesNotFitForm):
        cms1500_pdf(professional(diagnoses=codes))


def test_a_pointer_past_the_diagnoses_is_refused() -> None:
    claim = professional(line(1, pointers=(4,)))
    with pytest.raises(ClaimDoesNotFitForm):
        cms1500_pdf(claim)


def test_an_unbalanced_claim_is_refused() -> None:
    with pytest.raises(ClaimDoesNotFitForm):
        cms1500_pdf(professional(total_charge=Money("1.00")))


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(DomainValidationError):
        cms1500_pdf(professional(), mode="draft")  # type: ignore[arg-type]


def test_a_replacement_claim_prints_its_frequency_and_the_payer_icn_in_box_22() -> None:
    claim = professional(frequency=Frequency.REPLACEMENT, original_reference="ICN778899")
    items = read_text(cms1500_pdf(claim))
    assert_in_box(items, "7", BOXES["22"])
    assert_in_box(items, "ICN778899", BOXES["22"])


def test_an_original_claim_leaves_box_22_empty() -> None:
    items = data(read_text(cms1500_pdf(professional())))
    rect = BOXES["22"].rect()
    assert [i.text for i in items if rect.contains(i.x, i.y)] == []


def test_extras_fill_the_boxes_the_claim_cannot() -> None:
    extra = Cms1500Extras(
        patient_phone="(217) 555-0142",
        plan_name="ACME GOLD PPO",
        billing_phone="217-555-0100",
        signature_date=date(2026, 6, 15),
    )
    items = read_text(cms1500_pdf(professional(), extra=extra))
    assert_in_box(items, "217", BOXES["5"])
    assert_in_box(items, "5550142", BOXES["5"])
    assert_in_box(items, "ACME GOLD PPO", BOXES["11c"])
    assert_in_box(items, "5550100", BOXES["33"])
    assert_in_box(items, "06 15 26", BOXES["31"])


def test_nothing_is_invented_without_extras() -> None:
    items = data(read_text(cms1500_pdf(professional())))
    for key in ("11c", "31"):
        rect = BOXES[key].rect()
        texts = [i.text for i in items if rect.contains(i.x, i.y)]
        assert texts in ([], ["SIGNATURE ON FILE"])


def test_prior_authorization_and_referring_provider_print_in_boxes_23_and_17() -> None:
    items = read_text(cms1500_pdf(professional(prior_authorization="PA12345")))
    assert_in_box(items, "PA12345", BOXES["23"])
    assert_in_box(items, "DN", BOXES["17"])
    assert_in_box(items, "JAMES WILSON", BOXES["17"])
    assert_in_box(items, "1598765432", BOXES["17b"])


def test_fractional_units_print_without_trailing_zeros() -> None:
    half = replace(line(1), units=Decimal("1.50"))
    items = read_text(cms1500_pdf(professional(half)))
    assert_in_box(items, "1.5", BOXES["24G"])
