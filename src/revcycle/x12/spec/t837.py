"""837 Health Care Claim: Professional (005010X222A1) and Institutional (005010X223A2).

Both guides share the envelope of loops (submitter, receiver, billing provider, subscriber,
patient, other subscriber) and differ in the claim and service line. ``build(kind)`` returns
the spec for ``"P"`` or ``"I"``; the structure follows the implementation guides' loop tables.
"""

from __future__ import annotations

from revcycle.x12.spec.common import (
    PERSON_OR_ORG,
    n3,
    n4,
    per,
    provider_name,
    secondary_ids,
)
from revcycle.x12.spec.model import UNBOUNDED, LoopRule, TransactionSpec, cas, loop, seg

REPORT_TYPES = (
    "03,04,05,06,07,08,09,10,11,13,15,21,A3,A4,AM,AS,B2,B3,B4,BR,BS,BT,CB,CK,CT,D2,DA,DB,DG,DJ,DS,"
    "EB,HC,HR,I5,IR,LA,M1,MT,NN,OB,OC,OD,OE,OX,OZ,P4,P5,PE,PN,PO,PQ,PY,PZ,RB,RR,RT,RX,SG,V5,XP"
)
PROC = "-1=ER,HC,HP,IV,WK {p}-2 {p}-3? {p}-4? {p}-5? {p}-6? {p}-7?"


def procedure(ref: str, required: bool = True) -> str:
    head = ref if required else ref + "?"
    return f"{head} {ref}" + PROC.format(p=ref)


def hi_rules(first: str, other: str, count: int = 12, extra: str = "") -> str:
    tokens = [f"HI01 HI01-1={first} HI01-2"] + [f"HI01{e}" for e in extra.split()]
    for k in range(2, count + 1):
        tokens.append(f"HI{k:02d}? HI{k:02d}-1={other} HI{k:02d}-2")
        tokens += [f"HI{k:02d}{e}" for e in extra.split()]
    return " ".join(tokens)


def _submitter_receiver() -> tuple[LoopRule, LoopRule]:
    submitter = loop(
        "1000A",
        "Submitter Name",
        "R",
        1,
        seg("NM1", "R", 1, "Submitter Name", f"NM101=41 {PERSON_OR_ORG} NM108=46 NM109"),
        per("R", 2),
    )
    receiver = loop(
        "1000B",
        "Receiver Name",
        "R",
        1,
        seg("NM1", "R", 1, "Receiver Name", "NM101=40 NM102=2 NM103 NM108=46 NM109"),
    )
    return submitter, receiver


def _other_payer_provider(loop_id: str, entity: str, name: str, kinds: str) -> LoopRule:
    return loop(
        loop_id,
        name,
        "S",
        1,
        seg("NM1", "R", 1, name, f"NM101={entity} NM102={kinds}"),
        secondary_ids("0B,1G,G2,LU", 3, "R"),
    )


def _line_provider(
    loop_id: str,
    entity: str,
    name: str,
    kinds: str = "1,2",
    *extra: object,
    after: tuple[object, ...] = (),
) -> LoopRule:
    items = [provider_name(entity, name, kinds), *extra]
    items.append(secondary_ids("0B,1G,G2,LU", 20))
    items += after
    return loop(loop_id, name, "S", 1, *items)  # type: ignore[arg-type]


