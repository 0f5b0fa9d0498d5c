"""271 Health Care Eligibility Benefit Response (005010X279A1) as data.

The hierarchy mirrors the 270: 2000A information source (payer), 2000B information receiver
(provider), 2000C subscriber, 2000D dependent. Each level may carry AAA request validations
(the rejections); the subscriber or dependent carries its 2110C/2110D benefits (EB) with their
delivery patterns (HSD), references, dates, rejections and messages, 2115 additional
information (III) and, between LS*2120 and LE*2120, up to 23 benefit related entities (2120C/D:
another payer, the primary care provider, ...).
"""

from __future__ import annotations

from revcycle.x12.spec.model import UNBOUNDED, LoopRule, SegmentRule, TransactionSpec, loop, seg
from revcycle.x12.spec.t270 import (
    DEMOGRAPHICS,
    DIAGNOSES,
    PERSON_NAME,
    POINTERS,
    PROCEDURE,
    PROVIDER_INFO,
    RECEIVER_IDS,
    RECEIVER_NAME,
    SOURCE_NAME,
    VERSION,
    n3,
    n4,
)

_NUMBERS = "ED,EM,EX,FX,TE,UR,WP"
CONTACT = (
    f"PER01=IC PER02? PER03?={_NUMBERS} PER04? PER05?={_NUMBERS} PER06? PER07?={_NUMBERS} PER08?"
)
TRACE = "TRN01=1,2 TRN02 TRN03 TRN04?"
_EB = (
    "EB01@ELIGIBILITY_BENEFIT EB02?@COVERAGE_LEVEL EB03?^99@SERVICE_TYPE EB04?@INSURANCE_TYPE"
    " EB05? EB06?@TIME_PERIOD EB07? EB08? EB09?@BENEFIT_QUANTITY EB10? EB11?@YES_NO_UNKNOWN"
    " EB12?@IN_NETWORK "
    + PROCEDURE.format(p="EB13?").replace("EB13?-", "EB13-")
    + " EB13-8? "
    + POINTERS.format(p="EB14?").replace("EB14?-", "EB14-")
)
_HSD = (
    "HSD01?=DY,FL,HS,MN,VS HSD02? HSD03?=DA,MO,VS,WK,YR HSD04? HSD05?@TIME_PERIOD HSD06?"
    " HSD07? HSD08?"
)
_MILITARY = "MPI01 MPI02 MPI03 MPI04? MPI05? MPI06?=D8,RD8 MPI07?"
# DTP01 of the subscriber / dependent: 291 plan, 346 plan begin, 347 plan end, 356 / 357
# eligibility begin / end, 307 eligibility, 102 issue, 472 service, ...
_MEMBER_DATES = (
    "DTP01=096,102,152,291,307,318,340,341,342,343,346,347,356,357,382,435,442,458,472,539,"
    "540,636,771 DTP02=D8,RD8 DTP03"
)
_BENEFIT_DATES = (
    "DTP01=096,193,194,198,290,291,292,295,304,307,318,346,347,348,349,356,357,435,472,636,"
    "771 DTP02=D8,RD8 DTP03"
)


def aaa(name: str) -> SegmentRule:
    return seg("AAA", "S", 9, name, "AAA01@YES_NO AAA03@REJECT_REASON AAA04@FOLLOW_UP_ACTION")


def _benefits(level: str) -> LoopRule:
    who = "Subscriber" if level == "C" else "Dependent"
    return loop(
        f"2110{level}",
        f"{who} Eligibility or Benefit Information",
        "S",
        UNBOUNDED,
        seg("EB", "R", 1, f"{who} Eligibility or Benefit Information", _EB),
        seg("HSD", "S", 9, "Health Care Services Delivery", _HSD),
        seg(
            "REF",
            "S",
            9,
            f"{who} Additional Identification",
            "REF01=18,1L,1W,49,6P,9F,ALS,CLI,F8,FO,G1,IG,M7,N6,NQ REF02 REF03?",
        ),
        seg("DTP", "S", 20, f"{who} Eligibility/Benefit Date", _BENEFIT_DATES),
        aaa(f"{who} Request Validation"),
        seg("MSG", "S", 10, "Message Text", "MSG01"),
        loop(
            f"2115{level}",
            f"{who} Eligibility or Benefit Additional Information",
            "S",
            10,
            seg(
                "III",
                "R",
                1,
                f"{who} Eligibility or Benefit Additional Information",
                "III01?=GR,NI,ZZ III02? III03?=44 III04?",
            ),
        ),
        seg("LS", "S", 1, "Loop Header", "LS01=2120"),
        loop(
            f"2120{level}",
            f"{who} Benefit Related Entity Name",
            "S",
            23,
            seg(
                "NM1",
                "R",
                1,
                f"{who} Benefit Related Entity Name",
                "NM101=13,1I,1P,2B,36,73,FA,GP,GW,I3,IL,LR,OC,P3,P4,P5,PR,PRP,SEP,TTP,VER,VN,VY,"
                f"X3,Y2 NM102=1,2 {PERSON_NAME} NM108?=24,34,46,FA,FI,II,MI,NI,PI,PP,SV,XV,XX"
                " NM109? NM110?=01,02,27,41,48,65,72",
            ),
            n3(f"{who} Benefit Related Entity"),
            n4(f"{who} Benefit Related Entity", "N405?=RJ N406? "),
            seg("PER", "S", 3, f"{who} Benefit Related Entity Contact Information", CONTACT),
            seg("PRV", "S", 1, f"{who} Benefit Related Provider Information", PROVIDER_INFO),
        ),
        seg("LE", "S", 1, "Loop Trailer", "LE01=2120"),
    )


