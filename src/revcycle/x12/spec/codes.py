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

# eligibility (270/271, 005010X279A1) and claim status (276/277, 005010X212)
CODE_LISTS.update(
    {
        # EB01: 1-5 active, 6-8 inactive, A co-insurance, B co-payment, C deductible,
        # G out of pocket (stop loss), R other or additional payer, ...
        "ELIGIBILITY_BENEFIT": _codes(
            "1 2 3 4 5 6 7 8 A B C CB D E F G H I J K L M MC N O P Q R S T U V W X Y"
        ),
        # EB02 / EQ03
        "COVERAGE_LEVEL": _codes("CHD DEP ECH EMP ESP FAM IND SPC SPO"),
        # EB03 / EQ01 (element 1365): the X279A1 list plus codes added to the external list
        # since, as far as they fit the two-character element (codesets: service_type_271)
        "SERVICE_TYPE": _codes(
            "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 30 32"
            " 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59"
            " 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86"
            " 87 88 89 90 91 92 93 94 95 96 97 98 99 A0 A1 A2 A3 A4 A5 A6 A7 A8 A9 AA AB AC AD"
            " AE AF AG AH AI AJ AK AL AM AN AO AQ AR B1 B2 B3 BA BB BC BD BE BF BG BH BI BJ BK"
            " BL BM BN BP BQ BR BS BT BU BV BW BX BY BZ C1 CA CB CC CD CE CF CG CH CI CJ CK CL"
            " CM CN CO CP CQ DG DM DS E1 E2 E3 E4 E5 E6 E7 E8 E9 EA EB EC ED EE EF GF GN GY IC"
            " MH NI ON PE PT PU RN RT TC TN UC"
        ),
        # EB04 (element 1336)
        "INSURANCE_TYPE": _codes(
            "12 13 14 15 16 41 42 43 47 AP C1 CO CP D DB EP FF GP HM HN HS IN IP LC LD LI LT"
            " MA MB MC MH MI MP OT PE PL PP PR PS QM RP SP TF WC WU"
        ),
        # EB06 / HSD05: 7 day, 21 years, 22 service year, 23 calendar year, 24 year to date,
        # 25 contract, 26 episode, 27 visit, 29 remaining, 32 lifetime, 33 lifetime remaining
        "TIME_PERIOD": _codes("6 7 13 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36"),
        # EB09
        "BENEFIT_QUANTITY": _codes("8H 99 CA CE D3 DB DY HS LA LE M2 MN P6 QA S7 S8 VS YY"),
        # EB11 authorization or certification required; EB12 in plan network (W: not
        # applicable, the benefit holds in and out of network)
        "YES_NO_UNKNOWN": _codes("N U Y"),
        "IN_NETWORK": _codes("N U W Y"),
        # AAA03 at every level of the 271 (each level allows a subset)
        "REJECT_REASON": _codes(
            "04 15 33 35 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 60 61 62 63 64"
            " 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 97 98 AA AE AF AG AO CI E8 IA MA"
            " T4"
        ),
        # AAA04: C correct and resubmit, N resubmission not allowed, P resubmit original,
        # R resubmission allowed, S do not resubmit (inquiry sent to a third party),
        # W wait 30 days, X wait 10 days, Y do not resubmit (we will respond again)
        "FOLLOW_UP_ACTION": _codes("C N P R S W X Y"),
        # NM101 of a benefit related entity (2120C/D)
        "BENEFIT_ENTITY": _codes(
            "13 1I 1P 2B 36 73 FA GP GW I3 IL LR OC P3 P4 P5 PR PRP SEP TTP VER VN VY X3 Y2"
        ),
        "PROVIDER_CODE": _codes("AD AT BI CO CV H HH LA OT P1 P2 PC PE R RF SB SK SU"),
        # STC01-1 / STC10-1 / STC11-1 of the 277 claim status response: the 277 categories
        # plus D0 (data search unsuccessful); codesets' status_category_277 is a subset
        "CLAIM_STATUS_CATEGORY": _codes(
            "A0 A1 A2 A3 A4 A5 A6 A7 A8 D0 DR01 DR02 DR03 DR04 DR05 DR06 DR07 DR08 E0 E1 E2 E3"
            " E4 F0 F1 F2 F3 F3F F3N F4 F5 P0 P1 P2 P3 P4 P5 R0 R1 R3 R4 R5 R6 R7 R8 R9 R10"
            " R11 R12 R13 R14 R15 R16 R17 RQ X0"
        ),
        # STC01-3: the entity a 277 status is about (1P provider, 41 submitter, 85 billing
        # provider, IL subscriber, QC patient, PR payer, ...)
        "STATUS_ENTITY": _codes(
            "03 13 17 1E 1G 1H 1I 1O 1P 1Q 1R 1S 1T 1U 1V 1W 1X 1Y 1Z 28 2B 2D 2E 2I 2K 2P"
            " 2Q 2S 2Z 30 36 3A 3C 3D 3E 3F 3G 3H 3I 3J 3K 3L 3M 3N 3O 3P 3Q 3R 3S 3T 3U 3V"
            " 3W 3X 3Y 3Z 40 41 43 44 4A 4B 4C 4D 4E 4F 4G 4H 4I 4J 4L 4M 4N 4O 4P 4Q 4R 4S"
            " 4U 4V 4W 4X 4Y 4Z 5A 5B 5C 5D 5E 5F 5G 5H 5I 5J 5K 5L 5M 5N 5O 5P 5Q 5R 5S 5T"
            " 5U 5V 5W 5X 5Y 5Z 61 6A 6B 6C 6D 6E 6F 6G 6H 6I 6J 6K 6L 6N 6O 6P 6Q 6R 6S 6U"
            " 6V 6W 6X 6Y 71 72 73 74 77 7C 80 82 84 85 87 95 AY CK CZ D2 DD DJ DK DN DO DQ"
            " E1 E2 E7 E9 FA FD FE G0 G3 GB GI GJ GK GM GY HF HH I3 IJ IL IN LI LR MR MSC OB"
            " OD OX P0 P2 P3 P4 P5 P7 PR PRP PT PV PW QA QB QC QD QE QH QK QL QN QO QS QV QY"
            " RC RW S4 SEP SJ SU T4 TL TQ TT TTP TU UH X3 X4 X5 ZZ"
        ),
    }
)
