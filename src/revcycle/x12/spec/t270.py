"""270 Health Care Eligibility Benefit Inquiry (005010X279A1) as data.

The hierarchy: 2000A information source (the payer), 2000B information receiver (the
provider asking), 2000C subscriber with its 2100C name and up to 99 2110C inquiries (EQ), and
an optional 2000D dependent (2100D, 2110D) when the patient is not the subscriber. The rule
texts shared with the 271 (names, addresses, demographics) live here and ``t271`` reuses them.
"""

from __future__ import annotations

from revcycle.x12.spec.model import UNBOUNDED, LoopRule, SegmentRule, TransactionSpec, loop, seg

VERSION = "005010X279A1"

PERSON_NAME = "NM103? NM104? NM105? NM107?"
SOURCE_NAME = (
    "NM101=2B,36,GP,P5,PR NM102=1,2 NM103 NM104? NM105? NM107? NM108=24,46,FI,NI,PI,XV,XX NM109"
)
RECEIVER_NAME = (
    f"NM101=1P,2B,36,80,FA,GP,P5,PR NM102=1,2 {PERSON_NAME} NM108=24,34,FI,PI,PP,SV,XV,XX NM109"
)
RECEIVER_IDS = "REF01=0B,1C,1D,1J,4A,CT,EL,EO,HPI,JD,N5,N7,Q4,SY,TJ REF02 REF03?"
PROVIDER_INFO = "PRV01@PROVIDER_CODE PRV02?=9K,D3,EI,HPI,PXC,SY,TJ PRV03?"
DEMOGRAPHICS = "DMG01?=D8 DMG02? DMG03?@GENDER"
TRACE = "TRN01=1 TRN02 TRN03 TRN04?"
# HI01 principal diagnosis (ABK ICD-10, BK ICD-9), HI02-HI08 others
DIAGNOSES = "HI01 HI01-1=ABK,BK HI01-2 " + " ".join(
    f"HI{k:02d}? HI{k:02d}-1=ABF,BF HI{k:02d}-2" for k in range(2, 9)
)
PROCEDURE = "{p} {p}-1=AD,CJ,HC,ID,IV,N4,ZZ {p}-2 {p}-3? {p}-4? {p}-5? {p}-6?"
POINTERS = "{p} {p}-1 {p}-2? {p}-3? {p}-4?"


def n3(name: str) -> SegmentRule:
    return seg("N3", "S", 1, f"{name} Address", "N301 N302?")


def n4(name: str, extra: str = "") -> SegmentRule:
    return seg(
        "N4", "S", 1, f"{name} City, State, ZIP Code", f"N401 N402?@STATE N403? N404? {extra}N407?"
    )


def _inquiry(level: str) -> LoopRule:
    who = "Subscriber" if level == "C" else "Dependent"
    return loop(
        f"2110{level}",
        f"{who} Eligibility or Benefit Inquiry",
        "S",
        99,
        seg(
            "EQ",
            "R",
            1,
            f"{who} Eligibility or Benefit Inquiry",
            "EQ01?^99@SERVICE_TYPE "
            + PROCEDURE.format(p="EQ02?").replace("EQ02?-", "EQ02-")
            + " EQ03?=FAM "
            + POINTERS.format(p="EQ05?").replace("EQ05?-", "EQ05-"),
        ),
        seg("AMT", "S", 1, f"{who} Spend Down Amount", "AMT01=R AMT02"),
        seg("AMT", "S", 1, f"{who} Spend Down Total Billed Amount", "AMT01=PB AMT02"),
        seg("III", "S", 1, f"{who} Eligibility or Benefit Additional Inquiry", "III01=ZZ III02"),
        seg("REF", "S", 1, f"{who} Additional Information", "REF01=9F,G1 REF02"),
        seg("DTP", "S", 1, f"{who} Eligibility/Benefit Date", "DTP01=291 DTP02=D8,RD8 DTP03"),
    )


