"""277 Health Care Claim Status Response (005010X212) as data.

The answer to a 276, not the claim acknowledgment of 005010X214 (``t277ca``). The hierarchy
mirrors the 276: 2000A payer, 2000B information receiver (with a 2200B status when the whole
request is answered at once, e.g. E0 "system unavailable"), 2000C service provider (2200C
status when the provider is unknown), 2000D subscriber and 2000E dependent, each with 2200D /
2200E claims: the STC status (category, status code, entity, effective date, charge, payment,
adjudication date, payment method, check or EFT date and number), the payer's and the
provider's claim identifiers, the service dates and 2220D / 2220E service lines with their own
STC statuses.
"""

from __future__ import annotations

from revcycle.x12.spec.model import UNBOUNDED, LoopRule, TransactionSpec, loop, seg
from revcycle.x12.spec.t276 import (
    PAYER_NAME,
    PROVIDER_NAME,
    RECEIVER_NAME,
    SERVICE_DATE,
    SERVICE_LINE,
    SUBSCRIBER_NAME,
    VERSION,
    ref,
)

_CODES = "{p}-1@CLAIM_STATUS_CATEGORY {p}-2 {p}-3?@STATUS_ENTITY {p}-4?=RX"
_MORE = " STC10? " + _CODES.format(p="STC10") + " STC11? " + _CODES.format(p="STC11")
# the status of a request, a receiver or a provider: codes and date only
STATUS = "STC01 " + _CODES.format(p="STC01") + " STC02" + _MORE + " STC12?"
# a claim: charge and payment, and when paid the adjudication date, method, check / EFT
CLAIM_STATUS = (
    "STC01 "
    + _CODES.format(p="STC01")
    + " STC02 STC04 STC05? STC06? STC07?@PAYMENT_METHOD STC08? STC09?"
    + _MORE
    + " STC12?"
)
_NUMBERS = "ED,EM,EX,FX,TE,UR"
_CONTACT = (
    f"PER01=IC PER02? PER03?={_NUMBERS} PER04? PER05?={_NUMBERS} PER06? PER07?={_NUMBERS} PER08?"
)


def _lines(level: str) -> LoopRule:
    return loop(
        f"2220{level}",
        "Service Line Information",
        "S",
        UNBOUNDED,
        seg(
            "SVC",
            "R",
            1,
            "Service Line Information",
            SERVICE_LINE.replace(" SVC04?", " SVC03? SVC04?"),
        ),
        seg("STC", "R", UNBOUNDED, "Service Line Level Status Information", STATUS),
        ref("FJ", "Service Line Item Identification"),
        seg("DTP", "S", 1, "Service Line Date", SERVICE_DATE),
    )


def _claims(level: str, usage: str) -> LoopRule:
    return loop(
        f"2200{level}",
        "Claim Status Tracking Number",
        usage,
        UNBOUNDED,
        seg("TRN", "R", 1, "Claim Status Tracking Number", "TRN01=2 TRN02"),
        seg("STC", "R", UNBOUNDED, "Claim Level Status Information", CLAIM_STATUS),
        ref("1K", "Payer Claim Control Number"),
        ref("BLT", "Institutional Bill Type Identification"),
        ref("EJ", "Patient Control Number"),
        ref("XZ", "Pharmacy Prescription Number"),
        ref("VV", "Voucher Identifier"),
        ref("D9", "Claim Identification Number for Clearinghouses", 3),
        seg("DTP", "S", 1, "Claim Service Date", SERVICE_DATE),
        _lines(level),
    )


DEPENDENT = loop(
    "2000E",
    "Dependent Level",
    "S",
    UNBOUNDED,
    seg("HL", "R", 1, "Dependent Level", "HL01 HL02 HL03=23 HL04?"),
    loop(
        "2100E",
        "Dependent Name",
        "R",
        1,
        seg(
            "NM1",
            "R",
            1,
            "Dependent Name",
            "NM101=QC NM102=1 NM103 NM104? NM105? NM107? NM108?=II,MI NM109?",
        ),
    ),
    _claims("E", "R"),
)
SUBSCRIBER = loop(
    "2000D",
    "Subscriber Level",
    "S",
    UNBOUNDED,
    seg("HL", "R", 1, "Subscriber Level", "HL01 HL02 HL03=22 HL04?=0,1"),
    loop(
        "2100D",
        "Subscriber Name",
        "R",
        1,
        seg("NM1", "R", 1, "Subscriber Name", SUBSCRIBER_NAME),
    ),
    _claims("D", "S"),
    DEPENDENT,
)
PROVIDER = loop(
    "2000C",
    "Service Provider Level",
    "S",
    UNBOUNDED,
    seg("HL", "R", 1, "Service Provider Level", "HL01 HL02 HL03=19 HL04=0,1"),
    loop("2100C", "Provider Name", "R", 1, seg("NM1", "R", 1, "Provider Name", PROVIDER_NAME)),
    loop(
        "2200C",
        "Provider of Service Trace Identifier",
        "S",
        1,
        seg("TRN", "R", 1, "Provider of Service Trace Identifier", "TRN01=1 TRN02"),
        seg("STC", "R", UNBOUNDED, "Provider Status Information", STATUS),
    ),
    SUBSCRIBER,
)
RESPONSE = TransactionSpec(
    "277",
    "277",
    "HN",
    (VERSION,),
    "Health Care Claim Status Response",
    loop(
        "ST",
        "Header",
        "R",
        1,
        seg(
            "BHT",
            "R",
            1,
            "Beginning of Hierarchical Transaction",
            "BHT01=0010 BHT02=08 BHT03 BHT04 BHT05? BHT06=DG",
        ),
        loop(
            "2000A",
            "Information Source Level",
            "R",
            UNBOUNDED,
            seg("HL", "R", 1, "Information Source Level", "HL01 HL03=20 HL04=1"),
            loop(
                "2100A",
                "Payer Name",
                "R",
                1,
                seg("NM1", "R", 1, "Payer Name", PAYER_NAME),
                seg("PER", "S", 1, "Payer Contact Information", _CONTACT),
            ),
            loop(
                "2000B",
                "Information Receiver Level",
                "R",
                UNBOUNDED,
                seg("HL", "R", 1, "Information Receiver Level", "HL01 HL02 HL03=21 HL04=0,1"),
                loop(
                    "2100B",
                    "Information Receiver Name",
                    "R",
                    1,
                    seg("NM1", "R", 1, "Information Receiver Name", RECEIVER_NAME),
                ),
                loop(
                    "2200B",
                    "Information Receiver Application Trace Identifier",
                    "S",
                    1,
                    seg(
                        "TRN",
                        "R",
                        1,
                        "Information Receiver Application Trace Identifier",
                        "TRN01=2 TRN02",
                    ),
                    seg("STC", "R", UNBOUNDED, "Information Receiver Status Information", STATUS),
                ),
                PROVIDER,
            ),
        ),
    ),
)