DEPENDENT = loop(
    "2000D",
    "Dependent Level",
    "S",
    UNBOUNDED,
    seg("HL", "R", 1, "Dependent Level", "HL01 HL02 HL03=23 HL04=0"),
    seg("TRN", "S", 3, "Dependent Trace Number", TRACE),
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
            "REF01=18,1L,1W,49,6P,CE,CT,EA,EJ,F6,GH,HJ,IF,IG,MRC,N6,NQ,Q4,SY,Y4 REF02 REF03?",
        ),
        n3("Dependent"),
        n4("Dependent"),
        aaa("Dependent Request Validation"),
        seg("PRV", "S", 1, "Provider Information", PROVIDER_INFO),
        seg("DMG", "S", 1, "Dependent Demographic Information", DEMOGRAPHICS),
        seg(
            "INS",
            "S",
            1,
            "Dependent Relationship",
            "INS01=N INS02@PATIENT_RELATIONSHIP INS03?=001 INS04?=25 INS17?",
        ),
        seg("HI", "S", 1, "Dependent Health Care Diagnosis Code", DIAGNOSES),
        seg("DTP", "S", 9, "Dependent Date", _MEMBER_DATES),
        seg("MPI", "S", 9, "Dependent Military Personnel Information", _MILITARY),
        _benefits("D"),
    ),
)
SUBSCRIBER = loop(
    "2000C",
    "Subscriber Level",
    "S",
    UNBOUNDED,
    seg("HL", "R", 1, "Subscriber Level", "HL01 HL02 HL03=22 HL04=0,1"),
    seg("TRN", "S", 3, "Subscriber Trace Number", TRACE),
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
            "REF01=18,1L,1W,3H,49,6P,CE,CT,EA,EJ,F6,GH,HJ,IF,IG,ML,N6,NQ,Q4,SY,Y4 REF02 REF03?",
        ),
        n3("Subscriber"),
        n4("Subscriber"),
        aaa("Subscriber Request Validation"),
        seg("PRV", "S", 1, "Provider Information", PROVIDER_INFO),
        seg("DMG", "S", 1, "Subscriber Demographic Information", DEMOGRAPHICS),
        seg(
            "INS",
            "S",
            1,
            "Subscriber Relationship",
            "INS01=Y INS02=18 INS03?=001 INS04?=25 INS17?",
        ),
        seg("HI", "S", 1, "Subscriber Health Care Diagnosis Code", DIAGNOSES),
        seg("DTP", "S", 9, "Subscriber Date", _MEMBER_DATES),
        seg("MPI", "S", 9, "Subscriber Military Personnel Information", _MILITARY),
        _benefits("C"),
    ),
    DEPENDENT,
)
RECEIVER = loop(
    "2000B",
    "Information Receiver Level",
    "S",
    UNBOUNDED,
    seg("HL", "R", 1, "Information Receiver Level", "HL01 HL02 HL03=21 HL04=0,1"),
    loop(
        "2100B",
        "Information Receiver Name",
        "R",
        1,
        seg("NM1", "R", 1, "Information Receiver Name", RECEIVER_NAME),
        seg("REF", "S", 9, "Information Receiver Additional Identification", RECEIVER_IDS),
        n3("Information Receiver"),
        n4("Information Receiver"),
        aaa("Information Receiver Request Validation"),
        seg("PRV", "S", 1, "Information Receiver Provider Information", PROVIDER_INFO),
    ),
    SUBSCRIBER,
)
RESPONSE = TransactionSpec(
    "271",
    "271",
    "HB",
    (VERSION, "005010X279"),
    "Health Care Eligibility Benefit Response",
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
            "BHT01=0022 BHT02=06,11 BHT03? BHT04 BHT05",
        ),
        loop(
            "2000A",
            "Information Source Level",
            "R",
            UNBOUNDED,
            seg("HL", "R", 1, "Information Source Level", "HL01 HL03=20 HL04=0,1"),
            aaa("Request Validation"),
            loop(
                "2100A",
                "Information Source Name",
                "R",
                1,
                seg("NM1", "R", 1, "Information Source Name", SOURCE_NAME),
                seg("PER", "S", 3, "Information Source Contact Information", CONTACT),
                aaa("Information Source Request Validation"),
            ),
            RECEIVER,
        ),
    ),
)
