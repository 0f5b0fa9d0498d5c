"""277CA Health Care Claim Acknowledgment (005010X214) as data.

The hierarchy: 2000A information source (payer or clearinghouse), 2000B information receiver
(submitter), 2000C billing provider, 2000D patient with one 2200D claim status per claim and
optional 2220D service lines.
"""

from __future__ import annotations

from revcycle.x12.spec.model import UNBOUNDED, TransactionSpec, loop, seg

_STC = (
    "STC01 STC01-1@STATUS_CATEGORY STC01-2 STC01-3? STC01-4? STC02 STC03? STC04? STC05?"
    " STC10? STC10-1? STC10-2? STC10-3? STC11? STC11-1? STC11-2? STC11-3? STC12?"
)
_NAME = "NM103? NM104? NM105? NM107?"

CLAIM_STATUS = loop(
    "2200D",
    "Claim Status Tracking Number",
    "R",
    UNBOUNDED,
    seg("TRN", "R", 1, "Claim Status Tracking Number", "TRN01=2 TRN02"),
    seg("STC", "R", UNBOUNDED, "Claim Level Status Information", _STC),
    seg("REF", "S", 3, "Claim Identifiers", "REF01=1K,D9,BLT,EA REF02"),
    seg("DTP", "S", 1, "Claim Level Service Date", "DTP01=472 DTP02=D8,RD8 DTP03"),
    loop(
        "2220D",
        "Service Line Information",
        "S",
        UNBOUNDED,
        seg(
            "SVC",
            "R",
            1,
            "Service Line Information",
            "SVC01 SVC01-1=AD,ER,HC,HP,IV,N4,NU,WK SVC01-2 SVC01-3? SVC01-4? SVC01-5? SVC01-6?"
            " SVC01-7? SVC02 SVC03? SVC04? SVC07?",
        ),
        seg("STC", "R", UNBOUNDED, "Service Line Level Status Information", _STC),
        seg("REF", "S", 1, "Service Line Item Identification", "REF01=FJ REF02"),
        seg("DTP", "S", 1, "Service Line Date", "DTP01=472 DTP02=D8,RD8 DTP03"),
    ),
)
PATIENT = loop(
    "2000D",
    "Patient Level",
    "S",
    UNBOUNDED,
    seg("HL", "R", 1, "Patient Level", "HL01 HL02 HL03=PT HL04?"),
    loop(
        "2100D",
        "Patient Name",
        "R",
        1,
        seg("NM1", "R", 1, "Patient Name", f"NM101=QC NM102=1 {_NAME} NM108?=II,MI NM109?"),
    ),
    CLAIM_STATUS,
)
BILLING = loop(
    "2000C",
    "Billing Provider of Service Level",
    "S",
    UNBOUNDED,
    seg("HL", "R", 1, "Billing Provider of Service Level", "HL01 HL02 HL03=19 HL04"),
    loop(
        "2100C",
        "Billing Provider Name",
        "R",
        1,
        seg(
            "NM1",
            "R",
            1,
            "Billing Provider Name",
            f"NM101=85 NM102=1,2 {_NAME} NM108=FI,SV,XX NM109",
        ),
    ),
    loop(
        "2200C",
        "Provider of Service Information Trace Identifier",
        "S",
        1,
        seg("TRN", "R", 1, "Provider of Service Information Trace Identifier", "TRN01=1 TRN02"),
        seg(
            "STC",
            "R",
            UNBOUNDED,
            "Billing Provider Status Information",
            _STC.replace(" STC02 ", " "),
        ),
        seg("REF", "S", 2, "Provider Secondary Identifiers", "REF01=0B,1G,TJ REF02"),
        seg("QTY", "S", 1, "Total Accepted Quantity", "QTY01=QA QTY02"),
        seg("QTY", "S", 1, "Total Rejected Quantity", "QTY01=QC QTY02"),
        seg("AMT", "S", 1, "Total Accepted Amount", "AMT01=YU AMT02"),
        seg("AMT", "S", 1, "Total Rejected Amount", "AMT01=YY AMT02"),
    ),
    PATIENT,
)
RECEIVER = loop(
    "2000B",
    "Information Receiver Level",
    "R",
    UNBOUNDED,
    seg("HL", "R", 1, "Information Receiver Level", "HL01 HL02 HL03=21 HL04"),
    loop(
        "2100B",
        "Information Receiver Name",
        "R",
        1,
        seg(
            "NM1", "R", 1, "Information Receiver Name", f"NM101=41 NM102=1,2 {_NAME} NM108=46 NM109"
        ),
    ),
    loop(
        "2200B",
        "Information Receiver Application Trace Identifier",
        "R",
        1,
        seg("TRN", "R", 1, "Information Receiver Application Trace Identifier", "TRN01=2 TRN02"),
        seg("STC", "R", UNBOUNDED, "Information Receiver Status Information", _STC),
        seg("QTY", "S", 1, "Total Accepted Quantity", "QTY01=90 QTY02"),
        seg("QTY", "S", 1, "Total Rejected Quantity", "QTY01=AA QTY02"),
        seg("AMT", "S", 1, "Total Accepted Amount", "AMT01=YU AMT02"),
        seg("AMT", "S", 1, "Total Rejected Amount", "AMT01=YY AMT02"),
    ),
    BILLING,
)
CLAIM_ACK = TransactionSpec(
    "277CA",
    "277",
    "HN",
    ("005010X214",),
    "Health Care Claim Acknowledgment",
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
            "BHT01=0085 BHT02=08 BHT03 BHT04 BHT05? BHT06=TH",
        ),
        loop(
            "2000A",
            "Information Source Level",
            "R",
            UNBOUNDED,
            seg("HL", "R", 1, "Information Source Level", "HL01 HL03=20 HL04"),
            loop(
                "2100A",
                "Information Source Name",
                "R",
                1,
                seg(
                    "NM1",
                    "R",
                    1,
                    "Information Source Name",
                    "NM101=AY,PR NM102=2 NM103 NM108=46,FI,PI,XV NM109",
                ),
                seg(
                    "PER",
                    "S",
                    1,
                    "Information Source Contact",
                    "PER01=IC PER02? PER03? PER04? PER05? PER06? PER07? PER08?",
                ),
            ),
            loop(
                "2200A",
                "Transmission Receipt Control Identifier",
                "R",
                1,
                seg("TRN", "R", 1, "Transmission Receipt Control Identifier", "TRN01=1 TRN02"),
                seg("DTP", "R", 1, "Information Source Receipt Date", "DTP01=050 DTP02=D8 DTP03"),
                seg("DTP", "R", 1, "Information Source Process Date", "DTP01=009 DTP02=D8 DTP03"),
            ),
            RECEIVER,
        ),
    ),
)