def build(kind: str) -> TransactionSpec:
    prof = kind == "P"
    submitter, receiver = _submitter_receiver()
    billing = loop(
        "2010AA",
        "Billing Provider Name",
        "R",
        1,
        provider_name("85", "Billing Provider Name", "1,2" if prof else "2"),
        n3(),
        n4("R", "N403?" if prof else "N403?~[0-9]{9}"),
        seg("REF", "R", 1, "Billing Provider Tax Identification", "REF01=EI,SY REF02"),
        seg("REF", "S", 2, "Billing Provider UPIN/License", "REF01=0B,1G REF02"),
        per("S", 2),
    )
    pay_to = loop(
        "2010AB",
        "Pay-to Address Name",
        "S",
        1,
        seg("NM1", "R", 1, "Pay-to Address Name", "NM101=87 NM102=1,2"),
        n3(),
        n4(),
    )
    pay_to_plan = loop(
        "2010AC",
        "Pay-to Plan Name",
        "S",
        1,
        seg("NM1", "R", 1, "Pay-to Plan Name", "NM101=PE NM102=2 NM103 NM108=PI,XV NM109"),
        n3(),
        n4(),
        secondary_ids("2U,FY,NF,EI", 2),
    )
    subscriber_name = loop(
        "2010BA",
        "Subscriber Name",
        "R",
        1,
        seg("NM1", "R", 1, "Subscriber Name", f"NM101=IL {PERSON_OR_ORG} NM108=II,MI NM109"),
        n3("S"),
        n4("S"),
        seg("DMG", "S", 1, "Subscriber Demographic Information", "DMG01=D8 DMG02 DMG03@GENDER"),
        secondary_ids("SY,Y4", 2),
    )
    payer_name = loop(
        "2010BB",
        "Payer Name",
        "R",
        1,
        seg("NM1", "R", 1, "Payer Name", "NM101=PR NM102=2 NM103 NM108=PI,XV NM109"),
        n3("S"),
        n4("S"),
        secondary_ids("2U,EI,FY,NF,G2,LU", 5),
    )
    claim = _claim_2300(prof)
    patient = loop(
        "2000C",
        "Patient Hierarchical Level",
        "S",
        UNBOUNDED,
        seg("HL", "R", 1, "Patient Hierarchical Level", "HL01 HL02 HL03=23 HL04=0"),
        seg(
            "PAT",
            "R",
            1,
            "Patient Information",
            "PAT01@PATIENT_RELATIONSHIP"
            + (" PAT05?=D8 PAT06? PAT07?=01 PAT08? PAT09?=Y" if prof else ""),
        ),
        loop(
            "2010CA",
            "Patient Name",
            "R",
            1,
            seg("NM1", "R", 1, "Patient Name", "NM101=QC NM102=1 NM103 NM104? NM105? NM107?"),
            n3(),
            n4(),
            seg("DMG", "R", 1, "Patient Demographic Information", "DMG01=D8 DMG02 DMG03@GENDER"),
            secondary_ids("Y4,1W,SY", 2),
        ),
        claim,
    )
    subscriber = loop(
        "2000B",
        "Subscriber Hierarchical Level",
        "R",
        UNBOUNDED,
        seg("HL", "R", 1, "Subscriber Hierarchical Level", "HL01 HL02 HL03=22 HL04=0,1"),
        seg(
            "SBR",
            "R",
            1,
            "Subscriber Information",
            "SBR01@PAYER_SEQUENCE SBR02?@SUBSCRIBER_RELATIONSHIP SBR03? SBR04? SBR05? SBR09?@CLAIM_FILING",
        ),
        *(
            [
                seg(
                    "PAT",
                    "S",
                    1,
                    "Patient Information",
                    "PAT05?=D8 PAT06? PAT07?=01 PAT08? PAT09?=Y",
                )
            ]
            if prof
            else []
        ),
        subscriber_name,
        payer_name,
        claim,
        patient,
    )
    billing_hl = loop(
        "2000A",
        "Billing Provider Hierarchical Level",
        "R",
        UNBOUNDED,
        seg("HL", "R", 1, "Billing Provider Hierarchical Level", "HL01 HL03=20 HL04=1"),
        seg("PRV", "S", 1, "Billing Provider Specialty Information", "PRV01=BI PRV02=PXC PRV03"),
        seg("CUR", "S", 1, "Foreign Currency Information", "CUR01=85 CUR02"),
        billing,
        pay_to,
        pay_to_plan,
        subscriber,
    )
    body = loop(
        "ST",
        "Header",
        "R",
        1,
        seg(
            "BHT",
            "R",
            1,
            "Beginning of Hierarchical Transaction",
            "BHT01=0019 BHT02=00,18 BHT03 BHT04 BHT05 BHT06=31,CH,RP",
        ),
        submitter,
        receiver,
        billing_hl,
    )
    if prof:
        return TransactionSpec(
            "837P", "837", "HC", ("005010X222A1",), "Health Care Claim: Professional", body
        )
    return TransactionSpec(
        "837I", "837", "HC", ("005010X223A2",), "Health Care Claim: Institutional", body
    )