DEPENDENT = loop(
    "2000D",
    "Dependent Level",
    "S",
    UNBOUNDED,
    seg("HL", "R", 1, "Dependent Level", "HL01 HL02 HL03=23 HL04=0"),
    seg("TRN", "S", 2, "Dependent Trace Number", TRACE),
    loop(
        "2100D",
        "Dependent Name",
        "R",
        1,
        seg("NM1", "R", 1, "Dependent Name", f"NM101=03 NM102=1 {PERSON_NAME}"),
        seg(
            "REF",
            "S",
            9,
            "Dependent Additional Identification",
            "REF01=18,1L,1W,6P,CT,EA,EJ,F6,GH,HJ,IF,IG,MRC,N6,SY,Y4 REF02",
        ),
        n3("Dependent"),
        n4("Dependent"),
        seg("PRV", "S", 1, "Provider Information", PROVIDER_INFO),
        seg("DMG", "S", 1, "Dependent Demographic Information", DEMOGRAPHICS),
        seg(
            "INS",
            "S",
            1,
            "Dependent Relationship",
            "INS01=N INS02@PATIENT_RELATIONSHIP INS17?",
        ),
        seg("HI", "S", 1, "Dependent Health Care Diagnosis Code", DIAGNOSES),
        seg("DTP", "S", 2, "Dependent Date", "DTP01=102,291 DTP02=D8,RD8 DTP03"),
        _inquiry("D"),
    ),
)
SUBSCRIBER = loop(
    "2000C",
    "Subscriber Level",
    "R",
    UNBOUNDED,
    seg("HL", "R", 1, "Subscriber Level", "HL01 HL02 HL03=22 HL04=0,1"),
    seg("TRN", "S", 2, "Subscriber Trace Number", TRACE),
    loop(
        "2100C",
        "Subscriber Name",
        "R",
        1,
        seg(
            "NM1",
            "R",
            1,
            "Subscriber Name",
            f"NM101=IL NM102=1,2 {PERSON_NAME} NM108?=II,MI NM109?",
        ),
        seg(
            "REF",
            "S",
            9,
            "Subscriber Additional Identification",
            "REF01=18,1L,1W,3H,6P,CT,EA,EJ,F6,GH,HJ,IG,N6,NQ,SY,Y4 REF02",
        ),
        n3("Subscriber"),
        n4("Subscriber"),
        seg("PRV", "S", 1, "Provider Information", PROVIDER_INFO),
        seg("DMG", "S", 1, "Subscriber Demographic Information", DEMOGRAPHICS),
        seg("INS", "S", 1, "Multiple Birth Sequence Number", "INS01=Y INS02=18 INS17"),
        seg("HI", "S", 1, "Subscriber Health Care Diagnosis Code", DIAGNOSES),
        seg("DTP", "S", 2, "Subscriber Date", "DTP01=102,291 DTP02=D8,RD8 DTP03"),
        _inquiry("C"),
    ),
    DEPENDENT,
)
RECEIVER = loop(
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
        seg("REF", "S", 9, "Information Receiver Additional Identification", RECEIVER_IDS),
        n3("Information Receiver"),
        n4("Information Receiver"),
        seg("PRV", "S", 1, "Information Receiver Provider Information", PROVIDER_INFO),
    ),
    SUBSCRIBER,
)
INQUIRY = TransactionSpec(
    "270",
    "270",
    "HS",
    (VERSION, "005010X279"),
    "Health Care Eligibility Benefit Inquiry",
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
            "BHT01=0022 BHT02=01,13 BHT03? BHT04 BHT05 BHT06?=RT",
        ),
        loop(
            "2000A",
            "Information Source Level",
            "R",
            UNBOUNDED,
            seg("HL", "R", 1, "Information Source Level", "HL01 HL03=20 HL04=1"),
            loop(
                "2100A",
                "Information Source Name",
                "R",
                1,
                seg("NM1", "R", 1, "Information Source Name", SOURCE_NAME),
            ),
            RECEIVER,
        ),
    ),
)
