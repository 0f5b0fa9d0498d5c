"""Parser for the CMS "order file" layout shared by ICD-10-CM and ICD-10-PCS.

Fixed width, one code per line::

    cols 1-5    order number, zero filled
    col  6      blank
    cols 7-13   code without the dot, left justified
    col  14     blank
    col  15     1 = valid for HIPAA transactions (billable), 0 = header
    col  16     blank
    cols 17-76  short description
    col  77     blank
    cols 78-    long description

The parser is strict: the first bad line aborts the load with its line number, so a caller never
sees a partial list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from revcycle.codesets._text import Source, numbered_lines, source_name
from revcycle.codesets.errors import MalformedCodeFile


@dataclass(frozen=True, slots=True)
class OrderFileRow:
    order: int
    code: str
    billable: bool
    short_description: str
    long_description: str


def parse_order_file(source: Source, code_pattern: re.Pattern[str]) -> list[OrderFileRow]:
    """Every row of an order file, or ``MalformedCodeFile`` naming the first bad line."""
    name = source_name(source)
    rows: list[OrderFileRow] = []
    seen: set[str] = set()
    for number, line in numbered_lines(source):
        if not line.strip():
            continue
        rows.append(_parse_line(number, line, code_pattern, name))
        if rows[-1].code in seen:
            raise MalformedCodeFile(number, f"code {rows[-1].code} appears twice", name)
        seen.add(rows[-1].code)
    if not rows:
        raise MalformedCodeFile(1, "the file holds no codes", name)
    return rows


def _parse_line(number: int, line: str, pattern: re.Pattern[str], name: str) -> OrderFileRow:
    def bad(reason: str) -> MalformedCodeFile:
        return MalformedCodeFile(number, reason, name)

    if len(line) < 78:
        raise bad(f"line is {len(line)} characters; the order-file layout needs at least 78")
    order, code, flag = line[0:5], line[6:13].strip(), line[14]
    if not order.strip().isdigit():
        raise bad(f"order number {order!r} is not numeric")
    if line[5] != " " or line[13] != " " or line[15] != " " or line[76] != " ":
        raise bad("fields are not separated by blanks at columns 6, 14, 16 and 77")
    if not pattern.fullmatch(code):
        raise bad(f"{code!r} is not a well-formed code")
    if flag not in "01":
        raise bad(f"billable flag {flag!r} is not 0 or 1")
    short, long = line[16:76].strip(), line[77:].strip()
    if not short or not long:
        raise bad("description is empty")
    return OrderFileRow(int(order), code, flag == "1", short, long)


def format_order_line(order: int, code: str, billable: bool, short: str, long: str) -> str:
    """One line in the order-file layout (used to write fixtures and round-trip tests)."""
    return f"{order:05d} {code:<7} {int(billable)} {short[:60]:<60} {long}"


def iter_codes(rows: list[OrderFileRow]) -> Iterator[str]:
    return (r.code for r in rows)
