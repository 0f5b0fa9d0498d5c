"""835 Health Care Claim Payment/Advice (005010X221A1) as data."""

from __future__ import annotations

from revcycle.x12.spec.common import CONTACT, n3, n4
from revcycle.x12.spec.model import UNBOUNDED, TransactionSpec, cas, loop, seg

# the 835 guide leaves the communication numbers of its contacts situational
_CONTACT = CONTACT.replace("PER03=", "PER03?=").replace("PER04 ", "PER04? ")

_BPR = (
    "BPR01@HANDLING BPR02 BPR03=C,D BPR04@PAYMENT_METHOD "
    + " ".join(f"BPR{k:02d}?" for k in range(5, 16))
    + " BPR16 BPR17? BPR18? BPR19? BPR20? BPR21?"
)
_PLB = "PLB01 PLB02 PLB03 PLB03-1@PLB_REASON PLB03-2? PLB04 " + " ".join(
    f"PLB{k:02d}? PLB{k:02d}-1@PLB_REASON PLB{k:02d}-2? PLB{k + 1:02d}?" for k in (5, 7, 9, 11, 13)
)
_PROC = "-1=AD,ER,HC,HP,IV,N4,N6,NU,UI,WK {p}-2 {p}-3? {p}-4? {p}-5? {p}-6? {p}-7? {p}-8?"
_NAME = "NM103? NM104? NM105? NM107?"

