"""Format checks for NUBC code sets (licensed: revcycle ships no values).

Revenue codes are four digits (a leading zero included), type of bill is three digits after an
optional leading zero (facility type, bill classification, frequency), condition and occurrence
codes are two characters, value codes two characters.  ``reference.load_code_list_csv`` reads a
licensed list (header ``code,description[,start,stop]``) when the user has one.
"""

from __future__ import annotations

import re

_FORMATS = {
    "revenue": re.compile(r"0?[0-9]{3}|[0-9]{4}"),
    "type_of_bill": re.compile(r"0?[1-9][1-9A-Z][0-9A-Z]"),
    "condition": re.compile(r"[0-9A-Z]{2}"),
    "occurrence": re.compile(r"[0-9A-Z]{2}"),
    "occurrence_span": re.compile(r"[0-9A-Z]{2}"),
    "value": re.compile(r"[0-9A-Z]{2}"),
}

NUBC_KINDS: tuple[str, ...] = tuple(_FORMATS)


def nubc_format_ok(kind: str, code: str) -> bool:
    """True when ``code`` has the shape of a NUBC ``kind`` code (see ``NUBC_KINDS``)."""
    try:
        pattern = _FORMATS[kind]
    except KeyError:
        raise ValueError(f"unknown NUBC code kind {kind!r}") from None
    return pattern.fullmatch(code.strip().upper()) is not None
