"""ICD-10-PCS (inpatient procedures): versions loaded from the CMS PCS order file.

PCS codes are seven characters from digits and letters other than O and I.  No PCS release
ships with revcycle; until one is loaded, lookups check the format only.  Versions follow the
fiscal year like ICD-10-CM (effective October 1 to September 30 unless told otherwise).
"""

from __future__ import annotations

import re
from datetime import date

from revcycle.codesets._text import Source
from revcycle.codesets.icd10cm import Icd10CmCode, Icd10CmVersion
from revcycle.codesets.orderfile import parse_order_file

PCS_RE = re.compile(r"[0-9A-HJ-NP-Z]{3,7}")
"""An order file lists PCS tables (3 characters, header rows) as well as full codes."""

PCS_CODE_RE = re.compile(r"[0-9A-HJ-NP-Z]{7}")


def pcs_format_ok(code: str) -> bool:
    return PCS_CODE_RE.fullmatch(code.strip().upper()) is not None


def load_pcs_order_file(
    source: Source, *, name: str, effective_from: date, effective_to: date | None = None
) -> Icd10CmVersion:
    """A PCS version (same row type and immutability as ICD-10-CM versions)."""
    rows = parse_order_file(source, PCS_RE)
    return Icd10CmVersion.from_rows(
        name,
        effective_from,
        (Icd10CmCode(r.code, r.billable, r.short_description, r.long_description) for r in rows),
        effective_to,
    )
