"""Where things go on the paper claim forms: box rectangles and data slots, as data.

Both forms are designed for a typewriter grid: 10 characters per inch across and 6 lines per
inch down (a column is 7.2 pt wide, a line 12 pt high). Every position here is on that grid, with
column 1 / line 1 at the top-left corner of the printable area given by :data:`GRID`. The tables
are the only description of the layout: the renderers draw the boxes from :data:`CMS1500_BOXES`
(full mode) and print the data at the slots of :data:`CMS1500_SLOTS` / :data:`UB04_SLOTS` in both
modes, and the tests read text back and check it lies inside the rectangles computed here.

Invariants (checked by ``tests/unit/forms/test_layout.py``):
- every slot names a box of its own table and lies inside that box's rectangle;
- every box lies on the page.

The CMS-1500 (02/12) line numbers follow the common pica print layout (box 1a on line 8,
service lines on 44, 46, ... 54, each with its shaded supplemental line just above); the UB-04
follows the NUBC form (22 service lines on lines 18-39, the totals line on 40). Box captions are
revcycle's own wording, not the printed form's text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Align = Literal["left", "right"]


@dataclass(frozen=True, slots=True)
class Rect:
    """A rectangle in PDF points, origin at the bottom-left corner of the page."""

    x0: float
    y0: float
    x1: float
    y1: float

    def contains(self, x: float, y: float, tolerance: float = 0.5) -> bool:
        return (
            self.x0 - tolerance <= x <= self.x1 + tolerance
            and self.y0 - tolerance <= y <= self.y1 + tolerance
        )


@dataclass(frozen=True, slots=True)
class Grid:
    """The print grid: page size and where column 1 / line 1 start, in points."""

    page_width: float = 612.0  # US letter, 8.5 in
    page_height: float = 792.0  # 11 in
    left: float = 18.0  # left edge of column 1 (0.25 in)
    top: float = 18.0  # top edge of line 1, from the top of the page (0.25 in)
    col_pitch: float = 7.2  # 10 characters per inch
    line_pitch: float = 12.0  # 6 lines per inch
    baseline_rise: float = 2.5  # text baseline above the bottom of its line

    def x(self, col: float) -> float:
        """Left edge of ``col`` (1-based)."""
        return self.left + (col - 1) * self.col_pitch

    def line_top(self, line: float) -> float:
        """Top edge of ``line`` (1-based), in PDF coordinates."""
        return self.page_height - self.top - (line - 1) * self.line_pitch

    def baseline(self, line: float) -> float:
        return self.line_top(line) - self.line_pitch + self.baseline_rise


GRID = Grid()


@dataclass(frozen=True, slots=True)
class Box:
    """A box of the form: its number, caption (drawn in full mode) and extent on the grid."""

    key: str
    caption: str
    col: float  # left column
    line: float  # top line
    cols: float  # width in columns
    lines: float  # height in lines

    def rect(self, grid: Grid = GRID) -> Rect:
        x0 = grid.x(self.col)
        top = grid.line_top(self.line)
        return Rect(x0, top - self.lines * grid.line_pitch, x0 + self.cols * grid.col_pitch, top)


@dataclass(frozen=True, slots=True)
class Slot:
    """Where one datum prints: inside ``box``, starting at ``col`` on ``line``, ``width`` chars.

    ``caption`` is drawn in full mode beside a check-box slot (``"YES"``, ``"SELF"``...).
    """

    box: str
    line: int
    col: int
    width: int
    align: Align = "left"
    caption: str = ""


def _boxes(*boxes: Box) -> Mapping[str, Box]:
    return {b.key: b for b in boxes}


# --------------------------------------------------------------------------------------------
# CMS-1500 (02/12)
# --------------------------------------------------------------------------------------------

CMS1500_SERVICE_ROWS = 6
CMS1500_ROW_PITCH = 2  # each service line takes a shaded line and a data line

CMS1500_BOXES: Mapping[str, Box] = _boxes(
    Box("carrier", "PAYER NAME AND ADDRESS", 41, 1, 40, 5),
    Box("1", "1. PROGRAM / COVERAGE TYPE", 1, 7, 48, 2),
    Box("1a", "1a. INSURED ID NUMBER", 49, 7, 32, 2),
    Box("2", "2. PATIENT NAME (LAST, FIRST, MI)", 1, 9, 29, 2),
    Box("3", "3. PATIENT BIRTH DATE / SEX", 30, 9, 19, 2),
    Box("4", "4. INSURED NAME (LAST, FIRST, MI)", 49, 9, 32, 2),
    Box("5", "5. PATIENT ADDRESS / CITY / STATE / ZIP / PHONE", 1, 11, 29, 6),
    Box("6", "6. PATIENT RELATION TO INSURED", 30, 11, 19, 2),
    Box("7", "7. INSURED ADDRESS / CITY / STATE / ZIP / PHONE", 49, 11, 32, 6),
    Box("8", "8. RESERVED (NUCC)", 30, 13, 19, 4),
    Box("9", "9. OTHER INSURED NAME", 1, 17, 29, 2),
    Box("9a", "a. OTHER INSURED POLICY OR GROUP NO.", 1, 19, 29, 2),
    Box("9b", "b. RESERVED (NUCC)", 1, 21, 29, 2),
    Box("9c", "c. RESERVED (NUCC)", 1, 23, 29, 2),
    Box("9d", "d. OTHER PLAN OR PROGRAM NAME", 1, 25, 29, 2),
    Box("10", "10. CONDITION RELATED TO:", 30, 17, 19, 2),
    Box("10a", "a. EMPLOYMENT (CURRENT OR PRIOR)", 30, 19, 19, 2),
    Box("10b", "b. AUTO ACCIDENT / STATE", 30, 21, 19, 2),
    Box("10c", "c. OTHER ACCIDENT", 30, 23, 19, 2),
    Box("10d", "10d. CLAIM CODES", 30, 25, 19, 2),
    Box("11", "11. INSURED POLICY GROUP OR FECA NO.", 49, 17, 32, 2),
    Box("11a", "a. INSURED BIRTH DATE / SEX", 49, 19, 32, 2),
    Box("11b", "b. OTHER CLAIM ID", 49, 21, 32, 2),
    Box("11c", "c. PLAN OR PROGRAM NAME", 49, 23, 32, 2),
    Box("11d", "d. ANOTHER HEALTH BENEFIT PLAN?", 49, 25, 32, 2),
    Box("12", "12. PATIENT OR AUTHORIZED SIGNATURE (RELEASE OF INFORMATION) / DATE", 1, 28, 48, 3),
    Box("13", "13. INSURED OR AUTHORIZED SIGNATURE (PAY THE PROVIDER)", 49, 28, 32, 3),
    Box("14", "14. DATE OF CURRENT ILLNESS / QUAL", 1, 31, 28, 2),
    Box("15", "15. OTHER DATE / QUAL", 29, 31, 20, 2),
    Box("16", "16. DATES UNABLE TO WORK", 49, 31, 32, 2),
    Box("17", "17. REFERRING PROVIDER OR OTHER SOURCE", 1, 33, 28, 2),
    Box("17a", "17a", 29, 33, 20, 1),
    Box("17b", "17b. NPI", 29, 34, 20, 1),
    Box("18", "18. HOSPITALIZATION DATES", 49, 33, 32, 2),
    Box("19", "19. ADDITIONAL CLAIM INFORMATION", 1, 35, 48, 2),
    Box("20", "20. OUTSIDE LAB? / $ CHARGES", 49, 35, 32, 2),
    Box("21", "21. DIAGNOSES (RELATE A-L TO 24E)   ICD IND.", 1, 37, 48, 4),
    Box("22", "22. RESUBMISSION CODE / ORIGINAL REF. NO.", 49, 37, 32, 2),
    Box("23", "23. PRIOR AUTHORIZATION NUMBER", 49, 39, 32, 2),
    Box("24", "", 1, 41, 80, 14),  # the service area; supplemental info spans 24A-24G
    Box("24A", "24. A. SERVICE DATES FROM / TO", 1, 41, 18, 14),
    Box("24B", "B. POS", 19, 41, 3, 14),
    Box("24C", "C. EMG", 22, 41, 3, 14),
    Box("24D", "D. CPT/HCPCS   MODIFIERS", 25, 41, 20, 14),
    Box("24E", "E. DX PTR", 45, 41, 5, 14),
    Box("24F", "F. $ CHARGES", 50, 41, 9, 14),
    Box("24G", "G. UNITS", 59, 41, 4, 14),
    Box("24H", "H.", 63, 41, 2, 14),
    Box("24I", "I.", 65, 41, 3, 14),
    Box("24J", "J. RENDERING PROVIDER ID", 68, 41, 13, 14),
    Box("25", "25. FEDERAL TAX ID", 1, 55, 21, 2),
    Box("26", "26. PATIENT ACCOUNT NO.", 22, 55, 15, 2),
    Box("27", "27. ACCEPT ASSIGNMENT?", 37, 55, 12, 2),
    Box("28", "28. TOTAL CHARGE", 49, 55, 12, 2),
    Box("29", "29. AMOUNT PAID", 61, 55, 10, 2),
    Box("30", "30. RESERVED (NUCC)", 71, 55, 10, 2),
    Box("31", "31. SIGNATURE OF PHYSICIAN OR SUPPLIER / DATE", 1, 57, 21, 5),
    Box("32", "32. SERVICE FACILITY LOCATION", 22, 57, 27, 4),
    Box("32a", "a.", 22, 61, 13, 1),
    Box("32b", "b.", 35, 61, 14, 1),
    Box("33", "33. BILLING PROVIDER INFO & PHONE", 49, 57, 32, 4),
    Box("33a", "a.", 49, 61, 13, 1),
    Box("33b", "b.", 62, 61, 19, 1),
)

CMS1500_SLOTS: Mapping[str, Slot] = {
    "payer_name": Slot("carrier", 2, 41, 38),
    "payer_address1": Slot("carrier", 3, 41, 38),
    "payer_address2": Slot("carrier", 4, 41, 38),
    "payer_city": Slot("carrier", 5, 41, 38),
    "program_medicare": Slot("1", 8, 1, 1, caption="MEDICARE"),
    "program_medicaid": Slot("1", 8, 8, 1, caption="MEDICAID"),
    "program_tricare": Slot("1", 8, 15, 1, caption="TRICARE"),
    "program_champva": Slot("1", 8, 24, 1, caption="CHAMPVA"),
    "program_group": Slot("1", 8, 31, 1, caption="GROUP PLAN"),
    "program_feca": Slot("1", 8, 39, 1, caption="FECA"),
    "program_other": Slot("1", 8, 45, 1, caption="OTHER"),
    "insured_id": Slot("1a", 8, 50, 29),
    "patient_name": Slot("2", 10, 1, 28),
    "patient_dob_mm": Slot("3", 10, 31, 2, caption="MM"),
    "patient_dob_dd": Slot("3", 10, 34, 2, caption="DD"),
    "patient_dob_yyyy": Slot("3", 10, 37, 4, caption="YYYY"),
    "patient_sex_m": Slot("3", 10, 42, 1, caption="M"),
    "patient_sex_f": Slot("3", 10, 47, 1, caption="F"),
    "insured_name": Slot("4", 10, 50, 29),
    "patient_street": Slot("5", 12, 1, 28),
    "patient_city": Slot("5", 14, 1, 24),
    "patient_state": Slot("5", 14, 26, 3),
    "patient_zip": Slot("5", 16, 1, 12),
    "patient_phone_area": Slot("5", 16, 15, 3),
    "patient_phone": Slot("5", 16, 19, 8),
    "relation_self": Slot("6", 12, 33, 1, caption="SELF"),
    "relation_spouse": Slot("6", 12, 38, 1, caption="SPOUSE"),
    "relation_child": Slot("6", 12, 42, 1, caption="CHILD"),
    "relation_other": Slot("6", 12, 47, 1, caption="OTHER"),
    "insured_street": Slot("7", 12, 50, 29),
    "insured_city": Slot("7", 14, 50, 23),
    "insured_state": Slot("7", 14, 74, 3),
    "insured_zip": Slot("7", 16, 50, 12),
    "insured_phone_area": Slot("7", 16, 65, 3),
    "insured_phone": Slot("7", 16, 69, 8),
    "other_insured_name": Slot("9", 18, 1, 28),
    "other_insured_policy": Slot("9a", 20, 1, 28),
    "other_plan_name": Slot("9d", 26, 1, 28),
    "employment_yes": Slot("10a", 20, 35, 1, caption="YES"),
    "employment_no": Slot("10a", 20, 41, 1, caption="NO"),
    "auto_yes": Slot("10b", 22, 35, 1, caption="YES"),
    "auto_no": Slot("10b", 22, 41, 1, caption="NO"),
    "auto_state": Slot("10b", 22, 45, 2, caption="ST"),
    "other_accident_yes": Slot("10c", 24, 35, 1, caption="YES"),
    "other_accident_no": Slot("10c", 24, 41, 1, caption="NO"),
    "insured_group": Slot("11", 18, 50, 29),
    "insured_dob_mm": Slot("11a", 20, 53, 2, caption="MM"),
    "insured_dob_dd": Slot("11a", 20, 56, 2, caption="DD"),
    "insured_dob_yyyy": Slot("11a", 20, 59, 4, caption="YYYY"),
    "insured_sex_m": Slot("11a", 20, 68, 1, caption="M"),
    "insured_sex_f": Slot("11a", 20, 75, 1, caption="F"),
    "plan_name": Slot("11c", 24, 50, 29),
    "another_plan_yes": Slot("11d", 26, 52, 1, caption="YES"),
    "another_plan_no": Slot("11d", 26, 57, 1, caption="NO"),
    "patient_signature": Slot("12", 30, 7, 22),
    "patient_signature_date": Slot("12", 30, 36, 10),
    "insured_signature": Slot("13", 30, 56, 22),
    "onset_mm": Slot("14", 32, 2, 2),
    "onset_dd": Slot("14", 32, 5, 2),
    "onset_yy": Slot("14", 32, 8, 2),
    "onset_qualifier": Slot("14", 32, 16, 3),
    "referring_qualifier": Slot("17", 34, 1, 2),
    "referring_name": Slot("17", 34, 4, 24),
    "referring_npi": Slot("17b", 34, 33, 15),
    "additional_information": Slot("19", 36, 1, 48),
    "icd_indicator": Slot("21", 37, 45, 1),
    **{
        f"diagnosis_{letter}": Slot("21", 38 + i // 4, 3 + 13 * (i % 4), 7, caption=letter)
        for i, letter in enumerate("ABCDEFGHIJKL")
    },
    "resubmission_code": Slot("22", 38, 50, 11),
    "original_reference": Slot("22", 38, 62, 18),
    "prior_authorization": Slot("23", 40, 50, 29),
    "tax_id": Slot("25", 56, 1, 15),
    "tax_id_ssn": Slot("25", 56, 17, 1, caption="SSN"),
    "tax_id_ein": Slot("25", 56, 19, 1, caption="EIN"),
    "account_number": Slot("26", 56, 23, 14),
    "assignment_yes": Slot("27", 56, 38, 1, caption="YES"),
    "assignment_no": Slot("27", 56, 43, 1, caption="NO"),
    "total_charge": Slot("28", 56, 51, 9, align="right"),
    "provider_signature": Slot("31", 60, 1, 20),
    "provider_signature_date": Slot("31", 61, 13, 8),
    "facility_name": Slot("32", 58, 23, 26),
    "facility_street": Slot("32", 59, 23, 26),
    "facility_city": Slot("32", 60, 23, 26),
    "facility_npi": Slot("32a", 61, 23, 11),
    "billing_phone_area": Slot("33", 57, 66, 3),
    "billing_phone": Slot("33", 57, 70, 8),
    "billing_name": Slot("33", 58, 50, 30),
    "billing_street": Slot("33", 59, 50, 30),
    "billing_city": Slot("33", 60, 50, 30),
    "billing_npi": Slot("33a", 61, 50, 11),
}

# The first service line; line n (0-based on its page) prints CMS1500_ROW_PITCH * n lines lower.
CMS1500_LINE_SLOTS: Mapping[str, Slot] = {
    "supplemental": Slot("24", 43, 1, 61),
    "from_mm": Slot("24A", 44, 1, 2),
    "from_dd": Slot("24A", 44, 4, 2),
    "from_yy": Slot("24A", 44, 7, 2),
    "to_mm": Slot("24A", 44, 10, 2),
    "to_dd": Slot("24A", 44, 13, 2),
    "to_yy": Slot("24A", 44, 16, 2),
    "place_of_service": Slot("24B", 44, 19, 2),
    "emergency": Slot("24C", 44, 22, 1),
    "procedure": Slot("24D", 44, 25, 6),
    "modifier1": Slot("24D", 44, 33, 2),
    "modifier2": Slot("24D", 44, 36, 2),
    "modifier3": Slot("24D", 44, 39, 2),
    "modifier4": Slot("24D", 44, 42, 2),
    "pointers": Slot("24E", 44, 45, 4),
    "charge": Slot("24F", 44, 50, 8, align="right"),
    "units": Slot("24G", 44, 59, 3),
    "epsdt": Slot("24H", 44, 63, 1),
    "rendering_npi": Slot("24J", 44, 68, 11),
}


# --------------------------------------------------------------------------------------------
# UB-04 (data only: the form's design belongs to NUBC, so no boxes are drawn)
# --------------------------------------------------------------------------------------------

UB04_SERVICE_ROWS = 22
UB04_ROW_PITCH = 1
UB04_TOTALS_LINE = 40  # "line 23" of the service area

UB04_BOXES: Mapping[str, Box] = _boxes(
    Box("FL1", "BILLING PROVIDER", 1, 1, 25, 4),
    Box("FL2", "PAY-TO PROVIDER", 26, 1, 25, 4),
    Box("FL3a", "PATIENT CONTROL NO.", 51, 1, 27, 1),
    Box("FL3b", "MEDICAL RECORD NO.", 51, 2, 27, 1),
    Box("FL4", "TYPE OF BILL", 78, 1, 4, 2),
    Box("FL5", "FEDERAL TAX NO.", 51, 3, 10, 2),
    Box("FL6", "STATEMENT PERIOD", 61, 3, 14, 2),
    Box("FL8", "PATIENT NAME", 1, 5, 30, 2),
    Box("FL9", "PATIENT ADDRESS", 31, 5, 51, 2),
    Box("FL10", "BIRTHDATE", 1, 7, 9, 2),
    Box("FL11", "SEX", 10, 7, 2, 2),
    Box("FL12", "ADMISSION DATE", 12, 7, 7, 2),
    Box("FL13", "ADMISSION HOUR", 19, 7, 3, 2),
    Box("FL14", "ADMISSION TYPE", 22, 7, 3, 2),
    Box("FL15", "POINT OF ORIGIN", 25, 7, 3, 2),
    Box("FL16", "DISCHARGE HOUR", 28, 7, 3, 2),
    Box("FL17", "PATIENT STATUS", 31, 7, 3, 2),
    *(Box(f"FL{18 + k}", "CONDITION CODE", 34 + 3 * k, 7, 3, 2) for k in range(11)),
    Box("FL42", "REV. CD.", 1, 17, 5, 24),
    Box("FL43", "DESCRIPTION", 6, 17, 25, 24),
    Box("FL44", "HCPCS / RATE / HIPPS", 31, 17, 15, 24),
    Box("FL45", "SERVICE DATE", 46, 17, 7, 24),
    Box("FL46", "UNITS", 53, 17, 7, 24),
    Box("FL47", "TOTAL CHARGES", 60, 17, 10, 24),
    Box("FL48", "NON-COVERED CHARGES", 70, 17, 10, 24),
    Box("FL50", "PAYER NAME", 1, 41, 23, 4),
    Box("FL51", "HEALTH PLAN ID", 24, 41, 15, 4),
    Box("FL52", "RELEASE OF INFO", 39, 41, 3, 4),
    Box("FL53", "ASSIGNMENT OF BENEFITS", 42, 41, 2, 4),
    Box("FL56", "NPI", 64, 41, 18, 1),
    Box("FL58", "INSURED NAME", 1, 45, 26, 4),
    Box("FL59", "PATIENT RELATIONSHIP", 27, 45, 3, 4),
    Box("FL60", "INSURED UNIQUE ID", 30, 45, 20, 4),
    Box("FL61", "GROUP NAME", 50, 45, 15, 4),
    Box("FL62", "INSURANCE GROUP NO.", 65, 45, 17, 4),
    Box("FL63", "TREATMENT AUTHORIZATION CODES", 1, 49, 31, 4),
    Box("FL64", "DOCUMENT CONTROL NUMBER", 32, 49, 26, 4),
    Box("FL66", "DX VERSION", 1, 53, 1, 2),
    Box("FL67", "PRINCIPAL DIAGNOSIS", 2, 53, 8, 1),
    *(
        Box(f"FL67{letter}", "OTHER DIAGNOSIS", 10 + 8 * k, 53, 8, 1)
        for k, letter in enumerate("ABCDEFGH")
    ),
    *(
        Box(f"FL67{letter}", "OTHER DIAGNOSIS", 2 + 8 * k, 54, 8, 1)
        for k, letter in enumerate("IJKLMNOPQ")
    ),
    Box("FL69", "ADMITTING DIAGNOSIS", 1, 55, 12, 1),
    Box("FL70", "PATIENT REASON FOR VISIT", 13, 55, 27, 1),
    Box("FL76", "ATTENDING", 53, 56, 29, 2),
    Box("FL77", "OPERATING", 53, 58, 29, 2),
    Box("FL80", "REMARKS", 1, 60, 25, 4),
)

UB04_SLOTS: Mapping[str, Slot] = {
    "provider_name": Slot("FL1", 1, 1, 25),
    "provider_street": Slot("FL1", 2, 1, 25),
    "provider_city": Slot("FL1", 3, 1, 25),
    "provider_phone": Slot("FL1", 4, 1, 25),
    "pay_to_name": Slot("FL2", 1, 26, 25),
    "pay_to_street": Slot("FL2", 2, 26, 25),
    "pay_to_city": Slot("FL2", 3, 26, 25),
    "patient_control_number": Slot("FL3a", 1, 54, 24),
    "medical_record_number": Slot("FL3b", 2, 54, 24),
    "type_of_bill": Slot("FL4", 2, 78, 4),
    "federal_tax_number": Slot("FL5", 4, 51, 10),
    "statement_from": Slot("FL6", 4, 62, 6),
    "statement_through": Slot("FL6", 4, 69, 6),
    "patient_name": Slot("FL8", 6, 2, 29),
    "patient_street": Slot("FL9", 5, 42, 40),
    "patient_city": Slot("FL9", 6, 32, 32),
    "patient_state": Slot("FL9", 6, 65, 2),
    "patient_zip": Slot("FL9", 6, 69, 10),
    "birthdate": Slot("FL10", 8, 1, 8),
    "sex": Slot("FL11", 8, 10, 1),
    "admission_date": Slot("FL12", 8, 13, 6),
    "admission_hour": Slot("FL13", 8, 19, 2),
    "admission_type": Slot("FL14", 8, 22, 1),
    "admission_source": Slot("FL15", 8, 25, 1),
    "discharge_hour": Slot("FL16", 8, 28, 2),
    "patient_status": Slot("FL17", 8, 31, 2),
    **{f"condition_code_{k + 1}": Slot(f"FL{18 + k}", 8, 34 + 3 * k, 2) for k in range(11)},
    "creation_date": Slot("FL45", UB04_TOTALS_LINE, 46, 6),
    "page_of": Slot("FL43", UB04_TOTALS_LINE, 6, 24),
    "total_revenue_code": Slot("FL42", UB04_TOTALS_LINE, 1, 4),
    "total_charges": Slot("FL47", UB04_TOTALS_LINE, 60, 10, align="right"),
    **{f"payer_name_{row}": Slot("FL50", 42 + k, 1, 23) for k, row in enumerate("ABC")},
    **{f"health_plan_id_{row}": Slot("FL51", 42 + k, 24, 15) for k, row in enumerate("ABC")},
    **{f"release_{row}": Slot("FL52", 42 + k, 39, 1) for k, row in enumerate("ABC")},
    **{f"assignment_{row}": Slot("FL53", 42 + k, 42, 1) for k, row in enumerate("ABC")},
    "billing_npi": Slot("FL56", 41, 68, 14),
    **{f"insured_name_{row}": Slot("FL58", 46 + k, 1, 25) for k, row in enumerate("ABC")},
    **{f"relationship_{row}": Slot("FL59", 46 + k, 27, 2) for k, row in enumerate("ABC")},
    **{f"insured_id_{row}": Slot("FL60", 46 + k, 30, 20) for k, row in enumerate("ABC")},
    **{f"group_name_{row}": Slot("FL61", 46 + k, 50, 14) for k, row in enumerate("ABC")},
    **{f"group_number_{row}": Slot("FL62", 46 + k, 65, 17) for k, row in enumerate("ABC")},
    "treatment_authorization": Slot("FL63", 50, 1, 30),
    "document_control_number": Slot("FL64", 50, 32, 26),
    "dx_version": Slot("FL66", 54, 1, 1),
    "principal_dx": Slot("FL67", 53, 2, 7),
    "principal_dx_poa": Slot("FL67", 53, 9, 1),
    **{
        key: slot
        for k, letter in enumerate("ABCDEFGH")
        for key, slot in (
            (f"other_dx_{letter}", Slot(f"FL67{letter}", 53, 10 + 8 * k, 7)),
            (f"other_dx_{letter}_poa", Slot(f"FL67{letter}", 53, 17 + 8 * k, 1)),
        )
    },
    **{
        key: slot
        for k, letter in enumerate("IJKLMNOPQ")
        for key, slot in (
            (f"other_dx_{letter}", Slot(f"FL67{letter}", 54, 2 + 8 * k, 7)),
            (f"other_dx_{letter}_poa", Slot(f"FL67{letter}", 54, 9 + 8 * k, 1)),
        )
    },
    "admitting_dx": Slot("FL69", 55, 5, 7),
    "reason_dx_a": Slot("FL70", 55, 17, 7),
    "reason_dx_b": Slot("FL70", 55, 24, 7),
    "reason_dx_c": Slot("FL70", 55, 31, 7),
    "attending_npi": Slot("FL76", 56, 59, 11),
    "attending_last": Slot("FL76", 57, 53, 17),
    "attending_first": Slot("FL76", 57, 71, 11),
    "operating_npi": Slot("FL77", 58, 59, 11),
    "operating_last": Slot("FL77", 59, 53, 17),
    "operating_first": Slot("FL77", 59, 71, 11),
    **{f"remarks_{k + 1}": Slot("FL80", 60 + k, 1, 24) for k in range(4)},
}

# The first service line; line n (0-based on its page) prints n lines lower.
UB04_LINE_SLOTS: Mapping[str, Slot] = {
    "revenue_code": Slot("FL42", 18, 1, 4),
    "description": Slot("FL43", 18, 6, 24),
    "hcpcs": Slot("FL44", 18, 31, 14),
    "service_date": Slot("FL45", 18, 46, 6),
    "units": Slot("FL46", 18, 53, 7, align="right"),
    "charge": Slot("FL47", 18, 60, 10, align="right"),
}

UB04_OTHER_DX_LETTERS = "ABCDEFGHIJKLMNOPQ"
CMS1500_DX_LETTERS = "ABCDEFGHIJKL"
