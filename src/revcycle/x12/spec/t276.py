"""276 Health Care Claim Status Request (005010X212) as data.

The hierarchy: 2000A information source (the payer), 2000B information receiver (the
submitter asking), 2000C service provider, 2000D subscriber with its 2200D claims (TRN, the
claim's identifiers, charge and dates) and their 2210D service lines, and an optional 2000E
dependent (2100E, 2200E, 2210E) when the patient is not the subscriber. The rule texts shared
with the 277 live here and ``t277`` reuses them.
"""

from __future__ import annotations

from revcycle.x12.spec.model import UNBOUNDED, LoopRule, SegmentRule, TransactionSpec, loop, seg

VERSION = "005010X212"

PAYER_NAME = "NM101=PR NM102=2 NM103 NM108=24,46,FI,NI,PI,XV NM109"
RECEIVER_NAME = "NM101=41 NM102=1,2 NM103 NM104? NM105? NM108=46 NM109"
PROVIDER_NAME = "NM101=1P NM102=1,2 NM103? NM104? NM105? NM107? NM108=FI,SV,XX NM109"
SUBSCRIBER_NAME = "NM101=IL NM102=1,2 NM103 NM104? NM105? NM107? NM108=24,II,MI NM109"
SERVICE_DATE = "DTP01=472 DTP02=D8,RD8 DTP03"
_PROC = "SVC01 SVC01-1=AD,CJ,ER,HC,HP,IV,N4,NU,WK SVC01-2 SVC01-3? SVC01-4? SVC01-5? SVC01-6?"
SERVICE_LINE = _PROC + " SVC02 SVC04? SVC07?"


def ref(qualifier: str, name: str, max_use: int = 1) -> SegmentRule:
    return seg("REF", "S", max_use, name, f"REF01={qualifier} REF02")


def _lines(level: str) -> LoopRule:
    return loop(
        f"2210{level}",
        "Service Line Information",
        "S",
        UNBOUNDED,
        seg("SVC", "R", 1, "Service Line Information", SERVICE_LINE),
        ref("FJ", "Service Line Item Identification"),
        seg("DTP", "R", 1, "Service Line Date", SERVICE_DATE),
    )


def _claims(level: str, usage: str) -> LoopRule:
    return loop(
        f"2200{level}",
        "Claim Status Tracking Number",
        usage,
        UNBOUNDED,
        seg("TRN", "R", 1, "Claim Status Tracking Number", "TRN01=1 TRN02"),
        ref("1K", "Payer Claim Control Number"),
        ref("BLT", "Institutional Bill Type Identification"),
        ref("LU", "Application or Location System Identifier"),
        ref("6P", "Group Number"),
        ref("EJ", "Patient Control Number"),
        ref("XZ", "Pharmacy Prescription Number"),
        ref("D9", "Claim Identification Number for Clearinghouses"),
        seg("AMT", "S", 1, "Claim Submitted Charges", "AMT01=T3 AMT02"),
        seg("DTP", "S", 1, "Claim Service Date", SERVICE_DATE),
        _lines(level),
    )


DEPENDENT = loop(
    "2000E",
    "Dependent Level",
    "S",
    UNBOUNDED,
    seg("HL", "R", 1, "Dependent Level", "HL01 HL02 HL03=23 HL04?"),
    seg("DMG", "R", 1, "Dependent Demographic Information", "DMG01=D8 DMG02 DMG03?@GENDER"),
    loop(
        "2100E",
        "Dependent Name",
        "R",
        1,
        seg("NM1", "R", 1, "Dependent Name", "NM101=QC NM102=1 NM103 NM104? NM105? NM107?"),
    ),
    _claims("E", "R"),
)
SUBSCRIBER = loop(
    "2000D",
    "Subscriber Level",
    "R",
    UNBOUNDED,
    seg("HL", "R", 1, "Subscriber Level", "HL01 HL02 HL03=22 HL04?=0,1"),
    seg("DMG", "S", 1, "Subscriber Demographic Information", "DMG01=D8 DMG02 DMG03?@GENDER"),
    loop(
        "2100D", "Subscriber Name", "R", 1, seg("NM1", "R", 1, "Subscriber Name", SUBSCRIBER_NAME)
    ),
    _claims("D", "S"),
    DEPENDENT,
)
PROVIDER = loop(
    "2000C",
    "Service Provider Level",
    "R",
    UNBOUNDED,
    seg("HL", "R", 1, "Service Provider Level", "HL01 HL02 HL03=19 HL04=1"),
    loop("2100C", "Provider Name", "R", 1, seg("NM1", "R", 1, "Provider Name", PROVIDER_NAME)),
    SUBSCRIBER,
)
REQUEST = TransactionSpec(
    "276",
    "276",
    "HR",
    (VERSION,),
    "Health Care Claim Status Request",
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
            "BHT01=0010 BHT02=13 BHT03 BHT04 BHT05",
        ),
        loop(
            "2000A",
            "Information Source Level",
            "R",
            UNBOUNDED,
            seg("HL", "R", 1, "Information Source Level", "HL01 HL03=20 HL04=1"),
            loop("2100A", "Payer Name", "R", 1, seg("NM1", "R", 1, "Payer Name", PAYER_NAME)),
            loop(
                "2000B",
                "Information Receiver Level",
                "R",
                UNBOUNDED,
                seg("HL", "R", 1, "Information Receiver Level", "HL01 HL02 HL03=21 HL04=1"),
                loop(
                    "2100B",
                    "Information Receiver Name",
                    "R",
                    1,
                    seg("NM1", "R", 1, "Information Receiver Name", RECEIVER_NAME),
                ),
                PROVIDER,
            ),
        ),
    ),
)
