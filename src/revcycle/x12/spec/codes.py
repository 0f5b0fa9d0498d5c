"""Named code lists referenced by the specs as ``@NAME``.

Inline qualifiers (``NM101=85``) live in the transaction specs; lists used in many places or
maintained outside X12 (states, claim filing indicators, CAS groups) live here. External code
sets that change every quarter (CARC, RARC, HCPCS, ICD-10) are not checked here: the scrubber
and the codesets package own them.
"""

from __future__ import annotations


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


CODE_LISTS: dict[str, frozenset[str]] = {
    "STATE": _codes(
        "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV"
        " NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS FM GU MH MP PW"
        " PR VI AA AE AP AB BC MB NB NL NS NT NU ON PE QC SK YT"
    ),
    "CLAIM_FILING": _codes("11 12 13 14 15 16 17 AM BL CH CI DS FI HM LM MA MB MC OF TV VA WC ZZ"),
    "SUBSCRIBER_RELATIONSHIP": _codes("01 18 19 20 21 39 40 53 G8"),
    "PATIENT_RELATIONSHIP": _codes("01 19 20 21 39 40 53 G8"),
    "PAYER_SEQUENCE": _codes("A B C D E F G H P S T U"),
    "GENDER": _codes("F M U"),
    "YES_NO": _codes("N Y"),
    "RELEASE_OF_INFO": _codes("I Y"),
    "ASSIGNMENT": _codes("A B C"),
    "BENEFITS_ASSIGNMENT": _codes("N W Y"),
    "CAS_GROUP": _codes("CO OA PI PR"),
    "CLAIM_STATUS": _codes("1 2 3 4 19 20 21 22 23 25"),
    "PAYMENT_METHOD": _codes("ACH BOP CHK FWT NON"),
    "HANDLING": _codes("C D H I P U X"),
    "PLB_REASON": _codes(
        "50 51 72 90 AH AM AP B2 B3 BD BN C5 CR CS CT CV CW DM E3 FB FC GO HM IP IR IS J1 L3"
        " L6 LE LS OA OB PI PL RA RE SL TL WO WU"
    ),
    "PROFESSIONAL_FREQUENCY": _codes("1 6 7 8"),
    "INSTITUTIONAL_FREQUENCY": _codes("0 1 2 3 4 5 6 7 8 9 A B C D E F G H I J K M O P Q X Y Z"),
    "DIAGNOSIS_PRINCIPAL": _codes("ABK BK"),
    "DIAGNOSIS_OTHER": _codes("ABF BF"),
    "PRODUCT_QUALIFIER": _codes("ER HC IV WK"),
    "REMIT_PRODUCT_QUALIFIER": _codes("AD ER HC HP IV N4 N6 NU UI WK"),
    "SERVICE_UNIT": _codes("MJ UN"),
    "INSTITUTIONAL_UNIT": _codes("DA UN"),
    "STATUS_CATEGORY": _codes(
        "A0 A1 A2 A3 A4 A5 A6 A7 A8 DR01 DR02 DR03 DR04 DR05 DR06 DR07 DR08 E0 E1 E2 E3 E4"
        " F0 F1 F2 F3 F3F F3N F4 F5 P0 P1 P2 P3 P4 P5 R0 R1 R3 R4 R5 R6 R7 R8 R9 R10 R11 R12"
        " R13 R14 R15 R16 R17 RQ"
    ),
    "IK5_CODE": _codes("A E M R W X"),
    "TRANSACTION_SET": _codes("269 270 271 274 275 276 277 278 820 824 834 835 837 997 999"),
    "AK9_CODE": _codes("A E M P R W X"),
    "SEGMENT_SYNTAX_ERROR": _codes("1 2 3 4 5 6 7 8 I4 I6 I7 I8 I9"),
    "ELEMENT_SYNTAX_ERROR": _codes("1 2 3 4 5 6 7 8 9 10 12 13 I10 I11 I12 I13 I6 I9"),
    "SET_SYNTAX_ERROR": _codes("1 2 3 4 5 6 7 8 9 10 11 12 13 15 16 17 18 19 23 24 25 26 27 I5 I6"),
    "GROUP_SYNTAX_ERROR": _codes("1 2 3 4 5 6 10 11 12 13 14 15 16 17 18 19 23 24 25 26"),
    "TA1_NOTE": _codes(" ".join(f"{i:03d}" for i in range(0, 32))),
    "ENTITY_STATUS": _codes("03 1P 2B 36 40 41 71 72 77 82 85 87 DN DQ FA HK IL P3 PR QC TT"),
}