def _claim_2300(prof: bool) -> LoopRule:
    if prof:
        clm = (
            "CLM01 CLM02 CLM05 CLM05-1 CLM05-2=B CLM05-3@PROFESSIONAL_FREQUENCY CLM06@YES_NO"
            " CLM07@ASSIGNMENT CLM08@BENEFITS_ASSIGNMENT CLM09@RELEASE_OF_INFO CLM10?"
            " CLM11? CLM11-1=AA,EM,OA CLM11-2?=AA,EM,OA CLM11-4? CLM11-5? CLM12? CLM20?"
        )
        dates = "431,454,304,453,439,484,455,471,314,360,361,297,296,435,096,090,091,444,050"
        claim_items: list[object] = [
            seg("CLM", "R", 1, "Claim Information", clm),
            seg("DTP", "S", 20, "Claim Dates", f"DTP01={dates} DTP02=D8,RD8 DTP03"),
        ]
    else:
        clm = (
            "CLM01 CLM02 CLM05 CLM05-1 CLM05-2=A CLM05-3@INSTITUTIONAL_FREQUENCY"
            " CLM07@ASSIGNMENT CLM08@BENEFITS_ASSIGNMENT CLM09@RELEASE_OF_INFO CLM20?"
        )
        claim_items = [
            seg("CLM", "R", 1, "Claim Information", clm),
            seg("DTP", "S", 1, "Discharge Hour", "DTP01=096 DTP02=TM DTP03"),
            seg("DTP", "R", 1, "Statement Dates", "DTP01=434 DTP02=RD8 DTP03"),
            seg("DTP", "S", 1, "Admission Date/Hour", "DTP01=435 DTP02=D8,DT DTP03"),
            seg("DTP", "S", 1, "Repricer Received Date", "DTP01=050 DTP02=D8 DTP03"),
            seg("CL1", "R", 1, "Institutional Claim Code", "CL101? CL102? CL103 CL104?"),
        ]
    claim_items += [
        seg(
            "PWK",
            "S",
            10,
            "Claim Supplemental Information",
            f"PWK01={REPORT_TYPES} PWK02=AA,BM,EL,EM,FT,FX PWK05? PWK06?",
        ),
        seg("CN1", "S", 1, "Contract Information", "CN101 CN102? CN103? CN104? CN105? CN106?"),
        seg("AMT", "S", 1, "Patient Amount Paid", "AMT01=F5,F3 AMT02"),
        seg(
            "REF",
            "S",
            20,
            "Claim Identifiers",
            "REF01=4N,F5,EW,9F,G1,F8,X4,9A,9C,LX,D9,EA,P4,1J,G4,T4 REF02 REF03?",
        ),
        seg("K3", "S", 10, "File Information", "K301"),
        seg("NTE", "S", 10 if not prof else 1, "Claim Note", "NTE01 NTE02"),
    ]
    if prof:
        claim_items += [
            seg(
                "CR1",
                "S",
                1,
                "Ambulance Transport Information",
                "CR101? CR102? CR104? CR105? CR106? CR109? CR110?",
            ),
            seg("CR2", "S", 1, "Spinal Manipulation Service Information", "CR208? CR210? CR211?"),
            seg("CRC", "S", 8, "Claim Conditions", "CRC01 CRC02 CRC03 CRC04? CRC05? CRC06? CRC07?"),
            seg("HI", "R", 1, "Health Care Diagnosis Code", hi_rules("ABK,BK", "ABF,BF")),
            seg("HI", "S", 1, "Anesthesia Related Procedure", hi_rules("BP", "BO", 2)),
            seg("HI", "S", 2, "Condition Information", hi_rules("BG", "BG")),
            seg(
                "HCP",
                "S",
                1,
                "Claim Pricing/Repricing Information",
                "HCP01 HCP02 HCP03? HCP04? HCP05? HCP06? HCP07? HCP13? HCP14? HCP15?",
            ),
        ]
        claim_items += _providers_2310_p()
    else:
        poa = "-9?"
        claim_items += [
            seg("CRC", "S", 8, "Claim Conditions", "CRC01 CRC02 CRC03 CRC04? CRC05? CRC06? CRC07?"),
            seg("HI", "R", 1, "Principal Diagnosis", "HI01 HI01-1=ABK,BK HI01-2 HI01-9?"),
            seg("HI", "S", 1, "Admitting Diagnosis", "HI01 HI01-1=ABJ,BJ HI01-2"),
            seg("HI", "S", 1, "Patient's Reason For Visit", hi_rules("APR,PR", "APR,PR", 3)),
            seg("HI", "S", 1, "External Cause of Injury", hi_rules("ABN,BN", "ABN,BN", 12, poa)),
            seg("HI", "S", 1, "Diagnosis Related Group", "HI01 HI01-1=DR HI01-2"),
            seg("HI", "S", 2, "Other Diagnosis Information", hi_rules("ABF,BF", "ABF,BF", 12, poa)),
            seg(
                "HI",
                "S",
                1,
                "Principal Procedure",
                "HI01 HI01-1=BBR,BR,CAH HI01-2 HI01-3=D8 HI01-4",
            ),
            seg("HI", "S", 2, "Other Procedure", hi_rules("BBQ,BQ", "BBQ,BQ", 12, "-3=D8 -4")),
            seg("HI", "S", 2, "Occurrence Span", hi_rules("BI", "BI", 12, "-3=RD8 -4")),
            seg("HI", "S", 2, "Occurrence", hi_rules("BH", "BH", 12, "-3=D8 -4")),
            seg("HI", "S", 2, "Value", hi_rules("BE", "BE", 12, "-5")),
            seg("HI", "S", 2, "Condition", hi_rules("BG", "BG")),
            seg("HI", "S", 1, "Treatment Code", hi_rules("TC", "TC")),
            seg(
                "HCP",
                "S",
                1,
                "Claim Pricing/Repricing Information",
                "HCP01 HCP02 HCP03? HCP04? HCP05? HCP06? HCP07? HCP13? HCP14? HCP15?",
            ),
        ]
        claim_items += _providers_2310_i()
    claim_items.append(_other_subscriber_2320(prof))
    claim_items.append(_service_line_2400(prof))
    return loop("2300", "Claim Information", "S", 100, *claim_items)  # type: ignore[arg-type]