PAYER = loop(
    "1000A",
    "Payer Identification",
    "R",
    1,
    seg("N1", "R", 1, "Payer Identification", "N101=PR N102 N103?=XV N104?"),
    n3(),
    n4(),
    seg("REF", "S", 4, "Additional Payer Identification", "REF01=2U,EO,HI,NF REF02"),
    seg(
        "PER",
        "S",
        1,
        "Payer Business Contact Information",
        _CONTACT.replace("PER01=IC", "PER01=CX"),
    ),
    seg(
        "PER",
        "R",
        UNBOUNDED,
        "Payer Technical Contact Information",
        _CONTACT.replace("PER01=IC", "PER01=BL"),
    ),
    seg("PER", "S", 1, "Payer Web Site", "PER01=IC PER02? PER03=UR PER04"),
)
PAYEE = loop(
    "1000B",
    "Payee Identification",
    "R",
    1,
    seg("N1", "R", 1, "Payee Identification", "N101=PE N102 N103=FI,XV,XX N104"),
    n3("S"),
    n4("S"),
    seg("REF", "S", UNBOUNDED, "Payee Additional Identification", "REF01=0B,D3,PQ,TJ REF02"),
    seg("RDM", "S", 1, "Remittance Delivery Method", "RDM01 RDM02? RDM03?"),
)
SERVICE = loop(
    "2110",
    "Service Payment Information",
    "S",
    999,
    seg(
        "SVC",
        "R",
        1,
        "Service Payment Information",
        "SVC01 SVC01" + _PROC.format(p="SVC01") + " SVC02 SVC03 SVC04? SVC05? SVC06? SVC07?",
    ),
    seg("DTM", "S", 2, "Service Date", "DTM01=150,151,472 DTM02"),
    cas(99),
    seg(
        "REF",
        "S",
        30,
        "Service Identification",
        "REF01=1S,APC,BB,E9,G1,G3,LU,RB,6R,0B,1A,1B,1C,1D,1G,1H,1J,D3,G2,HPI,SY,TJ,0K REF02",
    ),
    seg("AMT", "S", 9, "Service Supplemental Amount", "AMT01=B6,KH,T,T2,ZK,ZL,ZM,ZN,ZO AMT02"),
    seg("QTY", "S", 6, "Service Supplemental Quantity", "QTY01=ZK,ZL,ZM,ZN,ZO QTY02"),
    seg("LQ", "S", 99, "Health Care Remark Codes", "LQ01=HE,RX LQ02"),
)
CLAIM = loop(
    "2100",
    "Claim Payment Information",
    "R",
    UNBOUNDED,
    seg(
        "CLP",
        "R",
        1,
        "Claim Payment Information",
        "CLP01 CLP02@CLAIM_STATUS CLP03 CLP04 CLP05? CLP06@CLAIM_FILING CLP07 CLP08? CLP09?"
        " CLP11? CLP12? CLP13? CLP14?",
    ),
    cas(99),
    seg("NM1", "R", 1, "Patient Name", f"NM101=QC NM102=1 {_NAME} NM108?=34,HN,II,MI,MR NM109?"),
    seg("NM1", "S", 1, "Insured Name", f"NM101=IL NM102=1,2 {_NAME} NM108=FI,II,MI NM109"),
    seg(
        "NM1", "S", 1, "Corrected Patient/Insured Name", f"NM101=74 NM102=1 {_NAME} NM108?=C NM109?"
    ),
    seg(
        "NM1",
        "S",
        1,
        "Service Provider Name",
        f"NM101=82 NM102=1,2 {_NAME} NM108=BD,BS,FI,MC,PC,SL,UP,XX NM109",
    ),
    seg(
        "NM1",
        "S",
        1,
        "Crossover Carrier Name",
        "NM101=TT NM102=2 NM103 NM108=AD,FI,NI,PI,PP,XV NM109",
    ),
    seg(
        "NM1",
        "S",
        1,
        "Corrected Priority Payer Name",
        "NM101=PR NM102=2 NM103 NM108=AD,FI,NI,PI,PP,XV NM109",
    ),
    seg(
        "NM1", "S", 1, "Other Subscriber Name", f"NM101=GB NM102=1,2 {_NAME} NM108?=FI,II,MI NM109?"
    ),
    seg(
        "MIA",
        "S",
        1,
        "Inpatient Adjudication Information",
        "MIA01 " + " ".join(f"MIA{k:02d}?" for k in range(2, 25)),
    ),
    seg(
        "MOA",
        "S",
        1,
        "Outpatient Adjudication Information",
        " ".join(f"MOA{k:02d}?" for k in range(1, 10)),
    ),
    seg(
        "REF",
        "S",
        15,
        "Claim Identification",
        "REF01=1L,1W,28,6P,9A,9C,BB,CE,EA,F8,G1,G3,IG,SY,0B,1A,1B,1C,1D,1G,1H,1J,D3,G2,LU REF02",
    ),
    seg("DTM", "S", 4, "Claim Dates", "DTM01=232,233,036,050 DTM02"),
    seg("PER", "S", 2, "Claim Contact Information", _CONTACT.replace("PER01=IC", "PER01=CX")),
    seg(
        "AMT",
        "S",
        13,
        "Claim Supplemental Information",
        "AMT01=AU,D8,DY,F5,I,NL,T,T2,ZK,ZL,ZM,ZN,ZO AMT02",
    ),
    seg(
        "QTY",
        "S",
        14,
        "Claim Supplemental Information Quantity",
        "QTY01=CA,CD,LA,LE,NE,NR,OU,PS,VS,ZK,ZL,ZM,ZN,ZO QTY02",
    ),
    SERVICE,
)
HEADER_NUMBER = loop(
    "2000",
    "Header Number",
    "S",
    UNBOUNDED,
    seg("LX", "R", 1, "Header Number", "LX01"),
    seg(
        "TS3",
        "S",
        1,
        "Provider Summary Information",
        "TS301 TS302 TS303 TS304 TS305 " + " ".join(f"TS3{k:02d}?" for k in range(6, 25)),
    ),
    seg(
        "TS2",
        "S",
        1,
        "Provider Supplemental Summary Information",
        " ".join(f"TS2{k:02d}?" for k in range(1, 20)),
    ),
    CLAIM,
)
REMITTANCE = TransactionSpec(
    "835",
    "835",
    "HP",
    ("005010X221A1",),
    "Health Care Claim Payment/Advice",
    loop(
        "ST",
        "Header",
        "R",
        1,
        seg("BPR", "R", 1, "Financial Information", _BPR),
        seg("TRN", "R", 1, "Reassociation Trace Number", "TRN01=1 TRN02 TRN03 TRN04?"),
        seg("CUR", "S", 1, "Foreign Currency Information", "CUR01=PR CUR02"),
        seg("REF", "S", 2, "Receiver / Version Identification", "REF01=EV,F2 REF02"),
        seg("DTM", "S", 1, "Production Date", "DTM01=405 DTM02"),
        PAYER,
        PAYEE,
        HEADER_NUMBER,
        seg("PLB", "S", UNBOUNDED, "Provider Adjustment", _PLB),
    ),
)
