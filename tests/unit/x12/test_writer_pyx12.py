"""Everything revcycle writes passes pyx12 4.0.0 with zero errors."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from revcycle.domain.money import Money
from revcycle.domain.remittance import (
    Adjustment,
    ClaimPayment,
    Payment,
    ProviderAdjustment,
    RemitParty,
    Remittance,
    ServicePayment,
)
from revcycle.x12.acks import build_acks
from revcycle.x12.control import InMemoryControlNumbers
from revcycle.x12.errors import WriteError
from revcycle.x12.mapping.ack277 import ClaimAcknowledgment, ClaimStatus, transaction_277ca
from revcycle.x12.mapping.claim837 import write_837
from revcycle.x12.mapping.remit835 import transaction_835
from revcycle.x12.reader import Reader
from revcycle.x12.validator import Validator
from revcycle.x12.writer import write_interchange
from tests.unit.x12.corpus import path
from tests.unit.x12.pyx12_helper import pyx12_errors
from tests.unit.x12.samples import ENVELOPE, NOW, SUBMITTER, professional, variety

VARIETY = variety()


@pytest.mark.parametrize("name", sorted(VARIETY))
def test_written_837_passes_pyx12(name, tmp_path):
    text = write_837([VARIETY[name]], SUBMITTER, ENVELOPE, InMemoryControlNumbers(), NOW)
    assert pyx12_errors(text, tmp_path) == []


def test_many_claims_in_one_837p_pass_pyx12(tmp_path):
    claims = [c for c in VARIETY.values() if c.kind.value == "P"]
    text = write_837(claims, SUBMITTER, ENVELOPE, InMemoryControlNumbers(), NOW, per_set=3)
    assert text.count("ST*837*") == 3
    assert pyx12_errors(text, tmp_path) == []


def test_every_line_carries_its_control_number_and_claims_their_original_reference():
    text = write_837([VARIETY["frequency_7"]], SUBMITTER, ENVELOPE, InMemoryControlNumbers(), NOW)
    assert "REF*6R*LCN0001~" in text and "REF*6R*LCN0002~" in text
    assert "CLM*PCN123*170***11:B:7*" in text and "REF*F8*ICN000123~" in text


def test_a_void_claim_without_original_reference_is_not_written():
    claim = replace(VARIETY["frequency_8"], original_reference="")
    with pytest.raises(WriteError):
        write_837([claim], SUBMITTER, ENVELOPE, InMemoryControlNumbers(), NOW)


def test_unbalanced_claim_is_not_written():
    with pytest.raises(WriteError):
        write_837(
            [professional(total_charge=Money("1.00"))],
            SUBMITTER,
            ENVELOPE,
            InMemoryControlNumbers(),
            NOW,
        )


def remittance() -> Remittance:
    return Remittance(
        payment=Payment(Money("51.00"), "ACH", date=date(2026, 3, 5), trace_number="EFT123", payer_identifier="1234567890"),
        payer=RemitParty("ACME HEALTH", "ACME1", "XV", "1 PAYER WAY", "HARTFORD", "CT", "06101"),
        payee=RemitParty("HAPPY VALLEY CLINIC", "1234567893", "XX", tax_id="123456789"),
        claims=(
            ClaimPayment(
                "PCN123", "1", Money("170.00"), Money("56.00"), Money("44.00"), "12", "ICN000123",
                patient_name="DOE JANE", patient_member_id="MEM123456",
                lines=(
                    ServicePayment(
                        "99213", Money("150.00"), Money("56.00"), units=Decimal(1), line_control_number="LCN0001",
                        service_date=date(2026, 2, 20), allowed=Money("100.00"),
                        adjustments=(
                            Adjustment("CO", "45", Money("50.00")),
                            Adjustment("PR", "1", Money("30.00")),
                            Adjustment("PR", "2", Money("14.00")),
                        ),
                    ),
                    ServicePayment(
                        "81002", Money("20.00"), Money("0.00"), modifiers=("QW",), units=Decimal(1),
                        line_control_number="LCN0002", service_date=date(2026, 2, 20),
                        adjustments=(Adjustment("CO", "97", Money("20.00")),),
                    ),
                ),
            ),
            ClaimPayment("PCN-DEN", "4", Money("80.00"), Money("0.00"), None, "12", "ICN000124",
                         adjustments=(Adjustment("CO", "50", Money("80.00")),)),
            ClaimPayment("PCN-REV", "22", Money("-30.00"), Money("-30.00"), None, "12", "ICN000099"),
        ),
        provider_adjustments=(ProviderAdjustment("WO", Money("-25.00"), "OVERPAY1", "1234567893", date(2026, 12, 31)),),
    )  # fmt: skip


def test_written_835_passes_pyx12_and_balances(tmp_path):
    text = write_interchange(
        ENVELOPE, "HP", [transaction_835(remittance())], InMemoryControlNumbers(), NOW
    )
    assert pyx12_errors(text, tmp_path) == []


def test_written_277ca_passes_pyx12(tmp_path):
    ack = ClaimAcknowledgment(
        "ACME HEALTH", "ACME1", "HAPPY VALLEY CLINIC", "TGJ23", "HAPPY VALLEY CLINIC", "1234567893",
        date(2026, 3, 2), date(2026, 3, 3), "0001",
        (
            ClaimStatus("PCN123", "A2", "20", date(2026, 3, 3), Money("170.00"), "DOE", "JANE", "MEM123456", "ICN1",
                        date(2026, 2, 20)),
            ClaimStatus("PCN124", "A7", "562", date(2026, 3, 3), Money("80.00"), "DOE", "TIMMY", "MEM9",
                        service_from=date(2026, 2, 20), service_to=date(2026, 2, 21), entity="85"),
        ),
    )  # fmt: skip
    text = write_interchange(
        ENVELOPE, "HN", [transaction_277ca(ack)], InMemoryControlNumbers(), NOW
    )
    assert pyx12_errors(text, tmp_path) == []


@pytest.mark.parametrize(
    "name",
    [
        "837P/badx12__X222-commercial-health-insurance.edi",
        "837P/badx12__X222-oxygen.edi",
        "837I/vscode__complete.edi",
        "835/lfh__secondary-payment.835",
        "837P/kwx12__edi_sample_25_claims.txt",
        "277CA/herophilus__277CA_Sample_Rejected_.txt",
    ],
)
def test_written_999_passes_pyx12(name, tmp_path):
    report = Validator().run(Reader(path(name)))
    *_, ack = build_acks(report, InMemoryControlNumbers(), NOW)
    assert ack.kind == "999"
    assert ack.accepted is report.valid
    assert pyx12_errors(ack.text, tmp_path) == []