def _providers_2310_p() -> list[LoopRule]:
    return [
        loop(
            "2310A",
            "Referring Provider Name",
            "S",
            2,
            provider_name("DN,P3", "Referring Provider Name", "1"),
            secondary_ids("0B,1G,G2", 3),
        ),
        loop(
            "2310B",
            "Rendering Provider Name",
            "S",
            1,
            provider_name("82", "Rendering Provider Name"),
            seg(
                "PRV",
                "S",
                1,
                "Rendering Provider Specialty Information",
                "PRV01=PE PRV02=PXC PRV03",
            ),
            secondary_ids("0B,1G,G2,LU", 4),
        ),
        loop(
            "2310C",
            "Service Facility Location Name",
            "S",
            1,
            provider_name("77", "Service Facility Location Name", "2"),
            n3(),
            n4(),
            secondary_ids("G2,LU", 3),
            per("S", 1),
        ),
        loop(
            "2310D",
            "Supervising Provider Name",
            "S",
            1,
            provider_name("DQ", "Supervising Provider Name", "1"),
            secondary_ids("0B,1G,G2,LU", 4),
        ),
        loop(
            "2310E",
            "Ambulance Pick-up Location",
            "S",
            1,
            seg("NM1", "R", 1, "Ambulance Pick-up Location", "NM101=PW NM102=2"),
            n3(),
            n4(),
        ),
        loop(
            "2310F",
            "Ambulance Drop-off Location",
            "S",
            1,
            seg("NM1", "R", 1, "Ambulance Drop-off Location", "NM101=45 NM102=2 NM103?"),
            n3(),
            n4(),
        ),
    ]


def _providers_2310_i() -> list[LoopRule]:
    def prov(loop_id: str, entity: str, name: str, kinds: str = "1") -> LoopRule:
        return loop(
            loop_id,
            name,
            "S",
            1,
            provider_name(entity, name, kinds),
            seg("PRV", "S", 1, "Provider Specialty Information", "PRV01=AT PRV02=PXC PRV03"),
            secondary_ids("0B,1G,G2,LU", 4),
        )

    return [
        prov("2310A", "71", "Attending Provider Name"),
        prov("2310B", "72", "Operating Physician Name"),
        prov("2310C", "ZZ", "Other Operating Physician Name"),
        prov("2310D", "82", "Rendering Provider Name"),
        loop(
            "2310E",
            "Service Facility Location Name",
            "S",
            1,
            provider_name("77", "Service Facility Location Name", "2"),
            n3(),
            n4(),
            secondary_ids("0B,G2,LU", 3),
        ),
        prov("2310F", "DN", "Referring Provider Name"),
    ]


def _other_subscriber_2320(prof: bool) -> LoopRule:
    ids = "I" if not prof else "P"
    providers = (
        [
            _other_payer_provider("2330C", "DN,P3", "Other Payer Referring Provider", "1"),
            _other_payer_provider("2330D", "82", "Other Payer Rendering Provider", "1,2"),
            _other_payer_provider("2330E", "77", "Other Payer Service Facility Location", "2"),
            _other_payer_provider("2330F", "DQ", "Other Payer Supervising Provider", "1"),
            _other_payer_provider("2330G", "85", "Other Payer Billing Provider", "1,2"),
        ]
        if ids == "P"
        else [
            _other_payer_provider("2330C", "71", "Other Payer Attending Provider", "1"),
            _other_payer_provider("2330D", "72", "Other Payer Operating Physician", "1"),
            _other_payer_provider("2330E", "ZZ", "Other Payer Other Operating Physician", "1"),
            _other_payer_provider("2330F", "77", "Other Payer Service Facility Location", "2"),
            _other_payer_provider("2330G", "82", "Other Payer Rendering Provider", "1,2"),
            _other_payer_provider("2330H", "DN", "Other Payer Referring Provider", "1"),
            _other_payer_provider("2330I", "85", "Other Payer Billing Provider", "1,2"),
        ]
    )
    return loop(
        "2320",
        "Other Subscriber Information",
        "S",
        10,
        seg(
            "SBR",
            "R",
            1,
            "Other Subscriber Information",
            "SBR01@PAYER_SEQUENCE SBR02@SUBSCRIBER_RELATIONSHIP SBR03? SBR04? SBR05? SBR09?@CLAIM_FILING",
        ),
        cas(5),
        seg("AMT", "S", 1, "Payer Paid Amount", "AMT01=D AMT02"),
        seg("AMT", "S", 1, "Non-Covered Charge Amount", "AMT01=A8 AMT02"),
        seg("AMT", "S", 1, "Remaining Patient Liability", "AMT01=EAF AMT02"),
        seg(
            "OI",
            "R",
            1,
            "Other Insurance Coverage Information",
            "OI03@YES_NO OI04? OI06@RELEASE_OF_INFO",
        ),
        *(
            []
            if prof
            else [
                seg(
                    "MIA",
                    "S",
                    1,
                    "Inpatient Adjudication Information",
                    "MIA01 " + " ".join(f"MIA{k:02d}?" for k in range(2, 25)),
                )
            ]
        ),
        seg(
            "MOA",
            "S",
            1,
            "Outpatient Adjudication Information",
            " ".join(f"MOA{k:02d}?" for k in range(1, 10)),
        ),
        loop(
            "2330A",
            "Other Subscriber Name",
            "R",
            1,
            seg(
                "NM1",
                "R",
                1,
                "Other Subscriber Name",
                f"NM101=IL {PERSON_OR_ORG} NM108=II,MI NM109",
            ),
            n3("S"),
            n4("S"),
            secondary_ids("SY", 1),
        ),
        loop(
            "2330B",
            "Other Payer Name",
            "R",
            1,
            seg("NM1", "R", 1, "Other Payer Name", "NM101=PR NM102=2 NM103 NM108=PI,XV NM109"),
            n3("S"),
            n4("S"),
            seg("DTP", "S", 1, "Claim Check or Remittance Date", "DTP01=573 DTP02=D8 DTP03"),
            secondary_ids("2U,EI,FY,NF,G1,9F,T4,F8", 6),
        ),
        *providers,
    )


def _service_line_2400(prof: bool) -> LoopRule:
    drug = loop(
        "2410",
        "Drug Identification",
        "S",
        1,
        seg("LIN", "R", 1, "Drug Identification", "LIN02=N4,EN,EO,HI,N5,N6,UP,VC LIN03"),
        seg("CTP", "R", 1, "Drug Quantity", "CTP04 CTP05 CTP05-1=F2,GR,ME,ML,UN"),
        seg("REF", "S", 1, "Prescription or Compound Drug Association Number", "REF01=VY,XZ REF02"),
    )
    adjudication = loop(
        "2430",
        "Line Adjudication Information",
        "S",
        15,
        seg(
            "SVD",
            "R",
            1,
            "Line Adjudication Information",
            f"SVD01 SVD02 {procedure('SVD03')} SVD04? SVD05 SVD06?",
        ),
        cas(5),
        seg("DTP", "R", 1, "Line Check or Remittance Date", "DTP01=573 DTP02=D8 DTP03"),
        seg("AMT", "S", 1, "Remaining Patient Liability", "AMT01=EAF AMT02"),
    )
    if prof:
        sv1 = (
            f"{procedure('SV101')} SV102 SV103=MJ,UN SV104 SV105? SV107 SV107-1 SV107-2?"
            " SV107-3? SV107-4? SV109? SV111? SV112? SV115?"
        )
        items: list[object] = [
            seg("LX", "R", 1, "Service Line Number", "LX01"),
            seg("SV1", "R", 1, "Professional Service", sv1),
            seg(
                "SV5",
                "S",
                1,
                "Durable Medical Equipment Service",
                f"{procedure('SV501')} SV502 SV503 SV504? SV505? SV506?",
            ),
            seg(
                "PWK",
                "S",
                10,
                "Line Supplemental Information",
                f"PWK01={REPORT_TYPES} PWK02=AA,BM,EL,EM,FT,FX PWK05? PWK06?",
            ),
            seg(
                "PWK",
                "S",
                1,
                "Durable Medical Equipment Certificate of Medical Necessity Indicator",
                "PWK01=CT PWK02=AB,AD,AF,AG,NS",
            ),
            seg(
                "CR1",
                "S",
                1,
                "Ambulance Transport Information",
                "CR101? CR102? CR104? CR105? CR106? CR109? CR110?",
            ),
            seg("CR3", "S", 1, "Durable Medical Equipment Certification", "CR301 CR302 CR303"),
            seg("CRC", "S", 5, "Line Conditions", "CRC01 CRC02 CRC03 CRC04? CRC05? CRC06? CRC07?"),
            seg("DTP", "R", 1, "Date - Service Date", "DTP01=472 DTP02=D8,RD8 DTP03"),
            seg(
                "DTP",
                "S",
                12,
                "Line Dates",
                "DTP01=471,607,463,461,304,738,739,011,455,454 DTP02=D8 DTP03",
            ),
            seg(
                "QTY",
                "S",
                2,
                "Ambulance Patient Count / Obstetric Additional Units",
                "QTY01=PT,FL QTY02",
            ),
            seg("MEA", "S", 5, "Test Result", "MEA01=OG,TR MEA02 MEA03"),
            seg("CN1", "S", 1, "Contract Information", "CN101 CN102? CN103? CN104? CN105? CN106?"),
        ]
    else:
        sv2 = f"SV201 {procedure('SV202', False)} SV203 SV204=DA,UN SV205 SV206? SV207?"
        items = [
            seg("LX", "R", 1, "Service Line Number", "LX01"),
            seg("SV2", "R", 1, "Institutional Service Line", sv2),
            seg("PWK", "S", 1, "Line Supplemental Information", "PWK01 PWK02 PWK05? PWK06?"),
            seg("DTP", "S", 1, "Date - Service Date", "DTP01=472 DTP02=D8,RD8 DTP03"),
        ]
    items += [
        seg(
            "REF",
            "S",
            20,
            "Line Identifiers",
            "REF01=9B,9D,G1,6R,EW,X4,F4,BT,9F,1S,9C,0B,1G,LU,G2,9A REF02 REF03?",
        ),
        seg("AMT", "S", 2, "Line Amounts", "AMT01=T,F4,GT,N8 AMT02"),
        seg("K3", "S", 10, "File Information", "K301"),
        seg("NTE", "S", 2, "Line Note", "NTE01 NTE02"),
        seg("PS1", "S", 1, "Purchased Service Information", "PS101 PS102"),
        seg(
            "HCP",
            "S",
            1,
            "Line Pricing/Repricing Information",
            "HCP01 HCP02 HCP03? HCP04? HCP05? HCP06? HCP07? HCP09? HCP10? HCP11? HCP12? HCP13? HCP14? HCP15?",
        ),
        drug,
    ]
    if prof:
        items += [
            _line_provider(
                "2420A",
                "82",
                "Rendering Provider Name",
                "1,2",
                seg("PRV", "S", 1, "Rendering Provider Specialty", "PRV01=PE PRV02=PXC PRV03"),
            ),
            _line_provider("2420B", "QB", "Purchased Service Provider Name", "1,2"),
            _line_provider("2420C", "77", "Service Facility Location Name", "2", n3(), n4()),
            _line_provider("2420D", "DQ", "Supervising Provider Name", "1"),
            _line_provider(
                "2420E",
                "DK",
                "Ordering Provider Name",
                "1",
                n3("S"),
                n4("S"),
                after=(per("S", 1),),
            ),
            _line_provider("2420F", "DN,P3", "Referring Provider Name", "1"),
            loop(
                "2420G",
                "Ambulance Pick-up Location",
                "S",
                1,
                seg("NM1", "R", 1, "Ambulance Pick-up Location", "NM101=PW NM102=2"),
                n3(),
                n4(),
            ),
            loop(
                "2420H",
                "Ambulance Drop-off Location",
                "S",
                1,
                seg("NM1", "R", 1, "Ambulance Drop-off Location", "NM101=45 NM102=2 NM103?"),
                n3(),
                n4(),
            ),
        ]
    else:
        items += [
            _line_provider("2420A", "72", "Operating Physician Name", "1"),
            _line_provider("2420B", "ZZ", "Other Operating Physician Name", "1"),
            _line_provider("2420C", "82", "Rendering Provider Name", "1,2"),
            _line_provider("2420D", "DN", "Referring Provider Name", "1"),
        ]
    items.append(adjudication)
    if prof:
        items.append(
            loop(
                "2440",
                "Form Identification Code",
                "S",
                UNBOUNDED,
                seg("LQ", "R", 1, "Form Identification Code", "LQ01=AS,UT LQ02"),
                seg(
                    "FRM", "R", 99, "Supporting Documentation", "FRM01 FRM02? FRM03? FRM04? FRM05?"
                ),
            )
        )
    return loop("2400", "Service Line Number", "R", 50 if prof else 999, *items)  # type: ignore[arg-type]


PROFESSIONAL = build("P")
INSTITUTIONAL = build("I")
